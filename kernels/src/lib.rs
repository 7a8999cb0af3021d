//! CPU kernels on plain slices, for operations burn's CPU backend (flex) computes slowly, wired
//! into burn by `mlds_core::models::{conv, pool}`. A crate of their own so that the release build can
//! compile them at opt-level 3 (loop vectorisation on, see the workspace's `Cargo.toml`) while
//! the rest of the wasm stays at "z".

pub mod conv3x3;
pub mod max_pool_2x2;
