//! CPU kernels on plain slices, for operations burn's CPU backend (flex) computes slowly or in
//! several passes, wired into burn by `mlds_core::models::{conv, pool, tanh}`. A crate of
//! their own, at opt-level 3 in the release build while the rest of the wasm is at "z".
//! Loops here are not vectorised in the wasm (its link-time optimisation runs at "z", with
//! the loop vectoriser off): where SIMD pays, a kernel writes its SIMD128 path out, beside
//! the scalar code the native build and the no-SIMD bench build run.

pub mod conv3x3;
pub mod max_pool_2x2;
pub mod sigmoid_tanh;
