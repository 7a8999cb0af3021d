//! 2×2 max pooling with stride 2, the classifier's only pooling, as a burn backend extension
//! with a kernel of its own on the CPU backend.
//!
//! Why: burn-flex computes 2-D max pooling through its general 3-D kernel with indices (a
//! scalar loop over every window with bounds, dilation and padding arithmetic, then a scatter
//! of the gradient through an `i64` index tensor). That took about a quarter of a training
//! step of E2's deepest CNN, as much as its matrix products (docs/dev/performance-notes.md, "E2's CNNs on this project's own CPU kernels"). This window
//! is always 2×2 at stride 2 without padding, so the kernel (`mlds_kernels::max_pool_2x2`)
//! reads two rows at a time, and its backward finds each window's maximum again from the
//! input instead of storing indices.
//!
//! Same numbers as burn's `MaxPool2d` with kernel and stride `[2, 2]`, bit for bit: the same
//! windows (a last odd row or column is left out), the same choice in a window (the first
//! maximum in row-major order; a NaN wins, the last one), and each input takes the gradient of
//! at most one window, so there is no sum whose order could differ (tested against burn's own
//! op below). Other backends (WebGPU) and other float types use burn's op.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Autodiff, Backend, Flex};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::tensor::{Tensor, TensorData};
use mlds_kernels::max_pool_2x2;

use super::flex_slices::{for_kernels, with_values};

#[backend_extension(Flex, Autodiff)]
pub trait MaxPool2x2Backend: Backend {
    /// `[n, c, h, w] → [n, c, h / 2, w / 2]`: the maximum of each 2×2 window.
    fn max_pool_2x2(x: FloatTensor<Self>) -> FloatTensor<Self>;
    /// The gradient with respect to `x` of a pooling whose output had gradient `grad`: each
    /// window's gradient goes to its chosen maximum, every other input gets 0.
    fn max_pool_2x2_backward(x: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self>;
}

/// burn's own pooling with the same window: the reference, and what other backends use.
fn burn_pool() -> MaxPool2d {
    MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init()
}

/// 2×2 max pooling with stride 2: this module's kernel on the CPU backend in `f32`, burn's
/// `MaxPool2d` elsewhere.
pub fn max_pool_2x2(x: Tensor<4>) -> Tensor<4> {
    if !for_kernels(&x) {
        return burn_pool().forward(x);
    }
    Tensor::from_dispatch(
        <burn::backend::Dispatch as MaxPool2x2Backend>::max_pool_2x2(x.into_dispatch()),
    )
}

/// The input's `[n, c, h, w]`.
fn dims(x: &FlexTensor) -> [usize; 4] {
    x.layout()
        .shape()
        .to_vec()
        .try_into()
        .expect("2x2 max pooling takes [n, c, h, w]")
}

impl MaxPool2x2Backend for Flex {
    fn max_pool_2x2(x: FlexTensor) -> FlexTensor {
        let [n, c, h, w] = dims(&x);
        let [oh, ow] = max_pool_2x2::output_size([h, w]);
        let output = with_values(&x, |x| max_pool_2x2::forward(x, n * c, [h, w]));
        FlexTensor::from_data(TensorData::new(output, [n, c, oh, ow]))
    }

    fn max_pool_2x2_backward(x: FlexTensor, grad: FlexTensor) -> FlexTensor {
        let [n, c, h, w] = dims(&x);
        let input_grad = with_values(&x, |x| {
            with_values(&grad, |grad| max_pool_2x2::backward(x, grad, n * c, [h, w]))
        });
        FlexTensor::from_data(TensorData::new(input_grad, [n, c, h, w]))
    }
}

/// The pooling's place in the autodiff graph: the backward pass calls the inner backend's
/// `max_pool_2x2_backward` with the input, kept (or recomputed) by burn's checkpointer.
#[derive(Debug)]
struct MaxPool2x2Step;

impl<B: Backend + MaxPool2x2Backend> Backward<B, 1> for MaxPool2x2Step {
    type State = NodeId;

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [parent] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let x = checkpointer.retrieve_node_output(ops.state);
        if let Some(parent) = parent {
            grads.register::<B>(parent.id, B::max_pool_2x2_backward(x, grad));
        }
    }
}

impl<B: Backend + MaxPool2x2Backend, C: CheckpointStrategy> MaxPool2x2Backend for Autodiff<B, C> {
    fn max_pool_2x2(x: FloatTensor<Self>) -> FloatTensor<Self> {
        match MaxPool2x2Step
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state = prep.checkpoint(&x);
                prep.finish(state, B::max_pool_2x2(x.into_primitive()))
            }
            OpsKind::UnTracked(prep) => prep.finish(B::max_pool_2x2(x.into_primitive())),
        }
    }

    fn max_pool_2x2_backward(_x: FloatTensor<Self>, _grad: FloatTensor<Self>) -> FloatTensor<Self> {
        unimplemented!(
            "the 2x2 max pooling's backward pass is not differentiated (first-order autodiff only)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;
    use burn::tensor::{DType, Device};

    fn bits(t: Tensor<4>) -> Vec<u32> {
        t.into_data()
            .try_to_vec::<f32>()
            .unwrap()
            .iter()
            .map(|v| v.to_bits())
            .collect()
    }

    #[test]
    fn pools_a_known_image() {
        let device = Device::flex();
        // One 3×5 plane: the last row and column belong to no window.
        let x = Tensor::<4>::from_data(
            TensorData::new(
                vec![
                    1.0f32, 5.0, -2.0, -1.0, 9.0, //
                    3.0, 2.0, -3.0, -4.0, 9.0, //
                    7.0, 7.0, 7.0, 7.0, 7.0,
                ],
                [1, 1, 3, 5],
            ),
            &device,
        );
        let y = max_pool_2x2(x);
        assert_eq!(y.dims(), [1, 1, 1, 2]);
        assert_eq!(y.into_data().try_to_vec::<f32>().unwrap(), vec![5.0, -1.0]);
    }

    #[test]
    fn sends_each_windows_gradient_to_its_first_maximum() {
        let device = Device::flex().autodiff();
        // Window 1 has its maximum twice (the first takes the gradient), window 2 a NaN.
        let x = Tensor::<4>::from_data(
            TensorData::new(
                vec![
                    4.0f32,
                    1.0,
                    f32::NAN,
                    0.0, //
                    2.0,
                    4.0,
                    3.0,
                    8.0,
                ],
                [1, 1, 2, 4],
            ),
            &device,
        )
        .require_grad();
        let y = max_pool_2x2(x.clone());
        let weights =
            Tensor::<4>::from_data(TensorData::new(vec![10.0f32, 20.0], [1, 1, 1, 2]), &device);
        let grads = (y * weights).sum().backward();
        let grad = x
            .grad(&grads)
            .unwrap()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert_eq!(grad, vec![10.0, 0.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn equals_burns_max_pool_bit_for_bit_forward_and_backward() {
        let device = Device::flex().autodiff();
        // Odd sizes, and many ties: ReLU's zeros and small whole numbers.
        let x = Tensor::<4>::random([3, 4, 11, 14], Distribution::Normal(0.0, 2.0), &device);
        let x = burn::tensor::activation::relu(x).round();
        let x = Tensor::<4>::from_data(x.into_data(), &device).require_grad();
        let upstream = Tensor::<4>::random([3, 4, 5, 7], Distribution::Normal(0.0, 1.0), &device);

        let ours = max_pool_2x2(x.clone());
        let grads = (ours.clone() * upstream.clone()).sum().backward();
        let our_grad = x.grad(&grads).unwrap();

        let x2 = x.clone().detach().require_grad();
        let theirs = burn_pool().forward(x2.clone());
        let grads = (theirs.clone() * upstream).sum().backward();
        let their_grad = x2.grad(&grads).unwrap();

        assert_eq!(bits(ours), bits(theirs));
        assert_eq!(bits(our_grad), bits(their_grad));
    }

    #[test]
    fn other_float_types_use_burns_pooling() {
        let device = Device::flex();
        let x = Tensor::<4>::random([1, 2, 4, 4], Distribution::Default, &device).cast(DType::F64);
        let y = max_pool_2x2(x.clone());
        assert_eq!(y.dtype(), DType::F64);
        assert_eq!(y.into_data(), burn_pool().forward(x).into_data());
    }
}
