//! The registry: every experiment by name, and any experiment's run named by its URL query
//! (`exp=tasks&epochs=2…`): the one value a link, the report and a worker pass around. The
//! query is the config's serialized form, so a job crosses any boundary as a string and always
//! reproduces the same run.
//!
//! An experiment joins with one line in [`registry!`]'s list below; everything a job does
//! comes from its config's [`Experiment`] implementation. Only what a few experiments do
//! differently is written out by name: how a pool cuts them ([`plan`]) and E9a's line, which
//! waits for its trainings ([`Job::given`]).

mod plan;

use burn::tensor::Device;

use crate::backend::{BackendChoice, Workload};
use crate::budget::{Budget, Footprint};
use crate::data::ImageDataset;
use crate::engine::merge::Merge;
use crate::engine::plan::Plan;
use crate::engine::units::Units;
use crate::engine::{FromParams, Outcome};
use crate::events::{Event, Host};
use crate::experiments::common::ImageTask;
use crate::experiments::fit::FitConfig;
use crate::experiments::gradnorm::GradNormConfig;
use crate::experiments::interpolate::InterpolateConfig;
use crate::experiments::minratio::MinRatioConfig;
use crate::experiments::params_sweep::ParamsConfig;
use crate::experiments::random_labels::RandomLabelsConfig;
use crate::experiments::sensitivity::SensitivityConfig;
use crate::experiments::sharpness::SharpnessConfig;
use crate::experiments::surface::SurfaceConfig;
use crate::experiments::tasks::TasksConfig;
use crate::experiments::trajectory::TrajectoryConfig;
use crate::experiments::Experiment;
use crate::params::{to_query, Params, Spec};

/// Declares [`Job`] with a variant per experiment config and everything that only forwards to
/// the config: its id, its parse, its URL pairs, its needs, its units and its run.
macro_rules! registry {
    ($($variant:ident($config:ty)),+ $(,)?) => {
        /// One experiment's config, any of them.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Job {
            $($variant($config)),+
        }

        /// The URL ids of the experiments, in the spec's order.
        pub const IDS: &[&str] = &[$(<$config as Experiment>::ID),+];

        $(impl From<$config> for Job {
            fn from(config: $config) -> Job {
                Job::$variant(config)
            }
        })+

        impl Job {
            /// The experiment `id`'s config from the URL's params, if there is one of that id.
            fn from_id(id: &str, p: &mut Params) -> Option<Job> {
                $(if id == <$config as Experiment>::ID {
                    return Some(Job::$variant(<$config>::from_params_within_budget(p)));
                })+
                None
            }

            /// The URL id (`exp=`).
            pub fn id(&self) -> &'static str {
                match self {
                    $(Job::$variant(_) => <$config as Experiment>::ID),+
                }
            }

            fn params(&self) -> Vec<(&'static str, String)> {
                match self {
                    $(Job::$variant(c) => c.to_params()),+
                }
            }

            /// The run's estimated peak memory (see [`crate::budget`]).
            pub fn footprint(&self) -> Footprint {
                match self {
                    $(Job::$variant(c) => c.footprint()),+
                }
            }

            /// The image task whose dataset the run needs, if any.
            pub fn image_task(&self) -> Option<&ImageTask> {
                match self {
                    $(Job::$variant(c) => c.image_task()),+
                }
            }

            /// How heavy the run is for a backend, and which backend its config asks for
            /// (E5 asks for the CPU: its Hessians are f64).
            pub fn backend(&self) -> (Workload, BackendChoice) {
                match self {
                    $(Job::$variant(c) => c.backend()),+
                }
            }

            /// The job's units: how many, and which it computes.
            fn unit_set(&self) -> (usize, Units) {
                match self {
                    $(Job::$variant(c) => c.units()),+
                }
            }

            fn pick(&mut self, units: Units) {
                match self {
                    $(Job::$variant(c) => c.pick(units)),+
                }
            }

            /// What each unit costs, relatively, per step (see [`Experiment::unit_costs`]).
            pub fn unit_costs(&self) -> Vec<f64> {
                match self {
                    $(Job::$variant(c) => c.unit_costs()),+
                }
            }

            /// The order in which a pool starts a sweep's units (see [`Experiment::schedule`]).
            pub fn schedule(&self) -> Vec<usize> {
                match self {
                    $(Job::$variant(c) => c.schedule()),+
                }
            }

            /// Run the job on `device` (plain, not autodiff); `images` is the dataset of its
            /// image task, which the caller obtains (see [`Job::image_task`]).
            pub async fn run<H: Host>(
                &self,
                images: Option<&ImageDataset>,
                device: &Device,
                host: &mut H,
            ) -> Outcome {
                match self {
                    $(Job::$variant(c) => c.run(images, device, host).await),+
                }
            }
        }
    };
}

registry!(
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
);

impl Job {
    /// Parse a URL query (with or without a leading `#`): the job and the notices about values
    /// that were clamped or rejected. An unknown or missing `exp` is an error.
    pub fn parse(query: &str) -> Result<(Job, Vec<String>), String> {
        Self::parse_within(query, Budget::TAB)
    }

    /// [`Job::parse`] for a host with another budget (`mlds`: [`Budget::NATIVE`]).
    pub fn parse_within(query: &str, budget: Budget) -> Result<(Job, Vec<String>), String> {
        let mut p = Params::parse(query).within(budget);
        let exp = p.get("exp").ok_or("the link names no experiment (exp=…)")?;
        p.flag("autorun");
        let job =
            Job::from_id(&exp, &mut p).ok_or_else(|| format!("there is no experiment '{exp}'"))?;
        Ok((job, p.finish()))
    }

    /// The query that reproduces this job (its `exp` first).
    pub fn query(&self) -> String {
        to_query(
            [("exp", self.id().to_string())]
                .into_iter()
                .chain(self.params()),
        )
    }

    /// How many units the job is (E1's and E2's models, E3's and E5's runs, E8's widths, E9a's
    /// two trainings and its line, E9b's and E10's batch sizes; 1 for the rest), and the one
    /// picked, if any. Units are independent, but for E9a's line, which waits for the
    /// trainings (see [`Merge::given`]).
    pub fn units(&self) -> (usize, Option<usize>) {
        let (count, units) = self.unit_set();
        (count, units.only())
    }

    /// Unit `i` of the job alone (the job itself where it is not a sweep): what one worker
    /// of a pool runs. Its results keep their index in the whole sweep.
    pub fn unit(&self, i: usize) -> Job {
        self.part(i..i + 1)
    }

    /// Units `range` of the job together (E1's and E2's models side by side in one worker;
    /// one unit is [`Job::unit`]). Units out of range leave the job as it is.
    pub fn part(&self, range: std::ops::Range<usize>) -> Job {
        let mut job = self.clone();
        let (count, _) = self.unit_set();
        if range.start < range.end && range.end <= count {
            job.pick(match range.len() {
                1 => Units::one(range.start),
                _ => Units::part(range),
            });
        }
        job
    }

    /// The whole job a unit belongs to (the job itself where it is no unit): what the units'
    /// streams merge into.
    pub fn whole(&self) -> Job {
        let mut job = self.clone();
        job.pick(Units::default());
        job
    }

    /// Whether the job is some of its units (a worker's part), not all of them.
    pub fn is_part(&self) -> bool {
        self.unit_set().1.picked().is_some()
    }

    /// How the streams of the job's units, run apart, become its stream: E1's and E2's models
    /// side by side, the sweeps' units in turn, in [`Job::schedule`]'s order (E3's with its
    /// combining step, the projections); `None` for a job that is one unit. (A pool cuts the
    /// job with [`Job::plan`].)
    pub fn merge(&self) -> Option<Box<dyn Merge>> {
        self.plan(usize::MAX).map(Plan::whole)
    }

    /// The job given the events of the units it waits for ([`Merge::given`]: E9a's line, the
    /// trained models' weights); any other job is unchanged.
    pub fn given(mut self, events: &[Event]) -> Job {
        if let Job::Interpolate(c) = &mut self {
            c.given(events);
        }
        self
    }
}

/// What each key of experiment `id` accepts and its default, as its config reads them
/// (`mlds params`, and `docs/experiments.md`'s tables, which a test holds to these). Keys an
/// experiment reads only for one task are found by reading each task's query too. `None`
/// for an unknown id.
pub fn specs(id: &str) -> Option<Vec<Spec>> {
    let mut specs: Vec<Spec> = Vec::new();
    // E9b's `sweep=factors` adds its factors' keys.
    for variant in ["", "task=function", "task=images", "sweep=factors"] {
        let mut p = Params::parse(variant);
        Job::from_id(id, &mut p)?;
        for spec in p.specs() {
            if specs.iter().all(|s| s.key != spec.key) {
                specs.push(spec.clone());
            }
        }
    }
    Some(specs)
}
