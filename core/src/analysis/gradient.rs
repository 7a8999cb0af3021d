//! Gradients: their norm on a training step's own backward pass, the full-batch gradient of a
//! set cut into parts with the mini-batch noise floor it gives (E4), and a loss oracle that
//! evaluates L(θ) and ∇L(θ) at any flat parameter vector.
//!
//! burn has first-order autodiff only. Everything second order (Hessian-vector products,
//! Hessians, sharpness) is built on [`LossOracle::gradient`] by finite differences (see
//! `hessian.rs`), so the oracle is the single bridge from burn to the numerics.

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{GradientsAccumulator, GradientsParams};
use burn::tensor::{Gradients, Tensor, Transaction};

use super::vector::{layout, load_params};

/// The gradient norm of a training step lives with the step (`train`), which computes it on
/// its own backward pass; it is part of the analysis toolkit all the same.
pub use crate::train::grad_norm_squared;

/// The gradient of a loss over a whole set, summed part by part so that each part fits in one
/// short browser task: give each part's mean loss weighted by its share of the set, and the sum
/// is the set's mean-loss gradient. Its squared norm goes through the training step's own
/// [`grad_norm_squared`] (one place for the norm).
pub struct GradientSum<M: Module> {
    sum: GradientsAccumulator<M>,
}

impl<M: Module> Default for GradientSum<M> {
    fn default() -> Self {
        Self {
            sum: GradientsAccumulator::new(),
        }
    }
}

impl<M: Module> GradientSum<M> {
    /// Add the gradient of `loss` (one part's share-weighted loss) with respect to `model`'s
    /// parameters; `model` must be on an autodiff device.
    pub fn add(&mut self, model: &M, loss: Tensor<1>) {
        let grads = GradientsParams::from_grads(loss.backward(), model);
        self.sum.accumulate(model, grads);
    }

    /// Σ_p ‖∂L/∂p‖² of the sum, left on the device; `None` when nothing had a gradient.
    pub fn norm_squared(mut self, model: &M) -> Option<Tensor<1>> {
        grad_norm_squared(model, &self.sum.grads())
    }
}

/// The mini-batch noise floor tr(Σ)/B: for mini-batches of B examples drawn from a set of N,
/// E‖g_B‖² = ‖∇L‖² + (1 − B/N)·tr(Σ)/B (Σ the per-example gradients' covariance; the factor is
/// the finite-set correction of drawing without replacement, ≈ 1 for B ≪ N). Estimated as the
/// mean of the squared mini-batch norms `batch_norms` minus the mean of the squared full-batch
/// norms `full_norms` measured over the same stretch of training. `None` if either is empty or
/// not finite. It can come out slightly negative where the floor is small (it is a difference of
/// estimates): it is returned as measured.
pub fn noise_floor(batch_norms: &[f64], full_norms: &[f64]) -> Option<f64> {
    let mean_square = |v: &[f64]| match v.len() {
        0 => None,
        n => Some(v.iter().map(|x| x * x).sum::<f64>() / n as f64),
    };
    let floor = mean_square(batch_norms)? - mean_square(full_norms)?;
    floor.is_finite().then_some(floor)
}

/// L(θ) and ∇L(θ) at any flat parameter vector θ (in [`layout`] order), synchronously.
///
/// Meant for burn's CPU backend (`Device::flex().autodiff()`) and an f64 model
/// ([`to_f64`](super::to_f64)): finite differences of gradients need f64 gradients, and the
/// synchronous reads here would panic on WebGPU. Each call loads θ into a clone of the model
/// (clones share nothing mutable), runs `loss_of` and, for the gradient, one backward pass.
pub struct LossOracle<M: Module> {
    model: M,
    loss_of: Box<dyn Fn(&M) -> Tensor<1>>,
    len: usize,
}

impl<M: Module> LossOracle<M> {
    /// `model` must be on an autodiff device with its parameters requiring gradients (a
    /// parameter that does not is treated as frozen: zero gradient). `loss_of` returns the
    /// scalar loss of a model as a one-element tensor.
    ///
    /// # Panics
    /// If no parameter requires gradients (the model is not on an autodiff device).
    pub fn new(model: M, loss_of: impl Fn(&M) -> Tensor<1> + 'static) -> Self {
        struct AnyGrad(bool);
        impl ModuleVisitor for AnyGrad {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                self.0 |= param.val().is_require_grad();
            }
        }
        let mut any = AnyGrad(false);
        model.visit(&mut any);
        let len = layout(&model).len();
        assert!(
            any.0 || len == 0,
            "LossOracle needs a model on an autodiff device (Device::flex().autodiff())"
        );
        Self {
            model,
            loss_of: Box::new(loss_of),
            len,
        }
    }

    /// Number of parameters (the length of θ and of the gradient).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// L(θ).
    pub fn value(&self, theta: &[f64]) -> f64 {
        let model = load_params(self.model.clone(), theta);
        scalar((self.loss_of)(&model))
    }

    /// ∇L(θ), flattened in [`layout`] order; a parameter without a gradient contributes zeros.
    pub fn gradient(&self, theta: &[f64]) -> Vec<f64> {
        self.value_and_gradient(theta).1
    }

    /// L(θ) and ∇L(θ) from one forward and one backward pass, read in one transaction.
    pub fn value_and_gradient(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let model = load_params(self.model.clone(), theta);
        let loss = (self.loss_of)(&model);
        let grads = loss.clone().backward();
        let mut collect = CollectGrads {
            grads: &grads,
            // Gradients carry no autodiff association and one transaction must not mix the
            // two kinds of tensor (burn panics), so the loss is read without autodiff too.
            transaction: Transaction::default().register(loss.without_autodiff()),
            parts: Vec::new(),
        };
        model.visit(&mut collect);
        let CollectGrads {
            transaction, parts, ..
        } = collect;
        let mut datas = transaction.execute().into_iter();
        let value = datas.next().map_or(f64::NAN, |d| first(d.into_vec_f64()));
        let mut gradient = Vec::with_capacity(self.len);
        for part in parts {
            match part {
                Part::Grad => {
                    gradient.extend(datas.next().expect("one read per grad").into_vec_f64())
                }
                Part::Zeros(n) => gradient.resize(gradient.len() + n, 0.0),
            }
        }
        (value, gradient)
    }
}

/// Where each parameter's gradient comes from, in visiting order.
enum Part {
    /// The next tensor of the transaction.
    Grad,
    /// No gradient (frozen or unused parameter): this many zeros.
    Zeros(usize),
}

struct CollectGrads<'a> {
    grads: &'a Gradients,
    transaction: Transaction,
    parts: Vec<Part>,
}

impl ModuleVisitor for CollectGrads<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        match value.grad(self.grads) {
            Some(grad) => {
                let transaction = std::mem::take(&mut self.transaction);
                self.transaction = transaction.register(grad);
                self.parts.push(Part::Grad);
            }
            None => self.parts.push(Part::Zeros(value.shape().num_elements())),
        }
    }
}

trait IntoVecF64 {
    fn into_vec_f64(self) -> Vec<f64>;
}

impl IntoVecF64 for burn::tensor::TensorData {
    fn into_vec_f64(self) -> Vec<f64> {
        self.try_into_vec_as::<f64>()
            .unwrap_or_else(|e| panic!("reading a float tensor as f64 failed: {e:?}"))
    }
}

fn first(values: Vec<f64>) -> f64 {
    values.first().copied().unwrap_or(f64::NAN)
}

fn scalar(t: Tensor<1>) -> f64 {
    first(t.into_data().into_vec_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::vector::{read_params, to_f64};
    use burn::nn::loss::{MseLoss, Reduction};
    use burn::nn::{Linear, LinearConfig};
    use burn::tensor::{DType, Device, TensorData};

    const N: usize = 6;
    const X: [[f64; 3]; N] = [
        [0.5, -1.0, 2.0],
        [1.5, 0.25, -0.5],
        [-2.0, 1.0, 0.0],
        [0.0, 3.0, 1.0],
        [1.0, 1.0, 1.0],
        [-0.5, -1.5, 0.75],
    ];
    const Y: [f64; N] = [1.0, -2.0, 0.5, 3.0, 0.0, -1.0];

    fn data(device: &Device, dtype: DType) -> (Tensor<2>, Tensor<2>) {
        let x = Tensor::from_data(TensorData::new(X.concat(), [N, 3]), (device, dtype));
        let y = Tensor::from_data(TensorData::new(Y.to_vec(), [N, 1]), (device, dtype));
        (x, y)
    }

    fn mse(model: &Linear, x: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
        MseLoss::new().forward(model.forward(x), y, Reduction::Mean)
    }

    /// (2/N)·[Xᵀr; Σr] with r = Xw + b − y, for θ = [w; b] (Linear's order: weight, bias).
    fn closed_form_gradient(theta: &[f64]) -> Vec<f64> {
        let (w, b) = (&theta[..3], theta[3]);
        let r: Vec<f64> = X
            .iter()
            .zip(Y)
            .map(|(x, y)| x.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() + b - y)
            .collect();
        let scale = 2.0 / N as f64;
        let mut g: Vec<f64> = (0..3)
            .map(|j| scale * X.iter().zip(&r).map(|(x, r)| x[j] * r).sum::<f64>())
            .collect();
        g.push(scale * r.iter().sum::<f64>());
        g
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-12)
    }

    #[test]
    fn grad_norm_of_linear_regression_matches_the_closed_form() {
        let device = Device::flex().autodiff();
        let model = LinearConfig::new(3, 1).init(&device);
        let (x, y) = data(&device, DType::F32);
        let loss = mse(&model, x, y);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let norm_sq = scalar(grad_norm_squared(&model, &grads).expect("two parameters"));
        let theta = pollster::block_on(read_params(&model)).unwrap();
        let expected: f64 = closed_form_gradient(&theta).iter().map(|g| g * g).sum();
        assert!(
            close(norm_sq.sqrt(), expected.sqrt(), 1e-5),
            "{} vs {}",
            norm_sq.sqrt(),
            expected.sqrt()
        );
        assert!(grad_norm_squared(&model, &GradientsParams::new()).is_none());
    }

    #[test]
    fn oracle_gradient_of_linear_regression_matches_the_closed_form() {
        let device = Device::flex().autodiff();
        let model = to_f64(LinearConfig::new(3, 1).init(&device));
        let (x, y) = data(&device, DType::F64);
        let oracle = LossOracle::new(model, move |m| mse(m, x.clone(), y.clone()));
        assert_eq!(oracle.len(), 4);
        for theta in [
            [0.0, 0.0, 0.0, 0.0],
            [0.3, -1.2, 0.7, 0.5],
            [2.0, 1.0, -3.0, -1.0],
        ] {
            let expected = closed_form_gradient(&theta);
            let (value, gradient) = oracle.value_and_gradient(&theta);
            assert_eq!(gradient, oracle.gradient(&theta));
            for (g, e) in gradient.iter().zip(&expected) {
                assert!(
                    close(*g, *e, 1e-5),
                    "θ = {theta:?}: {gradient:?} vs {expected:?}"
                );
            }
            let r2: f64 = X
                .iter()
                .zip(Y)
                .map(|(x, y)| {
                    let p = x.iter().zip(&theta).map(|(x, w)| x * w).sum::<f64>() + theta[3];
                    (p - y).powi(2)
                })
                .sum();
            assert!(close(value, r2 / N as f64, 1e-12));
            assert_eq!(value, oracle.value(&theta));
        }
    }

    /// The batch `rows` of the data on `device`.
    fn rows(device: &Device, rows: &[usize]) -> (Tensor<2>, Tensor<2>) {
        let x: Vec<f64> = rows.iter().flat_map(|&i| X[i]).collect();
        let y: Vec<f64> = rows.iter().map(|&i| Y[i]).collect();
        (
            Tensor::from_data(TensorData::new(x, [rows.len(), 3]), (device, DType::F32)),
            Tensor::from_data(TensorData::new(y, [rows.len(), 1]), (device, DType::F32)),
        )
    }

    /// Example i's own gradient of its squared error: 2·r_i·[x_i; 1].
    fn example_gradient(theta: &[f64], i: usize) -> Vec<f64> {
        let r = X[i].iter().zip(theta).map(|(x, w)| x * w).sum::<f64>() + theta[3] - Y[i];
        X[i].iter().chain([&1.0]).map(|x| 2.0 * r * x).collect()
    }

    #[test]
    fn a_gradient_summed_in_parts_is_the_whole_sets_gradient() {
        let device = Device::flex().autodiff();
        let model = LinearConfig::new(3, 1).init(&device);
        let theta = pollster::block_on(read_params(&model)).unwrap();
        let expected: f64 = closed_form_gradient(&theta).iter().map(|g| g * g).sum();
        // The whole set in one part, then cut in three uneven ones (their bounds).
        for cut in [&[0, 6][..], &[0, 1, 4, 6]] {
            let mut sum = GradientSum::default();
            for bounds in cut.windows(2) {
                let part: Vec<usize> = (bounds[0]..bounds[1]).collect();
                let (x, y) = rows(&device, &part);
                sum.add(&model, mse(&model, x, y) * (part.len() as f64 / N as f64));
            }
            let norm_sq = scalar(sum.norm_squared(&model).expect("gradients"));
            assert!(close(norm_sq, expected, 1e-5), "{norm_sq} vs {expected}");
        }
        assert!(GradientSum::<Linear>::default()
            .norm_squared(&model)
            .is_none());
    }

    /// Every mini-batch of 2 of the 6 examples, stepped through a real trainer (SGD at learning
    /// rate 0, so the weights stay put): the mean of their squared norms minus the full-batch
    /// squared norm is exactly (1 − B/N)·tr(S)/B, S the per-example gradients' sample covariance.
    #[test]
    fn the_noise_floor_of_every_mini_batch_is_the_closed_forms() {
        use crate::train::{OptimizerKind, Trainer};
        const B: usize = 2;
        let device = Device::flex().autodiff();
        let model = LinearConfig::new(3, 1).init(&device);
        let theta = pollster::block_on(read_params(&model)).unwrap();
        let mut trainer =
            Trainer::new(model.clone(), OptimizerKind::Sgd, 0.0).track_grad_norm(true);
        let mut batch_norms = Vec::new();
        for i in 0..N {
            for j in i + 1..N {
                let (x, y) = rows(&device, &[i, j]);
                trainer.step(|m| mse(m, x, y));
                let sq = scalar(trainer.take_grad_norm_sq().expect("tracked"));
                batch_norms.push(sq.sqrt());
            }
        }
        assert_eq!(batch_norms.len(), 15);
        let mut sum = GradientSum::default();
        let (x, y) = data(&device, DType::F32);
        sum.add(&model, mse(&model, x, y));
        let full = scalar(sum.norm_squared(&model).unwrap()).sqrt();

        let mean = closed_form_gradient(&theta);
        let trace_s: f64 = (0..N)
            .map(|i| {
                let g = example_gradient(&theta, i);
                g.iter()
                    .zip(&mean)
                    .map(|(g, m)| (g - m).powi(2))
                    .sum::<f64>()
            })
            .sum::<f64>()
            / (N - 1) as f64;
        let expected = (1.0 - B as f64 / N as f64) * trace_s / B as f64;
        let floor = noise_floor(&batch_norms, &[full]).unwrap();
        assert!(close(floor, expected, 1e-4), "{floor} vs {expected}");
        assert!(expected > 0.1 * full * full, "a floor that matters here");
        assert_eq!(noise_floor(&[], &[full]), None);
        assert_eq!(noise_floor(&batch_norms, &[]), None);
        assert_eq!(noise_floor(&[f64::NAN], &[full]), None);
    }

    #[test]
    #[should_panic(expected = "autodiff device")]
    fn oracle_rejects_a_model_without_autodiff() {
        let model = LinearConfig::new(3, 1).init(&Device::flex());
        LossOracle::new(model, |m: &Linear| m.weight.val().sum());
    }
}
