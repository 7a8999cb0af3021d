//! Which charts each experiment shows of a run: one function per experiment, from the run's
//! folded events ([`RunView`]) and the few choices its panel offers (smoothing, the picked
//! run, the colour scale). The page draws them on canvases, `mlds report` as SVG.

pub mod fit;
pub mod gradnorm;
pub mod interpolate;
pub mod minratio;
pub mod params;
pub mod random_labels;
pub mod sensitivity;
pub mod sharpness;
pub mod surface;
mod sweep;
pub mod tasks;
pub mod trajectory;

use mlds_core::analysis::smoothing::ema;
use mlds_core::job::Job;
use mlds_core::view::RunView;

use crate::charts::Figure;

/// The smoothing of mini-batch curves before a panel's slider moves: TensorBoard's default
/// weight of its exponential moving average.
pub const DEFAULT_SMOOTHING: f64 = 0.6;

/// Every curve of `curves` smoothed with `weight` (an exponential moving average, 0: raw).
pub fn smoothed(curves: &[Vec<(f64, f64)>], weight: f64) -> Vec<Vec<(f64, f64)>> {
    curves.iter().map(|c| ema(c, weight)).collect()
}

/// The charts of `job`'s experiment drawn from `view`, as its panel shows them before any
/// choice (the report's figures). E5's spectrum shows the lowest-loss converged run.
pub fn figures_of(job: &Job, view: &RunView) -> Vec<Figure> {
    match job {
        Job::Fit(_) => fit::figures(view),
        Job::Tasks(_) => tasks::figures(view, DEFAULT_SMOOTHING),
        Job::Trajectory(c) => trajectory::figures(view, c.layer),
        Job::GradNorm(_) => gradnorm::figures(view),
        Job::MinRatio(c) => minratio::figures(view, c.tau, None),
        Job::Surface(c) => surface::figures(view, c, surface::ColourScale::Log),
        Job::RandomLabels(_) => random_labels::figures(view, DEFAULT_SMOOTHING),
        Job::Params(_) => params::figures(view),
        Job::Interpolate(_) => interpolate::figures(view),
        Job::Sensitivity(_) => sensitivity::figures(view),
        Job::Sharpness(c) => sharpness::figures(view, c.epsilon),
    }
}
