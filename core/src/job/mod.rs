//! The registry: every experiment by name, and any experiment's run named by its URL query (`exp=tasks&epochs=2…`): the one value a link,
//! the report and a worker pass around. The query is the config's serialized form, so a job
//! crosses any boundary as a string and always reproduces the same run.

use burn::tensor::Device;

mod plan;

use crate::backend::{BackendChoice, Workload};
use crate::data::ImageDataset;
use crate::engine::merge::Merge;
use crate::engine::plan::Plan;
use crate::engine::units::Units;
use crate::engine::{fail, FromParams, Outcome};
use crate::events::Event;
use crate::events::Host;
use crate::experiments::common::ImageTask;
use crate::experiments::fit::{self, FitConfig};
use crate::experiments::gradnorm::GradNormConfig;
use crate::experiments::interpolate::{InterpolateConfig, LINE_UNIT};
use crate::experiments::minratio::{self, MinRatioConfig};
use crate::experiments::params_sweep::ParamsConfig;
use crate::experiments::random_labels::RandomLabelsConfig;
use crate::experiments::sensitivity::SensitivityConfig;
use crate::experiments::sharpness::SharpnessConfig;
use crate::experiments::subject::SubjectExperiment;
use crate::experiments::surface::SurfaceConfig;
use crate::experiments::tasks::{self, TasksConfig};
use crate::experiments::trajectory::TrajectoryConfig;
use crate::params::{to_query, Params};

/// One experiment's config, any of the ten.
#[derive(Clone, Debug, PartialEq)]
pub enum Job {
    Fit(FitConfig),
    Tasks(TasksConfig),
    Trajectory(TrajectoryConfig),
    GradNorm(GradNormConfig),
    MinRatio(MinRatioConfig),
    Surface(SurfaceConfig),
    RandomLabels(RandomLabelsConfig),
    Params(ParamsConfig),
    Interpolate(InterpolateConfig),
    Sensitivity(SensitivityConfig),
    Sharpness(SharpnessConfig),
}

/// Each config is the job that runs it (`Job::from(config)`, `config.into()`).
macro_rules! from_config {
    ($($config:ty => $variant:ident),+ $(,)?) => {
        $(impl From<$config> for Job {
            fn from(config: $config) -> Job {
                Job::$variant(config)
            }
        })+
    };
}

from_config!(
    FitConfig => Fit,
    TasksConfig => Tasks,
    TrajectoryConfig => Trajectory,
    GradNormConfig => GradNorm,
    MinRatioConfig => MinRatio,
    SurfaceConfig => Surface,
    RandomLabelsConfig => RandomLabels,
    ParamsConfig => Params,
    InterpolateConfig => Interpolate,
    SensitivityConfig => Sensitivity,
    SharpnessConfig => Sharpness,
);

/// The URL ids of the experiments, in the spec's order.
pub const IDS: [&str; 11] = [
    "fit",
    "tasks",
    "trajectory",
    "gradnorm",
    "minratio",
    "surface",
    "random-labels",
    "params",
    "interpolate",
    "sensitivity",
    "sharpness",
];

/// Applies `$body` to the config inside any job, bound as `$c`.
macro_rules! each {
    ($job:expr, $c:ident => $body:expr) => {
        match $job {
            Job::Fit($c) => $body,
            Job::Tasks($c) => $body,
            Job::Trajectory($c) => $body,
            Job::GradNorm($c) => $body,
            Job::MinRatio($c) => $body,
            Job::Surface($c) => $body,
            Job::RandomLabels($c) => $body,
            Job::Params($c) => $body,
            Job::Interpolate($c) => $body,
            Job::Sensitivity($c) => $body,
            Job::Sharpness($c) => $body,
        }
    };
}

impl Job {
    /// Parse a URL query (with or without a leading `#`): the job and the notices about values
    /// that were clamped or rejected. An unknown or missing `exp` is an error.
    pub fn parse(query: &str) -> Result<(Job, Vec<String>), String> {
        let mut p = Params::parse(query);
        let exp = p.get("exp").ok_or("the link names no experiment (exp=…)")?;
        p.flag("autorun");
        let job = match exp.as_str() {
            "fit" => Job::Fit(FitConfig::from_params(&mut p)),
            "tasks" => Job::Tasks(TasksConfig::from_params(&mut p)),
            "trajectory" => Job::Trajectory(TrajectoryConfig::from_params(&mut p)),
            "gradnorm" => Job::GradNorm(GradNormConfig::from_params(&mut p)),
            "minratio" => Job::MinRatio(MinRatioConfig::from_params(&mut p)),
            "surface" => Job::Surface(SurfaceConfig::from_params(&mut p)),
            "random-labels" => Job::RandomLabels(RandomLabelsConfig::from_params(&mut p)),
            "params" => Job::Params(ParamsConfig::from_params(&mut p)),
            "interpolate" => Job::Interpolate(InterpolateConfig::from_params(&mut p)),
            "sensitivity" => Job::Sensitivity(SensitivityConfig::from_params(&mut p)),
            "sharpness" => Job::Sharpness(SharpnessConfig::from_params(&mut p)),
            other => return Err(format!("there is no experiment '{other}'")),
        };
        Ok((job, p.finish()))
    }

    /// The URL id (`exp=`).
    pub fn id(&self) -> &'static str {
        match self {
            Job::Fit(_) => "fit",
            Job::Tasks(_) => "tasks",
            Job::MinRatio(_) => "minratio",
            Job::Trajectory(_) => TrajectoryConfig::ID,
            Job::GradNorm(_) => GradNormConfig::ID,
            Job::Surface(_) => SurfaceConfig::ID,
            Job::RandomLabels(_) => RandomLabelsConfig::ID,
            Job::Params(_) => ParamsConfig::ID,
            Job::Interpolate(_) => InterpolateConfig::ID,
            Job::Sensitivity(_) => SensitivityConfig::ID,
            Job::Sharpness(_) => SharpnessConfig::ID,
        }
    }

    /// The query that reproduces this job (its `exp` first).
    pub fn query(&self) -> String {
        let pairs = each!(self, c => c.to_params());
        to_query([("exp", self.id().to_string())].into_iter().chain(pairs))
    }

    /// The image task whose dataset the run needs, if any.
    pub fn image_task(&self) -> Option<&ImageTask> {
        match self {
            Job::Fit(_) | Job::MinRatio(_) => None,
            Job::Tasks(c) => Some(&c.task),
            Job::Trajectory(c) => c.subject().image_task(),
            Job::GradNorm(c) => c.subject().image_task(),
            Job::Surface(c) => c.subject().image_task(),
            Job::RandomLabels(c) => c.subject().image_task(),
            Job::Params(c) => c.subject().image_task(),
            Job::Interpolate(c) => c.subject().image_task(),
            Job::Sensitivity(c) => c.subject().image_task(),
            Job::Sharpness(c) => c.subject().image_task(),
        }
    }

    /// How heavy the run is for a backend, and which backend its config asks for. E5 always
    /// runs on the CPU (f64 Hessians), so it asks for that.
    pub fn backend(&self) -> (Workload, BackendChoice) {
        match self {
            Job::Fit(c) => (FitConfig::WORKLOAD, c.train.backend),
            Job::Tasks(c) => (TasksConfig::WORKLOAD, c.train.backend),
            Job::MinRatio(_) => (Workload::Tiny, BackendChoice::Cpu),
            Job::Trajectory(c) => (c.subject().workload(), c.train().backend),
            Job::GradNorm(c) => (c.subject().workload(), c.train().backend),
            Job::Surface(c) => (c.subject().workload(), c.train().backend),
            Job::RandomLabels(c) => (c.subject().workload(), c.train().backend),
            Job::Params(c) => (c.subject().workload(), c.train().backend),
            Job::Interpolate(c) => (c.subject().workload(), c.train().backend),
            Job::Sensitivity(c) => (c.subject().workload(), c.train().backend),
            Job::Sharpness(c) => (c.subject().workload(), c.train().backend),
        }
    }

    /// How many units the job is (E1's and E2's models, E3's and E5's runs, E8's widths, E9a's
    /// two trainings and its line, E9b's and E10's batch sizes; 1 for the rest), and the one
    /// picked, if any. Units are independent, but for E9a's line, which waits for the
    /// trainings (see [`Merge::given`]).
    pub fn units(&self) -> (usize, Option<usize>) {
        match self {
            Job::Fit(c) => (c.shapes.len(), c.units.only()),
            Job::Tasks(c) => (c.models.len(), c.units.only()),
            Job::Trajectory(c) => (c.runs, c.units.only()),
            Job::MinRatio(c) => (c.runs, c.units.only()),
            Job::Params(c) => (c.widths.len(), c.units.only()),
            Job::Interpolate(c) => (LINE_UNIT + 1, c.units.only()),
            Job::Sensitivity(c) => (c.sweep.batches.len(), c.sweep.units.only()),
            Job::Sharpness(c) => (c.sweep.batches.len(), c.sweep.units.only()),
            _ => (1, None),
        }
    }

    /// Unit `i` of the job alone (the job itself where it is not a sweep): what one worker
    /// of a pool runs. Its results keep their index in the whole sweep.
    pub fn unit(&self, i: usize) -> Job {
        let mut job = self.clone();
        let one = Units::one(i);
        match &mut job {
            Job::Fit(c) if i < c.shapes.len() => c.units = one,
            Job::Tasks(c) if i < c.models.len() => c.units = one,
            Job::Trajectory(c) if i < c.runs => c.units = one,
            Job::MinRatio(c) if i < c.runs => c.units = one,
            Job::Params(c) if i < c.widths.len() => c.units = one,
            Job::Interpolate(c) if i <= LINE_UNIT => c.units = one,
            Job::Sensitivity(c) if i < c.sweep.batches.len() => c.sweep.units = one,
            Job::Sharpness(c) if i < c.sweep.batches.len() => c.sweep.units = one,
            _ => {}
        }
        job
    }

    /// The whole job a unit belongs to (the job itself where it is no unit): what the units'
    /// streams merge into.
    pub fn whole(&self) -> Job {
        let mut job = self.clone();
        let all = Units::default();
        match &mut job {
            Job::Fit(c) => c.units = all,
            Job::Tasks(c) => c.units = all,
            Job::Trajectory(c) => c.units = all,
            Job::MinRatio(c) => c.units = all,
            Job::Params(c) => c.units = all,
            Job::Interpolate(c) => c.units = all,
            Job::Sensitivity(c) => c.sweep.units = all,
            Job::Sharpness(c) => c.sweep.units = all,
            _ => {}
        }
        job
    }

    /// The order in which a pool starts a sweep's units: the costliest first, so that the
    /// longest unit does not start last and leave one worker on it while the others idle (E8's
    /// widest models; E9b's and E10's smallest batch sizes, whose many steps cost most per
    /// example); index order where units cost alike.
    pub fn schedule(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.units().0).collect();
        match self {
            Job::Params(c) => order.sort_by_key(|&i| std::cmp::Reverse(c.widths[i])),
            Job::Sensitivity(c) => order.sort_by_key(|&i| c.sweep.batches[i]),
            Job::Sharpness(c) => order.sort_by_key(|&i| c.sweep.batches[i]),
            _ => {}
        }
        order
    }

    /// How the streams of the job's units, run apart, become its stream: E1's and E2's models
    /// side by side, the sweeps' units in turn, in [`Job::schedule`]'s order (E3's with its
    /// combining step, the projections); `None` for a job that is one unit. (A pool cuts the
    /// job with [`Job::plan`].)
    pub fn merge(&self) -> Option<Box<dyn Merge>> {
        self.plan(usize::MAX).map(Plan::whole)
    }

    /// Units `range` of the job together (E1's and E2's models side by side in one worker;
    /// one unit is [`Job::unit`]). Units out of range leave the job as it is.
    pub fn part(&self, range: std::ops::Range<usize>) -> Job {
        if range.len() == 1 {
            return self.unit(range.start);
        }
        let mut job = self.clone();
        let part = Units::part(range.clone());
        match &mut job {
            Job::Fit(c) if range.end <= c.shapes.len() => c.units = part,
            Job::Tasks(c) if range.end <= c.models.len() => c.units = part,
            _ => {}
        }
        job
    }

    /// Whether the job is some of its units (a worker's part), not all of them.
    pub fn is_part(&self) -> bool {
        let units = match self {
            Job::Fit(c) => c.units,
            Job::Tasks(c) => c.units,
            Job::Trajectory(c) => c.units,
            Job::MinRatio(c) => c.units,
            Job::Params(c) => c.units,
            Job::Interpolate(c) => c.units,
            Job::Sensitivity(c) => c.sweep.units,
            Job::Sharpness(c) => c.sweep.units,
            _ => Units::default(),
        };
        units.picked().is_some()
    }

    /// What each unit costs, relatively, per step (where units train side by side, to share
    /// them fairly among workers): an MLP's layers (E1's small models are bound by the
    /// per-layer dispatch, not arithmetic), a classifier's multiply-adds per image.
    pub fn unit_costs(&self) -> Vec<f64> {
        match self {
            Job::Fit(c) => c.shapes.iter().map(|s| s.len() as f64).collect(),
            Job::Tasks(c) => c
                .architectures()
                .iter()
                .map(|a| a.forward_macs() as f64)
                .collect(),
            _ => vec![1.0; self.units().0],
        }
    }

    /// The job given the events of the units it waits for ([`Merge::given`]: E9a's line, the
    /// trained models' weights); any other job is unchanged.
    pub fn given(mut self, events: &[Event]) -> Job {
        if let Job::Interpolate(c) = &mut self {
            c.given(events);
        }
        self
    }

    /// Run the job on `device` (plain, not autodiff); `images` is the dataset of its image
    /// task, which the caller obtains (see [`Job::image_task`]).
    pub async fn run<H: Host>(
        &self,
        images: Option<&ImageDataset>,
        device: &Device,
        host: &mut H,
    ) -> Outcome {
        match self {
            Job::Fit(c) => fit::run(c, device, host).await,
            Job::Tasks(c) => match images {
                Some(data) => tasks::run(c, data, device, host).await,
                None => fail(host, "E2 needs its image dataset".into()),
            },
            Job::MinRatio(c) => minratio::run(c, host).await,
            Job::Trajectory(c) => c.run(images, device, host).await,
            Job::GradNorm(c) => c.run(images, device, host).await,
            Job::Surface(c) => c.run(images, device, host).await,
            Job::RandomLabels(c) => c.run(images, device, host).await,
            Job::Params(c) => c.run(images, device, host).await,
            Job::Interpolate(c) => c.run(images, device, host).await,
            Job::Sensitivity(c) => c.run(images, device, host).await,
            Job::Sharpness(c) => c.run(images, device, host).await,
        }
    }
}
