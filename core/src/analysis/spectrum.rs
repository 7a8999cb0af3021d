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
mod tests;
