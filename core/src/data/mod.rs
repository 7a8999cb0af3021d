//! Datasets: target functions for the function-fitting experiments (image datasets follow).

mod functions;

pub use functions::{linspace, TargetFunction};
