//! The one architecture an optimisation experiment studies (E3, E4, E6) — a fully connected
//! network on a function task or a classifier on an image task — its data, and training it
//! with an experiment's hooks.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::common::{FunctionTask, ImageTask};
use super::Experiment;
use crate::backend::Workload;
use crate::budget::Footprint;
use crate::data::{ImageDataset, ImageSet};
use crate::engine::Outcome;
use crate::events::{Event, Host, ModelInfo};
use crate::models::{init_seeded, ActivationKind, Classifier, ClassifierConfig, Mlp, MlpConfig};
use crate::params::Params;
use crate::train::{
    fit_classifiers, fit_function, ClassifierTask, Halt, Hooks, Regression, Stopwatch,
    TrainDefaults, TrainSettings, Trainer,
};

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

/// The keys that size a subject's training: what falls back to its default over a budget.
pub const SUBJECT_SIZE_KEYS: &[&str] = &["shape", "convs", "hidden", "samples", "batch"];

/// The two tasks a subject can be trained on (`task=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// A fully connected network fits a function of one variable.
    Function,
    /// A classifier learns an image dataset.
    Images,
}

impl TaskKind {
    pub const ALL: [TaskKind; 2] = [Self::Function, Self::Images];

    pub fn id(self) -> &'static str {
        match self {
            Self::Function => "function",
            Self::Images => "images",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.id() == s)
    }
}

/// The function task's model when the URL names none: the fully connected network's widths
/// (`shape`, input and output 1) and hidden activation (`act`).
#[derive(Clone, Copy, Debug)]
pub struct FunctionDefaults {
    pub shape: &'static str,
    pub activation: ActivationKind,
}

/// E1's deepest model (1-5-10-10-10-10-10-5-1, tanh): the function task's model in E3, E4, E6.
pub const E1_DEEPEST: FunctionDefaults = FunctionDefaults {
    shape: "1-5-10-10-10-10-10-5-1",
    activation: ActivationKind::Tanh,
};

/// The image task's classifier and data when the URL names none: the widths of its conv
/// blocks (`convs`) and hidden layers (`hidden`), and its training images (`train_size`;
/// `None`: the dataset's whole training set).
#[derive(Clone, Copy, Debug)]
pub struct ImageDefaults {
    pub convs: &'static [usize],
    pub hidden: &'static [usize],
    pub train_size: Option<usize>,
}

/// The defaults of an experiment that offers both tasks (E3, E4, E6): the task an empty URL
/// gets, and each task's own defaults. The experiments that only classify images (E7–E10)
/// declare an [`ImageDefaults`] alone.
#[derive(Clone, Copy, Debug)]
pub struct SubjectDefaults {
    pub task: TaskKind,
    pub function: FunctionDefaults,
    pub images: ImageDefaults,
}

fn widths(raw: &str) -> Option<Vec<usize>> {
    if raw.trim().is_empty() {
        return Some(Vec::new());
    }
    let w: Option<Vec<usize>> = raw.split('-').map(|w| w.trim().parse().ok()).collect();
    w.filter(|w| w.len() <= 6 && w.iter().all(|&n| (1..=1024).contains(&n)))
}

impl Subject {
    /// The run's one model starts: its `Started` event, the model named "model".
    pub fn started(&self, host: &mut impl Host, total_epochs: usize) {
        host.emit(Event::Started {
            models: vec![self.model_info("model".into())],
            total_epochs,
        });
    }

    /// An image task's classifier (`dataset`, `source`, `train_size`, `convs`, `hidden`): the
    /// subject of the experiments that only classify images (E7–E10), and the image task of
    /// those that offer both.
    pub fn images_from_params(p: &mut Params, d: &ImageDefaults) -> Self {
        let task = ImageTask::from_params(p, d.train_size);
        let mut list = |key: &'static str, default: &[usize]| {
            let joined = MlpConfig::join_widths(default);
            p.describe(key, "widths like 32-16, each 1 – 1024, at most 6", joined);
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
        let classifier = |convs: Vec<usize>, hidden: Vec<usize>| ClassifierConfig {
            input: [shape.channels, shape.height, shape.width],
            convs,
            hidden,
            classes: 10,
        };
        let mut model = classifier(convs, hidden);
        // Refused here, in words, rather than by a panic inside burn's first forward pass.
        if let Err(why) = model.check() {
            p.notice(format!(
                "convs={}: {why} on {}; using the default architecture",
                MlpConfig::join_widths(&model.convs),
                task.dataset.title()
            ));
            model = classifier(d.convs.to_vec(), d.hidden.to_vec());
        }
        Self::Images { task, model }
    }

    /// A subject of either task (`task`, then that task's keys), for the experiments that
    /// offer both (E3, E4, E6).
    pub fn from_params(p: &mut Params, d: &SubjectDefaults) -> Self {
        let kind = p.choice(
            "task",
            d.task,
            TaskKind::parse,
            &TaskKind::ALL.map(TaskKind::id),
        );
        match kind {
            TaskKind::Images => Self::images_from_params(p, &d.images),
            TaskKind::Function => Self::function_from_params(p, &d.function),
        }
    }

    /// A function task's fully connected network (`fn`, `xmin`, `xmax`, `samples`, `shape`,
    /// `act`).
    fn function_from_params(p: &mut Params, d: &FunctionDefaults) -> Self {
        let task = FunctionTask::from_params(p);
        let default = MlpConfig::parse_widths(d.shape).expect("default shapes are valid");
        p.describe("shape", "layer widths `1-…-1`", d.shape);
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

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Function { task, model } => {
                let mut pairs = vec![("task", TaskKind::Function.id().to_string())];
                pairs.extend(task.to_params());
                pairs.extend([
                    ("shape", model.shape()),
                    ("act", model.activation.id().into()),
                ]);
                pairs
            }
            Self::Images { task, model } => {
                let mut pairs = vec![("task", TaskKind::Images.id().to_string())];
                pairs.extend(task.to_params());
                pairs.extend([
                    ("convs", MlpConfig::join_widths(&model.convs)),
                    ("hidden", MlpConfig::join_widths(&model.hidden)),
                ]);
                pairs
            }
        }
    }

    /// Training the model on batches of `batch` (`None`: the whole training set at once).
    pub fn footprint(&self, batch: Option<usize>) -> Footprint {
        match self {
            Self::Function { task, model } => model.footprint(batch.unwrap_or(task.samples)),
            Self::Images { task, model } => {
                let examples = task.train_examples_at_most();
                model.footprint(batch.unwrap_or(examples).min(examples))
            }
        }
    }

    /// The model's parameter count.
    pub fn parameters(&self) -> usize {
        match self {
            Self::Function { model, .. } => model.expected_params(),
            Self::Images { model, .. } => model.expected_params(),
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
                shape: model.describe(),
                params: model.expected_params(),
            },
        }
    }
}

/// A subject's data, ready to train on.
pub enum SubjectData {
    /// On the training (autodiff) device (boxed: two tensors outweigh two image sets).
    Function(Box<Regression>),
    Images {
        train: ImageSet,
        test: ImageSet,
        /// The dataset's title, as its `Dataset` event named it.
        title: String,
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
                title: data.name.clone(),
            }),
            (Subject::Images { task, .. }, None) => Err(format!(
                "{} is not loaded: load it above, then start again",
                task.dataset.title()
            )),
        }
    }
}

/// A trained model of either kind (on the autodiff device).
// One per unit, moved rarely: the size of the larger variant does not matter.
#[allow(clippy::large_enum_variant)]
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
        (Subject::Images { model, .. }, SubjectData::Images { train, test, .. }) => {
            let m = init_seeded(device, seed, || vec![model.init(&train_device)]);
            let mut trainers: Vec<Trainer<Classifier>> = m
                .into_iter()
                .map(|m| {
                    Trainer::new(m, settings.optimizer, settings.learning_rate)
                        .track_grad_norm(track)
                })
                .collect();
            let on_cpu = *device == Device::flex();
            let task = ClassifierTask::new(train, test, on_cpu, &train_device);
            fit_classifiers(
                &mut trainers,
                &name,
                std::slice::from_ref(model),
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

/// A subject with the training settings that suit its task (`function` and `images`: each
/// task's training defaults), read from the URL.
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

/// An experiment on one subject (E3, E4, E6–E10): what a page needs to show and run any of
/// them.
pub trait SubjectExperiment: Experiment {
    fn subject(&self) -> &Subject;
    fn train(&self) -> &TrainSettings;
}

/// Implements [`Experiment`] and [`SubjectExperiment`] for a config of the calling module,
/// whose `run(config, images, device, host)` runs it: `subject_experiment!(Config, "url-id",
/// subject, train)`, the last two being the paths of its subject and training settings
/// (`sweep.subject`, …), then, for a sweep, `{ … }` with its [`Experiment`] unit methods. The
/// config's `Default` is what an empty URL gives.
macro_rules! subject_experiment {
    // A batch-size sweep (`BatchSweep` at `$sweep`): one unit per batch size.
    ($config:ty, $id:literal, batch sweep $($sweep:ident).+) => {
        $crate::experiments::subject::subject_experiment!($config, $id, $($sweep).+.subject, $($sweep).+.train, {
            fn units(&self) -> (usize, $crate::engine::units::Units) {
                self.$($sweep).+.units()
            }

            fn pick(&mut self, units: $crate::engine::units::Units) {
                self.$($sweep).+.units = units;
            }

            fn schedule(&self) -> Vec<usize> {
                self.$($sweep).+.schedule()
            }
        });
    };
    ($config:ty, $id:literal, $($subject:ident).+, $($train:ident).+ $(, { $($sweep:tt)* })?) => {
        impl Default for $config {
            fn default() -> Self {
                <Self as $crate::engine::FromParams>::from_params(
                    &mut $crate::params::Params::default(),
                )
            }
        }

        impl $crate::experiments::subject::SubjectExperiment for $config {
            fn subject(&self) -> &$crate::experiments::subject::Subject {
                &self.$($subject).+
            }

            fn train(&self) -> &$crate::train::TrainSettings {
                &self.$($train).+
            }
        }

        impl $crate::experiments::Experiment for $config {
            const ID: &'static str = $id;

            fn backend(&self) -> ($crate::backend::Workload, $crate::backend::BackendChoice) {
                (self.$($subject).+.workload(), self.$($train).+.backend)
            }

            fn image_task(&self) -> Option<&$crate::experiments::common::ImageTask> {
                self.$($subject).+.image_task()
            }

            $($($sweep)*)?

            /// Prepares the subject's data (the image task's sets, or the function's
            /// points), then runs.
            async fn run<H: $crate::events::Host>(
                &self,
                images: Option<&$crate::data::ImageDataset>,
                device: &burn::tensor::Device,
                host: &mut H,
            ) -> $crate::engine::Outcome {
                let subject = &self.$($subject).+;
                match $crate::experiments::subject::SubjectData::prepare(subject, images, device, host) {
                    Ok(data) => run(self, data, device, host).await,
                    Err(e) => $crate::engine::fail(host, e),
                }
            }
        }
    };
}
pub(crate) use subject_experiment;

/// [`train_subject`] without hooks for an image task: the trained classifier.
pub async fn train_classifier(
    subject: &Subject,
    data: &SubjectData,
    settings: &TrainSettings,
    seed: u64,
    device: &Device,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> Result<Classifier, Halt> {
    let mut no_hooks = crate::train::NoHooks;
    match train_subject(
        subject,
        data,
        settings,
        seed,
        device,
        &mut no_hooks,
        host,
        clock,
    )
    .await?
    {
        Trained::Classifier(model) => Ok(model),
        Trained::Mlp(_) => Err(Halt::Failed("this experiment classifies images".into())),
    }
}

/// Train `subject` once on `data` with `hooks`, announced as the run's one model `name`, and
/// end the run the way training ended (E4, E7).
#[allow(clippy::too_many_arguments)]
pub async fn run_once<K>(
    subject: &Subject,
    data: &SubjectData,
    settings: &TrainSettings,
    name: &str,
    device: &Device,
    hooks: &mut K,
    host: &mut impl Host,
) -> Outcome
where
    K: Hooks<Mlp> + Hooks<Classifier>,
{
    host.emit(crate::events::Event::Started {
        models: vec![subject.model_info(name.into())],
        total_epochs: settings.epochs,
    });
    let mut clock = Stopwatch::default();
    let result = train_subject(
        subject,
        data,
        settings,
        settings.seed,
        device,
        hooks,
        host,
        &mut clock,
    )
    .await
    .map(|_| ());
    crate::engine::finish(host, result, settings.epochs, &clock)
}

/// Training defaults of a function task: Adam, full batch, `epochs` (at most `most`).
pub fn function_training(learning_rate: f64, epochs: usize, most: usize) -> TrainDefaults {
    TrainDefaults {
        learning_rate,
        epochs,
        epoch_range: 1..=most,
        batch_size: None,
        full_batch: true,
        ..TrainDefaults::default()
    }
}

/// Training defaults of an image task: Adam at 0.002, mini-batches of 64, `epochs`.
pub fn image_training(epochs: usize) -> TrainDefaults {
    TrainDefaults {
        learning_rate: 0.002,
        epochs,
        batch_size: Some(64),
        ..TrainDefaults::default()
    }
}
