//! Second-order numerics on closures: Hessian-vector products, full Hessians, their spectra,
//! and the two "minimal ratio" definitions of the spec.
//!
//! burn has no double backward and no forward mode, so curvature comes from differences of
//! gradients: a gradient closure is normally [`LossOracle::gradient`](super::LossOracle) over
//! a [`to_f64`](super::to_f64) model on burn's CPU backend, which computes in f64. Central
//! differences are exact for quadratics (up to rounding) and O(ε²) otherwise; with f64
//! gradients, ε around 1e-4·max(1, ‖θ‖) balances truncation (ε²) against rounding (1e-16/ε).
//! Nothing here depends on burn, so it is tested on closed-form functions.

use nalgebra::{DMatrix, SymmetricEigen};

use super::random::{dot, norm, Gaussian};

/// H(θ)·v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε: two gradient evaluations.
pub fn hvp(
    grad: &mut impl FnMut(&[f64]) -> Vec<f64>,
    theta: &[f64],
    v: &[f64],
    eps: f64,
) -> Vec<f64> {
    assert_eq!(theta.len(), v.len(), "hvp: θ and v differ in length");
    let shifted = |sign: f64| -> Vec<f64> {
        theta
            .iter()
            .zip(v)
            .map(|(t, v)| t + sign * eps * v)
            .collect()
    };
    let plus = grad(&shifted(1.0));
    let minus = grad(&shifted(-1.0));
    plus.iter()
        .zip(&minus)
        .map(|(p, m)| (p - m) / (2.0 * eps))
        .collect()
}

/// The full n×n Hessian at θ: n HVPs with the basis vectors (2n gradient evaluations),
/// symmetrised as (H + Hᵀ)/2 (finite differences leave it slightly asymmetric).
///
/// Computed in f64 on burn's CPU backend via `LossOracle` over a `to_f64` model; central
/// differences are exact for quadratics and O(ε²) otherwise. Only for small models: the cost
/// is 2n backward passes and n² memory.
pub fn hessian(grad: &mut impl FnMut(&[f64]) -> Vec<f64>, theta: &[f64], eps: f64) -> DMatrix<f64> {
    let n = theta.len();
    let mut h = DMatrix::zeros(n, n);
    let mut e = vec![0.0; n];
    for j in 0..n {
        e[j] = 1.0;
        let column = hvp(grad, theta, &e, eps);
        e[j] = 0.0;
        h.set_column(j, &nalgebra::DVector::from_vec(column));
    }
    let ht = h.transpose();
    (h + ht) * 0.5
}

/// Eigenvalues of a symmetric matrix, ascending.
///
/// nalgebra's solver can loop forever on some degenerate matrices (dimforge/nalgebra#1025),
/// so its iterations are capped and non-finite input (a Hessian from a diverged run) is
/// rejected up front; both come back as an error to show the user.
pub fn symmetric_eigenvalues(h: &DMatrix<f64>) -> Result<Vec<f64>, String> {
    symmetric_eigen(h).map(|(values, _)| values)
}

/// Eigenvalues (ascending) and the matching unit eigenvectors (columns), with the guards of
/// [`symmetric_eigenvalues`]. Shared with PCA.
pub(crate) fn symmetric_eigen(h: &DMatrix<f64>) -> Result<(Vec<f64>, DMatrix<f64>), String> {
    let n = h.nrows();
    if h.ncols() != n {
        return Err(format!("the matrix is {n}×{}, not square", h.ncols()));
    }
    if h.iter().any(|x| !x.is_finite()) {
        return Err("the matrix has non-finite entries (did the training diverge?)".into());
    }
    if n == 0 {
        return Ok((Vec::new(), DMatrix::zeros(0, 0)));
    }
    // Implicit QR needs a few sweeps per eigenvalue; far more means it is stuck.
    let max_iterations = 100 * n + 1000;
    let eigen =
        SymmetricEigen::try_new(h.clone(), f64::EPSILON, max_iterations).ok_or_else(|| {
            format!("the {n}×{n} eigenvalue solver did not converge in {max_iterations} iterations")
        })?;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| eigen.eigenvalues[a].total_cmp(&eigen.eigenvalues[b]));
    let values = order.iter().map(|&i| eigen.eigenvalues[i]).collect();
    let vectors = DMatrix::from_fn(n, n, |r, c| eigen.eigenvectors[(r, order[c])]);
    Ok((values, vectors))
}

/// The eigenvalue of largest magnitude (its Rayleigh quotient after `iterations` products),
/// from a seeded random start: sharpness of models too big for a full Hessian, one HVP per
/// iteration. Converges at rate |λ₂/λ₁| per iteration; 0 when the operator is zero.
pub fn power_iteration(
    hvp: &mut impl FnMut(&[f64]) -> Vec<f64>,
    n: usize,
    iterations: usize,
    seed: u64,
) -> f64 {
    let mut it = PowerIteration::new(n, seed);
    for _ in 0..iterations {
        if !it.step(hvp) {
            break;
        }
    }
    it.estimate()
}

/// Power iteration one product at a time, so that a caller can yield between steps (each
/// Hessian-vector product of a real network costs two gradients).
pub struct PowerIteration {
    v: Vec<f64>,
    estimate: f64,
}

impl PowerIteration {
    /// A seeded random unit start vector in ℝⁿ.
    pub fn new(n: usize, seed: u64) -> Self {
        Self {
            v: Gaussian::new(seed).unit_vector(n),
            estimate: 0.0,
        }
    }

    /// One product: the Rayleigh quotient vᵀAv becomes the estimate and v moves to Av/‖Av‖.
    /// `false` once it cannot go on (Av = 0 or not finite).
    pub fn step(&mut self, product: &mut impl FnMut(&[f64]) -> Vec<f64>) -> bool {
        let w = product(&self.v);
        self.estimate = dot(&self.v, &w);
        let size = norm(&w);
        if size == 0.0 || !size.is_finite() {
            return false;
        }
        self.v = w.into_iter().map(|x| x / size).collect();
        true
    }

    /// The largest-magnitude eigenvalue as estimated so far.
    pub fn estimate(&self) -> f64 {
        self.estimate
    }
}

/// Fraction of eigenvalues that are positive: the spec's "minimal ratio" (1 at a strict local
/// minimum, about ½ at a typical saddle). 0 for no eigenvalues.
pub fn minimal_ratio(eigenvalues: &[f64]) -> f64 {
    if eigenvalues.is_empty() {
        return 0.0;
    }
    eigenvalues.iter().filter(|&&l| l > 0.0).count() as f64 / eigenvalues.len() as f64
}

/// The spec's alternative definition, without a Hessian: draw `samples` points θ + radius·u
/// with u uniform on the unit sphere (seeded) and return the fraction whose loss exceeds
/// L(θ). 0 for no samples.
pub fn sampled_ratio(
    value: &mut impl FnMut(&[f64]) -> f64,
    theta: &[f64],
    radius: f64,
    samples: usize,
    seed: u64,
) -> f64 {
    if samples == 0 {
        return 0.0;
    }
    let center = value(theta);
    let mut gaussian = Gaussian::new(seed);
    let above = (0..samples)
        .filter(|_| {
            let u = gaussian.unit_vector(theta.len());
            let point: Vec<f64> = theta.iter().zip(&u).map(|(t, u)| t + radius * u).collect();
            value(&point) > center
        })
        .count();
    above as f64 / samples as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{to_f64, LossOracle};
    use crate::models::{ActivationKind, Mlp, MlpConfig};
    use burn::nn::loss::{MseLoss, Reduction};
    use burn::tensor::{DType, Device, Tensor, TensorData};

    fn a() -> DMatrix<f64> {
        DMatrix::from_row_slice(
            4,
            4,
            &[
                4.0, 1.0, 0.5, 0.0, //
                1.0, 3.0, -1.0, 0.25, //
                0.5, -1.0, -2.0, 1.5, //
                0.0, 0.25, 1.5, 1.0,
            ],
        )
    }

    /// A symmetric matrix with spectrum `values`: R·diag·Rᵀ for a fixed rotation R.
    fn with_spectrum(values: &[f64]) -> DMatrix<f64> {
        let n = values.len();
        let m = DMatrix::from_fn(n, n, |r, c| {
            ((r * 7 + c * 3) % 5) as f64 - 2.0 + (r == c) as u8 as f64
        });
        let q = m.qr().q();
        &q * DMatrix::from_diagonal(&nalgebra::DVector::from_column_slice(values)) * q.transpose()
    }

    #[test]
    fn hessian_of_a_quadratic_is_its_matrix() {
        let (a, b) = (a(), [1.0, -2.0, 0.5, 3.0]);
        let mut grad = |t: &[f64]| -> Vec<f64> {
            (&a * nalgebra::DVector::from_column_slice(t))
                .iter()
                .zip(b)
                .map(|(x, b)| x + b)
                .collect()
        };
        let h = hessian(&mut grad, &[0.3, -1.0, 2.0, 0.7], 1e-3);
        assert!((h - a).abs().max() < 1e-8);
    }

    #[test]
    fn hvp_of_a_tiny_mlp_matches_its_hessian() {
        let device = Device::flex().autodiff();
        let model = to_f64(MlpConfig::new(vec![1, 3, 1], ActivationKind::Tanh).init(&device));
        let xs = TensorData::new(vec![-1.0f64, -0.3, 0.4, 1.2], [4, 1]);
        let ys = TensorData::new(vec![0.5f64, -0.2, 0.1, 0.8], [4, 1]);
        let x = Tensor::<2>::from_data(xs, (&device, DType::F64));
        let y = Tensor::<2>::from_data(ys, (&device, DType::F64));
        let oracle = LossOracle::new(model, move |m: &Mlp| {
            MseLoss::new().forward(m.forward(x.clone()), y.clone(), Reduction::Mean)
        });
        let n = oracle.len();
        assert_eq!(n, 10);
        let theta: Vec<f64> = (0..n)
            .map(|i| ((i * 37 % 11) as f64 - 5.0) * 0.15)
            .collect();
        let mut grad = |t: &[f64]| oracle.gradient(t);
        let h = hessian(&mut grad, &theta, 1e-4);
        assert!(h.abs().max() > 0.1, "a curved loss: {h}");
        for seed in 0..3 {
            let v = Gaussian::new(seed).unit_vector(n);
            let expected = &h * nalgebra::DVector::from_column_slice(&v);
            let got = hvp(&mut grad, &theta, &v, 1e-4);
            for (g, e) in got.iter().zip(expected.iter()) {
                assert!((g - e).abs() < 1e-6, "{got:?} vs {expected}");
            }
        }
    }

    #[test]
    fn hessian_of_a_tiny_mlp_matches_second_differences_of_its_loss() {
        // Independent of the gradient: H_ij from four loss values each,
        // (L(θ+hεᵢ+hεⱼ) − L(θ+hεᵢ−hεⱼ) − L(θ−hεᵢ+hεⱼ) + L(θ−hεᵢ−hεⱼ)) / 4h².
        let device = Device::flex().autodiff();
        let model = to_f64(MlpConfig::new(vec![1, 3, 1], ActivationKind::Tanh).init(&device));
        let xs = TensorData::new(vec![-1.0f64, -0.3, 0.4, 1.2], [4, 1]);
        let ys = TensorData::new(vec![0.5f64, -0.2, 0.1, 0.8], [4, 1]);
        let x = Tensor::<2>::from_data(xs, (&device, DType::F64));
        let y = Tensor::<2>::from_data(ys, (&device, DType::F64));
        let oracle = LossOracle::new(model, move |m: &Mlp| {
            MseLoss::new().forward(m.forward(x.clone()), y.clone(), Reduction::Mean)
        });
        let n = oracle.len();
        let theta: Vec<f64> = (0..n)
            .map(|i| ((i * 37 % 11) as f64 - 5.0) * 0.15)
            .collect();
        let h = hessian(&mut |t: &[f64]| oracle.gradient(t), &theta, 1e-5);
        let step = 1e-3;
        let at = |i: usize, si: f64, j: usize, sj: f64| {
            let mut t = theta.clone();
            t[i] += si * step;
            t[j] += sj * step;
            oracle.value(&t)
        };
        for i in 0..n {
            for j in 0..n {
                let second = (at(i, 1.0, j, 1.0) - at(i, 1.0, j, -1.0) - at(i, -1.0, j, 1.0)
                    + at(i, -1.0, j, -1.0))
                    / (4.0 * step * step);
                assert!(
                    (h[(i, j)] - second).abs() < 1e-5 * (1.0 + second.abs()),
                    "H[{i},{j}] = {} vs {second}",
                    h[(i, j)]
                );
            }
        }
        assert!(h.abs().max() > 0.1, "a curved loss: {h}");
    }

    #[test]
    fn eigenvalues_come_back_sorted() {
        let spectrum = [3.0, -1.5, 0.25, 7.0, -4.0];
        let values = symmetric_eigenvalues(&with_spectrum(&spectrum)).unwrap();
        let mut sorted = spectrum.to_vec();
        sorted.sort_by(f64::total_cmp);
        for (v, s) in values.iter().zip(&sorted) {
            assert!((v - s).abs() < 1e-10, "{values:?} vs {sorted:?}");
        }
        // Degenerate and empty inputs work; non-finite and non-square are errors.
        assert_eq!(
            symmetric_eigenvalues(&DMatrix::zeros(3, 3)).unwrap(),
            [0.0; 3]
        );
        assert!(symmetric_eigenvalues(&DMatrix::zeros(0, 0))
            .unwrap()
            .is_empty());
        let mut bad = a();
        bad[(1, 2)] = f64::NAN;
        assert!(symmetric_eigenvalues(&bad)
            .unwrap_err()
            .contains("non-finite"));
        assert!(symmetric_eigenvalues(&DMatrix::zeros(2, 3)).is_err());
    }

    #[test]
    fn power_iteration_finds_the_largest_magnitude_eigenvalue() {
        for (spectrum, top) in [
            ([3.0, -1.5, 0.25, 7.0, -4.0], 7.0),
            ([3.0, -1.5, 0.25, 2.0, -9.0], -9.0),
        ] {
            let m = with_spectrum(&spectrum);
            let mut product = |v: &[f64]| {
                (&m * nalgebra::DVector::from_column_slice(v))
                    .as_slice()
                    .to_vec()
            };
            let lambda = power_iteration(&mut product, 5, 200, 42);
            assert!((lambda - top).abs() < 1e-8, "{lambda} vs {top}");
        }
        assert_eq!(
            power_iteration(&mut |v: &[f64]| vec![0.0; v.len()], 3, 10, 1),
            0.0
        );
    }

    #[test]
    fn minimal_ratio_counts_positive_eigenvalues() {
        assert_eq!(minimal_ratio(&[-1.0, 0.0, 2.0, 3.0]), 0.5);
        assert_eq!(minimal_ratio(&[1.0, 2.0]), 1.0);
        assert_eq!(minimal_ratio(&[]), 0.0);
    }

    #[test]
    fn sampled_ratio_is_one_at_a_minimum_and_about_half_at_a_saddle() {
        let mut bowl = |t: &[f64]| (t[0] - 1.0).powi(2) + 3.0 * (t[1] + 2.0).powi(2);
        assert_eq!(sampled_ratio(&mut bowl, &[1.0, -2.0], 0.1, 200, 3), 1.0);
        let mut saddle = |t: &[f64]| t[0] * t[0] - t[1] * t[1];
        let ratio = sampled_ratio(&mut saddle, &[0.0, 0.0], 0.1, 400, 3);
        assert!((ratio - 0.5).abs() < 0.1, "{ratio}");
    }
}
