//! One panel per experiment, plus what they share: the frame every panel stands in and the
//! run it starts, the run lifecycle hook, the URL-bound config, the dataset of an image task,
//! the controls of a subject and the sweeps' charts and tables.

mod config;
mod controls;
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

use crate::components::figures_html;
use crate::run_view::RunView;

/// The charts of `job`'s experiment drawn from `view`: the same figures as its panel (the
/// report shows them). E5's spectrum shows the lowest-loss converged run.
pub fn figures_of(job: &Job, view: &RunView) -> Html {
    figures_html(mlds_figures::figures_of(job, view))
}
