//! E6, "Error surface": the loss on a 2-D grid around a trained model, along two
//! filter-normalised random directions (Li et al. 2018) or the top two PCA directions of its
//! training trajectory (then projected onto the grid), and the loss along the straight line
//! from the initial to the final weights.

use burn::module::Module;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::subject::SUBJECT_SIZE_KEYS;
use super::subject::{
    function_training, image_training, subject_and_settings, subject_params, train_subject,
    ImageDefaults, Subject, SubjectData, SubjectDefaults, TaskKind, Trained, E1_DEEPEST,
};
use crate::analysis::{combine, layout, load_params, pca, random_direction, read_params};
use crate::budget::Footprint;
use crate::engine::{fail, finish, FromParams, Outcome};
use crate::events::{Event, Flow, Host};
use crate::models::{Classifier, Mlp};
use crate::params::Params;
use crate::train::{
    read_scalars, ClassifierTask, EpochEnd, Halt, Hooks, Stopwatch, TrainSettings, Trainer,
    WorkLimits,
};

/// Which plane the grid spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Directions {
    /// Two filter-normalised Gaussian directions; the grid spans [−span, span]².
    Random,
    /// The trajectory's top two principal directions (relative to the final weights); the grid
    /// covers the projected trajectory.
    Pca,
}

impl Directions {
    pub const ALL: [Directions; 2] = [Self::Random, Self::Pca];

    pub fn id(self) -> &'static str {
        match self {
            Self::Random => "random",
            Self::Pca => "pca",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.id() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurfaceConfig {
    pub subject: Subject,
    pub train: TrainSettings,
    pub directions: Directions,
    /// Points per side of the grid.
    pub grid: usize,
    /// Half-width of the grid in units of the (filter-normalised) random directions.
    pub span: f64,
    /// Points on the line from the initial to the final weights, α ∈ [−0.5, 1.5].
    pub line_points: usize,
    /// Training images the loss is measured on (image tasks).
    pub eval_size: usize,
}

const SUBJECT: SubjectDefaults = SubjectDefaults {
    task: TaskKind::Function,
    function: E1_DEEPEST,
    images: ImageDefaults {
        convs: &[],
        hidden: &[16],
        train_size: Some(2000),
    },
};

/// Snapshots of the trajectory kept for the PCA directions (about).
const TRAJECTORY_POINTS: usize = 40;
/// The line's α range.
const LINE: (f64, f64) = (-0.5, 1.5);

impl FromParams for SurfaceConfig {
    const SIZE_KEYS: &'static [&'static str] = SUBJECT_SIZE_KEYS;

    /// Training, then two directions and the moved weights (f64) beside the model.
    fn footprint(&self) -> Footprint {
        let p = self.subject.parameters() as u64;
        self.subject
            .footprint(self.train.batch_size)
            .plus(Footprint::extra(p.saturating_mul(3 * 8)))
    }

    fn from_params(p: &mut Params) -> Self {
        let (subject, train) = subject_and_settings(
            p,
            &SUBJECT,
            &function_training(0.005, 1000, 100_000),
            &image_training(5),
        );
        let directions = p.choice(
            "dirs",
            Directions::Random,
            Directions::parse,
            &Directions::ALL.map(|d| d.id()),
        );
        Self {
            subject,
            train,
            directions,
            grid: p.number("grid", 31, 3..=101),
            span: p.number("span", 1.0, 0.01..=10.0),
            line_points: p.number("line", 41, 3..=201),
            eval_size: p.number("eval_size", 1000, 16..=60_000),
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = subject_params(&self.subject, &self.train);
        pairs.extend([
            ("dirs", self.directions.id().into()),
            ("grid", self.grid.to_string()),
            ("span", self.span.to_string()),
            ("line", self.line_points.to_string()),
            ("eval_size", self.eval_size.to_string()),
        ]);
        pairs
    }
}

/// E6's addition to the loop: the initial weights and ~40 snapshots of the trajectory.
struct Trajectory {
    every: usize,
    epochs: usize,
    initial: Vec<f64>,
    snapshots: Vec<Vec<f64>>,
}

impl<M: Module> Hooks<M> for Trajectory {
    async fn on_start(
        &mut self,
        _host: &mut impl Host,
        trainers: &[Trainer<M>],
    ) -> Result<(), String> {
        self.initial = read_params(trainers[0].model()).await?;
        self.snapshots.push(self.initial.clone());
        Ok(())
    }

    async fn on_epoch(
        &mut self,
        _host: &mut impl Host,
        end: &EpochEnd<'_, M>,
    ) -> Result<(), String> {
        if end.epoch.is_multiple_of(self.every) || end.epoch == self.epochs {
            self.snapshots
                .push(read_params(end.trainers[0].model()).await?);
        }
        Ok(())
    }
}

/// Measures the training loss of the trained architecture at any parameter vector.
// One per run, built once: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Probe<'a> {
    Function {
        model: Mlp,
        data: crate::train::Regression,
    },
    Images {
        model: Classifier,
        task: ClassifierTask<'a>,
        /// How the model's evaluations are cut on this backend.
        work: WorkLimits,
        limit: usize,
    },
}

impl Probe<'_> {
    /// The loss at each parameter vector (one batched read for a function task); a stop
    /// during the evaluation ends the run after its `epochs`.
    async fn losses(
        &self,
        points: &[Vec<f64>],
        device: &Device,
        host: &mut impl Host,
        clock: &mut Stopwatch,
        epochs: usize,
    ) -> Result<Vec<f64>, Halt> {
        let losses = match self {
            Probe::Function { model, data } => {
                let losses = points
                    .iter()
                    .map(|theta| data.loss(&load_params(model.clone(), theta)))
                    .collect();
                read_scalars(losses).await.map(Some)
            }
            Probe::Images {
                model,
                task,
                work,
                limit,
            } => {
                let models: Vec<(Classifier, WorkLimits)> = points
                    .iter()
                    .map(|theta| (load_params(model.clone(), theta), *work))
                    .collect();
                let r = task
                    .evaluate(&models, task.train, *limit, device, host, clock)
                    .await;
                r.map(|r| r.map(|(losses, _)| losses))
            }
        };
        match losses {
            Ok(Some(l)) => Ok(l),
            Ok(None) => Err(Halt::Stopped { epoch: epochs }),
            Err(e) => Err(Halt::Failed(e)),
        }
    }
}

/// Run E6 on `device` (plain, not autodiff); `images` is the dataset of an image task.
async fn run<H: Host>(
    config: &SurfaceConfig,
    data: SubjectData,
    device: &Device,
    host: &mut H,
) -> Outcome {
    config.subject.started(host, config.train.epochs);
    let epochs = config.train.epochs;
    let mut hooks = Trajectory {
        every: (epochs / TRAJECTORY_POINTS).max(1),
        epochs,
        initial: Vec::new(),
        snapshots: Vec::new(),
    };
    let mut clock = Stopwatch::default();
    let trained = match train_subject(
        &config.subject,
        &data,
        &config.train,
        config.train.seed,
        device,
        &mut hooks,
        host,
        &mut clock,
    )
    .await
    {
        Ok(t) => t,
        Err(halt) => return finish(host, Err(halt), epochs, &clock),
    };
    let probe = match (&trained, &config.subject, &data) {
        (Trained::Mlp(m), Subject::Function { task, .. }, _) => Probe::Function {
            model: m.valid(),
            data: task.data(device),
        },
        (
            Trained::Classifier(m),
            Subject::Images { model, .. },
            SubjectData::Images { train, test, .. },
        ) => {
            let task = ClassifierTask::new(train, test, *device == Device::flex(), device);
            Probe::Images {
                model: m.valid(),
                work: task.limits(model),
                task,
                limit: config.eval_size,
            }
        }
        _ => return fail(host, "the trained model does not match the task".into()),
    };
    let result = explore(config, &hooks, &probe, device, host, &mut clock).await;
    finish(host, result, epochs, &clock)
}

/// The grid (row by row, so the map grows live) and the line, after training.
async fn explore(
    config: &SurfaceConfig,
    trajectory: &Trajectory,
    probe: &Probe<'_>,
    device: &Device,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> Result<(), Halt> {
    let theta = trajectory
        .snapshots
        .last()
        .cloned()
        .ok_or_else(|| Halt::Failed("no weights were collected".into()))?;
    let model_layout = match probe {
        Probe::Function { model, .. } => layout(model),
        Probe::Images { model, .. } => layout(model),
    };
    let n = config.grid;
    let (d1, d2, xs, ys, path, what) = match config.directions {
        Directions::Random => {
            let seed = config.train.seed;
            let d1 = random_direction(&model_layout, &theta, seed.wrapping_mul(2) + 1000);
            let d2 = random_direction(&model_layout, &theta, seed.wrapping_mul(2) + 1001);
            let axis = linspace_sym(config.span, n);
            let what = "two filter-normalised random directions (Li et al. 2018)".to_string();
            (d1, d2, axis.clone(), axis, Vec::new(), what)
        }
        Directions::Pca => {
            let rows: Vec<Vec<f64>> = trajectory
                .snapshots
                .iter()
                .map(|s| s.iter().zip(&theta).map(|(a, b)| a - b).collect())
                .collect();
            let fit = pca::fit(&rows, 2).map_err(Halt::Failed)?;
            if fit.components.len() < 2 {
                return Err(Halt::Failed(
                    "the trajectory is too short for two PCA directions".into(),
                ));
            }
            // Coordinates along unit directions, from the final weights (rows are centred there).
            let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
            let path: Vec<[f64; 2]> = rows
                .iter()
                .map(|r| [dot(r, &fit.components[0]), dot(r, &fit.components[1])])
                .collect();
            let reach = |i: usize| {
                path.iter()
                    .map(|p| p[i].abs())
                    .fold(0.0, f64::max)
                    .max(1e-3)
                    * 1.25
            };
            let what = format!(
                "the trajectory's top two PCA directions ({:.0}% and {:.0}% of its variance)",
                fit.explained_ratio[0] * 100.0,
                fit.explained_ratio[1] * 100.0
            );
            (
                fit.components[0].clone(),
                fit.components[1].clone(),
                linspace_sym(reach(0), n),
                linspace_sym(reach(1), n),
                path,
                what,
            )
        }
    };
    host.emit(Event::SurfaceGrid {
        xs: xs.clone(),
        ys: ys.clone(),
        directions: what,
        path,
    });
    for (row, &b) in ys.iter().enumerate() {
        clock.start();
        let points: Vec<Vec<f64>> = xs
            .iter()
            .map(|&a| combine(&theta, &[(&d1, a), (&d2, b)]))
            .collect();
        let losses = probe
            .losses(&points, device, host, clock, config.train.epochs)
            .await?;
        clock.stop();
        host.emit(Event::SurfaceRow { row, losses });
        if host.checkpoint().await == Flow::Stop {
            return Err(Halt::Stopped {
                epoch: config.train.epochs,
            });
        }
    }
    let alphas = crate::data::linspace(LINE.0, LINE.1, config.line_points);
    let step: Vec<f64> = theta
        .iter()
        .zip(&trajectory.initial)
        .map(|(t, i)| t - i)
        .collect();
    let points: Vec<Vec<f64>> = alphas
        .iter()
        .map(|&a| combine(&trajectory.initial, &[(&step, a)]))
        .collect();
    clock.start();
    let losses = probe
        .losses(&points, device, host, clock, config.train.epochs)
        .await?;
    clock.stop();
    host.emit(Event::LineLosses { alphas, losses });
    Ok(())
}

/// `n` evenly spaced points on [−r, r] (0 in the middle when `n` is odd).
fn linspace_sym(r: f64, n: usize) -> Vec<f64> {
    crate::data::linspace(-r, r, n)
}

super::subject::subject_experiment!(SurfaceConfig, "surface", subject, train);
