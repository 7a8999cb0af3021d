//! E9a, "Flatness vs generalization — interpolation", on Keskar et al.'s protocol: two models
//! from the same initial weights θ₀, trained differently (batch 64 vs 800, a tenth of the
//! 8,000-image subset, by default; or two learning rates), then the loss and accuracy along
//! the line θ(α) = (1 − α)·θ₁ + α·θ₂ for α ∈ [−1, 2]: the flatter minimum is the wider
//! valley. Each trains until its training cross-entropy reaches 1e-3 or stops improving (a
//! [`Target`] with patience, the epochs a cap), so that the line joins two minima rather than
//! a model and an under-trained one: Keskar's effect shows as the loss falls, and at a loss of
//! 0.05 it need not.
//!
//! With `seeds=k` the whole pair is trained k times (θ₀ from seed `seed + s`), each pair with
//! its own line; a line's result at α point i is index `i·k + s`, so that pooling by index
//! (`engine::seeds::pool`) gives each α's mean over the seeds.
//!
//! As units (a pool of workers): pair s is units 3s and 3s + 1, each training one model and
//! sending its weights, and unit 3s + 2, its line, which starts once both have ended, given
//! their weights.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::subject::{image_training, subject_params, ImageDefaults, Subject, SubjectData};
use super::target::{train_to_target, Target};
use crate::analysis::read_params;
use crate::budget::Footprint;
use crate::engine::seeds::Seeds;
use crate::engine::units::Units;
use crate::engine::{finish, FromParams, Outcome};
use crate::events::{Event, Host};
use crate::models::{init_seeded, Classifier};
use crate::params::Params;
use crate::train::{Halt, Stopwatch, TrainSettings};

mod line;

use line::{along_the_line, given_ends};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterpolateConfig {
    pub subject: Subject,
    /// The first model's training (`batch`, `lr`, …; `epochs`: the cap).
    pub train: TrainSettings,
    /// The training loss both models train to.
    pub target: Target,
    /// The second model's batch size and learning rate (`batch2`, `lr2`).
    pub batch2: usize,
    pub lr2: f64,
    /// Both models start from the same initial weights (else seeds `seed` and `seed + 1`).
    pub same_init: bool,
    /// Points on α ∈ [−1, 2].
    pub points: usize,
    /// Examples of each set every point is evaluated on.
    pub eval_size: usize,
    /// Pairs trained, each from its own θ₀ (`seeds`), each with its line.
    #[serde(default)]
    pub seeds: Seeds,
    /// The parts this run computes (all, or one: a training, or a line).
    #[serde(default)]
    pub units: Units,
    /// Both trained models, where this run is the line alone: given by the units that trained
    /// them (see [`InterpolateConfig::given`]), never in the URL.
    #[serde(skip)]
    pub ends: Vec<TrainedEnd>,
}

/// A trained end of the line as a unit hands it on: its parameters and the epochs it took.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedEnd {
    pub epochs: usize,
    pub theta: Vec<f64>,
}

/// Keskar et al.'s training target: cross-entropy 1e-3 (~100 % training accuracy), or the
/// loss no longer improving for 20 epochs.
pub const TARGET: Target = Target {
    loss: 1e-3,
    patience: 20,
};

/// The large batch: a tenth of the 8,000-image subset, as Keskar's "10 % of the training set".
pub const LARGE_BATCH: usize = 800;

/// A pair's units: its two trainings (parts 0 and 1), then its line (part 2).
pub const PAIR_UNITS: usize = 3;

/// The part of a pair's units that evaluates the line, after the two trainings.
pub const LINE_UNIT: usize = 2;

const SUBJECT: ImageDefaults = ImageDefaults {
    convs: &[],
    hidden: &[64],
    train_size: None,
};

/// α's range.
pub const ALPHAS: (f64, f64) = (-1.0, 2.0);

impl FromParams for InterpolateConfig {
    const SIZE_KEYS: &'static [&'static str] =
        &["shape", "convs", "hidden", "samples", "batch", "batch2"];

    /// One training at a time; the line holds both ends and the point between (f64).
    fn footprint(&self) -> Footprint {
        let p = self.subject.parameters() as u64;
        Footprint::largest([
            self.subject.footprint(self.train.batch_size),
            self.subject.footprint(Some(self.batch2)),
        ])
        .plus(Footprint::extra(p.saturating_mul(3 * 8)))
    }

    fn from_params(p: &mut Params) -> Self {
        let subject = Subject::images_from_params(p, &SUBJECT);
        // The epochs are a cap: batch 800 (10 steps an epoch) needs ~150 to reach 1e-3, where
        // batch 64 needs ~20.
        let train = TrainSettings::from_params(p, &image_training(300));
        let seeds = Seeds::from_params(p);
        Self {
            subject,
            target: Target {
                loss: p.number("target", TARGET.loss, 1e-4..=10.0),
                patience: p.number("patience", TARGET.patience, 0..=1000),
            },
            batch2: p.number("batch2", LARGE_BATCH, 1..=4096),
            lr2: p.number("lr2", train.learning_rate, 1e-6..=1.0),
            same_init: {
                p.describe("same_init", "`1`, `0`", 1);
                !matches!(p.get("same_init").as_deref(), Some("0" | "false" | "no"))
            },
            points: p.number("points", 25, 25..=201),
            // Keskar et al. evaluate the line on both sets in full.
            eval_size: p.number("eval_size", 60_000, 10..=60_000),
            units: Units::from_params(p, PAIR_UNITS * seeds.0),
            seeds,
            ends: Vec::new(),
            train,
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = subject_params(&self.subject, &self.train);
        pairs.retain(|(k, _)| *k != "task");
        pairs.extend([
            self.target.to_params(),
            ("patience", self.target.patience.to_string()),
            ("batch2", self.batch2.to_string()),
            ("lr2", self.lr2.to_string()),
            ("same_init", u8::from(self.same_init).to_string()),
            ("points", self.points.to_string()),
            ("eval_size", self.eval_size.to_string()),
        ]);
        pairs.extend(self.seeds.to_params());
        pairs.extend(self.units.to_params());
        pairs
    }
}

impl InterpolateConfig {
    /// The line alone, given the events of the units it waits for (their `Weights`).
    pub fn given(&mut self, events: &[Event]) {
        let mut ends: Vec<(usize, TrainedEnd)> = events
            .iter()
            .filter_map(|e| match e {
                Event::Weights {
                    run, epoch, model, ..
                } => Some((
                    *run,
                    TrainedEnd {
                        epochs: *epoch,
                        theta: model.clone(),
                    },
                )),
                _ => None,
            })
            .collect();
        ends.sort_by_key(|(run, _)| *run);
        self.ends = ends.into_iter().map(|(_, end)| end).collect();
    }

    /// Units in all: a pair's three per seed.
    pub fn unit_count(&self) -> usize {
        PAIR_UNITS * self.seeds.0
    }

    /// Each line's unit and the two trainings it waits for.
    pub fn feeds(&self) -> Vec<(usize, [usize; 2])> {
        (0..self.seeds.0)
            .map(|s| {
                (
                    PAIR_UNITS * s + LINE_UNIT,
                    [PAIR_UNITS * s, PAIR_UNITS * s + 1],
                )
            })
            .collect()
    }

    /// The first pair's two trainings: (label, settings, initialisation seed).
    pub fn trainings(&self) -> [(String, TrainSettings, u64); 2] {
        self.trainings_of(0)
    }

    /// Pair `pair`'s two trainings: θ₀ from seed `seed + pair`; where the initialisations
    /// differ, θ₂'s from `seed + pair + k` (k pairs), a seed no other training uses (with one
    /// pair, `seed + 1`).
    pub fn trainings_of(&self, pair: usize) -> [(String, TrainSettings, u64); 2] {
        let first = self.train.clone();
        let second = TrainSettings {
            batch_size: Some(self.batch2),
            learning_rate: self.lr2,
            ..self.train.clone()
        };
        let label = |s: &TrainSettings| {
            format!(
                "batch {}, lr {}",
                s.batch_size.map_or("full".into(), |b| b.to_string()),
                s.learning_rate
            )
        };
        let seed1 = self.train.seed.wrapping_add(pair as u64);
        let seed2 = match self.same_init {
            true => seed1,
            false => seed1.wrapping_add(self.seeds.0 as u64),
        };
        [
            (format!("θ₁: {}", label(&first)), first, seed1),
            (format!("θ₂: {}", label(&second)), second, seed2),
        ]
    }
}

/// A trained end of the line on the device: its model, beside what a unit hands on.
struct End {
    model: Classifier,
    trained: TrainedEnd,
}

/// Run E9a on `device` (plain, not autodiff) with `images`: each pair (one per seed) trained,
/// then its line; or one unit: a training, or a line given its pair's weights.
async fn run<H: Host>(
    config: &InterpolateConfig,
    data: SubjectData,
    device: &Device,
    host: &mut H,
) -> Outcome {
    let mut clock = Stopwatch::default();
    let result = match config.units.only() {
        Some(unit) => run_unit(config, unit, &data, device, host, &mut clock).await,
        None => run_pairs(config, &data, device, host, &mut clock).await,
    };
    finish(host, result, config.train.epochs, &clock)
}

/// Every pair in turn: its two trainings, then its line.
async fn run_pairs(
    config: &InterpolateConfig,
    data: &SubjectData,
    device: &Device,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> Result<(), Halt> {
    started(config, host);
    for pair in 0..config.seeds.0 {
        let ends = [
            train_end(config, PAIR_UNITS * pair, data, device, host, clock).await?,
            train_end(config, PAIR_UNITS * pair + 1, data, device, host, clock).await?,
        ];
        along_the_line(config, pair, &ends, data, device, host, clock).await?;
    }
    Ok(())
}

/// One unit: a training, whose weights (and the epochs it took) go to its pair's line; or a
/// line, given its pair's weights.
async fn run_unit(
    config: &InterpolateConfig,
    unit: usize,
    data: &SubjectData,
    device: &Device,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> Result<(), Halt> {
    let pair = unit / PAIR_UNITS;
    if unit % PAIR_UNITS == LINE_UNIT {
        let ends = given_ends(config, device).map_err(Halt::Failed)?;
        return along_the_line(config, pair, &ends, data, device, host, clock).await;
    }
    started(config, host);
    let TrainedEnd { epochs, theta } = train_end(config, unit, data, device, host, clock)
        .await?
        .trained;
    host.emit(Event::Weights {
        run: unit,
        epoch: epochs,
        layer: [0, theta.len()],
        model: theta,
    });
    Ok(())
}

/// The models a run trains (the first pair's two, as every pair's).
fn started(config: &InterpolateConfig, host: &mut impl Host) {
    host.emit(Event::Started {
        models: config
            .trainings()
            .iter()
            .map(|(label, ..)| config.subject.model_info(label.clone()))
            .collect(),
        total_epochs: config.train.epochs,
    });
}

/// Train unit `unit`'s model (a pair's first or second) to the target.
async fn train_end(
    config: &InterpolateConfig,
    unit: usize,
    data: &SubjectData,
    device: &Device,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> Result<End, Halt> {
    let (pair, part) = (unit / PAIR_UNITS, unit % PAIR_UNITS);
    let (label, settings, seed) = &config.trainings_of(pair)[part];
    let of_seed = match config.seeds.0 {
        1 => String::new(),
        k => format!(", seed {} of {k}", pair + 1),
    };
    host.emit(Event::Unit {
        index: unit,
        count: config.unit_count(),
        label: format!("training {label}{of_seed}"),
    });
    let trained = train_to_target(
        &config.subject,
        data,
        settings,
        config.target,
        *seed,
        device,
        host,
        clock,
    )
    .await?;
    let theta = read_params(&trained.model).await.map_err(Halt::Failed)?;
    Ok(End {
        model: trained.model,
        trained: TrainedEnd {
            epochs: trained.epochs,
            theta,
        },
    })
}

/// A fresh model of the config's classifier, initialised with `seed` as a training's is.
fn initial(config: &InterpolateConfig, seed: u64, device: &Device) -> Result<Classifier, String> {
    let Subject::Images { model, .. } = &config.subject else {
        return Err("E9a interpolates image classifiers".into());
    };
    Ok(init_seeded(device, seed, || vec![model.init(device)]).remove(0))
}

/// The initial weights θ₀ the training with `seed` starts from.
pub async fn initial_params(
    config: &InterpolateConfig,
    seed: u64,
    device: &Device,
) -> Result<Vec<f64>, String> {
    read_params(&initial(config, seed, device)?).await
}

// Units: each pair's two trainings, then its line (which waits for their weights).
super::subject::subject_experiment!(InterpolateConfig, "interpolate", subject, train, {
    fn units(&self) -> (usize, Units) {
        (self.unit_count(), self.units)
    }

    fn pick(&mut self, units: Units) {
        self.units = units;
    }
});
