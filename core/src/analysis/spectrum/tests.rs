//! Known-answer tests of the spectrum tools: matrices with known spectra, a kinked function,
//! and a small ReLU classifier whose full Hessian comes from loss values alone.

use super::*;
use crate::analysis::{to_f64, LossOracle};
use crate::models::{Classifier, ClassifierConfig};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{DType, Device, Int, Tensor, TensorData};
use nalgebra::DVector;

fn product(m: &DMatrix<f64>) -> impl FnMut(&[f64]) -> Vec<f64> + '_ {
    move |v: &[f64]| (m * DVector::from_column_slice(v)).as_slice().to_vec()
}

/// A symmetric matrix with spectrum `values`: Q·diag·Qᵀ for a fixed dense rotation Q.
fn with_spectrum(values: &[f64]) -> DMatrix<f64> {
    let n = values.len();
    let m = DMatrix::from_fn(n, n, |r, c| {
        ((r * 7 + c * 3) % 5) as f64 - 2.0 + (r == c) as u8 as f64
    });
    let q = m.qr().q();
    &q * DMatrix::from_diagonal(&DVector::from_column_slice(values)) * q.transpose()
}

/// 60 eigenvalues: a bulk in [−0.5, 0.5], a negative outlier −9 larger in magnitude than
/// the top, and the top 4 just above 3.5 (crowded: power iteration's ratio is 0.875).
fn spectrum() -> Vec<f64> {
    let mut values: Vec<f64> = (0..57).map(|i| -0.5 + i as f64 / 56.0).collect();
    values.extend([-9.0, 3.5, 4.0]);
    values
}

#[test]
fn lanczos_finds_the_largest_signed_eigenvalue() {
    for matrix in [
        DMatrix::from_diagonal(&DVector::from_vec(spectrum())),
        with_spectrum(&spectrum()),
    ] {
        let top = top_eigenvalue(&mut product(&matrix), 60, 20, 3);
        assert!(
            (top - 4.0).abs() < 1e-8,
            "{top}: not 4 (−9 is the largest in magnitude)"
        );
    }
    // Power iteration with as many products finds the magnitude's, not the signed top.
    let m = with_spectrum(&spectrum());
    let power = crate::analysis::power_iteration(&mut product(&m), 60, 20, 3);
    assert!((power - 4.0).abs() > 0.1, "{power}");
}

#[test]
fn lanczos_over_the_whole_space_gives_every_eigenvalue_with_weights_summing_to_one() {
    let values = [2.0, -1.0, 0.5, 7.0, -3.0, 0.0];
    let m = with_spectrum(&values);
    let mut lanczos = Lanczos::seeded(6, 1);
    while lanczos.step(&mut product(&m)) {}
    assert_eq!(lanczos.steps(), 6);
    let (ritz, weights) = lanczos.ritz().unwrap();
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    for (r, s) in ritz.iter().zip(&sorted) {
        assert!((r - s).abs() < 1e-10, "{ritz:?} vs {sorted:?}");
    }
    assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // An invariant start (an eigenvector) ends after one step with its eigenvalue.
    let d = DMatrix::from_diagonal(&DVector::from_vec(values.to_vec()));
    let mut one = Lanczos::new(vec![0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    assert!(!one.step(&mut product(&d)));
    assert_eq!(one.top(), 7.0);
    assert!(Lanczos::new(vec![0.0; 3]).top().is_nan());
}

#[test]
fn hutchinson_is_exact_on_a_diagonal_and_within_its_error_on_a_dense_matrix() {
    let values = spectrum();
    let trace: f64 = values.iter().sum();
    let d = DMatrix::from_diagonal(&DVector::from_vec(values.clone()));
    let mut h = Hutchinson::default();
    h.probe(&mut product(&d), 60, 5);
    assert!(
        (h.trace() - trace).abs() < 1e-12,
        "{} vs {trace}",
        h.trace()
    );
    let m = with_spectrum(&values);
    let mut h = Hutchinson::default();
    for seed in 0..400 {
        h.probe(&mut product(&m), 60, seed);
    }
    let (got, se) = (h.trace(), h.standard_error());
    // Stated tolerance: three standard errors, and the error itself small (tr = 13.5).
    assert!(se > 0.0 && se < 1.0, "standard error {se}");
    assert!((got - trace).abs() < 3.0 * se, "{got} vs {trace} (±{se})");
}

#[test]
fn slq_density_integrates_to_one_and_sits_on_the_eigenvalues() {
    // Two clusters: 40 eigenvalues near −1 and 20 near 3.
    let values: Vec<f64> = (0..60)
        .map(|i| {
            if i < 40 {
                -1.0 + 0.001 * i as f64
            } else {
                3.0 + 0.001 * i as f64
            }
        })
        .collect();
    let m = with_spectrum(&values);
    let mut esd = SpectralDensity::default();
    for seed in 0..10 {
        let mut lanczos = SpectralDensity::start(60, seed);
        for _ in 0..12 {
            lanczos.step(&mut product(&m));
        }
        esd.add(&lanczos).unwrap();
    }
    let (grid, density) = esd.density(400).unwrap();
    let dx = grid[1] - grid[0];
    let mass = |a: f64, b: f64| -> f64 {
        grid.iter()
            .zip(&density)
            .filter(|(x, _)| (a..b).contains(*x))
            .map(|(_, d)| d * dx)
            .sum()
    };
    let total = mass(f64::NEG_INFINITY, f64::INFINITY);
    assert!((total - 1.0).abs() < 1e-3, "∫ρ = {total}");
    let (low, high) = (mass(-1.5, -0.5), mass(2.5, 3.5));
    assert!((low - 2.0 / 3.0).abs() < 0.1, "mass near −1: {low}");
    assert!((high - 1.0 / 3.0).abs() < 0.1, "mass near 3: {high}");
    assert!(mass(0.0, 2.0) < 0.01, "no eigenvalue between the clusters");
    // Each probe's Σ wᵢ·xᵢ is vᵀAv of its start: the quadrature's trace is Hutchinson's
    // with the same probes, exactly.
    let mut h = Hutchinson::default();
    for seed in 0..10 {
        h.probe(&mut product(&m), 60, seed);
    }
    let (slq, hutchinson) = (esd.trace(60), h.trace());
    assert!(
        (slq - hutchinson).abs() < 1e-9 * hutchinson.abs(),
        "{slq} vs {hutchinson}"
    );
}

#[test]
fn the_step_is_chosen_by_symmetry() {
    // A smooth function: every step is symmetric to rounding.
    let a = with_spectrum(&[2.0, -1.0, 0.5, 3.0]);
    let mut smooth = |t: &[f64]| (&a * DVector::from_column_slice(t)).as_slice().to_vec();
    assert!(asymmetry(&mut smooth, &[0.1, 0.2, -0.3, 0.4], 1e-3, 1) < 1e-10);
    // A kinked one, Σ relu(xᵢ + xⱼ)² cross terms: large steps cross the kinks near θ.
    let mut kinked = |t: &[f64]| -> Vec<f64> {
        let mut g = vec![0.0; t.len()];
        for i in 0..t.len() {
            for j in 0..t.len() {
                let s = t[i] + 2.0 * t[j];
                if s > 0.0 {
                    g[i] += 2.0 * s;
                    g[j] += 4.0 * s;
                }
            }
        }
        g
    };
    let theta = [0.003, -0.002, 0.0005, 0.001];
    let (eps, worst) = choose_hvp_step(&mut kinked, &theta, &HVP_STEPS, 3, 7);
    assert!(eps <= 1e-4, "chose {eps}");
    assert!(worst < 1e-6, "asymmetry {worst} at {eps}");
    assert!(asymmetry(&mut kinked, &theta, 1e-2, 7) > 1e-3);
}

#[test]
fn lanczos_top_vector_is_the_top_eigenvector() {
    let d = DMatrix::from_diagonal(&DVector::from_vec(spectrum()));
    let mut lanczos = Lanczos::seeded(60, 2);
    for _ in 0..30 {
        lanczos.step(&mut product(&d));
    }
    let u = lanczos.top_vector().unwrap();
    // The top eigenvalue 4 is the last of `spectrum()`.
    assert!(
        (norm(&u) - 1.0).abs() < 1e-9 && u[59].abs() > 1.0 - 1e-8,
        "{}",
        u[59]
    );
}

#[test]
fn a_kink_shows_along_its_normal_not_along_random_directions() {
    // L(θ) = ½ Σ dᵢθᵢ² + c·relu(a·θ) with a·θ = 10ε/√n: random unit directions (a·v ~
    // 1/√n) do not cross the kink at step ε, a direction along a does, and its gradient
    // jump c·a becomes a spurious c/2ε = 50 along a.
    let n = 2000;
    let d: Vec<f64> = (0..n).map(|i| 1.0 + 4.0 * i as f64 / n as f64).collect();
    let a = Gaussian::new(9).unit_vector(n);
    let eps = 1e-6;
    let theta: Vec<f64> = a
        .iter()
        .map(|x| x * 10.0 * eps / (n as f64).sqrt())
        .collect();
    let c = 1e-4;
    let mut grad = |t: &[f64]| -> Vec<f64> {
        let on = dot(&a, t) > 0.0;
        (0..n)
            .map(|i| d[i] * t[i] + if on { c * a[i] } else { 0.0 })
            .collect()
    };
    let random = asymmetry(&mut grad, &theta, eps, 3);
    assert!(random < 1e-8, "random directions: {random}");
    let w = Gaussian::new(5).unit_vector(n);
    let along = pair_asymmetry(&mut grad, &theta, eps, &a, &w);
    assert!(along > 0.5, "along the kink's normal: {along}");
    // The Rayleigh quotient along a is the kink's 50, not the smooth ≤ 5.
    let rayleigh = dot(&a, &hvp(&mut grad, &theta, &a, eps));
    assert!(rayleigh > 40.0, "{rayleigh}");
}

/// A 4-input, 5-hidden ReLU, 3-class classifier (43 parameters) on 16 fixed examples.
fn tiny_classifier() -> (LossOracle<Classifier>, Vec<f64>) {
    let device = Device::flex().autodiff();
    let config = ClassifierConfig {
        input: [1, 2, 2],
        convs: vec![],
        hidden: vec![5],
        classes: 3,
    };
    let model = to_f64(config.init(&device));
    let xs: Vec<f64> = (0..64)
        .map(|i| ((i * 29 % 17) as f64 - 8.0) / 5.0)
        .collect();
    let ys: Vec<i64> = (0..16).map(|i| (i * 7 % 3) as i64).collect();
    let x = Tensor::<4>::from_data(TensorData::new(xs, [16, 1, 2, 2]), (&device, DType::F64));
    let y = Tensor::<1, Int>::from_data(TensorData::new(ys, [16]), &device);
    let loss = CrossEntropyLossConfig::new().init(&device);
    let oracle = LossOracle::new(model, move |m: &Classifier| {
        loss.forward(m.forward(x.clone()), y.clone())
    });
    let theta: Vec<f64> = (0..oracle.len())
        .map(|i| ((i * 37 % 23) as f64 - 11.0) / 12.0)
        .collect();
    (oracle, theta)
}

/// The full Hessian from the loss alone, by second differences (not from gradients, so not
/// the routine under test): H_ij ≈ [L(+i+j) − L(+i−j) − L(−i+j) + L(−i−j)] / 4h².
fn hessian_from_values(f: &impl Fn(&[f64]) -> f64, theta: &[f64], h: f64) -> DMatrix<f64> {
    let n = theta.len();
    let at = |i: usize, si: f64, j: usize, sj: f64| {
        let mut t = theta.to_vec();
        t[i] += si * h;
        t[j] += sj * h;
        f(&t)
    };
    DMatrix::from_fn(n, n, |i, j| {
        (at(i, 1.0, j, 1.0) - at(i, 1.0, j, -1.0) - at(i, -1.0, j, 1.0) + at(i, -1.0, j, -1.0))
            / (4.0 * h * h)
    })
}

#[test]
fn lanczos_on_finite_difference_products_of_a_relu_classifier_matches_its_full_hessian() {
    let (oracle, theta) = tiny_classifier();
    let n = oracle.len();
    assert_eq!(n, 43);
    let full = hessian_from_values(&|t: &[f64]| oracle.value(t), &theta, 1e-4);
    let eigen = symmetric_eigen(&full).unwrap().0;
    let (lo, hi) = (eigen[0], eigen[n - 1]);
    assert!(
        lo < -1e-3 && hi > 1e-2,
        "an indefinite Hessian: {lo} … {hi}"
    );
    let mut grad = |t: &[f64]| oracle.gradient(t);
    // Stated tolerance: products symmetric to 1e-6 relative at the chosen step.
    let (eps, worst) = choose_hvp_step(&mut grad, &theta, &HVP_STEPS, 3, 11);
    assert!(worst < 1e-6, "asymmetry {worst} at step {eps}");
    let mut product = |v: &[f64]| hvp(&mut grad, &theta, v, eps);
    let top = top_eigenvalue(&mut product, n, 30, 5);
    assert!(
        (top - hi).abs() < 1e-5 * hi.abs().max(1.0),
        "Lanczos {top} vs full Hessian {hi}"
    );
    let mut h = Hutchinson::default();
    for seed in 0..200 {
        h.probe(&mut product, n, seed);
    }
    let trace = full.trace();
    assert!(
        (h.trace() - trace).abs() < 3.0 * h.standard_error(),
        "{} ± {} vs {trace}",
        h.trace(),
        h.standard_error()
    );
}
