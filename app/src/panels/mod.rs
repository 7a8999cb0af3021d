//! One panel per experiment, plus what they share: the frame every panel stands in and the
//! run it starts, the run lifecycle hook, the URL-bound config, the dataset of an image task,
//! the controls of a subject and the sweeps' charts and tables.

mod config;
mod fit;
mod frame;
mod gradnorm;
pub mod image_data;
mod interpolate;
mod minratio;
pub mod opened;
mod params_sweep;
mod random_labels;
pub mod registry;
pub mod run;
mod sensitivity;
mod sharpness;
mod subject;
mod surface;
mod sweep_charts;
mod tasks;
mod trajectory;

use mlds_core::job::Job;
use yew::Html;

use crate::components::DEFAULT_SMOOTHING;
use crate::run_view::RunView;

/// The charts of `job`'s experiment drawn from `view`: the same figures as its panel (the
/// report shows them). E5's spectrum shows the lowest-loss converged run.
pub fn figures_of(job: &Job, view: &RunView) -> Html {
    match job {
        Job::Fit(_) => fit::figures(view),
        Job::Tasks(_) => tasks::figures(view, DEFAULT_SMOOTHING),
        Job::Trajectory(c) => trajectory::figures(view, c),
        Job::GradNorm(_) => gradnorm::figures(view),
        Job::MinRatio(c) => minratio::figures(view, c.tau, None, None),
        Job::Surface(c) => surface::figures(view, c, surface::ColourScale::Log),
        Job::RandomLabels(_) => random_labels::figures(view, DEFAULT_SMOOTHING),
        Job::Params(_) => params_sweep::figures(view),
        Job::Interpolate(_) => interpolate::figures(view),
        Job::Sensitivity(_) => sensitivity::figures(view),
        Job::Sharpness(c) => sharpness::figures(view, c.epsilon),
    }
}
