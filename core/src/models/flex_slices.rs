//! The CPU backend's tensors as plain slices, for the kernels of `mlds-kernels` that the
//! backend extensions (`conv`, `pool`, `tanh`) call.

use burn::backend::flex::FlexTensor;
use burn::tensor::{DType, Device, Tensor};

/// Whether the kernels take `x`: an `f32` tensor on the CPU backend (with or without autodiff).
/// Anything else (WebGPU, `f64`) goes to burn's own operations.
pub(super) fn for_kernels<const D: usize>(x: &Tensor<D>) -> bool {
    x.device() == Device::flex() && x.dtype() == DType::F32
}

/// A tensor's values in order (a contiguous copy where they are not).
pub(super) fn with_values<R>(x: &FlexTensor, f: impl FnOnce(&[f32]) -> R) -> R {
    let x = x.to_contiguous();
    let (start, end) = x
        .layout()
        .contiguous_offsets()
        .expect("a contiguous copy has contiguous offsets");
    f(&x.storage::<f32>()[start..end])
}
