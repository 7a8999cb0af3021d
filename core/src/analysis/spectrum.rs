//! A Hessian's spectrum from Hessian-vector products alone, as PyHessian (Yao et al. 2020)
//! measures it: the top eigenvalue by Lanczos, the trace by Hutchinson's estimator and the
//! eigenvalue spectral density by stochastic Lanczos quadrature (SLQ). All in f64 on closures
//! `v ↦ A·v`, so each is tested on matrices with a known spectrum.
//!
//! Why Lanczos and not power iteration: power iteration converges to the eigenvalue of largest
//! *magnitude* at rate |λ₂/λ₁| per product (slow when the top of the spectrum is crowded, and
//! wrong in sign when a negative eigenvalue is larger in magnitude); k Lanczos steps give the
//! Ritz values of a k-dimensional Krylov space, whose largest converges to the largest signed
//! eigenvalue far faster. Finite-difference products are not exactly symmetric, so each new
//! Lanczos vector is orthogonalised against every earlier one (twice: "twice is enough"),
//! which keeps the basis orthonormal to working precision and the Ritz values free of ghosts.
//!
//! Finite-difference Hessian-vector products of a ReLU network cross kinks of the loss (a
//! sample whose pre-activation changes sign between θ − εv and θ + εv), and then they are no
//! product with one symmetric matrix: [`asymmetry`] measures |vᵀHw − wᵀHv| on random v, w and
//! [`rank_hvp_steps`] orders the difference steps by it. A kink that one sample's
//! pre-activation sits on (|z| below ε times its change) adds a term of size 1/ε along that
//! pre-activation's gradient a: random directions barely see it (a·v ~ ‖a‖/√n), but Lanczos
//! finds it as a spurious top eigenvalue. So the top Ritz vector u is checked too
//! ([`pair_asymmetry`] of u and a random w: about 1 for such a term, since |a·u| ≫ |a·w|), and
//! a step that fails is replaced by the next one (see E10's measurement).

use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::hessian::{hvp, symmetric_eigen};
use super::random::{dot, norm, Gaussian};

/// Lanczos tridiagonalisation with full re-orthogonalisation, one product per step (so that a
/// caller can yield between steps).
pub struct Lanczos {
    /// Orthonormal Krylov basis v₁ … v_k (and v_{k+1}, the next one, once computed).
    basis: Vec<Vec<f64>>,
    /// Diagonal of the tridiagonal T.
    alphas: Vec<f64>,
    /// Off-diagonal of T.
    betas: Vec<f64>,
    /// The Krylov space is exhausted (an invariant subspace) or a product was not finite.
    done: bool,
}

impl Lanczos {
    /// Starts from `start` (normalised; a zero start gives no steps).
    pub fn new(start: Vec<f64>) -> Self {
        let size = norm(&start);
        let ok = size > 0.0 && size.is_finite();
        Self {
            basis: if ok {
                vec![start.into_iter().map(|x| x / size).collect()]
            } else {
                Vec::new()
            },
            alphas: Vec::new(),
            betas: Vec::new(),
            done: !ok,
        }
    }

    /// From a seeded random unit vector in ℝⁿ.
    pub fn seeded(n: usize, seed: u64) -> Self {
        Self::new(Gaussian::new(seed).unit_vector(n))
    }

    /// Steps taken (the size of T).
    pub fn steps(&self) -> usize {
        self.alphas.len()
    }

    /// One product with the operator; `false` once no step can follow (the space is exhausted,
    /// or the product was not finite: that step is dropped).
    pub fn step(&mut self, product: &mut impl FnMut(&[f64]) -> Vec<f64>) -> bool {
        if self.done {
            return false;
        }
        let j = self.alphas.len();
        let mut w = product(&self.basis[j]);
        if w.len() != self.basis[j].len() || w.iter().any(|x| !x.is_finite()) {
            self.done = true;
            return false;
        }
        let alpha = dot(&self.basis[j], &w);
        // Full re-orthogonalisation against v₁ … v_j subsumes the three-term recurrence
        // (w − α v_j − β v_{j−1}); a second pass removes what rounding left of the first.
        for _ in 0..2 {
            for v in &self.basis {
                let c = dot(v, &w);
                w.iter_mut().zip(v).for_each(|(w, v)| *w -= c * v);
            }
        }
        self.alphas.push(alpha);
        let beta = norm(&w);
        // The scale of T so far: β below rounding of it means an invariant subspace.
        let scale = self
            .alphas
            .iter()
            .chain(&self.betas)
            .fold(0.0f64, |m, x| m.max(x.abs()));
        if beta <= 1e-12 * scale.max(f64::MIN_POSITIVE) || j + 1 >= w.len() {
            self.done = true;
            return false;
        }
        self.betas.push(beta);
        self.basis.push(w.into_iter().map(|x| x / beta).collect());
        true
    }

    /// The Ritz values (ascending) and their quadrature weights: the squared first components
    /// of T's eigenvectors, which sum to 1 (the start vector's spectral measure, SLQ's nodes and
    /// weights).
    pub fn ritz(&self) -> Result<(Vec<f64>, Vec<f64>), String> {
        let k = self.alphas.len();
        let t = DMatrix::from_fn(k, k, |r, c| match r.abs_diff(c) {
            0 => self.alphas[r],
            1 => self.betas[r.min(c)],
            _ => 0.0,
        });
        let (values, vectors) = symmetric_eigen(&t)?;
        let weights = (0..k).map(|i| vectors[(0, i)].powi(2)).collect();
        Ok((values, weights))
    }

    /// The unit Ritz vector of the largest Ritz value (the top eigenvector's estimate).
    pub fn top_vector(&self) -> Option<Vec<f64>> {
        let k = self.alphas.len();
        let t = DMatrix::from_fn(k, k, |r, c| match r.abs_diff(c) {
            0 => self.alphas[r],
            1 => self.betas[r.min(c)],
            _ => 0.0,
        });
        let (_, vectors) = symmetric_eigen(&t).ok()?;
        let top = vectors.column(k.checked_sub(1)?);
        let mut u = vec![0.0; self.basis.first()?.len()];
        for (y, v) in top.iter().zip(&self.basis) {
            u.iter_mut().zip(v).for_each(|(u, v)| *u += y * v);
        }
        Some(u)
    }

    /// The largest (signed) Ritz value: the top eigenvalue's estimate; NaN before any step.
    pub fn top(&self) -> f64 {
        self.ritz()
            .ok()
            .and_then(|(values, _)| values.last().copied())
            .unwrap_or(f64::NAN)
    }
}

/// The largest signed eigenvalue after at most `steps` Lanczos steps from a seeded start.
pub fn top_eigenvalue(
    product: &mut impl FnMut(&[f64]) -> Vec<f64>,
    n: usize,
    steps: usize,
    seed: u64,
) -> f64 {
    let mut lanczos = Lanczos::seeded(n, seed);
    for _ in 0..steps {
        if !lanczos.step(product) {
            break;
        }
    }
    lanczos.top()
}

/// A seeded random unit vector in ℝⁿ (uniform on the sphere).
pub fn random_unit(n: usize, seed: u64) -> Vec<f64> {
    Gaussian::new(seed).unit_vector(n)
}

/// `n` seeded Rademacher signs (±1).
pub fn rademacher(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
        .collect()
}

/// Hutchinson's trace estimate, one Rademacher probe z at a time: tr(A) ≈ mean of zᵀAz.
/// Unbiased; exact for a diagonal A (zᵢ² = 1); its standard error comes from the probes'
/// spread.
#[derive(Default)]
pub struct Hutchinson {
    samples: Vec<f64>,
}

impl Hutchinson {
    /// One probe (seeded by `seed`); `false` if its product was not finite (it is dropped).
    /// The product is taken on the unit vector z/√n (and the sample scaled by n): finite
    /// differences then step as far as Lanczos' do, and cross no more kinks.
    pub fn probe(
        &mut self,
        product: &mut impl FnMut(&[f64]) -> Vec<f64>,
        n: usize,
        seed: u64,
    ) -> bool {
        let scale = (n as f64).sqrt();
        let z: Vec<f64> = rademacher(n, seed).into_iter().map(|x| x / scale).collect();
        let sample = n as f64 * dot(&z, &product(&z));
        let ok = sample.is_finite();
        if ok {
            self.samples.push(sample);
        }
        ok
    }

    /// The estimate (NaN before any probe).
    pub fn trace(&self) -> f64 {
        self.samples.iter().sum::<f64>() / self.samples.len() as f64
    }

    /// The standard error of the estimate (NaN under two probes).
    pub fn standard_error(&self) -> f64 {
        let m = self.samples.len() as f64;
        let mean = self.trace();
        let var = self.samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (m - 1.0);
        (var / m).sqrt()
    }
}

/// The eigenvalue spectral density by stochastic Lanczos quadrature: each probe (a Rademacher
/// vector, normalised) gives Lanczos' Ritz values as nodes and the squared first components of
/// T's eigenvectors as weights; the density is their average, each node broadened into a
/// Gaussian of width σ (PyHessian's `density_generate`).
#[derive(Default)]
pub struct SpectralDensity {
    /// Every probe's (nodes, weights).
    probes: Vec<(Vec<f64>, Vec<f64>)>,
}

/// The broadening σ as a fraction of the nodes' span (PyHessian uses σ² = 1e-5 of the span;
/// on a coarse grid of a few hundred points that would draw spikes between grid points).
pub const DENSITY_WIDTH: f64 = 0.01;

impl SpectralDensity {
    /// Add a probe that ran its Lanczos steps.
    pub fn add(&mut self, lanczos: &Lanczos) -> Result<(), String> {
        if lanczos.steps() == 0 {
            return Err("a probe without Lanczos steps".into());
        }
        self.probes.push(lanczos.ritz()?);
        Ok(())
    }

    pub fn probes(&self) -> usize {
        self.probes.len()
    }

    /// The start vector of probe `seed`: a normalised Rademacher vector in ℝⁿ.
    pub fn start(n: usize, seed: u64) -> Lanczos {
        Lanczos::new(rademacher(n, seed))
    }

    /// The nodes' extent, (min, max).
    pub fn extent(&self) -> Option<(f64, f64)> {
        let nodes = self.probes.iter().flat_map(|(n, _)| n.iter().copied());
        nodes.fold(None, |e, x| {
            Some(e.map_or((x, x), |(a, b): (f64, f64)| (a.min(x), b.max(x))))
        })
    }

    /// The density on `points` grid points spanning the nodes with 5σ on each side, σ =
    /// [`DENSITY_WIDTH`] × span: (grid, density). It integrates to 1 over the grid (each
    /// probe's weights sum to 1 and each Gaussian keeps its mass within the margin).
    pub fn density(&self, points: usize) -> Option<(Vec<f64>, Vec<f64>)> {
        let (lo, hi) = self.extent()?;
        let sigma = DENSITY_WIDTH * (hi - lo).max(1e-12 * hi.abs().max(lo.abs()).max(1.0));
        let (a, b) = (lo - 5.0 * sigma, hi + 5.0 * sigma);
        let points = points.max(2);
        let grid: Vec<f64> = (0..points)
            .map(|i| a + (b - a) * i as f64 / (points - 1) as f64)
            .collect();
        let scale = 1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt() * self.probes.len() as f64);
        let density = grid
            .iter()
            .map(|&t| {
                let sum: f64 = self
                    .probes
                    .iter()
                    .flat_map(|(nodes, weights)| nodes.iter().zip(weights))
                    .map(|(x, w)| w * (-0.5 * ((t - x) / sigma).powi(2)).exp())
                    .sum();
                sum * scale
            })
            .collect();
        Some((grid, density))
    }

    /// The trace the quadrature implies: n × the mean of Σ wᵢ·xᵢ (a check on Hutchinson's).
    pub fn trace(&self, n: usize) -> f64 {
        let means = self
            .probes
            .iter()
            .map(|(nodes, weights)| dot(nodes, weights));
        n as f64 * means.sum::<f64>() / self.probes.len() as f64
    }
}

/// The relative asymmetry |vᵀHw − wᵀHv| / max(|vᵀHw|, |wᵀHv|) of central-difference products
/// with step `eps`, on seeded random unit v and w (four gradients). 0 for an exact symmetric
/// product; large where the differences cross kinks or drown in rounding.
pub fn asymmetry(
    grad: &mut impl FnMut(&[f64]) -> Vec<f64>,
    theta: &[f64],
    eps: f64,
    seed: u64,
) -> f64 {
    let mut draws = Gaussian::new(seed);
    let v = draws.unit_vector(theta.len());
    let w = draws.unit_vector(theta.len());
    pair_asymmetry(grad, theta, eps, &v, &w)
}

/// [`asymmetry`] on given directions v and w.
pub fn pair_asymmetry(
    grad: &mut impl FnMut(&[f64]) -> Vec<f64>,
    theta: &[f64],
    eps: f64,
    v: &[f64],
    w: &[f64],
) -> f64 {
    let vhw = dot(v, &hvp(grad, theta, w, eps));
    let whv = dot(w, &hvp(grad, theta, v, eps));
    let size = vhw.abs().max(whv.abs());
    if size == 0.0 {
        0.0
    } else {
        (vhw - whv).abs() / size
    }
}

/// Difference steps [`choose_hvp_step`] tries: for unit directions and f64 gradients, large
/// enough that rounding (~1e-16/ε) stays small, small enough to cross few kinks.
pub const HVP_STEPS: [f64; 5] = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6];

/// Relative asymmetry the products may show and still count as symmetric (in E10's
/// measurement; smooth losses give ~1e-10, a kink-dominated direction ~1).
pub const HVP_TOLERANCE: f64 = 1e-3;

/// `candidates` with their asymmetry (the worst over `pairs` seeded pairs of random
/// directions), most symmetric first; ties keep the candidates' order.
pub fn rank_hvp_steps(
    grad: &mut impl FnMut(&[f64]) -> Vec<f64>,
    theta: &[f64],
    candidates: &[f64],
    pairs: usize,
    seed: u64,
) -> Vec<(f64, f64)> {
    let mut ranked: Vec<(f64, f64)> = candidates
        .iter()
        .map(|&eps| {
            let worst = (0..pairs as u64)
                .map(|p| asymmetry(grad, theta, eps, seed.wrapping_add(p)))
                .fold(0.0f64, f64::max);
            (eps, if worst.is_nan() { f64::INFINITY } else { worst })
        })
        .collect();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
    ranked
}

/// The step of `candidates` whose products are the most symmetric on random directions, and
/// that asymmetry. Ties go to the earlier (larger) step.
pub fn choose_hvp_step(
    grad: &mut impl FnMut(&[f64]) -> Vec<f64>,
    theta: &[f64],
    candidates: &[f64],
    pairs: usize,
    seed: u64,
) -> (f64, f64) {
    rank_hvp_steps(grad, theta, candidates, pairs, seed)
        .first()
        .copied()
        .unwrap_or((f64::NAN, f64::INFINITY))
}

#[cfg(test)]
mod tests {
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
}
