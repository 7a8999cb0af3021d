//! E1, "Simulate a function": models of equal size and different depth fit a 1-D function.

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};
use web_time::Instant;

use super::common::FunctionTask;
use super::Experiment;
use crate::backend::{BackendChoice, Workload};
use crate::budget::Footprint;
use crate::data::{linspace, ImageDataset};
use crate::engine::seeds::Seeds;
use crate::engine::units::Units;
use crate::engine::{finish, FromParams, Outcome};
use crate::events::{Event, Host, ModelInfo};
use crate::models::{ActivationKind, Mlp, MlpConfig};
use crate::params::Params;
use crate::train::{
    column, fit_function, EpochEnd, Hooks, Stopwatch, TrainDefaults, TrainSettings, Trainer,
};

/// The spec's reference shapes: 571, 572 and 571 parameters.
pub const REFERENCE_SHAPES: [&str; 3] = ["1-5-10-10-10-10-10-5-1", "1-10-18-15-4-1", "1-190-1"];

/// Points on which predictions are drawn.
const GRID_POINTS: usize = 256;
/// Prediction snapshots are taken at most this often (ms of wall time).
const SNAPSHOT_INTERVAL_MS: u128 = 200;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitConfig {
    pub task: FunctionTask,
    /// Layer widths of each model.
    pub shapes: Vec<Vec<usize>>,
    pub activation: ActivationKind,
    pub train: TrainSettings,
    /// Each model trained from this many initialisations (`seeds`: from seeds `seed`,
    /// `seed + 1`, …), side by side; the data order is the run's.
    #[serde(default)]
    pub seeds: Seeds,
    /// The models trained (all of them, or one: a unit of a pool, trained side by side with
    /// the others in workers of their own). Model m's seed s is unit m·k + s.
    #[serde(default)]
    pub units: Units,
}

impl Default for FitConfig {
    fn default() -> Self {
        Self {
            task: FunctionTask::default(),
            shapes: REFERENCE_SHAPES
                .iter()
                .map(|s| MlpConfig::parse_widths(s).expect("reference shapes are valid"))
                .collect(),
            // tanh: narrow deep ReLU nets often lose whole layers to dead units at this size.
            activation: ActivationKind::Tanh,
            train: Self::defaults(FunctionTask::default().samples).settings(),
            seeds: Seeds::default(),
            units: Units::default(),
        }
    }
}

impl FitConfig {
    pub const WORKLOAD: Workload = Workload::Tiny;

    /// E1's training defaults: Adam at 0.005 for 2000 full-batch epochs.
    pub fn defaults(samples: usize) -> TrainDefaults {
        TrainDefaults {
            learning_rate: 0.005,
            epochs: 2000,
            epoch_range: 1..=100_000,
            batch_size: None,
            max_batch: samples,
            full_batch: true,
            ..TrainDefaults::default()
        }
    }

    pub fn model_configs(&self) -> Vec<MlpConfig> {
        self.shapes
            .iter()
            .map(|w| MlpConfig::new(w.clone(), self.activation))
            .collect()
    }

    /// Each model's display name: its shape (suffixed when two models share one).
    pub fn model_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for config in self.model_configs() {
            let base = config.shape();
            let n = names
                .iter()
                .filter(|n| n.split(" #").next() == Some(&base))
                .count();
            names.push(if n == 0 {
                base
            } else {
                format!("{base} #{}", n + 1)
            });
        }
        names
    }

    /// Each unit's model config (model m's seed s is unit m·k + s).
    pub fn unit_configs(&self) -> Vec<MlpConfig> {
        let k = self.seeds.0;
        self.model_configs()
            .into_iter()
            .flat_map(|c| std::iter::repeat_n(c, k))
            .collect()
    }

    /// Each unit's display name: its model's, and its seed where several.
    pub fn unit_names(&self) -> Vec<String> {
        let names = self.model_names();
        (0..self.seeds.units(names.len()))
            .map(|u| self.seeds.name(&names[self.seeds.of(u).0], u))
            .collect()
    }
}

impl FromParams for FitConfig {
    const SIZE_KEYS: &'static [&'static str] = &["shapes", "samples", "batch"];

    /// The models train side by side (one worker, or the page, may hold them all).
    fn footprint(&self) -> Footprint {
        let batch = self.train.batch_size.unwrap_or(self.task.samples);
        Footprint::sum(self.unit_configs().iter().map(|m| m.footprint(batch)))
    }

    fn from_params(p: &mut Params) -> Self {
        let d = Self::default();
        let task = FunctionTask::from_params(p);
        let default_shapes = d
            .shapes
            .iter()
            .map(|w| MlpConfig::join_widths(w))
            .collect::<Vec<_>>();
        let values = format!(
            "comma-separated layer widths, each `1-…-1`, ≤ 8 models, ≤ {} layers, widths ≤ {}",
            MlpConfig::MAX_LAYERS,
            MlpConfig::MAX_WIDTH
        );
        p.describe("shapes", values, default_shapes.join(","));
        let shapes = match p.get("shapes") {
            None => d.shapes.clone(),
            Some(raw) => match raw
                .split(',')
                .map(MlpConfig::parse_widths)
                .collect::<Result<Vec<_>, _>>()
            {
                Ok(shapes) if shapes.len() > 8 => {
                    p.notice("shapes: at most 8 models; using the reference shapes".into());
                    d.shapes.clone()
                }
                Ok(shapes) if shapes.iter().all(|w| w[0] == 1 && w[w.len() - 1] == 1) => shapes,
                Ok(_) => {
                    p.notice("shapes: every model must have 1 input and 1 output; using the reference shapes".into());
                    d.shapes.clone()
                }
                Err(e) => {
                    p.notice(format!("shapes: {e}; using the reference shapes"));
                    d.shapes.clone()
                }
            },
        };
        let activation = p.choice(
            "act",
            d.activation,
            ActivationKind::parse,
            &ActivationKind::ALL.map(|a| a.id()),
        );
        let train = TrainSettings::from_params(p, &Self::defaults(task.samples));
        let seeds = Seeds::from_params(p);
        let units = Units::from_params(p, seeds.units(shapes.len()));
        Self {
            task,
            shapes,
            activation,
            train,
            seeds,
            units,
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let shapes = self
            .model_configs()
            .iter()
            .map(MlpConfig::shape)
            .collect::<Vec<_>>()
            .join(",");
        let mut pairs = self.task.to_params();
        pairs.extend([("shapes", shapes), ("act", self.activation.id().into())]);
        pairs.extend(self.train.to_params());
        pairs.extend(self.seeds.to_params());
        pairs.extend(self.units.to_params());
        pairs
    }
}

async fn read_f32s(tensor: Tensor<2>) -> Result<Vec<f32>, String> {
    let data = tensor
        .into_data_async()
        .await
        .map_err(|e| format!("reading from the device failed: {e:?}"))?;
    data.try_into_vec::<f32>()
        .map_err(|e| format!("unexpected tensor data: {e:?}"))
}

/// E1's addition to the loop: every model's prediction on the grid a few times a second.
struct Predictions {
    x_grid: Tensor<2>,
    last: Option<Instant>,
    epochs: usize,
}

impl Hooks<Mlp> for Predictions {
    async fn on_epoch(
        &mut self,
        host: &mut impl Host,
        end: &EpochEnd<'_, Mlp>,
    ) -> Result<(), String> {
        let due = self
            .last
            .is_none_or(|t| t.elapsed().as_millis() >= SNAPSHOT_INTERVAL_MS);
        if due || end.epoch == self.epochs {
            let mut ys = Vec::with_capacity(end.trainers.len());
            for trainer in end.trainers {
                ys.push(read_f32s(trainer.model().valid().forward(self.x_grid.clone())).await?);
            }
            host.emit(Event::Predictions {
                epoch: end.epoch,
                ys,
            });
            self.last = Some(Instant::now());
        }
        Ok(())
    }
}

impl Experiment for FitConfig {
    const ID: &'static str = "fit";

    fn backend(&self) -> (Workload, BackendChoice) {
        (Self::WORKLOAD, self.train.backend)
    }

    /// One unit per model and seed, trained side by side.
    fn units(&self) -> (usize, Units) {
        (self.seeds.units(self.shapes.len()), self.units)
    }

    fn pick(&mut self, units: Units) {
        self.units = units;
    }

    /// An MLP's layers: E1's small models are bound by the per-layer dispatch, not arithmetic.
    fn unit_costs(&self) -> Vec<f64> {
        let k = self.seeds.0;
        self.shapes
            .iter()
            .flat_map(|s| std::iter::repeat_n(s.len() as f64, k))
            .collect()
    }

    async fn run<H: Host>(
        &self,
        _images: Option<&ImageDataset>,
        device: &Device,
        host: &mut H,
    ) -> Outcome {
        run(self, device, host).await
    }
}

/// Run E1 on `device` (plain, not autodiff), reporting to `host`.
pub async fn run<H: Host>(config: &FitConfig, device: &Device, host: &mut H) -> Outcome {
    let train_device = device.clone().autodiff();
    let configs = config.model_configs();
    // Every model of every seed is built, so that a unit's model has its whole-run weights.
    let models = config.seeds.init_models(device, config.train.seed, || {
        configs.iter().map(|c| c.init(&train_device)).collect()
    });
    let mut trainers: Vec<Trainer<Mlp>> = config
        .units
        .keep(models)
        .into_iter()
        .map(|m| Trainer::new(m, config.train.optimizer, config.train.learning_rate))
        .collect();
    let names = config.units.keep(config.unit_names());
    let configs = config.units.keep(config.unit_configs());
    let models = names
        .iter()
        .zip(&configs)
        .zip(&trainers)
        .map(|((name, c), t)| ModelInfo {
            name: name.clone(),
            shape: c.shape(),
            params: t.model().num_params(),
        })
        .collect();
    host.emit(Event::Started {
        models,
        total_epochs: config.train.epochs,
    });

    let data = config.task.data(&train_device);
    let grid = linspace(config.task.x_min, config.task.x_max, GRID_POINTS);
    // A typed function is checked on the training points only: the reference curve leaves out
    // any point of its finer grid where it has no value (`1/(x - 0.3)` at 0.3).
    let (xs, ys) = grid
        .iter()
        .map(|&x| (x as f32, config.task.function.eval(x) as f32))
        .filter(|(_, y)| y.is_finite())
        .unzip();
    host.emit(Event::Reference { xs, ys });
    let mut hooks = Predictions {
        x_grid: column(&grid, device),
        last: None,
        epochs: config.train.epochs,
    };
    let mut clock = Stopwatch::default();
    let result = fit_function(
        &mut trainers,
        &names,
        &data,
        config.train.epochs,
        config.train.batch_size,
        config.train.seed,
        &mut hooks,
        host,
        &mut clock,
    )
    .await;
    finish(host, result, config.train.epochs, &clock)
}
