//! E5, "What happens when the gradient is almost zero": a small network trained on sinc5, then
//! driven to a point where its gradient vanishes; there, the Hessian's eigenvalues and the
//! minimal ratio (the fraction of them > 0), over many independent runs.
//!
//! The search ([`CriticalSearch`]) takes Newton-MR steps in the exact Hessian's eigenbasis
//! until the gradient's component on the non-flat eigen-directions is below the stated
//! [`Criterion`]; the module doc of `analysis::critical` says why this method and this
//! criterion, with the measurements. A run that misses the criterion within `steps` is
//! reported as unconverged (the page draws it hollow and the report leaves it out).
//!
//! The ratio counts eigenvalues with a flat band (|λ| ≤ τ·max|λ|): positives / (positives +
//! negatives) over the rest, the flat ones beside it; the old fraction of all eigenvalues > 0
//! is kept as `strict_ratio` for comparison.

use burn::nn::loss::{MseLoss, Reduction};
use burn::tensor::{Device, FloatDType};
use serde::{Deserialize, Serialize};

use super::common::FunctionTask;
use super::Experiment;
use crate::analysis::critical::{Criterion, CriticalSearch};
use crate::analysis::{minimal_ratio, read_params, sampled_ratio, to_f64, LossOracle};
use crate::backend::{BackendChoice, Workload};
use crate::data::ImageDataset;
use crate::engine::units::{self, Units};
use crate::engine::{fail, stopped, FromParams, Outcome};
use crate::events::{Event, Flow, Host, ModelInfo};
use crate::models::{init_seeded, ActivationKind, Mlp, MlpConfig};
use crate::params::Params;
use crate::train::{
    fit_function, Halt, NoHooks, Regression, Stopwatch, TrainDefaults, TrainSettings, Trainer,
};

/// Which definition of the minimal ratio a run reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RatioDefinition {
    /// Fraction of the Hessian's eigenvalues that are > 0.
    Hessian,
    /// Fraction of sampled nearby points whose loss is above the critical point's.
    Sampling,
}

impl RatioDefinition {
    pub const ALL: [RatioDefinition; 2] = [Self::Hessian, Self::Sampling];

    pub fn id(self) -> &'static str {
        match self {
            Self::Hessian => "hessian",
            Self::Sampling => "sampling",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.id() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinRatioConfig {
    pub task: FunctionTask,
    pub model: MlpConfig,
    pub train: TrainSettings,
    /// Independent runs, seeds `seed`, `seed + 1`, …
    pub runs: usize,
    /// Newton steps at most, per run (most runs converge in 3–6).
    pub steps: usize,
    /// The flat band: eigenvalues with |λ| ≤ τ·max|λ| are flat, left out of the ratio and of
    /// the convergence criterion.
    #[serde(default = "default_tau")]
    pub tau: f64,
    pub ratio: RatioDefinition,
    /// The runs this run computes (all, or one: a worker's unit).
    #[serde(default)]
    pub units: Units,
}

impl MinRatioConfig {
    pub const DEFAULT_SHAPE: &'static str = "1-8-8-1";

    /// The convergence criterion of this configuration's runs.
    pub fn criterion(&self) -> Criterion {
        Criterion {
            tau: self.tau,
            ..Criterion::DEFAULT
        }
    }
}

fn default_tau() -> f64 {
    Criterion::DEFAULT.tau
}

impl Default for MinRatioConfig {
    fn default() -> Self {
        Self::from_params(&mut Params::default())
    }
}

fn train_defaults(samples: usize) -> TrainDefaults {
    TrainDefaults {
        learning_rate: 0.01,
        epochs: 600,
        epoch_range: 1..=20_000,
        batch_size: None,
        max_batch: samples,
        full_batch: true,
        ..TrainDefaults::default()
    }
}

impl FromParams for MinRatioConfig {
    fn from_params(p: &mut Params) -> Self {
        let mut task = FunctionTask::from_params(p);
        if p.get("samples").is_none() {
            // Fewer points than E1: a Hessian costs 2n gradients over all of them.
            task.samples = 128;
        }
        let default = MlpConfig::parse_widths(Self::DEFAULT_SHAPE).expect("valid");
        let widths = match p.get("shape") {
            None => default,
            Some(raw) => match MlpConfig::parse_widths(&raw) {
                Ok(w)
                    if w[0] == 1
                        && w[w.len() - 1] == 1
                        && MlpConfig::new(w.clone(), ActivationKind::Tanh).expected_params()
                            <= 400 =>
                {
                    w
                }
                _ => {
                    p.notice(format!("shape={raw}: E5 needs a 1-…-1 network of at most 400 parameters (its Hessian is computed in full); using {}", Self::DEFAULT_SHAPE));
                    default
                }
            },
        };
        let activation = p.choice(
            "act",
            ActivationKind::Tanh,
            ActivationKind::parse,
            &ActivationKind::ALL.map(|a| a.id()),
        );
        let train = TrainSettings::from_params(p, &train_defaults(task.samples));
        let runs = p.number("runs", 100, 1..=1000);
        Self {
            task,
            model: MlpConfig::new(widths, activation),
            train,
            units: Units::from_params(p, runs),
            runs,
            steps: p.number("steps", 50, 0..=2000),
            tau: p.number("tau", default_tau(), 1e-12..=0.5),
            ratio: p.choice(
                "ratio",
                RatioDefinition::Hessian,
                RatioDefinition::parse,
                &RatioDefinition::ALL.map(|d| d.id()),
            ),
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = self.task.to_params();
        pairs.extend([
            ("shape", self.model.shape()),
            ("act", self.model.activation.id().into()),
        ]);
        pairs.extend(self.train.to_params());
        pairs.extend([
            ("runs", self.runs.to_string()),
            ("steps", self.steps.to_string()),
            ("tau", self.tau.to_string()),
            ("ratio", self.ratio.id().into()),
        ]);
        pairs.extend(self.units.to_params());
        pairs
    }
}

/// Finite-difference step of the Hessian's central differences (f64: error ~ε² ≈ 1e-10).
pub const HESSIAN_EPS: f64 = 1e-5;

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

impl Experiment for MinRatioConfig {
    const ID: &'static str = "minratio";

    /// Always the CPU: the Hessians are f64.
    fn backend(&self) -> (Workload, BackendChoice) {
        (Workload::Tiny, BackendChoice::Cpu)
    }

    fn units(&self) -> (usize, Units) {
        (self.runs, self.units)
    }

    fn pick(&mut self, units: Units) {
        self.units = units;
    }

    async fn run<H: Host>(
        &self,
        _images: Option<&ImageDataset>,
        _device: &Device,
        host: &mut H,
    ) -> Outcome {
        run(self, host).await
    }
}

/// Train a run's `model` (seeded with `seed`) on the task's points as E5 does: where its search
/// for a critical point starts.
pub async fn train_run(
    config: &MinRatioConfig,
    model: Vec<Mlp>,
    data: &Regression,
    seed: u64,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> Result<Mlp, Halt> {
    let mut trainers: Vec<Trainer<Mlp>> = model
        .into_iter()
        .map(|m| Trainer::new(m, config.train.optimizer, config.train.learning_rate))
        .collect();
    let names = ["model".to_string()];
    let (epochs, batch) = (config.train.epochs, config.train.batch_size);
    fit_function(
        &mut trainers,
        &names,
        data,
        epochs,
        batch,
        seed,
        &mut NoHooks,
        host,
        clock,
    )
    .await?;
    Ok(trainers.remove(0).into_model())
}

/// The mean squared error of an f64 `model` on the task's points, with its gradient: what the
/// search and the Hessian are computed from.
pub fn mse_oracle(model: Mlp, data: &Regression) -> LossOracle<Mlp> {
    let x = data.x.clone().cast(FloatDType::F64).detach();
    let y = data.y.clone().cast(FloatDType::F64).detach();
    LossOracle::new(model, move |m: &Mlp| {
        MseLoss::new().forward(m.forward(x.clone()), y.clone(), Reduction::Mean)
    })
}

/// Run E5 on the CPU backend (f64 analysis), reporting to `host`.
pub async fn run<H: Host>(config: &MinRatioConfig, host: &mut H) -> Outcome {
    let device = Device::flex();
    let train_device = device.clone().autodiff();
    host.emit(Event::Started {
        models: vec![ModelInfo {
            name: "model".into(),
            shape: format!(
                "{} ({})",
                config.model.shape(),
                config.model.activation.id()
            ),
            params: config.model.expected_params(),
        }],
        total_epochs: config.train.epochs,
    });
    let data = config.task.data(&train_device);
    let mut clock = Stopwatch::default();
    for run in config.units.each(config.runs) {
        let label = format!("run {} of {}", run + 1, config.runs);
        units::begin(host, run, config.runs, label);
        let seed = config.train.seed + run as u64;
        let model = init_seeded(&device, seed, || vec![config.model.init(&train_device)]);
        let initial = match read_params(&model[0]).await {
            Ok(t) => t,
            Err(e) => return fail(host, e),
        };
        let trained = train_run(config, model, &data, seed, host, &mut clock).await;
        let model = match trained {
            Ok(model) => model,
            Err(Halt::Stopped { epoch }) => return stopped(host, epoch, &clock),
            Err(Halt::Failed(e)) => return fail(host, format!("run {}: {e}", run + 1)),
        };
        clock.start();
        // The trained parameters keep `require_grad`: the f64 copy stays trainable (autodiff).
        let model = to_f64(model);
        let theta = match read_params(&model).await {
            Ok(t) => t,
            Err(e) => return fail(host, e),
        };
        let oracle = mse_oracle(model, &data);
        let init_grad_norm = norm(&oracle.gradient(&initial));
        let search = CriticalSearch::new(
            |t: &[f64]| oracle.value_and_gradient(t),
            theta,
            config.criterion(),
            HESSIAN_EPS,
        );
        let mut search = match search {
            Ok(s) => s,
            Err(e) => return fail(host, format!("run {}: {e}", run + 1)),
        };
        for _ in 0..config.steps {
            match search.step() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return fail(host, format!("run {}: {e}", run + 1)),
            }
            clock.stop();
            if host.checkpoint().await == Flow::Stop {
                return stopped(host, config.train.epochs, &clock);
            }
            clock.start();
        }
        let reached = search.finish();
        let ratio = match config.ratio {
            RatioDefinition::Hessian => reached.counts.ratio(),
            RatioDefinition::Sampling => {
                let theta = &reached.theta;
                let radius = 1e-3 * (1.0 + norm(theta) / (theta.len() as f64).sqrt());
                sampled_ratio(&mut |t: &[f64]| oracle.value(t), theta, radius, 1000, seed)
            }
        };
        host.emit(Event::CriticalPoint {
            run,
            loss: oracle.value(&reached.theta),
            ratio,
            strict_ratio: minimal_ratio(&reached.eigenvalues),
            flat: reached.counts.flat,
            grad_norm: reached.grad_norm,
            projected_grad_norm: reached.projected_grad_norm,
            start_grad_norm: reached.start_grad_norm,
            init_grad_norm,
            converged: reached.converged,
            eigenvalues: reached.eigenvalues,
        });
        clock.stop();
        if host.checkpoint().await == Flow::Stop {
            return stopped(host, config.train.epochs, &clock);
        }
    }
    host.emit(Event::Done {
        epoch: config.train.epochs,
        elapsed_ms: clock.elapsed_ms(),
    });
    Outcome::Done
}
