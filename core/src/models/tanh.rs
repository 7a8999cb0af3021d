//! tanh as 2·σ(2x) − 1 (see [`super::SigmoidTanh`]) as one operation on the CPU backend: a
//! burn backend extension whose kernel (`mlds_kernels::sigmoid_tanh`) computes it in one pass
//! (its `exp` four values at a time in the wasm) and its gradient `g · (1 − y²)` from the
//! output in another.
//!
//! Why: E1's 571-parameter models are bound by the cost of each operation (graph bookkeeping,
//! a buffer per result), not by arithmetic, and this activation was four operations forward
//! and four backward at every hidden layer, with `exp` computed twice. Equal to the four
//! operations to f32 rounding (tested); WebGPU and other float types compose them as before.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Autodiff, Backend, Flex};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Tensor, TensorData};
use mlds_kernels::sigmoid_tanh;

use super::flex_slices::{for_kernels, with_values};

#[backend_extension(Flex, Autodiff)]
pub trait SigmoidTanhBackend: Backend {
    /// `2·σ(2x) − 1` of each value.
    fn sigmoid_tanh(x: FloatTensor<Self>) -> FloatTensor<Self>;
    /// The gradient with respect to the input, given the output `y` and its gradient.
    fn sigmoid_tanh_backward(y: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self>;
}

/// `2·σ(2x) − 1`: one operation on the CPU backend in `f32`, four elsewhere.
pub fn sigmoid_tanh<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    if !for_kernels(&x) {
        return sigmoid(x * 2.0) * 2.0 - 1.0;
    }
    Tensor::from_dispatch(
        <burn::backend::Dispatch as SigmoidTanhBackend>::sigmoid_tanh(x.into_dispatch()),
    )
}

fn shape(x: &FlexTensor) -> Vec<usize> {
    x.layout().shape().to_vec()
}

impl SigmoidTanhBackend for Flex {
    fn sigmoid_tanh(x: FlexTensor) -> FlexTensor {
        let y = with_values(&x, sigmoid_tanh::forward);
        FlexTensor::from_data(TensorData::new(y, shape(&x)))
    }

    fn sigmoid_tanh_backward(y: FlexTensor, grad: FlexTensor) -> FlexTensor {
        assert_eq!(shape(&y), shape(&grad), "one gradient per value");
        let dx = with_values(&y, |y| with_values(&grad, |g| sigmoid_tanh::backward(y, g)));
        FlexTensor::from_data(TensorData::new(dx, shape(&y)))
    }
}

/// The activation's place in the autodiff graph: the backward pass takes the output, kept
/// from the forward pass (a shared buffer, not a copy).
#[derive(Debug)]
struct SigmoidTanhStep;

impl<B: Backend + SigmoidTanhBackend> Backward<B, 1> for SigmoidTanhStep {
    type State = FloatTensor<B>;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [parent] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        if let Some(parent) = parent {
            grads.register::<B>(parent.id, B::sigmoid_tanh_backward(ops.state, grad));
        }
    }
}

impl<B: Backend + SigmoidTanhBackend, C: CheckpointStrategy> SigmoidTanhBackend for Autodiff<B, C> {
    fn sigmoid_tanh(x: FloatTensor<Self>) -> FloatTensor<Self> {
        match SigmoidTanhStep
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let y = B::sigmoid_tanh(x.into_primitive());
                prep.finish(y.clone(), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::sigmoid_tanh(x.into_primitive())),
        }
    }

    fn sigmoid_tanh_backward(_: FloatTensor<Self>, _: FloatTensor<Self>) -> FloatTensor<Self> {
        unimplemented!("tanh's backward pass is not differentiated (first-order autodiff only)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;
    use burn::tensor::{DType, Device};

    /// Equal within `tolerance × (1 + |theirs|)`.
    fn assert_close<const D: usize>(
        ours: Tensor<D>,
        theirs: Tensor<D>,
        what: &str,
        tolerance: f32,
    ) {
        let (ours, theirs) = (
            ours.into_data().try_to_vec::<f32>().unwrap(),
            theirs.into_data().try_to_vec::<f32>().unwrap(),
        );
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert!(
                (a - b).abs() <= tolerance * (1.0 + b.abs()),
                "{what}[{i}]: {a} vs {b}"
            );
        }
    }

    #[test]
    fn equals_the_four_operations_to_rounding_forward_and_backward() {
        let device = Device::flex().autodiff();
        device.seed(7);
        // Both signs, saturation, and a gradient of every size.
        let x = Tensor::<2>::random([37, 11], Distribution::Normal(0.0, 4.0), &device);
        let x = Tensor::<2>::from_data(x.into_data(), &device).require_grad();
        let upstream = Tensor::<2>::random([37, 11], Distribution::Normal(0.0, 3.0), &device);

        let ours = sigmoid_tanh(x.clone());
        let grads = (ours.clone() * upstream.clone()).sum().backward();
        let our_grad = x.grad(&grads).unwrap();

        let x2 = x.clone().detach().require_grad();
        let theirs = sigmoid(x2.clone() * 2.0) * 2.0 - 1.0;
        let grads = (theirs.clone() * upstream).sum().backward();
        let their_grad = x2.grad(&grads).unwrap();

        assert_close(ours, theirs, "tanh", 1e-6);
        // The reference's own gradient, 4σ(2x)(1 − σ(2x))·g in f32, is off by a few ε·|g|
        // (upstream |g| up to ~10 here), where ours, g·(1 − y²), is off by as much near ±1.
        assert_close(our_grad, their_grad, "gradient", 4e-6);
    }

    #[test]
    fn other_float_types_compose_it() {
        let device = Device::flex();
        let x = Tensor::<1>::from_floats([-1.0, 0.0, 2.0], &device).cast(DType::F64);
        let y = sigmoid_tanh(x.clone());
        assert_eq!(y.dtype(), DType::F64);
        assert_eq!(y.into_data(), (sigmoid(x * 2.0) * 2.0 - 1.0).into_data());
    }
}
