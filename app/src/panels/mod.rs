//! One panel per experiment, plus what they share: the run lifecycle hook, the URL-bound
//! config, the dataset of an image task, and the controls of a single-architecture subject.

mod config;
mod fit;
mod gradnorm;
mod image_data;
mod minratio;
mod run;
mod subject;
mod surface;
mod tasks;
mod trajectory;

pub use fit::FitPanel;
pub use gradnorm::GradNormPanel;
pub use minratio::MinRatioPanel;
pub use surface::SurfacePanel;
pub use tasks::TasksPanel;
pub use trajectory::TrajectoryPanel;
