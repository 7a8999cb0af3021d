//! E5, "What happens when the gradient is almost zero": a small network trained on sinc5, then
//! driven to a point where its gradient vanishes; there, the Hessian's eigenvalues and the
//! minimal ratio (the fraction of them > 0), over many independent runs.
//!
//! The gradient is driven to zero with Levenberg–Marquardt steps on the residual ∇L(θ), whose
//! Jacobian is the Hessian H: δ = −(H² + λI)⁻¹ H ∇L, λ adapted per step (÷10 on success, ×10
//! on failure). H starts exact (central differences of f64 gradients, 2n gradients) and then
//! follows secant (symmetric rank-one) updates from each step's change of gradient, so a step
//! costs about one gradient; a stalled search refreshes the exact H once before it gives up.
//! Why not plain descent on ‖∇L‖² (gradient 2H∇L, one Hessian-vector product a step)? Its
//! conditioning is H's squared, and a trained network's H has a few large eigenvalues and many
//! near zero, so it crawls; LM uses the curvature directly and heads for the nearby critical
//! point — minimum or saddle alike, which is the point of the experiment. Where ∇L lies in
//! H's near-null space (H∇L ≈ 0, a stationary point of ‖∇L‖² that is no critical point of L)
//! no method of this family goes further; the page shows the norm each run reached.

use burn::nn::loss::{MseLoss, Reduction};
use burn::tensor::{Device, FloatDType};
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use super::common::FunctionTask;
use super::units::Units;
use super::{fail, stopped, FromParams, Outcome};
use crate::analysis::{
    hessian, minimal_ratio, read_params, sampled_ratio, symmetric_eigenvalues, to_f64, LossOracle,
};
use crate::events::{Event, Flow, Host, ModelInfo};
use crate::models::{init_seeded, ActivationKind, Mlp, MlpConfig};
use crate::params::Params;
use crate::train::{fit_function, Halt, NoHooks, Stopwatch, TrainDefaults, TrainSettings, Trainer};

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
    /// Levenberg–Marquardt steps at most, per run.
    pub steps: usize,
    pub ratio: RatioDefinition,
    /// The runs this run computes (all, or one: a worker's unit).
    #[serde(default)]
    pub units: Units,
}

impl MinRatioConfig {
    pub const DEFAULT_SHAPE: &'static str = "1-8-8-1";
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
            steps: p.number("steps", 200, 0..=2000),
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
            ("ratio", self.ratio.id().into()),
        ]);
        pairs.extend(self.units.to_params());
        pairs
    }
}

/// Finite-difference step of the Hessian's central differences (f64: error ~ε² ≈ 1e-10).
const HESSIAN_EPS: f64 = 1e-5;
/// A gradient norm below this is zero for our purposes.
const GRAD_TOL: f64 = 1e-9;

/// What one run found.
#[derive(Clone, Debug, PartialEq)]
pub struct CriticalPoint {
    pub loss: f64,
    pub ratio: f64,
    pub grad_norm: f64,
    /// Where the search started: after training.
    pub start_grad_norm: f64,
    pub eigenvalues: Vec<f64>,
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// The search for a critical point from a trained θ, one LM step at a time (so that the host
/// gets the thread back in between).
pub struct CriticalSearch<'a> {
    oracle: &'a LossOracle<Mlp>,
    theta: Vec<f64>,
    g: Vec<f64>,
    start_grad_norm: f64,
    /// The exact Hessian at θ, or its secant-updated estimate.
    h: DMatrix<f64>,
    exact: bool,
    lambda: f64,
}

impl<'a> CriticalSearch<'a> {
    pub fn new(oracle: &'a LossOracle<Mlp>, theta: Vec<f64>) -> Self {
        let g = oracle.gradient(&theta);
        let h = hessian(&mut |t: &[f64]| oracle.gradient(t), &theta, HESSIAN_EPS);
        Self {
            oracle,
            start_grad_norm: norm(&g),
            theta,
            g,
            h,
            exact: true,
            lambda: 1e-3,
        }
    }

    /// One LM step; `false` once the gradient vanished or the search cannot go further.
    pub fn step(&mut self) -> bool {
        let n = self.theta.len();
        if norm(&self.g) < GRAD_TOL {
            return false;
        }
        let hg = &self.h * DVector::from_column_slice(&self.g);
        let h2 = &self.h * &self.h;
        // Raise the damping until the gradient shrinks (at most 8 tries).
        let mut accepted = None;
        for _ in 0..8 {
            let a = &h2 + DMatrix::identity(n, n) * self.lambda;
            let Some(delta) = a.cholesky().map(|c| c.solve(&hg)) else {
                self.lambda *= 10.0;
                continue;
            };
            let candidate: Vec<f64> = self
                .theta
                .iter()
                .zip(delta.iter())
                .map(|(t, d)| t - d)
                .collect();
            let g_new = self.oracle.gradient(&candidate);
            if norm(&g_new).is_finite() && norm(&g_new) < norm(&self.g) {
                accepted = Some((candidate, g_new));
                self.lambda = (self.lambda / 10.0).max(1e-15);
                break;
            }
            self.lambda *= 10.0;
        }
        match accepted {
            Some((candidate, g_new)) => {
                // Secant (symmetric rank-one) update: the next H maps this step to the change
                // of gradient it made, at the cost of the gradient already computed.
                let s = DVector::from_iterator(
                    n,
                    candidate.iter().zip(&self.theta).map(|(a, b)| a - b),
                );
                let y = DVector::from_iterator(n, g_new.iter().zip(&self.g).map(|(a, b)| a - b));
                let r = &y - &self.h * &s;
                let rs = r.dot(&s);
                if rs.abs() > 1e-8 * r.norm() * s.norm() {
                    self.h += &r * r.transpose() / rs;
                }
                (self.theta, self.g, self.exact) = (candidate, g_new, false);
                true
            }
            // Stuck with an estimate: start again from the exact Hessian.
            None if !self.exact => {
                self.h = hessian(
                    &mut |t: &[f64]| self.oracle.gradient(t),
                    &self.theta,
                    HESSIAN_EPS,
                );
                (self.exact, self.lambda) = (true, 1e-3);
                true
            }
            // Stuck with the exact one: this is as close as the search gets.
            None => false,
        }
    }

    /// The point reached: its Hessian's eigenvalues and the minimal ratio by `definition`.
    pub fn finish(self, definition: RatioDefinition, seed: u64) -> Result<CriticalPoint, String> {
        let theta = &self.theta;
        let h = hessian(&mut |t: &[f64]| self.oracle.gradient(t), theta, HESSIAN_EPS);
        let eigenvalues = symmetric_eigenvalues(&h)?;
        let ratio = match definition {
            RatioDefinition::Hessian => minimal_ratio(&eigenvalues),
            RatioDefinition::Sampling => {
                let radius = 1e-3 * (1.0 + norm(theta) / (theta.len() as f64).sqrt());
                sampled_ratio(
                    &mut |t: &[f64]| self.oracle.value(t),
                    theta,
                    radius,
                    1000,
                    seed,
                )
            }
        };
        Ok(CriticalPoint {
            loss: self.oracle.value(theta),
            ratio,
            grad_norm: norm(&self.g),
            start_grad_norm: self.start_grad_norm,
            eigenvalues,
        })
    }
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
    let names = vec!["model".to_string()];
    for run in 0..config.runs {
        if !config.units.includes(run) {
            continue;
        }
        host.emit(Event::Unit {
            index: run,
            count: config.runs,
            label: format!("run {} of {}", run + 1, config.runs),
        });
        let seed = config.train.seed + run as u64;
        let model = init_seeded(&device, seed, || vec![config.model.init(&train_device)]);
        let initial = match read_params(&model[0]).await {
            Ok(t) => t,
            Err(e) => return fail(host, e),
        };
        let mut trainers: Vec<Trainer<Mlp>> = model
            .into_iter()
            .map(|m| Trainer::new(m, config.train.optimizer, config.train.learning_rate))
            .collect();
        let trained = fit_function(
            &mut trainers,
            &names,
            &data,
            config.train.epochs,
            config.train.batch_size,
            seed,
            &mut NoHooks,
            host,
            &mut clock,
        )
        .await;
        match trained {
            Ok(()) => {}
            Err(Halt::Stopped { epoch }) => return stopped(host, epoch, &clock),
            Err(Halt::Failed(e)) => return fail(host, format!("run {}: {e}", run + 1)),
        }
        clock.start();
        // The trained parameters keep `require_grad`: the f64 copy stays trainable (autodiff).
        let model = to_f64(trainers.remove(0).into_model());
        let theta = match read_params(&model).await {
            Ok(t) => t,
            Err(e) => return fail(host, e),
        };
        let x = data.x.clone().cast(FloatDType::F64).detach();
        let y = data.y.clone().cast(FloatDType::F64).detach();
        let oracle = LossOracle::new(model, move |m: &Mlp| {
            MseLoss::new().forward(m.forward(x.clone()), y.clone(), Reduction::Mean)
        });
        let init_grad_norm = norm(&oracle.gradient(&initial));
        let mut search = CriticalSearch::new(&oracle, theta);
        for _ in 0..config.steps {
            if !search.step() {
                break;
            }
            clock.stop();
            if host.checkpoint().await == Flow::Stop {
                return stopped(host, config.train.epochs, &clock);
            }
            clock.start();
        }
        let found = search.finish(config.ratio, seed);
        clock.stop();
        match found {
            Ok(p) => host.emit(Event::CriticalPoint {
                run,
                loss: p.loss,
                ratio: p.ratio,
                grad_norm: p.grad_norm,
                start_grad_norm: p.start_grad_norm,
                init_grad_norm,
                eigenvalues: p.eigenvalues,
            }),
            Err(e) => return fail(host, format!("run {}: {e}", run + 1)),
        }
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
