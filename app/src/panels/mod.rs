//! One panel per experiment, plus the run hook they share.

mod config;
mod fit;
mod run;
mod tasks;

pub use fit::FitPanel;
pub use tasks::TasksPanel;
