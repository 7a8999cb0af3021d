//! The experiments, one file each: its config (parsed from the URL, `FromParams`) and its
//! `run(config, …, host)`, which emits its events. Beside them, the bases several share:
//! [`common`] (a function task, an image task), [`subject`] (one model on one task, E3, E4,
//! E6–E10) and [`generalization`] (the classifiers' evaluation and the batch-size sweeps).
//!
//! An experiment imports only the layers below (data, models, train, analysis, the run
//! engine) and these bases, never another experiment; the registry that names them all is
//! `crate::job`, above.

pub mod common;
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
pub mod tasks;
pub mod trajectory;
