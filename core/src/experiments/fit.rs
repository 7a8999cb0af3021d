//! E1, "Simulate a function": models of equal size and different depth fit a 1-D function.

use burn::module::Module;
use burn::nn::loss::{MseLoss, Reduction};
use burn::tensor::{Device, Int, Tensor, TensorData, Transaction};
use serde::{Deserialize, Serialize};
use web_time::Instant;

use super::{fail, is_log_epoch, FromParams, Outcome};
use crate::backend::{BackendChoice, Workload};
use crate::data::{linspace, TargetFunction};
use crate::events::{Event, Flow, Host, ModelInfo};
use crate::models::{init_seeded, ActivationKind, Mlp, MlpConfig};
use crate::params::Params;
use crate::train::{BatchPlan, OptimizerKind, Stopwatch, Trainer};

/// The spec's reference shapes: 571, 572 and 571 parameters.
pub const REFERENCE_SHAPES: [&str; 3] = ["1-5-10-10-10-10-10-5-1", "1-10-18-15-4-1", "1-190-1"];

/// Points on which predictions are drawn.
const GRID_POINTS: usize = 256;
/// Loss points read back per run (at most).
const LOSS_POINTS: usize = 400;
/// Prediction snapshots are taken at most this often (ms of wall time).
const SNAPSHOT_INTERVAL_MS: u128 = 200;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitConfig {
    pub function: TargetFunction,
    pub x_min: f64,
    pub x_max: f64,
    /// Training points, evenly spaced over the domain.
    pub samples: usize,
    /// Layer widths of each model.
    pub shapes: Vec<Vec<usize>>,
    pub activation: ActivationKind,
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub epochs: usize,
    /// `None`: full batch.
    pub batch_size: Option<usize>,
    pub seed: u64,
    pub backend: BackendChoice,
}

impl Default for FitConfig {
    fn default() -> Self {
        Self {
            function: TargetFunction::Sinc5,
            x_min: 0.0,
            x_max: 1.0,
            samples: 512,
            shapes: REFERENCE_SHAPES
                .iter()
                .map(|s| MlpConfig::parse_widths(s).expect("reference shapes are valid"))
                .collect(),
            // tanh: narrow deep ReLU nets often lose whole layers to dead units at this size.
            activation: ActivationKind::Tanh,
            optimizer: OptimizerKind::Adam,
            learning_rate: 0.005,
            epochs: 2000,
            batch_size: None,
            seed: 1,
            backend: BackendChoice::Auto,
        }
    }
}

impl FitConfig {
    pub const WORKLOAD: Workload = Workload::Tiny;

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
}

impl FromParams for FitConfig {
    fn from_params(p: &mut Params) -> Self {
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
        let optimizer = p.choice(
            "opt",
            d.optimizer,
            OptimizerKind::parse,
            &OptimizerKind::ALL.map(|o| o.id()),
        );
        let learning_rate = p.number("lr", d.learning_rate, 1e-6..=1.0);
        let epochs = p.number("epochs", d.epochs, 1..=100_000);
        let batch_size = match p.get("batch").as_deref() {
            None | Some("full") => None,
            Some(_) => Some(p.number("batch", samples, 1..=samples)).filter(|&b| b < samples),
        };
        let seed = p.number("seed", d.seed, 0..=u32::MAX as u64);
        let backend = p.choice(
            "backend",
            d.backend,
            BackendChoice::parse,
            &BackendChoice::ALL.map(|b| b.id()),
        );
        Self {
            function,
            x_min,
            x_max,
            samples,
            shapes,
            activation,
            optimizer,
            learning_rate,
            epochs,
            batch_size,
            seed,
            backend,
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let shapes = self
            .model_configs()
            .iter()
            .map(MlpConfig::shape)
            .collect::<Vec<_>>()
            .join(",");
        vec![
            ("fn", self.function.id().into()),
            ("xmin", self.x_min.to_string()),
            ("xmax", self.x_max.to_string()),
            ("samples", self.samples.to_string()),
            ("shapes", shapes),
            ("act", self.activation.id().into()),
            ("opt", self.optimizer.id().into()),
            ("lr", self.learning_rate.to_string()),
            ("epochs", self.epochs.to_string()),
            (
                "batch",
                self.batch_size.map_or("full".into(), |b| b.to_string()),
            ),
            ("seed", self.seed.to_string()),
            ("backend", self.backend.id().into()),
        ]
    }
}

/// A column tensor `[n, 1]` from values.
fn column(values: &[f64], device: &Device) -> Tensor<2> {
    let data: Vec<f32> = values.iter().map(|&v| v as f32).collect();
    Tensor::from_data(TensorData::new(data, [values.len(), 1]), device)
}

async fn read_f32s(tensor: Tensor<2>) -> Result<Vec<f32>, String> {
    let data = tensor
        .into_data_async()
        .await
        .map_err(|e| format!("reading from the device failed: {e:?}"))?;
    data.try_into_vec::<f32>()
        .map_err(|e| format!("unexpected tensor data: {e:?}"))
}

/// Run E1 on `device` (plain, not autodiff), reporting to `host`.
pub async fn run<H: Host>(config: &FitConfig, device: &Device, host: &mut H) -> Outcome {
    let train_device = device.clone().autodiff();
    let configs = config.model_configs();
    let models = init_seeded(device, config.seed, || {
        configs.iter().map(|c| c.init(&train_device)).collect()
    });
    let mut trainers: Vec<Trainer<Mlp>> = models
        .into_iter()
        .map(|m| Trainer::new(m, config.optimizer, config.learning_rate))
        .collect();
    let models = config
        .model_names()
        .into_iter()
        .zip(&configs)
        .zip(&trainers)
        .map(|((name, c), t)| ModelInfo {
            name,
            shape: c.shape(),
            params: t.model().num_params(),
        })
        .collect();
    host.emit(Event::Started {
        models,
        total_epochs: config.epochs,
    });

    let f = config.function;
    let xs = linspace(config.x_min, config.x_max, config.samples);
    let ys: Vec<f64> = xs.iter().map(|&x| f.eval(x)).collect();
    let (x_train, y_train) = (column(&xs, &train_device), column(&ys, &train_device));
    let grid = linspace(config.x_min, config.x_max, GRID_POINTS);
    let truth = grid.iter().map(|&x| f.eval(x) as f32).collect();
    let x_grid = column(&grid, device);
    host.emit(Event::Reference {
        xs: grid.iter().map(|&x| x as f32).collect(),
        ys: truth,
    });

    let mut plan = BatchPlan::new(config.samples, config.batch_size, config.seed);
    let mut clock = Stopwatch::default();
    let mut last_snapshot: Option<Instant> = None;
    let loss_fn = MseLoss::new();
    for epoch in 1..=config.epochs {
        clock.start();
        let batches = plan.next_epoch();
        let mut epoch_losses: Vec<Tensor<1>> = Vec::with_capacity(trainers.len());
        for trainer in &mut trainers {
            let mut sum: Option<Tensor<1>> = None;
            for batch in &batches {
                let (x, y) = if plan.is_full_batch() {
                    (x_train.clone(), y_train.clone())
                } else {
                    let idx: Vec<i64> = batch.iter().map(|&i| i as i64).collect();
                    let idx = Tensor::<1, Int>::from_data(
                        TensorData::new(idx, [batch.len()]),
                        &train_device,
                    );
                    (
                        x_train.clone().select(0, idx.clone()),
                        y_train.clone().select(0, idx),
                    )
                };
                let loss = trainer.step(|m| loss_fn.forward(m.forward(x), y, Reduction::Mean));
                sum = Some(match sum {
                    None => loss,
                    Some(s) => s + loss,
                });
            }
            epoch_losses.push(sum.expect("an epoch has at least one batch") / batches.len() as f64);
        }

        if is_log_epoch(epoch, config.epochs, LOSS_POINTS) {
            // One transaction for all models: one device round trip.
            let tx = epoch_losses
                .into_iter()
                .fold(Transaction::default(), |tx, l| tx.register(l));
            let losses: Vec<f64> = match tx.execute_async().await {
                Ok(data) => data
                    .into_iter()
                    .map(|d| d.try_into_vec::<f32>().map_or(f64::NAN, |v| v[0] as f64))
                    .collect(),
                Err(e) => {
                    return fail(
                        host,
                        format!("reading losses from the device failed: {e:?}"),
                    )
                }
            };
            clock.stop();
            if let Some(i) = losses.iter().position(|l| !l.is_finite()) {
                let names = config.model_names();
                return fail(
                    host,
                    format!(
                        "The loss of model {} became {} at epoch {epoch}: training diverged. Try a lower learning rate.",
                        names[i], losses[i]
                    ),
                );
            }
            host.emit(Event::Losses {
                epoch,
                elapsed_ms: clock.elapsed_ms(),
                losses,
            });
        }
        clock.stop();

        let snapshot_due =
            last_snapshot.is_none_or(|t| t.elapsed().as_millis() >= SNAPSHOT_INTERVAL_MS);
        if snapshot_due || epoch == config.epochs {
            let mut ys = Vec::with_capacity(trainers.len());
            for trainer in &trainers {
                match read_f32s(trainer.model().valid().forward(x_grid.clone())).await {
                    Ok(y) => ys.push(y),
                    Err(e) => return fail(host, e),
                }
            }
            host.emit(Event::Predictions { epoch, ys });
            last_snapshot = Some(Instant::now());
        }

        if host.checkpoint().await == Flow::Stop {
            host.emit(Event::Stopped {
                epoch,
                elapsed_ms: clock.elapsed_ms(),
            });
            return Outcome::Stopped;
        }
    }
    host.emit(Event::Done {
        epoch: config.epochs,
        elapsed_ms: clock.elapsed_ms(),
    });
    Outcome::Done
}
