//! E5, "What happens when the gradient is almost zero": a small network trained on sinc5, then
//! driven to a point where its gradient vanishes; there, the Hessian's eigenvalues, the minimal
//! ratio (the fraction of them > 0) and the index, over many independent runs — by two
//! protocols, side by side (spec, E5; `references.md`):
//! - **homework**: from the trained end, a Newton-MR search (`analysis::critical`) with
//!   [`Criterion::HOMEWORK`] (a modest tolerance on the stiff directions); the ratio counts all
//!   eigenvalues > 0, flat ones included, as the homework did (or the sampled definition,
//!   `ratio=sampling`).
//! - **strict** (Frye et al. 2021): the start is drawn uniformly in loss value from the run's
//!   own training trajectory ([`strict_start`]; N(0, σ²) noise on every other run), Newton-MR
//!   with [`Criterion::STRICT`] (‖∇L‖² < 1e-10) within `steps`, the index counted against
//!   an absolute threshold ([`INDEX_THRESHOLD`]), and the gradient-flatness r reported.
//!
//! Both protocols of a run share its training: one unit trains once and searches twice.

mod run;
mod starts;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

pub use run::{mse_oracle, run, train_run};
pub use starts::{strict_start, Trajectory};

use super::common::FunctionTask;
use super::Experiment;
use crate::analysis::critical::Criterion;
use crate::backend::{BackendChoice, Workload};
use crate::budget::Footprint;
use crate::data::ImageDataset;
use crate::engine::units::Units;
use crate::engine::{FromParams, Outcome};
use crate::events::{Host, SearchProtocol};
use crate::models::{ActivationKind, MlpConfig};
use crate::params::Params;
use crate::train::{TrainDefaults, TrainSettings};

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

/// Which protocols a run's searches follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocols {
    Homework,
    Strict,
    Both,
}

impl Protocols {
    pub const ALL: [Protocols; 3] = [Self::Homework, Self::Strict, Self::Both];

    pub fn id(self) -> &'static str {
        match self {
            Self::Homework => "homework",
            Self::Strict => "strict",
            Self::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == s)
    }

    /// The protocols in the order a run follows them.
    pub fn each(self) -> &'static [SearchProtocol] {
        match self {
            Self::Homework => &[SearchProtocol::Homework],
            Self::Strict => &[SearchProtocol::Strict],
            Self::Both => &SearchProtocol::ALL,
        }
    }
}

/// The strict protocol's index threshold: eigenvalues below −1e-5 are negative (Frye et al.,
/// absolute); the counts of both protocols' points use it.
pub const INDEX_THRESHOLD: f64 = 1e-5;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinRatioConfig {
    pub task: FunctionTask,
    pub model: MlpConfig,
    pub train: TrainSettings,
    /// Independent runs, seeds `seed`, `seed + 1`, …
    pub runs: usize,
    /// Which protocols each run follows.
    #[serde(default = "default_protocols")]
    pub protocol: Protocols,
    /// Newton steps at most, per search (the homework's converge in 3–8).
    pub steps: usize,
    /// The homework protocol's flat band: eigenvalues with |λ| ≤ τ·max|λ| are left out of its
    /// convergence criterion.
    #[serde(default = "default_tau")]
    pub tau: f64,
    /// σ of the Gaussian noise added to every other strict start (Frye et al.: variance 1e-2).
    #[serde(default = "default_noise")]
    pub noise: f64,
    pub ratio: RatioDefinition,
    /// The runs this run computes (all, or one: a worker's unit).
    #[serde(default)]
    pub units: Units,
}

impl MinRatioConfig {
    pub const DEFAULT_SHAPE: &'static str = "1-8-8-1";

    /// A protocol's convergence criterion in this configuration.
    pub fn criterion(&self, protocol: SearchProtocol) -> Criterion {
        match protocol {
            SearchProtocol::Homework => Criterion {
                tau: self.tau,
                ..Criterion::HOMEWORK
            },
            SearchProtocol::Strict => Criterion::STRICT,
        }
    }

    /// Trajectory snapshots a run keeps for the strict starts (none without that protocol).
    fn snapshot_every(&self) -> Option<usize> {
        self.protocol
            .each()
            .contains(&SearchProtocol::Strict)
            .then(|| (self.train.epochs / SNAPSHOTS).max(1))
    }
}

/// About this many points of each training trajectory are kept for the strict starts.
const SNAPSHOTS: usize = 40;

fn default_tau() -> f64 {
    Criterion::HOMEWORK.tau
}

fn default_protocols() -> Protocols {
    Protocols::Homework
}

fn default_noise() -> f64 {
    0.1
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
    const SIZE_KEYS: &'static [&'static str] = &["shape", "samples", "batch"];

    /// Training, then the exact Hessian (f64) and its eigen-decomposition's copies.
    fn footprint(&self) -> Footprint {
        let p = self.model.expected_params() as u64;
        self.model
            .footprint(self.train.batch_size.unwrap_or(self.task.samples))
            .plus(Footprint::extra(p.saturating_mul(p).saturating_mul(3 * 8)))
    }

    fn from_params(p: &mut Params) -> Self {
        // Fewer points than E1: a Hessian costs 2n gradients over all of them.
        let task = FunctionTask::from_params_with_samples(p, 128);
        let default = MlpConfig::parse_widths(Self::DEFAULT_SHAPE).expect("valid");
        p.describe(
            "shape",
            "layer widths `1-…-1`, at most 400 parameters",
            Self::DEFAULT_SHAPE,
        );
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
        let runs = p.number("runs", 40, 1..=1000);
        Self {
            task,
            model: MlpConfig::new(widths, activation),
            train,
            units: Units::from_params(p, runs),
            runs,
            protocol: p.choice(
                "protocol",
                Protocols::Both,
                Protocols::parse,
                &Protocols::ALL.map(|p| p.id()),
            ),
            steps: p.number("steps", 30, 0..=2000),
            tau: p.number("tau", default_tau(), 1e-12..=0.5),
            noise: p.number("noise", default_noise(), 0.0..=1.0),
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
            ("protocol", self.protocol.id().into()),
            ("steps", self.steps.to_string()),
            ("tau", self.tau.to_string()),
            ("noise", self.noise.to_string()),
            ("ratio", self.ratio.id().into()),
        ]);
        pairs.extend(self.units.to_params());
        pairs
    }
}

/// Finite-difference step of the Hessian's central differences (f64: error ~ε² ≈ 1e-10).
pub const HESSIAN_EPS: f64 = 1e-5;

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
