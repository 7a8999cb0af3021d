//! One panel per experiment, plus the run hook they share.

mod fit;
mod run;

pub use fit::FitPanel;
