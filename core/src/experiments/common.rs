//! What several experiments share: the function task and the image task (their URL keys and
//! data), the one model an optimisation experiment studies, and training it with hooks.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::backend::Workload;
use crate::data::{linspace, DataSource, DatasetKind, ImageDataset, ImageSet, TargetFunction};
use crate::events::{Event, Host, ModelInfo};
use crate::models::{init_seeded, ActivationKind, Classifier, ClassifierConfig, Mlp, MlpConfig};
use crate::params::Params;
use crate::train::{
    fit_classifiers, fit_function, ClassifierTask, Halt, Hooks, Regression, Stopwatch,
    TrainDefaults, TrainSettings, Trainer,
};

/// A 1-D function to fit on evenly spaced points (`fn`, `xmin`, `xmax`, `samples`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionTask {
    pub function: TargetFunction,
    pub x_min: f64,
    pub x_max: f64,
    /// Training points, evenly spaced over the domain.
    pub samples: usize,
}

impl Default for FunctionTask {
    fn default() -> Self {
        Self {
            function: TargetFunction::Sinc5,
            x_min: 0.0,
            x_max: 1.0,
            samples: 512,
        }
    }
}

impl FunctionTask {
    pub fn from_params(p: &mut Params) -> Self {
        let d = Self::default();
        let function = p.choice(
            "fn",
            d.function,
            TargetFunction::parse,
            &TargetFunction::ALL.map(|f| f.id()),
        );
        let mut x_min = p.number("xmin", d.x_min, -10.0..=10.0);
        let mut x_max = p.number("xmax", d.x_max, -10.0..=10.0);
        if x_max <= x_min {
            p.notice(format!(
                "xmax must exceed xmin; using [{}, {}]",
                d.x_min, d.x_max
            ));
            (x_min, x_max) = (d.x_min, d.x_max);
        }
        let samples = p.number("samples", d.samples, 8..=8192);
        Self {
            function,
            x_min,
            x_max,
            samples,
        }
    }

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("fn", self.function.id().into()),
            ("xmin", self.x_min.to_string()),
            ("xmax", self.x_max.to_string()),
            ("samples", self.samples.to_string()),
        ]
    }

    /// The training points as tensors on `device`.
    pub fn data(&self, device: &Device) -> Regression {
        let xs = linspace(self.x_min, self.x_max, self.samples);
        let ys: Vec<f64> = xs.iter().map(|&x| self.function.eval(x)).collect();
        Regression::new(&xs, &ys, device)
    }
}

/// An image classification task (`dataset`, `source`, `train_size`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageTask {
    pub dataset: DatasetKind,
    pub source: DataSource,
    /// Use only the first `train_size` training examples (`None`: all of them).
    pub train_size: Option<usize>,
}

impl ImageTask {
    pub const MAX_TRAIN_SIZE: usize = 60_000;

    pub fn from_params(p: &mut Params, default_train_size: Option<usize>) -> Self {
        let dataset = p.choice(
            "dataset",
            DatasetKind::Mnist,
            DatasetKind::parse,
            &DatasetKind::ALL.map(|k| k.id()),
        );
        // CIFAR-10 has no shipped subset: its default source is the full set.
        let default_source = match dataset.has_subset() {
            true => DataSource::Subset,
            false => DataSource::Full,
        };
        let mut source = p.choice(
            "source",
            default_source,
            DataSource::parse,
            &DataSource::ALL.map(|s| s.id()),
        );
        if source == DataSource::Subset && !dataset.has_subset() {
            p.notice(format!(
                "{} has no built-in subset; using the full dataset",
                dataset.title()
            ));
            source = DataSource::Full;
        }
        let train_size = match p.get("train_size").as_deref() {
            None => default_train_size,
            Some("all") => None,
            Some(_) => Some(p.number(
                "train_size",
                Self::MAX_TRAIN_SIZE,
                16..=Self::MAX_TRAIN_SIZE,
            )),
        };
        Self {
            dataset,
            source,
            train_size,
        }
    }

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("dataset", self.dataset.id().into()),
            ("source", self.source.id().into()),
            (
                "train_size",
                self.train_size.map_or("all".into(), |n| n.to_string()),
            ),
        ]
    }

    /// The training set this task uses (checked against the dataset's image shape), after
    /// announcing the data to the host.
    pub fn prepare(&self, data: &ImageDataset, host: &mut impl Host) -> Result<ImageSet, String> {
        let expected = self.dataset.shape();
        if data.train.shape != expected || data.test.shape != expected {
            let s = data.train.shape;
            return Err(format!(
                "{} images must be {}×{}×{}; this dataset's are {}×{}×{}",
                self.dataset.title(),
                expected.channels,
                expected.height,
                expected.width,
                s.channels,
                s.height,
                s.width
            ));
        }
        let train = data.train.take(self.train_size.unwrap_or(data.train.len()));
        if train.is_empty() || data.test.is_empty() {
            return Err(format!(
                "the dataset '{}' has no images to train or test on",
                data.name
            ));
        }
        host.emit(Event::Dataset {
            title: data.name.clone(),
            train: train.len(),
            test: data.test.len(),
        });
        Ok(train)
    }
}

/// The one architecture an optimisation experiment trains (E3, E4, E6): a fully connected
/// network on a function task (`task=function`, `shape`, `act`) or a classifier on an image
/// task (`task=images`, `convs`, `hidden`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Subject {
    Function {
        task: FunctionTask,
        model: MlpConfig,
    },
    Images {
        task: ImageTask,
        model: ClassifierConfig,
    },
}

/// A subject's defaults: which task, and the model of each task.
pub struct SubjectDefaults {
    pub images: bool,
    pub shape: &'static str,
    pub activation: ActivationKind,
    pub convs: &'static [usize],
    pub hidden: &'static [usize],
    pub train_size: Option<usize>,
}

fn widths(raw: &str) -> Option<Vec<usize>> {
    if raw.trim().is_empty() {
        return Some(Vec::new());
    }
    let w: Option<Vec<usize>> = raw.split('-').map(|w| w.trim().parse().ok()).collect();
    w.filter(|w| w.len() <= 6 && w.iter().all(|&n| (1..=1024).contains(&n)))
}

impl Subject {
    pub fn from_params(p: &mut Params, d: &SubjectDefaults) -> Self {
        let images = p.choice(
            "task",
            d.images,
            |s| match s {
                "function" => Some(false),
                "images" => Some(true),
                _ => None,
            },
            &["function", "images"],
        );
        if images {
            let task = ImageTask::from_params(p, d.train_size);
            let mut list = |key: &'static str, default: &[usize]| {
                match p.get(key) {
                None => default.to_vec(),
                Some(raw) => widths(&raw).unwrap_or_else(|| {
                    p.notice(format!("{key}={raw}: expected widths like 32-16 (each 1–1024, at most 6); using the default"));
                    default.to_vec()
                }),
            }
            };
            let convs = list("convs", d.convs);
            let hidden = list("hidden", d.hidden);
            let shape = task.dataset.shape();
            let model = ClassifierConfig {
                input: [shape.channels, shape.height, shape.width],
                convs,
                hidden,
                classes: 10,
            };
            Self::Images { task, model }
        } else {
            let task = FunctionTask::from_params(p);
            let default = MlpConfig::parse_widths(d.shape).expect("default shapes are valid");
            let widths = match p.get("shape") {
                None => default,
                Some(raw) => match MlpConfig::parse_widths(&raw) {
                    Ok(w) if w[0] == 1 && w[w.len() - 1] == 1 => w,
                    Ok(_) => {
                        p.notice(format!(
                            "shape={raw}: the model needs 1 input and 1 output; using {}",
                            d.shape
                        ));
                        default
                    }
                    Err(e) => {
                        p.notice(format!("shape: {e}; using {}", d.shape));
                        default
                    }
                },
            };
            let activation = p.choice(
                "act",
                d.activation,
                ActivationKind::parse,
                &ActivationKind::ALL.map(|a| a.id()),
            );
            Self::Function {
                task,
                model: MlpConfig::new(widths, activation),
            }
        }
    }

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let join = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join("-");
        match self {
            Self::Function { task, model } => {
                let mut pairs = vec![("task", "function".to_string())];
                pairs.extend(task.to_params());
                pairs.extend([
                    ("shape", model.shape()),
                    ("act", model.activation.id().into()),
                ]);
                pairs
            }
            Self::Images { task, model } => {
                let mut pairs = vec![("task", "images".to_string())];
                pairs.extend(task.to_params());
                pairs.extend([
                    ("convs", join(&model.convs)),
                    ("hidden", join(&model.hidden)),
                ]);
                pairs
            }
        }
    }

    /// How many layers (weight + bias) the model has, for a layer picker.
    pub fn layer_count(&self) -> usize {
        match self {
            Self::Function { model, .. } => model.widths.len() - 1,
            Self::Images { model, .. } => model.convs.len() + model.hidden.len() + 1,
        }
    }

    /// What `auto` decides the backend on.
    pub fn workload(&self) -> Workload {
        match self {
            Self::Function { .. } => Workload::Tiny,
            Self::Images { model, .. } if model.convs.is_empty() => Workload::Tiny,
            Self::Images { .. } => Workload::Heavy,
        }
    }

    /// The image task, where there is one (the page loads its dataset).
    pub fn image_task(&self) -> Option<&ImageTask> {
        match self {
            Self::Images { task, .. } => Some(task),
            Self::Function { .. } => None,
        }
    }

    /// The model as the page lists it, with its parameter count from the config.
    pub fn model_info(&self, name: String) -> ModelInfo {
        match self {
            Self::Function { model, .. } => ModelInfo {
                name,
                shape: format!("{} ({})", model.shape(), model.activation.id()),
                params: model.expected_params(),
            },
            Self::Images { model, .. } => ModelInfo {
                name,
                shape: describe_classifier(model),
                params: model.expected_params(),
            },
        }
    }
}

/// `dense 784-16-10`, `conv3×3 8 → dense 10`.
pub fn describe_classifier(a: &ClassifierConfig) -> String {
    let join = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join("-");
    let tail: Vec<usize> = a.hidden.iter().copied().chain([a.classes]).collect();
    if a.convs.is_empty() {
        format!("dense {}-{}", a.flat_features(), join(&tail))
    } else {
        format!("conv3×3 {} → dense {}", join(&a.convs), join(&tail))
    }
}

/// A subject's data, ready to train on.
pub enum SubjectData {
    /// On the training (autodiff) device (boxed: two tensors outweigh two image sets).
    Function(Box<Regression>),
    Images {
        train: ImageSet,
        test: ImageSet,
    },
}

impl SubjectData {
    /// The function task's points, or the image task's sets (`images` must be given then).
    pub fn prepare(
        subject: &Subject,
        images: Option<&ImageDataset>,
        device: &Device,
        host: &mut impl Host,
    ) -> Result<Self, String> {
        match (subject, images) {
            (Subject::Function { task, .. }, _) => Ok(Self::Function(Box::new(
                task.data(&device.clone().autodiff()),
            ))),
            (Subject::Images { task, .. }, Some(data)) => Ok(Self::Images {
                train: task.prepare(data, host)?,
                test: data.test.clone(),
            }),
            (Subject::Images { task, .. }, None) => Err(format!(
                "{} is not loaded: load it above, then start again",
                task.dataset.title()
            )),
        }
    }
}

/// A trained model of either kind (on the autodiff device).
pub enum Trained {
    Mlp(Mlp),
    Classifier(Classifier),
}

/// Train one freshly initialised model of `subject` (seeded by `seed`, which also orders its
/// batches) with `settings`, calling `hooks`; the model is returned trained. `on_init` sees the
/// initial model (E6 keeps its weights).
#[allow(clippy::too_many_arguments)]
pub async fn train_subject<K>(
    subject: &Subject,
    data: &SubjectData,
    settings: &TrainSettings,
    seed: u64,
    device: &Device,
    hooks: &mut K,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> Result<Trained, Halt>
where
    K: Hooks<Mlp> + Hooks<Classifier>,
{
    let train_device = device.clone().autodiff();
    let track = <K as Hooks<Mlp>>::per_iteration(hooks);
    let name = vec!["model".to_string()];
    match (subject, data) {
        (Subject::Function { model, .. }, SubjectData::Function(points)) => {
            let m = init_seeded(device, seed, || vec![model.init(&train_device)]);
            let mut trainers: Vec<Trainer<Mlp>> = m
                .into_iter()
                .map(|m| {
                    Trainer::new(m, settings.optimizer, settings.learning_rate)
                        .track_grad_norm(track)
                })
                .collect();
            fit_function(
                &mut trainers,
                &name,
                points,
                settings.epochs,
                settings.batch_size,
                seed,
                hooks,
                host,
                clock,
            )
            .await?;
            Ok(Trained::Mlp(trainers.remove(0).into_model()))
        }
        (Subject::Images { model, .. }, SubjectData::Images { train, test }) => {
            let m = init_seeded(device, seed, || vec![model.init(&train_device)]);
            let mut trainers: Vec<Trainer<Classifier>> = m
                .into_iter()
                .map(|m| {
                    Trainer::new(m, settings.optimizer, settings.learning_rate)
                        .track_grad_norm(track)
                })
                .collect();
            let on_cpu = *device == Device::flex();
            let task = ClassifierTask::new(
                train,
                test,
                std::slice::from_ref(model),
                on_cpu,
                &train_device,
            );
            fit_classifiers(
                &mut trainers,
                &name,
                &task,
                settings.epochs,
                settings.batch_size.unwrap_or(train.len()),
                seed,
                device,
                hooks,
                host,
                clock,
            )
            .await?;
            Ok(Trained::Classifier(trainers.remove(0).into_model()))
        }
        _ => Err(Halt::Failed("the data does not match the task".into())),
    }
}

/// A subject with the training settings that suit its task (`function` and `images`
/// defaults), read from the URL.
pub fn subject_and_settings(
    p: &mut Params,
    subject: &SubjectDefaults,
    function: &TrainDefaults,
    images: &TrainDefaults,
) -> (Subject, TrainSettings) {
    let subject = Subject::from_params(p, subject);
    let defaults = match &subject {
        Subject::Function { task, .. } => TrainDefaults {
            max_batch: task.samples,
            ..function.clone()
        },
        Subject::Images { .. } => images.clone(),
    };
    let settings = TrainSettings::from_params(p, &defaults);
    (subject, settings)
}

/// The URL pairs of a subject and its settings.
pub fn subject_params(subject: &Subject, settings: &TrainSettings) -> Vec<(&'static str, String)> {
    let mut pairs = subject.to_params();
    pairs.extend(settings.to_params());
    pairs
}
