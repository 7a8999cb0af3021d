//! E2, "Train on actual tasks": CNNs of (nearly) equal size and different depth, and a fully
//! connected network of the same size, learn MNIST or CIFAR-10 with shuffled mini-batches.

use burn::module::Module;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::common::ImageTask;
use super::Experiment;
use crate::backend::{BackendChoice, Workload};
use crate::budget::Footprint;
use crate::data::{DataSource, DatasetKind, ImageDataset};
use crate::engine::seeds::Seeds;
use crate::engine::units::Units;
use crate::engine::{fail, finish, FromParams, Outcome};
use crate::events::{Event, Host, ModelInfo};
pub use crate::models::TaskModel;
use crate::models::{Classifier, ClassifierConfig};
use crate::params::Params;
use crate::train::{
    fit_classifiers, ClassifierTask, NoHooks, Stopwatch, TrainDefaults, TrainSettings, Trainer,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TasksConfig {
    pub task: ImageTask,
    pub models: Vec<TaskModel>,
    pub train: TrainSettings,
    /// Each model trained from this many initialisations (`seeds`: from seeds `seed`,
    /// `seed + 1`, …), side by side; the data order is the run's.
    #[serde(default)]
    pub seeds: Seeds,
    /// The models this run trains (all, or one: a worker's unit, trained beside the others).
    /// Model m's seed s is unit m·k + s.
    #[serde(default)]
    pub units: Units,
}

impl Default for TasksConfig {
    fn default() -> Self {
        Self {
            task: ImageTask {
                dataset: DatasetKind::Mnist,
                source: DataSource::Subset,
                train_size: None,
            },
            models: TaskModel::ALL.to_vec(),
            train: Self::defaults().settings(),
            seeds: Seeds::default(),
            units: Units::default(),
        }
    }
}

impl TasksConfig {
    pub const WORKLOAD: Workload = Workload::Heavy;

    /// E2's training defaults: Adam at 0.002, 5 epochs of mini-batches of 64.
    pub fn defaults() -> TrainDefaults {
        TrainDefaults {
            learning_rate: 0.002,
            epochs: 5,
            batch_size: Some(64),
            ..TrainDefaults::default()
        }
    }

    pub fn architectures(&self) -> Vec<ClassifierConfig> {
        self.models
            .iter()
            .map(|m| m.architecture(self.task.dataset))
            .collect()
    }

    /// Each unit's model (model m's seed s is unit m·k + s).
    pub fn unit_models(&self) -> Vec<TaskModel> {
        let k = self.seeds.0;
        self.models
            .iter()
            .flat_map(|&m| std::iter::repeat_n(m, k))
            .collect()
    }
}

impl FromParams for TasksConfig {
    const SIZE_KEYS: &'static [&'static str] = &["models", "batch"];

    /// The models train side by side (one worker, or the page, may hold them all).
    fn footprint(&self) -> Footprint {
        let batch = self
            .train
            .batch_size
            .unwrap_or(self.task.train_examples_at_most());
        Footprint::sum(
            self.unit_models()
                .iter()
                .map(|m| m.architecture(self.task.dataset).footprint(batch)),
        )
    }

    fn from_params(p: &mut Params) -> Self {
        let d = Self::default();
        let task = ImageTask::from_params(p, None);
        let ids = TaskModel::ALL.map(|m| m.id());
        let defaults = d.models.iter().map(|m| m.id()).collect::<Vec<_>>();
        p.describe(
            "models",
            format!("comma-separated: {}", ids.join(", ")),
            defaults.join(","),
        );
        let models = match p.get("models") {
            None => d.models.clone(),
            Some(raw) => {
                let parsed: Option<Vec<TaskModel>> = raw.split(',').map(TaskModel::parse).collect();
                match parsed {
                    Some(mut models) if !models.is_empty() => {
                        models.dedup();
                        models
                    }
                    _ => {
                        p.notice(format!(
                            "models: '{raw}' is not a list of {}; using all",
                            TaskModel::ALL.map(|m| m.id()).join(", ")
                        ));
                        d.models.clone()
                    }
                }
            }
        };
        let train = TrainSettings::from_params(p, &Self::defaults());
        let seeds = Seeds::from_params(p);
        Self {
            task,
            units: Units::from_params(p, seeds.units(models.len())),
            seeds,
            models,
            train,
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = self.task.to_params();
        pairs.push((
            "models",
            self.models
                .iter()
                .map(|m| m.id())
                .collect::<Vec<_>>()
                .join(","),
        ));
        pairs.extend(self.train.to_params());
        pairs.extend(self.seeds.to_params());
        pairs.extend(self.units.to_params());
        pairs
    }
}

impl Experiment for TasksConfig {
    const ID: &'static str = "tasks";

    fn backend(&self) -> (Workload, BackendChoice) {
        (Self::WORKLOAD, self.train.backend)
    }

    fn image_task(&self) -> Option<&ImageTask> {
        Some(&self.task)
    }

    /// One unit per model and seed, trained side by side.
    fn units(&self) -> (usize, Units) {
        (self.seeds.units(self.models.len()), self.units)
    }

    fn pick(&mut self, units: Units) {
        self.units = units;
    }

    /// A classifier's multiply-adds per image.
    fn unit_costs(&self) -> Vec<f64> {
        self.unit_models()
            .iter()
            .map(|m| m.architecture(self.task.dataset).forward_macs() as f64)
            .collect()
    }

    async fn run<H: Host>(
        &self,
        images: Option<&ImageDataset>,
        device: &Device,
        host: &mut H,
    ) -> Outcome {
        match images {
            Some(data) => run(self, data, device, host).await,
            None => fail(host, "E2 needs its image dataset".into()),
        }
    }
}

/// Run E2 on `data` on `device` (plain, not autodiff), reporting to `host`.
pub async fn run<H: Host>(
    config: &TasksConfig,
    data: &ImageDataset,
    device: &Device,
    host: &mut H,
) -> Outcome {
    let train = match config.task.prepare(data, host) {
        Ok(train) => train,
        Err(e) => return fail(host, e),
    };
    let train_device = device.clone().autodiff();
    // Every model of every seed is built, so that a unit's model has its whole-run weights.
    let all = config.architectures();
    let seeds = config.seeds;
    let models = seeds.init_models(device, config.train.seed, || {
        all.iter().map(|a| a.init(&train_device)).collect()
    });
    let mut trainers: Vec<Trainer<Classifier>> = config
        .units
        .keep(models)
        .into_iter()
        .map(|m| Trainer::new(m, config.train.optimizer, config.train.learning_rate))
        .collect();
    let dataset = config.task.dataset;
    let unit_models = config.unit_models();
    let architectures = config
        .units
        .keep(unit_models.iter().map(|m| m.architecture(dataset)));
    let kinds = config.units.keep(unit_models.iter().copied());
    let names: Vec<String> = config.units.keep(
        unit_models
            .iter()
            .enumerate()
            .map(|(u, m)| seeds.name(m.name(), u)),
    );
    host.emit(Event::Started {
        models: kinds
            .iter()
            .zip(&names)
            .zip(&trainers)
            .map(|((m, name), t)| ModelInfo {
                name: name.clone(),
                shape: m.describe(dataset),
                params: t.model().num_params(),
            })
            .collect(),
        total_epochs: config.train.epochs,
    });
    // The CPU backend computes on the page's thread: its work is cut into short tasks.
    let on_cpu = *device == Device::flex();
    let task = ClassifierTask::new(&train, &data.test, on_cpu, &train_device);
    let mut clock = Stopwatch::default();
    let result = fit_classifiers(
        &mut trainers,
        &names,
        &architectures,
        &task,
        config.train.epochs,
        config.train.batch_size.unwrap_or(train.len()),
        config.train.seed,
        device,
        &mut NoHooks,
        host,
        &mut clock,
    )
    .await;
    finish(host, result, config.train.epochs, &clock)
}
