//! E3, "Visualize the optimization process": the same architecture trained several times from
//! different seeds; its weights collected every few epochs, and all snapshots of all runs
//! reduced to 2-D by PCA (one chosen layer, and the whole model), refitted as they arrive.
//! Run as units (one run each, `unit=i`), a run sends its snapshots' weights instead, and
//! [`Projections`] is the combining step that projects them.

use std::ops::Range;

use burn::module::Module;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::subject::{
    function_training, image_training, subject_and_settings, subject_params, train_subject,
    ImageDefaults, Subject, SubjectData, SubjectDefaults, TaskKind, E1_DEEPEST,
};
use crate::analysis::{layout, pca, read_params};
use crate::budget::Footprint;
use crate::engine::merge::Combine;
use crate::engine::units::{self, Units};
use crate::engine::{fail, stopped, FromParams, Outcome};
use crate::events::{Event, Host};
use crate::params::Params;
use crate::train::{EpochEnd, Halt, Hooks, Stopwatch, TrainSettings, Trainer};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrajectoryConfig {
    pub subject: Subject,
    pub train: TrainSettings,
    /// Independent trainings, seeds `seed`, `seed + 1`, …
    pub runs: usize,
    /// Weights are collected every this many epochs (and after the last).
    pub every: usize,
    /// The layer whose weights the first chart reduces (from 1).
    pub layer: usize,
    /// The runs computed (all of them, or one: a unit of a pool).
    #[serde(default)]
    pub units: Units,
}

/// The MNIST preset's small DNN (784-16-10, 12,730 parameters) keeps 8 runs within a few
/// minutes on the CPU backend; the sinc5 preset trains E1's deepest model.
const SUBJECT: SubjectDefaults = SubjectDefaults {
    task: TaskKind::Images,
    function: E1_DEEPEST,
    images: ImageDefaults {
        convs: &[],
        hidden: &[16],
        train_size: Some(2000),
    },
};

impl FromParams for TrajectoryConfig {
    const SIZE_KEYS: &'static [&'static str] = &[
        "shape", "convs", "hidden", "samples", "batch", "runs", "every",
    ];

    /// One run trains at a time; the combining step holds every run's snapshots (f32).
    fn footprint(&self) -> Footprint {
        let snapshots = self.runs as u64 * self.snapshots_per_run() as u64;
        self.subject
            .footprint(self.train.batch_size)
            .plus(Footprint::extra(
                snapshots.saturating_mul(self.subject.parameters() as u64 * 4),
            ))
    }

    fn from_params(p: &mut Params) -> Self {
        let (subject, train) = subject_and_settings(
            p,
            &SUBJECT,
            &function_training(0.005, 300, 20_000),
            &image_training(24),
        );
        let runs = p.number("runs", 8, 1..=32);
        // sinc5 epochs are tiny full-batch steps: collect less often there.
        let default_every = match subject {
            Subject::Function { .. } => 15,
            Subject::Images { .. } => 3,
        };
        // The default within the range too: 3 epochs of a 1-epoch run would re-read as 1.
        let most = train.epochs.max(1);
        let every = p.number("every", default_every.min(most), 1..=most);
        let layer = p.number("layer", 1, 1..=subject.layer_count());
        let units = Units::from_params(p, runs);
        Self {
            subject,
            train,
            runs,
            every,
            layer,
            units,
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = subject_params(&self.subject, &self.train);
        pairs.extend([
            ("runs", self.runs.to_string()),
            ("every", self.every.to_string()),
            ("layer", self.layer.to_string()),
        ]);
        pairs.extend(self.units.to_params());
        pairs
    }
}

impl TrajectoryConfig {
    /// Snapshots each run contributes: the initial weights, every `every` epochs, the last.
    pub fn snapshots_per_run(&self) -> usize {
        let e = self.train.epochs;
        1 + e / self.every + usize::from(!e.is_multiple_of(self.every))
    }
}

/// Every snapshot so far, of all runs: the combining step of the sweep.
#[derive(Default)]
struct Collected {
    model: Vec<Vec<f64>>,
    layer: Vec<Vec<f64>>,
}

impl Collected {
    fn push(&mut self, model: Vec<f64>, layer: Range<usize>) -> Result<(), String> {
        let weights = model
            .get(layer.clone())
            .ok_or("a snapshot's layer lies outside its weights")?;
        self.layer.push(weights.to_vec());
        self.model.push(model);
        Ok(())
    }

    /// Refit both PCAs on everything collected: the projections to send.
    fn project(&self) -> Result<Vec<Event>, String> {
        let mut events = Vec::with_capacity(2);
        for (space, rows) in [("layer", &self.layer), ("model", &self.model)] {
            let fit = pca::fit(rows, 2)?;
            let coordinate = |row: &Vec<f64>, i: usize| row.get(i).copied().unwrap_or(0.0);
            events.push(Event::Projection {
                space: space.into(),
                points: fit
                    .projections
                    .iter()
                    .map(|r| [coordinate(r, 0), coordinate(r, 1)])
                    .collect(),
                explained: [
                    fit.explained_ratio.first().copied().unwrap_or(0.0),
                    fit.explained_ratio.get(1).copied().unwrap_or(0.0),
                ],
            });
        }
        Ok(events)
    }
}

/// E3's combining step, for runs computed apart: takes the `Weights` out of the merged stream
/// (which holds them in the order of their `Snapshot`s) and refits the projections on every
/// snapshot so far, once per delivery.
#[derive(Default)]
pub struct Projections {
    collected: Collected,
    failed: bool,
}

impl Combine for Projections {
    fn absorb(&mut self, events: Vec<Event>) -> Vec<Event> {
        let mut out = Vec::with_capacity(events.len());
        let mut fresh = Ok(false);
        for event in events {
            match event {
                Event::Weights { model, layer, .. } => {
                    fresh = fresh.and_then(|_| {
                        self.collected.push(model, layer[0]..layer[1])?;
                        Ok(true)
                    })
                }
                other => out.push(other),
            }
        }
        let added = match fresh.and_then(|fresh| match fresh && !self.failed {
            true => self.collected.project(),
            false => Ok(Vec::new()),
        }) {
            Ok(projections) => projections,
            // Reported once: later snapshots would fail the same way.
            Err(message) if !self.failed => {
                self.failed = true;
                vec![Event::Error { message }]
            }
            Err(_) => Vec::new(),
        };
        // Before the merge's progress and the run's end, as a whole run gives them.
        let tail = out
            .iter()
            .rposition(|e| {
                !matches!(
                    e,
                    Event::SweepProgress { .. } | Event::Done { .. } | Event::Stopped { .. }
                )
            })
            .map_or(0, |i| i + 1);
        out.splice(tail..tail, added);
        out
    }
}

/// E3's addition to one run's loop: a snapshot every `every` epochs and after the last.
struct Snapshots<'a> {
    run: usize,
    /// The run is a unit computed apart: send the weights, the combining step projects them.
    apart: bool,
    every: usize,
    epochs: usize,
    layer: usize,
    collected: &'a mut Collected,
}

impl Snapshots<'_> {
    fn due(&self, epoch: usize) -> bool {
        epoch.is_multiple_of(self.every) || epoch == self.epochs
    }
}

impl<M: Module> Hooks<M> for Snapshots<'_> {
    fn needs_losses(&self, epoch: usize) -> bool {
        self.due(epoch)
    }

    /// The initial weights are the first snapshot: every run starts near the projections'
    /// centre (random initialisations differ in directions the top components do not hold).
    async fn on_start(
        &mut self,
        host: &mut impl Host,
        trainers: &[Trainer<M>],
    ) -> Result<(), String> {
        self.collect(host, trainers[0].model(), 0, f64::NAN, None)
            .await
    }

    async fn on_epoch(
        &mut self,
        host: &mut impl Host,
        end: &EpochEnd<'_, M>,
    ) -> Result<(), String> {
        if !self.due(end.epoch) {
            return Ok(());
        }
        let loss = end.losses.map_or(f64::NAN, |l| l[0]);
        let accuracy = end.test_accuracies.map(|a| a[0]);
        self.collect(host, end.trainers[0].model(), end.epoch, loss, accuracy)
            .await
    }
}

impl Snapshots<'_> {
    /// Read `model`'s weights, send the snapshot and refit the projections.
    async fn collect<M: Module>(
        &mut self,
        host: &mut impl Host,
        model: &M,
        epoch: usize,
        loss: f64,
        accuracy: Option<f64>,
    ) -> Result<(), String> {
        let theta = read_params(model).await?;
        let layers: Vec<Range<usize>> = layout(model).layers();
        let layer = layers
            .get(self.layer - 1)
            .cloned()
            .ok_or_else(|| format!("the model has no layer {}", self.layer))?;
        host.emit(Event::Snapshot {
            run: self.run,
            epoch,
            loss,
            accuracy,
        });
        if self.apart {
            host.emit(Event::Weights {
                run: self.run,
                epoch,
                model: theta,
                layer: [layer.start, layer.end],
            });
            return Ok(());
        }
        self.collected.push(theta, layer)?;
        for projection in self.collected.project()? {
            host.emit(projection);
        }
        Ok(())
    }
}

/// Run E3 on `device` (plain, not autodiff); `images` is the dataset of an image task.
async fn run<H: Host>(
    config: &TrajectoryConfig,
    data: SubjectData,
    device: &Device,
    host: &mut H,
) -> Outcome {
    config.subject.started(host, config.train.epochs);
    let mut collected = Collected::default();
    let mut clock = Stopwatch::default();
    for run in config.units.each(config.runs) {
        let label = format!("run {} of {}", run + 1, config.runs);
        units::begin(host, run, config.runs, label);
        let mut hooks = Snapshots {
            run,
            apart: config.units.picked().is_some(),
            every: config.every,
            epochs: config.train.epochs,
            layer: config.layer,
            collected: &mut collected,
        };
        let seed = config.train.seed + run as u64;
        let result = train_subject(
            &config.subject,
            &data,
            &config.train,
            seed,
            device,
            &mut hooks,
            host,
            &mut clock,
        )
        .await;
        match result {
            Ok(_) => {}
            Err(Halt::Stopped { epoch }) => return stopped(host, epoch, &clock),
            Err(Halt::Failed(e)) => return fail(host, format!("run {}: {e}", run + 1)),
        }
    }
    host.emit(Event::Done {
        epoch: config.train.epochs,
        elapsed_ms: clock.elapsed_ms(),
    });
    Outcome::Done
}

super::subject::subject_experiment!(TrajectoryConfig, "trajectory", subject, train, {
    fn units(&self) -> (usize, Units) {
        (self.runs, self.units)
    }

    fn pick(&mut self, units: Units) {
        self.units = units;
    }
});
