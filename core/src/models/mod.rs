//! Model definitions, in burn-nn's style: a Config with `init(device)`, a Module with `forward`.

mod activation;
mod mlp;

pub use activation::ActivationKind;
pub use mlp::{Mlp, MlpConfig, ShapeError};

use burn::tensor::Device;
use std::sync::Mutex;

/// Build models from a seed reproducibly. burn's seed is process-wide on some backends, so two
/// runs initialising at once (parallel tests, two panels) could interleave their draws: the
/// seed and the draws happen under one lock.
pub fn init_seeded<T>(device: &Device, seed: u64, build: impl FnOnce() -> T) -> T {
    static INIT: Mutex<()> = Mutex::new(());
    let _guard = INIT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    device.seed(seed);
    build()
}
