//! One panel per experiment, plus what they share: the run lifecycle hook, the URL-bound
//! config, the dataset of an image task, and the controls of a single-architecture subject.

mod config;
mod fit;
mod gradnorm;
mod image_data;
mod interpolate;
mod minratio;
mod params_sweep;
mod random_labels;
mod run;
mod sensitivity;
mod sharpness;
mod subject;
mod surface;
mod sweep_charts;
mod tasks;
mod trajectory;

pub use fit::FitPanel;
pub use gradnorm::GradNormPanel;
pub use interpolate::InterpolatePanel;
pub use minratio::MinRatioPanel;
pub use params_sweep::ParamsPanel;
pub use random_labels::RandomLabelsPanel;
pub use sensitivity::SensitivityPanel;
pub use sharpness::SharpnessPanel;
pub use surface::SurfacePanel;
pub use tasks::TasksPanel;
pub use trajectory::TrajectoryPanel;

use crate::components::Preset;

/// The presets of the experiment with URL id `exp` (the landing page lists them).
pub fn presets_of(exp: &str) -> Vec<Preset> {
    match exp {
        "fit" => fit::presets(),
        "tasks" => tasks::presets(),
        "trajectory" => trajectory::presets(),
        "gradnorm" => gradnorm::presets(),
        "minratio" => minratio::presets(),
        "surface" => surface::presets(),
        "random-labels" => random_labels::presets(),
        "params" => params_sweep::presets(),
        "interpolate" => interpolate::presets(),
        "sensitivity" => sensitivity::presets(),
        "sharpness" => sharpness::presets(),
        _ => Vec::new(),
    }
}
