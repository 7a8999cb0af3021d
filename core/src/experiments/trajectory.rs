//! E3, "Visualize the optimization process": the same architecture trained several times from
//! different seeds; its weights collected every few epochs, and all snapshots of all runs
//! reduced to 2-D by PCA (one chosen layer, and the whole model), refitted as they arrive.

use std::ops::Range;

use burn::module::Module;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::subject::{
    function_training, image_training, subject_and_settings, subject_params, train_subject,
    Subject, SubjectData, SubjectDefaults,
};
use super::{fail, stopped, FromParams, Outcome};
use crate::analysis::{layout, pca, read_params};
use crate::data::ImageDataset;
use crate::events::{Event, Host};
use crate::models::ActivationKind;
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
}

/// The MNIST preset's small DNN (784-16-10, 12,730 parameters) keeps 8 runs within a few
/// minutes on the CPU backend; the sinc5 preset trains E1's deepest model.
const SUBJECT: SubjectDefaults = SubjectDefaults {
    images: true,
    shape: "1-5-10-10-10-10-10-5-1",
    activation: ActivationKind::Tanh,
    convs: &[],
    hidden: &[16],
    train_size: Some(2000),
};

impl FromParams for TrajectoryConfig {
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
        let every = p.number("every", default_every, 1..=train.epochs.max(1));
        let layer = p.number("layer", 1, 1..=subject.layer_count());
        Self {
            subject,
            train,
            runs,
            every,
            layer,
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = subject_params(&self.subject, &self.train);
        pairs.extend([
            ("runs", self.runs.to_string()),
            ("every", self.every.to_string()),
            ("layer", self.layer.to_string()),
        ]);
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
    /// Refit both PCAs on everything collected and send the projections.
    fn project(&self, host: &mut impl Host) -> Result<(), String> {
        for (space, rows) in [("layer", &self.layer), ("model", &self.model)] {
            let fit = pca::fit(rows, 2)?;
            let coordinate = |row: &Vec<f64>, i: usize| row.get(i).copied().unwrap_or(0.0);
            host.emit(Event::Projection {
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
        Ok(())
    }
}

/// E3's addition to one run's loop: a snapshot every `every` epochs and after the last.
struct Snapshots<'a> {
    run: usize,
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
        self.collected.layer.push(theta[layer].to_vec());
        self.collected.model.push(theta);
        host.emit(Event::Snapshot {
            run: self.run,
            epoch,
            loss,
            accuracy,
        });
        self.collected.project(host)
    }
}

/// Run E3 on `device` (plain, not autodiff); `images` is the dataset of an image task.
pub async fn run<H: Host>(
    config: &TrajectoryConfig,
    images: Option<&ImageDataset>,
    device: &Device,
    host: &mut H,
) -> Outcome {
    let data = match SubjectData::prepare(&config.subject, images, device, host) {
        Ok(d) => d,
        Err(e) => return fail(host, e),
    };
    host.emit(Event::Started {
        models: vec![config.subject.model_info("model".into())],
        total_epochs: config.train.epochs,
    });
    let mut collected = Collected::default();
    let mut clock = Stopwatch::default();
    for run in 0..config.runs {
        host.emit(Event::Unit {
            index: run,
            count: config.runs,
            label: format!("run {} of {}", run + 1, config.runs),
        });
        let mut hooks = Snapshots {
            run,
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

super::subject::subject_experiment!(TrajectoryConfig, "trajectory", Trajectory, subject, train);
