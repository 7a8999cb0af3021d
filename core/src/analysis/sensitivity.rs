//! Sensitivity of a model to its input: the Frobenius norm of the gradient of the loss with
//! respect to each input (Novak et al.'s "sensitivity"), and of the Jacobian of the softmax
//! output with respect to the input (one backward pass per class), per example.
//!
//! burn has no per-example gradients, but examples do not interact in a forward pass: the
//! gradient of Σᵢ fᵢ with respect to the batch's inputs has example i's gradient in row i. So
//! one backward pass of the summed loss gives every example's input gradient.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::activation::softmax;
use burn::tensor::{Int, Tensor};

/// Per-example norm of each row of a `[n, …]` gradient, as a `[n]` tensor.
fn row_norms<const D: usize>(g: Tensor<D>) -> Tensor<1> {
    let n = g.dims()[0];
    g.reshape([n as i32, -1])
        .square()
        .sum_dim(1)
        .sqrt()
        .reshape([n])
}

/// ‖∂Lᵢ/∂xᵢ‖_F for every example i of `inputs` (on an autodiff device), where Lᵢ is the
/// cross-entropy of `forward`'s logits against `labels`. Returns `[n]` on the inner device.
pub fn input_gradient_norms<const D: usize>(
    forward: impl Fn(Tensor<D>) -> Tensor<2>,
    inputs: Tensor<D>,
    labels: Tensor<1, Int>,
) -> Tensor<1> {
    let n = inputs.dims()[0];
    let x = inputs.detach().require_grad();
    let logits = forward(x.clone());
    let loss_fn = CrossEntropyLossConfig::new().init(&logits.device());
    // The mean over the batch scales each example's gradient by 1/n: the sum does not.
    let loss = loss_fn.forward(logits, labels) * n as f64;
    let grads = loss.backward();
    let g = x.grad(&grads).expect("the input requires a gradient");
    row_norms(g)
}

/// ‖∂softmax(f(xᵢ))/∂xᵢ‖_F for every example: the Jacobian's Frobenius norm, summed over the
/// `classes` outputs one backward pass each. Returns `[n]` on the inner device.
pub fn softmax_jacobian_norms<const D: usize>(
    forward: impl Fn(Tensor<D>) -> Tensor<2>,
    inputs: Tensor<D>,
    classes: usize,
) -> Tensor<1> {
    let n = inputs.dims()[0];
    let mut squares: Option<Tensor<1>> = None;
    for k in 0..classes {
        let x = inputs.clone().detach().require_grad();
        let probabilities = softmax(forward(x.clone()), 1);
        let grads = probabilities.narrow(1, k, 1).sum().backward();
        let g = x.grad(&grads).expect("the input requires a gradient");
        let s = g.reshape([n as i32, -1]).square().sum_dim(1).reshape([n]);
        squares = Some(match squares {
            None => s,
            Some(acc) => acc + s,
        });
    }
    squares.expect("at least one class").sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{DType, Device, TensorData};

    fn values(t: Tensor<1>) -> Vec<f64> {
        t.into_data().try_into_vec_as::<f64>().unwrap()
    }

    fn softmax_of(z: &[f64]) -> Vec<f64> {
        let m = z.iter().copied().fold(f64::MIN, f64::max);
        let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
        let s: f64 = e.iter().sum();
        e.iter().map(|v| v / s).collect()
    }

    const W: [[f64; 3]; 2] = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]];
    const B: [f64; 3] = [0.1, -0.2, 0.3];
    const X: [[f64; 2]; 2] = [[1.0, -2.0], [0.5, 0.5]];
    const Y: [i64; 2] = [2, 0];

    /// logits = x W + b (2 inputs, 3 classes), in f64.
    fn linear(x: Tensor<2>) -> Tensor<2> {
        let device = x.device();
        let w = Tensor::<2>::from_data(TensorData::new(W.concat(), [2, 3]), (&device, DType::F64));
        let b = Tensor::<1>::from_data(TensorData::new(B.to_vec(), [3]), (&device, DType::F64));
        x.matmul(w) + b.unsqueeze()
    }

    fn inputs() -> Tensor<2> {
        Tensor::from_data(
            TensorData::new(X.concat(), [2, 2]),
            (&Device::flex().autodiff(), DType::F64),
        )
    }

    #[test]
    fn input_gradient_of_a_linear_model_is_the_closed_form() {
        let device = Device::flex().autodiff();
        let labels = Tensor::<1, Int>::from_data(TensorData::new(Y.to_vec(), [2]), &device);
        let got = values(input_gradient_norms(linear, inputs(), labels));
        for (i, x) in X.iter().enumerate() {
            // ∂L/∂x = W (p − y): the softmax error pulled back through the weights.
            let z: Vec<f64> = (0..3)
                .map(|k| x[0] * W[0][k] + x[1] * W[1][k] + B[k])
                .collect();
            let mut e = softmax_of(&z);
            e[Y[i] as usize] -= 1.0;
            let g: Vec<f64> = (0..2)
                .map(|j| (0..3).map(|k| W[j][k] * e[k]).sum())
                .collect();
            let expected = (g[0] * g[0] + g[1] * g[1]).sqrt();
            assert!(
                (got[i] - expected).abs() < 1e-10,
                "{i}: {} vs {expected}",
                got[i]
            );
        }
    }

    #[test]
    fn softmax_jacobian_of_known_logits_is_diag_p_minus_ppt() {
        // With the identity as the model the input is the logit vector itself.
        let z = [1.0, -0.5, 2.0, 0.0];
        let x = Tensor::<2>::from_data(
            TensorData::new(z.to_vec(), [1, 4]),
            (&Device::flex().autodiff(), DType::F64),
        );
        let got = values(softmax_jacobian_norms(|x| x, x, 4))[0];
        let p = softmax_of(&z);
        let mut frobenius = 0.0;
        for i in 0..4 {
            for j in 0..4 {
                let d = if i == j { p[i] } else { 0.0 } - p[i] * p[j];
                frobenius += d * d;
            }
        }
        assert!(
            (got - frobenius.sqrt()).abs() < 1e-12,
            "{got} vs {}",
            frobenius.sqrt()
        );
    }

    #[test]
    fn softmax_jacobian_of_a_linear_model_chains_through_the_weights() {
        let got = values(softmax_jacobian_norms(linear, inputs(), 3));
        for (i, x) in X.iter().enumerate() {
            let z: Vec<f64> = (0..3)
                .map(|k| x[0] * W[0][k] + x[1] * W[1][k] + B[k])
                .collect();
            let p = softmax_of(&z);
            // ∂pₖ/∂xⱼ = Σₘ (δₖₘ pₖ − pₖ pₘ) Wⱼₘ.
            let mut f = 0.0;
            for k in 0..3 {
                for w in &W {
                    let d: f64 = (0..3)
                        .map(|m| (if k == m { p[k] } else { 0.0 } - p[k] * p[m]) * w[m])
                        .sum();
                    f += d * d;
                }
            }
            assert!((got[i] - f.sqrt()).abs() < 1e-10, "{i}");
        }
    }
}
