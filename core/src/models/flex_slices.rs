//! The CPU backend's tensors as plain slices, for the kernels of `mlds-kernels` that the
//! backend extensions (`conv`, `pool`, `tanh`) call.

use burn::backend::flex::FlexTensor;

/// A tensor's values in order (a contiguous copy where they are not).
pub(super) fn with_values<R>(x: &FlexTensor, f: impl FnOnce(&[f32]) -> R) -> R {
    let x = x.to_contiguous();
    let (start, end) = x
        .layout()
        .contiguous_offsets()
        .expect("a contiguous copy has contiguous offsets");
    f(&x.storage::<f32>()[start..end])
}
