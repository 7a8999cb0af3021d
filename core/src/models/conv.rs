//! The classifier's 3×3 "same" convolution (stride 1, one pixel of zero padding, a bias) as a
//! burn backend extension with a kernel of this project's own on the CPU backend.
//!
//! Why: burn-flex computes 2-D convolutions through its general 3-D one, which converts the
//! input to channels-last, unfolds it element by element (im2col), and computes the input's
//! gradient by a transposed convolution of the same kind: outside its matrix products that
//! was about a quarter of a training step of E2's deepest CNN (docs/dev/performance-notes.md, "E2's CNNs on this project's own CPU kernels"). The
//! kernel (`mlds_kernels::conv3x3`) unfolds by copying whole shifted rows and uses the same
//! gemm for its products.
//!
//! Not bit for bit burn's numbers: the products sum in another order, so results agree to f32
//! rounding (tested against burn's `Conv2d` below, and against the definition in the kernel's
//! own tests). Other backends (WebGPU), other float types and other convolutions use burn's.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Autodiff, Backend, Flex};
use burn::nn::conv::Conv2d;
use burn::nn::PaddingConfig2d;
use burn::tensor::{Tensor, TensorData};
use mlds_kernels::conv3x3::{self, Conv3x3};

use super::flex_slices::{for_kernels, with_values};

#[backend_extension(Flex, Autodiff)]
pub trait Conv3x3Backend: Backend {
    /// `x` `[n, c, h, w]` convolved with `weight` `[o, c, 3, 3]`, plus `bias` `[o]`:
    /// `[n, o, h, w]`.
    fn conv3x3(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
    /// The gradient with respect to `x`, given the output's gradient.
    fn conv3x3_input_grad(weight: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self>;
    /// The gradient with respect to `weight`, given `x` and the output's gradient.
    fn conv3x3_weight_grad(x: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self>;
    /// The gradient with respect to `bias`, given the output's gradient.
    fn conv3x3_bias_grad(grad: FloatTensor<Self>) -> FloatTensor<Self>;
}

/// Whether `conv` is the kind the kernel computes: 3×3, stride 1, no dilation, one group,
/// one pixel of padding (burn's "same" for a 3×3 kernel), with a bias.
fn is_same_3x3(conv: &Conv2d) -> bool {
    let padding = matches!(
        conv.padding,
        PaddingConfig2d::Same | PaddingConfig2d::Explicit(1, 1, 1, 1)
    );
    conv.kernel_size == [3, 3]
        && conv.stride == [1, 1]
        && conv.dilation == [1, 1]
        && conv.groups == 1
        && padding
        && conv.bias.is_some()
}

/// `conv` applied to `x`: this module's kernel on the CPU backend in `f32` for a 3×3 "same"
/// convolution with a bias, burn's `Conv2d::forward` otherwise.
pub fn conv3x3_forward(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let bias = conv.bias.as_ref().map(|b| b.val());
    match bias {
        Some(bias) if for_kernels(&x) && is_same_3x3(conv) => {
            Tensor::from_dispatch(<burn::backend::Dispatch as Conv3x3Backend>::conv3x3(
                x.into_dispatch(),
                conv.weight.val().into_dispatch(),
                bias.into_dispatch(),
            ))
        }
        _ => conv.forward(x),
    }
}

fn dims<const D: usize>(x: &FlexTensor) -> [usize; D] {
    x.layout()
        .shape()
        .to_vec()
        .try_into()
        .expect("a tensor of the convolution's rank")
}

/// The convolution's shape from its input `[n, c, h, w]` and its output's gradient
/// `[n, o, h, w]`.
fn shape(x: [usize; 4], out: usize) -> Conv3x3 {
    let [images, channels, h, w] = x;
    Conv3x3 {
        images,
        channels,
        out,
        h,
        w,
    }
}

impl Conv3x3Backend for Flex {
    fn conv3x3(x: FlexTensor, weight: FlexTensor, bias: FlexTensor) -> FlexTensor {
        let [n, c, h, w] = dims(&x);
        let [o, ..] = dims::<4>(&weight);
        let output = with_values(&x, |x| {
            with_values(&weight, |weight| {
                with_values(&bias, |bias| {
                    conv3x3::forward(shape([n, c, h, w], o), x, weight, bias)
                })
            })
        });
        FlexTensor::from_data(TensorData::new(output, [n, o, h, w]))
    }

    fn conv3x3_input_grad(weight: FlexTensor, grad: FlexTensor) -> FlexTensor {
        let [o, c, ..] = dims::<4>(&weight);
        let [n, _, h, w] = dims(&grad);
        let input_grad = with_values(&weight, |weight| {
            with_values(&grad, |grad| {
                conv3x3::input_grad(shape([n, c, h, w], o), weight, grad)
            })
        });
        FlexTensor::from_data(TensorData::new(input_grad, [n, c, h, w]))
    }

    fn conv3x3_weight_grad(x: FlexTensor, grad: FlexTensor) -> FlexTensor {
        let [n, c, h, w] = dims(&x);
        let [_, o, ..] = dims::<4>(&grad);
        let weight_grad = with_values(&x, |x| {
            with_values(&grad, |grad| {
                conv3x3::weight_grad(shape([n, c, h, w], o), x, grad)
            })
        });
        FlexTensor::from_data(TensorData::new(weight_grad, [o, c, 3, 3]))
    }

    fn conv3x3_bias_grad(grad: FlexTensor) -> FlexTensor {
        let [n, o, h, w] = dims(&grad);
        // The kernel needs only the batch, the output channels and the pixels.
        let shape = shape([n, 0, h, w], o);
        let bias_grad = with_values(&grad, |grad| conv3x3::bias_grad(shape, grad));
        FlexTensor::from_data(TensorData::new(bias_grad, [o]))
    }
}

/// The convolution's place in the autodiff graph: its parents are the input, the weight and
/// the bias, kept (or recomputed) by burn's checkpointer for the backward pass.
#[derive(Debug)]
struct Conv3x3Step;

impl<B: Backend + Conv3x3Backend> Backward<B, 3> for Conv3x3Step {
    type State = (NodeId, NodeId);

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [x_parent, weight_parent, bias_parent] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x_state, weight_state) = ops.state;
        let x = checkpointer.retrieve_node_output(x_state);
        let weight = checkpointer.retrieve_node_output(weight_state);
        if let Some(parent) = bias_parent {
            grads.register::<B>(parent.id, B::conv3x3_bias_grad(grad.clone()));
        }
        if let Some(parent) = weight_parent {
            grads.register::<B>(parent.id, B::conv3x3_weight_grad(x, grad.clone()));
        }
        if let Some(parent) = x_parent {
            grads.register::<B>(parent.id, B::conv3x3_input_grad(weight, grad));
        }
    }
}

impl<B: Backend + Conv3x3Backend, C: CheckpointStrategy> Conv3x3Backend for Autodiff<B, C> {
    fn conv3x3(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        match Conv3x3Step
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&weight));
                let output = B::conv3x3(
                    x.into_primitive(),
                    weight.into_primitive(),
                    bias.into_primitive(),
                );
                prep.finish(state, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::conv3x3(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
            )),
        }
    }

    fn conv3x3_input_grad(_: FloatTensor<Self>, _: FloatTensor<Self>) -> FloatTensor<Self> {
        unimplemented!(
            "the convolution's gradients are not differentiated (first-order autodiff only)"
        )
    }

    fn conv3x3_weight_grad(_: FloatTensor<Self>, _: FloatTensor<Self>) -> FloatTensor<Self> {
        unimplemented!(
            "the convolution's gradients are not differentiated (first-order autodiff only)"
        )
    }

    fn conv3x3_bias_grad(_: FloatTensor<Self>) -> FloatTensor<Self> {
        unimplemented!(
            "the convolution's gradients are not differentiated (first-order autodiff only)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::conv::Conv2dConfig;
    use burn::tensor::Device;
    use burn::tensor::Distribution;

    fn values(t: Tensor<4>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    fn assert_close(ours: &[f32], theirs: &[f32], what: &str) {
        assert_eq!(ours.len(), theirs.len(), "{what}: lengths");
        for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
            assert!(
                (a - b).abs() <= 1e-4 * (1.0 + b.abs()),
                "{what}[{i}]: {a} vs burn's {b}"
            );
        }
    }

    #[test]
    fn agrees_with_burns_conv2d_forward_and_backward() {
        let device = Device::flex().autodiff();
        let conv = Conv2dConfig::new([3, 5], [3, 3])
            .with_padding(PaddingConfig2d::Same)
            .init(&device);
        assert!(is_same_3x3(&conv));
        let x = Tensor::<4>::random([2, 3, 7, 6], Distribution::Normal(0.0, 1.0), &device)
            .require_grad();
        let upstream = Tensor::<4>::random([2, 5, 7, 6], Distribution::Normal(0.0, 1.0), &device);

        // The output and the gradients of the input, the weight and the bias of Σ upstream · y.
        let run = |forward: &dyn Fn(Tensor<4>) -> Tensor<4>| {
            let y = forward(x.clone());
            let grads = (y.clone() * upstream.clone()).sum().backward();
            let weight = conv.weight.grad(&grads).unwrap();
            let bias = conv.bias.as_ref().unwrap().grad(&grads).unwrap();
            let flat = |t: burn::tensor::TensorData| t.try_to_vec::<f32>().unwrap();
            [
                values(y),
                values(x.grad(&grads).unwrap()),
                flat(weight.into_data()),
                flat(bias.into_data()),
            ]
        };
        let ours = run(&|x| conv3x3_forward(&conv, x));
        let theirs = run(&|x| conv.forward(x));
        for ((ours, theirs), what) in ours.iter().zip(&theirs).zip([
            "output",
            "input gradient",
            "weight gradient",
            "bias gradient",
        ]) {
            assert_close(ours, theirs, what);
        }
    }

    #[test]
    fn other_convolutions_and_types_use_burns() {
        let device = Device::flex();
        let strided = Conv2dConfig::new([1, 2], [3, 3])
            .with_stride([2, 2])
            .init(&device);
        let unbiased = Conv2dConfig::new([1, 2], [3, 3])
            .with_padding(PaddingConfig2d::Same)
            .with_bias(false)
            .init(&device);
        assert!(!is_same_3x3(&strided) && !is_same_3x3(&unbiased));
        let x = Tensor::<4>::random([1, 1, 6, 6], Distribution::Default, &device);
        assert_eq!(conv3x3_forward(&strided, x.clone()).dims(), [1, 2, 2, 2]);
        assert_eq!(
            conv3x3_forward(&unbiased, x.clone()).into_data(),
            unbiased.forward(x.clone()).into_data()
        );
    }
}
