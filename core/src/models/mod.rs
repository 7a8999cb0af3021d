//! Model definitions, in burn-nn's style: a Config with `init(device)`, a Module with `forward`.

mod activation;
mod classifier;
pub mod conv;
mod flex_slices;
mod mlp;
pub mod pool;
pub mod tanh;
mod task_models;

pub use activation::{ActivationKind, HiddenActivation, SigmoidTanh};
pub use classifier::{Classifier, ClassifierConfig};
pub use mlp::{Mlp, MlpConfig, ShapeError};
pub use task_models::TaskModel;

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor};
use std::sync::Mutex;

/// Build models from a seed reproducibly. burn's seed is process-wide on some backends, so two
/// runs initialising at once (parallel tests, two panels) could interleave their draws: the
/// seed and the draws happen under one lock. burn initialises parameters lazily (on first
/// use), so every parameter is materialised before the lock is released.
pub fn init_seeded<M: Module>(
    device: &Device,
    seed: u64,
    build: impl FnOnce() -> Vec<M>,
) -> Vec<M> {
    static INIT: Mutex<()> = Mutex::new(());
    let _guard = INIT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    device.seed(seed);
    let models = build();
    for model in &models {
        model.visit(&mut Materialize);
    }
    models
}

/// Reads every float parameter once, which runs its pending initialiser.
struct Materialize;

impl ModuleVisitor for Materialize {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let _ = param.val();
    }
}
