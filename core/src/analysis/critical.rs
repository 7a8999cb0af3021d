//! Critical points of a loss: a search that drives ∇L to zero from a starting θ, and the
//! counting of the Hessian's eigenvalues with a flat band.
//!
//! Method: minimum-residual Newton (Newton-MR) on the non-flat subspace. Every step takes the
//! exact Hessian H at θ (central differences of f64 gradients, [`hessian`]), its
//! eigen-decomposition H = V·Λ·Vᵀ, and the step δ = −Σ vᵢ (vᵢᵀg)/λᵢ over the eigenvalues with
//! |λᵢ| > τ·max|λ| (the pseudo-inverse restricted to the non-flat directions), then a
//! backtracking line search on ‖∇L‖² (Armijo: the slope of ‖∇L(θ + αδ)‖² at α = 0 is
//! −2‖P∇L‖², P the projector on the non-flat directions). H² is never formed: the
//! eigenbasis gives the minimum-residual step directly. Newton steps head for the nearest
//! critical point of any index (minimum or saddle alike, which is the point of E5) and
//! converge quadratically once close, so a few exact Hessians do what hundreds of secant
//! steps did not.
//!
//! Measured (`examples/e5_probe.rs`, E5's default: 1-8-8-1 tanh on sinc5, 600 Adam epochs,
//! native release build) — the gradient after training, ~1e-3, lies mostly along small
//! curvature: only 5–7 of the 97 eigenvalues exceed 10⁻³·max|λ|, and 37–41 are below 10⁻⁶.
//! - Newton-MR, τ = 10⁻³: ‖P∇L‖ falls from 0.1–0.7 × the start to 10⁻⁹–10⁻¹² in 2–8 steps
//!   (quadratic convergence; 37 steps for the slowest run): 100 of 100 runs meet the criterion
//!   below, in 13 s of search for all 100 (~25 ms per step: 2n gradients of ~120 µs).
//! - Newton-MR, τ = 10⁻⁴ or 10⁻⁶: no progress (‖∇L‖ −3 % in 20–30 steps). Along eigenvalues
//!   of 10⁻⁶…10⁻³·max|λ| the gradient's components ask for Newton steps of length |cᵢ/λᵢ| ≫ 1,
//!   far outside the quadratic model, so the line search cuts α to nothing.
//! - Levenberg–Marquardt in the eigenbasis, δᵢ = −λᵢcᵢ/(λᵢ² + μ): 0 of 20 converged at
//!   τ = 10⁻³ in 30 steps (‖P∇L‖ 2e-2…1e-1 of the start), ‖∇L‖ −25 % in 30 steps, −65 % in
//!   150: the damping that keeps it safe also keeps it slow.
//! - Saddle-free Newton on L (δᵢ = −cᵢ/(|λᵢ| + μ), trust region): the loss falls from
//!   ~1e-3 to ~1e-8 in 125–200 steps to minima with every non-flat eigenvalue positive — the
//!   trained networks are far from any critical point in the weak directions, and reaching
//!   one there means training on (~5 s a run natively, over the 5-minute budget).
//!
//! So E5 uses Newton-MR with τ = 10⁻³: the point is critical on the directions whose curvature
//! the search resolves, and the band below 10⁻³·max|λ| is reported as flat (its count beside
//! the ratio). At τ = 10⁻⁶ (the page's `tau`) the same criterion is met by no run in budget.
//! The idle search (no step) fails the criterion: at the trained point ‖P∇L‖ is 0.1–0.7 × the
//! start, six orders of magnitude above the tolerance.
//!
//! The Hessian is exact to ~1e-9 per entry (central differences with ε = 1e-5 of f64
//! gradients: truncation ε²·|∇³L| plus rounding 1e-16/ε), far below the flat band's edge
//! (10⁻³·max|λ| ≈ 1e-2).

use nalgebra::{DMatrix, DVector};

use super::hessian::{hessian, symmetric_eigen};

/// When a point counts as critical, and where the flat band of the spectrum lies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Criterion {
    /// Eigenvalues with |λ| ≤ τ·max|λ| are flat.
    pub tau: f64,
    /// Converged when ‖P_τ∇L‖ ≤ tolerance × the start's ‖∇L‖.
    pub tolerance: f64,
}

impl Criterion {
    /// E5's criterion, chosen by measurement (module doc).
    pub const DEFAULT: Criterion = Criterion {
        tau: 1e-3,
        tolerance: 1e-6,
    };

    /// The flat band's half-width for a spectrum: τ·max|λ|.
    pub fn flat_band(&self, eigenvalues: &[f64]) -> f64 {
        self.tau * eigenvalues.iter().fold(0.0f64, |m, l| m.max(l.abs()))
    }

    /// The criterion in words, as the panel and the README state it.
    pub fn describe(&self) -> String {
        format!(
            "critical when the gradient's component on the non-flat eigen-directions (|λ| > {:.0e}·max|λ|) is at most {:.0e} × the gradient norm after training",
            self.tau, self.tolerance
        )
    }
}

impl Default for Criterion {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Eigenvalues counted with a flat band: positive (> band), negative (< −band), flat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    pub positive: usize,
    pub negative: usize,
    pub flat: usize,
}

impl Counts {
    pub fn of(eigenvalues: &[f64], tau: f64) -> Self {
        let band = Criterion {
            tau,
            tolerance: 0.0,
        }
        .flat_band(eigenvalues);
        let positive = eigenvalues.iter().filter(|&&l| l > band).count();
        let negative = eigenvalues.iter().filter(|&&l| l < -band).count();
        Self {
            positive,
            negative,
            flat: eigenvalues.len() - positive - negative,
        }
    }

    /// positives / (positives + negatives): 1 at a minimum, 0 at a maximum; 0 when all flat.
    pub fn ratio(&self) -> f64 {
        let curved = self.positive + self.negative;
        if curved == 0 {
            0.0
        } else {
            self.positive as f64 / curved as f64
        }
    }
}

/// ‖P_τ g‖: the norm of g's component on the eigenvectors (columns of `vectors`) whose
/// eigenvalues lie outside the flat band.
pub fn projected_norm(g: &[f64], eigenvalues: &[f64], vectors: &DMatrix<f64>, tau: f64) -> f64 {
    let band = Criterion {
        tau,
        tolerance: 0.0,
    }
    .flat_band(eigenvalues);
    let c = vectors.tr_mul(&DVector::from_column_slice(g));
    c.iter()
        .zip(eigenvalues)
        .filter(|(_, l)| l.abs() > band)
        .map(|(c, _)| c * c)
        .sum::<f64>()
        .sqrt()
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// How a step is taken: E5 uses [`Method::NewtonMr`]; Levenberg–Marquardt is kept to repeat
/// the measurement that chose it (`examples/e5_probe.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Pseudo-inverse over the non-flat eigenvalues, backtracking line search on ‖∇L‖².
    NewtonMr,
    /// δᵢ = −λᵢcᵢ/(λᵢ² + μ), μ relative to max λ², adapted by the gain ratio.
    LevenbergMarquardt,
    /// Saddle-free Newton on L with a trust region: δᵢ = −cᵢ/(|λᵢ| + μ), μ relative to
    /// max|λ|, adapted by the gain ratio of L's quadratic model (descends L: finds minima).
    SaddleFree,
}

/// Armijo's constant and the line search's shortest step.
const ARMIJO: f64 = 1e-4;
const BACKTRACKS: usize = 12;

/// The search, one Newton step at a time (so that a host gets the thread back in between),
/// over a gradient closure: [`LossOracle::gradient`](super::LossOracle) in E5, closed forms in
/// the tests.
pub struct CriticalSearch<G: FnMut(&[f64]) -> (f64, Vec<f64>)> {
    /// L(θ) and ∇L(θ).
    oracle: G,
    criterion: Criterion,
    hessian_eps: f64,
    method: Method,
    /// LM's damping relative to max λ².
    damping: f64,
    theta: Vec<f64>,
    loss: f64,
    g: Vec<f64>,
    eigenvalues: Vec<f64>,
    vectors: DMatrix<f64>,
    start_grad_norm: f64,
    /// Newton steps taken and gradients evaluated (the cost).
    pub steps: usize,
    pub gradients: usize,
}

/// Where a search ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Reached {
    pub theta: Vec<f64>,
    pub grad_norm: f64,
    pub projected_grad_norm: f64,
    pub start_grad_norm: f64,
    /// H's eigenvalues at θ, ascending.
    pub eigenvalues: Vec<f64>,
    pub counts: Counts,
    pub converged: bool,
}

impl<G: FnMut(&[f64]) -> (f64, Vec<f64>)> CriticalSearch<G> {
    /// Start at θ: its gradient, Hessian and spectrum. `hessian_eps` is the central
    /// differences' step (module [`hessian`]).
    pub fn new(
        mut oracle: G,
        theta: Vec<f64>,
        criterion: Criterion,
        hessian_eps: f64,
    ) -> Result<Self, String> {
        let (loss, g) = oracle(&theta);
        let start_grad_norm = norm(&g);
        let mut search = Self {
            oracle,
            criterion,
            loss,
            hessian_eps,
            method: Method::NewtonMr,
            damping: 1e-6,
            theta,
            g,
            eigenvalues: Vec::new(),
            vectors: DMatrix::zeros(0, 0),
            start_grad_norm,
            steps: 0,
            gradients: 1,
        };
        search.refresh()?;
        Ok(search)
    }

    /// The same search with another step rule.
    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// H and its spectrum at the current θ.
    fn refresh(&mut self) -> Result<(), String> {
        let oracle = &mut self.oracle;
        let h = hessian(&mut |t: &[f64]| oracle(t).1, &self.theta, self.hessian_eps);
        self.gradients += 2 * self.theta.len();
        (self.eigenvalues, self.vectors) = symmetric_eigen(&h)?;
        Ok(())
    }

    pub fn projected_grad_norm(&self) -> f64 {
        projected_norm(
            &self.g,
            &self.eigenvalues,
            &self.vectors,
            self.criterion.tau,
        )
    }

    /// The current gradient and H's spectrum at θ (eigenvalues ascending, vectors as columns).
    pub fn state(&self) -> (&[f64], &[f64], &DMatrix<f64>) {
        (&self.g, &self.eigenvalues, &self.vectors)
    }

    /// The current θ.
    pub fn theta(&self) -> &[f64] {
        &self.theta
    }

    pub fn start_grad_norm(&self) -> f64 {
        self.start_grad_norm
    }

    pub fn grad_norm(&self) -> f64 {
        norm(&self.g)
    }

    pub fn converged(&self) -> bool {
        self.projected_grad_norm() <= self.criterion.tolerance * self.start_grad_norm
    }

    /// One Newton-MR step; `Ok(false)` once converged or when no step along the Newton
    /// direction lowers ‖∇L‖² (the search cannot go further).
    pub fn step(&mut self) -> Result<bool, String> {
        if self.converged() {
            return Ok(false);
        }
        match self.method {
            Method::LevenbergMarquardt => return self.lm_step(),
            Method::SaddleFree => return self.saddle_free_step(),
            Method::NewtonMr => {}
        }
        let band = self.criterion.flat_band(&self.eigenvalues);
        let c = self.vectors.tr_mul(&DVector::from_column_slice(&self.g));
        let scaled = DVector::from_iterator(
            c.len(),
            c.iter()
                .zip(&self.eigenvalues)
                .map(|(c, &l)| if l.abs() > band { c / l } else { 0.0 }),
        );
        let delta = -(&self.vectors * scaled);
        let g2 = self.g.iter().map(|x| x * x).sum::<f64>();
        let slope = self.projected_grad_norm().powi(2);
        let mut alpha = 1.0;
        for _ in 0..BACKTRACKS {
            let candidate: Vec<f64> = self
                .theta
                .iter()
                .zip(delta.iter())
                .map(|(t, d)| t + alpha * d)
                .collect();
            let (loss_new, g_new) = (self.oracle)(&candidate);
            self.gradients += 1;
            let g2_new = g_new.iter().map(|x| x * x).sum::<f64>();
            if g2_new.is_finite() && g2_new <= g2 - 2.0 * ARMIJO * alpha * slope {
                (self.theta, self.loss, self.g) = (candidate, loss_new, g_new);
                self.steps += 1;
                self.refresh()?;
                return Ok(true);
            }
            alpha *= 0.25;
        }
        Ok(false)
    }

    /// One LM step in the eigenbasis: raise μ until the gain ratio (actual over predicted fall
    /// of ‖∇L‖²) is above ¼, at most [`BACKTRACKS`] tries.
    fn lm_step(&mut self) -> Result<bool, String> {
        let c = self.vectors.tr_mul(&DVector::from_column_slice(&self.g));
        let top = self.eigenvalues.iter().fold(0.0f64, |m, l| m.max(l * l));
        let g2 = self.g.iter().map(|x| x * x).sum::<f64>();
        for _ in 0..BACKTRACKS {
            let mu = self.damping * top;
            let scaled = DVector::from_iterator(
                c.len(),
                c.iter()
                    .zip(&self.eigenvalues)
                    .map(|(c, &l)| l * c / (l * l + mu)),
            );
            let predicted = c
                .iter()
                .zip(&self.eigenvalues)
                .map(|(c, &l)| c * c * (1.0 - (mu / (l * l + mu)).powi(2)))
                .sum::<f64>();
            let delta = -(&self.vectors * scaled);
            let candidate: Vec<f64> = self
                .theta
                .iter()
                .zip(delta.iter())
                .map(|(t, d)| t + d)
                .collect();
            let (loss_new, g_new) = (self.oracle)(&candidate);
            self.gradients += 1;
            let g2_new = g_new.iter().map(|x| x * x).sum::<f64>();
            let gain = (g2 - g2_new) / predicted;
            if g2_new.is_finite() && gain > 0.25 {
                (self.theta, self.loss, self.g) = (candidate, loss_new, g_new);
                self.damping = (self.damping / 3.0).max(1e-16);
                self.steps += 1;
                self.refresh()?;
                return Ok(true);
            }
            self.damping *= 4.0;
        }
        Ok(false)
    }

    fn saddle_free_step(&mut self) -> Result<bool, String> {
        let c = self.vectors.tr_mul(&DVector::from_column_slice(&self.g));
        let top = self.eigenvalues.iter().fold(0.0f64, |m, l| m.max(l.abs()));
        for _ in 0..BACKTRACKS {
            let mu = self.damping * top;
            let d: Vec<f64> = c
                .iter()
                .zip(&self.eigenvalues)
                .map(|(c, &l)| -c / (l.abs() + mu))
                .collect();
            let predicted = -c
                .iter()
                .zip(&self.eigenvalues)
                .zip(&d)
                .map(|((c, &l), d)| c * d + 0.5 * l * d * d)
                .sum::<f64>();
            let delta = &self.vectors * DVector::from_vec(d);
            let candidate: Vec<f64> = self
                .theta
                .iter()
                .zip(delta.iter())
                .map(|(t, d)| t + d)
                .collect();
            let (loss_new, g_new) = (self.oracle)(&candidate);
            self.gradients += 1;
            let gain = (self.loss - loss_new) / predicted;
            if loss_new.is_finite() && gain > 0.25 {
                (self.theta, self.loss, self.g) = (candidate, loss_new, g_new);
                if gain > 0.75 {
                    self.damping = (self.damping / 3.0).max(1e-16);
                }
                self.steps += 1;
                self.refresh()?;
                return Ok(true);
            }
            self.damping *= 4.0;
        }
        Ok(false)
    }

    /// The point reached, with its spectrum counted against the criterion.
    pub fn finish(self) -> Reached {
        Reached {
            grad_norm: self.grad_norm(),
            projected_grad_norm: self.projected_grad_norm(),
            converged: self.converged(),
            counts: Counts::of(&self.eigenvalues, self.criterion.tau),
            start_grad_norm: self.start_grad_norm,
            eigenvalues: self.eigenvalues,
            theta: self.theta,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f(x, y) = x⁴/4 − x²/2 + y²/2: a saddle at the origin (H = diag(−1, 1)), minima at
    /// (±1, 0) (H = diag(2, 1)).
    fn quartic(t: &[f64]) -> (f64, Vec<f64>) {
        let (x, y) = (t[0], t[1]);
        (
            x.powi(4) / 4.0 - x * x / 2.0 + y * y / 2.0,
            vec![x.powi(3) - x, y],
        )
    }

    const STRICT: Criterion = Criterion {
        tau: 1e-6,
        tolerance: 1e-10,
    };

    fn search_from(start: [f64; 2], method: Method) -> Reached {
        let mut s = CriticalSearch::new(quartic, start.to_vec(), STRICT, 1e-4)
            .unwrap()
            .with_method(method);
        for _ in 0..50 {
            if !s.step().unwrap() {
                break;
            }
        }
        s.finish()
    }

    #[test]
    fn newton_mr_lands_on_the_saddle_and_the_minima() {
        for (start, target, ratio) in [
            ([0.2, 0.3], [0.0, 0.0], 0.5),
            ([-0.25, -0.4], [0.0, 0.0], 0.5),
            ([0.8, -0.2], [1.0, 0.0], 1.0),
            ([-1.3, 0.5], [-1.0, 0.0], 1.0),
        ] {
            let r = search_from(start, Method::NewtonMr);
            assert!(r.converged, "{start:?}: {r:?}");
            for (t, want) in r.theta.iter().zip(target) {
                assert!((t - want).abs() < 1e-8, "{start:?} -> {:?}", r.theta);
            }
            assert_eq!(r.counts.ratio(), ratio, "{start:?}: {:?}", r.eigenvalues);
            assert_eq!(r.counts.flat, 0);
            assert!(r.grad_norm < 1e-10 * r.start_grad_norm);
        }
    }

    #[test]
    fn a_search_that_does_not_move_is_not_converged() {
        let idle = CriticalSearch::new(quartic, vec![0.2, 0.3], Criterion::DEFAULT, 1e-4)
            .unwrap()
            .finish();
        assert!(!idle.converged);
        assert_eq!(idle.projected_grad_norm, idle.start_grad_norm);
        // At the critical point itself nothing is left to do.
        let mut at = CriticalSearch::new(quartic, vec![1.0, 0.0], STRICT, 1e-4).unwrap();
        assert!(at.converged());
        assert!(!at.step().unwrap());
    }

    #[test]
    fn lm_and_saddle_free_newton_find_their_points_too() {
        // LM on ‖∇L‖² goes to the nearest critical point of any index; saddle-free Newton
        // descends L and so leaves the saddle for a minimum.
        let lm = search_from([0.2, 0.3], Method::LevenbergMarquardt);
        assert!(lm.converged && lm.theta[0].abs() < 1e-6, "{lm:?}");
        let sfn = search_from([0.2, 0.3], Method::SaddleFree);
        assert!(
            sfn.converged && (sfn.theta[0].abs() - 1.0).abs() < 1e-6,
            "{sfn:?}"
        );
    }

    #[test]
    fn counts_leave_the_flat_band_out() {
        let c = Counts::of(&[-2.0, -1e-9, 0.0, 3e-9, 1.0, 4.0], 1e-6);
        assert_eq!((c.positive, c.negative, c.flat), (2, 1, 3));
        assert!((c.ratio() - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(Counts::of(&[0.0, 0.0], 1e-6).ratio(), 0.0);
        // The projected norm keeps only the non-flat directions' components.
        let v = DMatrix::identity(3, 3);
        let p = projected_norm(&[3.0, 100.0, 4.0], &[-1.0, 1e-12, 2.0], &v, 1e-6);
        assert!((p - 5.0).abs() < 1e-12);
    }
}
