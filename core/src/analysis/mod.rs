//! The analysis layer: what the experiments measure about a model beyond its loss.
//!
//! One home for each concern, all on flat parameter vectors θ ∈ ℝⁿ:
//! - [`vector`]: a burn module's parameters as θ and back (layout, read, load, cast to f64);
//! - [`gradient`]: the gradient norm of a training step, and a loss/gradient oracle at any θ;
//! - [`hessian`]: Hessian-vector products and Hessians by differences of gradients (burn has
//!   first-order autodiff only), their spectra, sharpness and the "minimal ratio";
//! - [`critical`]: critical points by Newton steps in the Hessian's eigenbasis, and the
//!   eigenvalue counts with a flat band (E5);
//! - [`pca`]: principal components of parameter snapshots (trajectory plots);
//! - [`directions`]: filter-normalised random directions for loss-landscape plots;
//! - [`sensitivity`]: norms of input gradients and of the softmax's input Jacobian;
//! - [`sharpness`]: Keskar's sharpness by projected ascent in a box around θ;
//! - [`spectrum`]: the top eigenvalue (Lanczos), trace (Hutchinson) and spectral density
//!   (stochastic Lanczos quadrature) from Hessian-vector products, as PyHessian measures them;
//! - [`smoothing`]: the exponential moving average that smooths mini-batch curves.
//!
//! Reads that may run on WebGPU are async ([`read_params`]); the second-order tools are
//! synchronous and meant for small f64 models on burn's CPU backend.

pub mod critical;
pub mod directions;
pub mod gradient;
pub mod hessian;
pub mod pca;
pub(crate) mod random;
pub mod sensitivity;
pub mod sharpness;
pub mod smoothing;
pub mod spectrum;
pub mod vector;

pub use directions::{combine, filter_slices, random_direction};
pub use gradient::{grad_norm_squared, noise_floor, GradientSum, LossOracle};
pub use hessian::{
    hessian, hvp, minimal_ratio, power_iteration, sampled_ratio, symmetric_eigenvalues,
    PowerIteration,
};
pub use pca::{fit as fit_pca, Pca};
pub use sensitivity::{input_gradient_norms, softmax_jacobian_norms};
pub use sharpness::{keskar_sharpness, SharpnessAscent};
pub use vector::{layout, load_params, read_params, to_f64, ParamLayout, ParamSlot};
