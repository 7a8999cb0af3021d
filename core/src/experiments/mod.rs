//! The experiments, one file each: its config (parsed from the URL, `FromParams`) and its
//! `run(config, …, host)`, which emits its events. Beside them, the bases several share:
//! [`common`] (a function task, an image task), [`subject`] (one model on one task, E3, E4,
//! E6–E10), [`generalization`] (the classifiers' evaluation and the batch-size sweeps) and
//! [`target`] (training a classifier to the loss the experiments that compare minima share).
//!
//! An experiment imports only the layers below (data, models, train, analysis, the run
//! engine) and these bases, never another experiment; the registry that names them all is
//! `crate::job`, above.

pub mod batch_sweep;
pub mod common;
pub mod factors;
pub mod fit;
pub mod generalization;
pub mod gradnorm;
pub mod interpolate;
pub mod minratio;
pub mod params_sweep;
pub mod random_labels;
pub mod sensitivity;
pub mod sharpness;
pub mod subject;
pub mod surface;
pub mod target;
pub mod tasks;
pub mod trajectory;

use burn::tensor::Device;

use crate::backend::{BackendChoice, Workload};
use crate::data::ImageDataset;
use crate::engine::units::Units;
use crate::engine::{FromParams, Outcome};
use crate::events::Host;
use common::ImageTask;

/// Any experiment's config, as the registry (`crate::job`) and the run engine see it: its URL
/// id, what it needs to run, its units if it is a sweep, and its run. A new experiment
/// implements this (an experiment on one subject through `subject_experiment!`) and takes one
/// line in the registry.
#[allow(async_fn_in_trait)] // used generically, never as a trait object
pub trait Experiment: FromParams + Clone + PartialEq + 'static {
    /// The URL id (`exp=`).
    const ID: &'static str;

    /// How heavy the run is for a backend, and which backend its config asks for.
    fn backend(&self) -> (Workload, BackendChoice);

    /// The image task whose dataset the run needs, if any.
    fn image_task(&self) -> Option<&ImageTask> {
        None
    }

    /// A sweep's units (its models, runs, widths or batch sizes): how many, and which this
    /// run computes (`unit=`). A run that is no sweep is one unit.
    fn units(&self) -> (usize, Units) {
        (1, Units::default())
    }

    /// Compute `units` only (nothing changes for a run that is no sweep).
    fn pick(&mut self, _units: Units) {}

    /// What each unit costs per step, relatively, where units train side by side (to share
    /// them fairly among workers); equal by default.
    fn unit_costs(&self) -> Vec<f64> {
        vec![1.0; self.units().0]
    }

    /// The order in which a pool starts the units: the costliest first, so that the longest
    /// does not start last and leave one worker on it while the others idle; index order by
    /// default.
    fn schedule(&self) -> Vec<usize> {
        (0..self.units().0).collect()
    }

    /// Run on `device` (plain, not autodiff); `images` is the dataset of its image task.
    async fn run<H: Host>(
        &self,
        images: Option<&ImageDataset>,
        device: &Device,
        host: &mut H,
    ) -> Outcome;
}
