//! Keskar et al.'s sharpness: the largest relative rise of the loss in a box around θ,
//! `max_{|θ'ᵢ − θᵢ| ≤ ε(|θᵢ| + 1)} (L(θ') − L(θ)) / (1 + L(θ))`, estimated by projected ascent.
//!
//! Keskar et al. maximise with L-BFGS-B; here each step moves every coordinate by a fixed
//! fraction of its box width in the direction of the gradient's sign and clips back into the
//! box (projected sign ascent, as FGSM does for inputs): the box is tiny, the maximum sits at or
//! near a corner, and a step costs one gradient. The start is a seeded random point in the box,
//! because at a minimum the gradient is zero and gives no direction.

use super::random::Gaussian;

/// Projected ascent in the box, one gradient per step (so that a caller can yield between).
pub struct SharpnessAscent {
    center: Vec<f64>,
    /// Half-width of the box per coordinate: ε(|θᵢ| + 1).
    radius: Vec<f64>,
    point: Vec<f64>,
    base_loss: f64,
    best: f64,
}

impl SharpnessAscent {
    /// The box of `eps` around `theta`, whose loss is `base_loss`; the ascent starts at a seeded
    /// random point inside it.
    pub fn new(theta: &[f64], eps: f64, base_loss: f64, seed: u64) -> Self {
        let radius: Vec<f64> = theta.iter().map(|t| eps * (t.abs() + 1.0)).collect();
        let mut draws = Gaussian::new(seed);
        let point = theta
            .iter()
            .zip(&radius)
            .map(|(t, r)| t + r * (draws.next() * 0.5).clamp(-1.0, 1.0))
            .collect();
        Self {
            center: theta.to_vec(),
            radius,
            point,
            base_loss,
            best: base_loss,
        }
    }

    /// One step: the loss and gradient at the current point (from `value_and_gradient`) update
    /// the best loss seen, then the point moves a quarter of the box's width along the sign of
    /// the gradient and is clipped back into the box.
    pub fn step(&mut self, value_and_gradient: &mut impl FnMut(&[f64]) -> (f64, Vec<f64>)) {
        let (loss, gradient) = value_and_gradient(&self.point);
        if loss.is_finite() {
            self.best = self.best.max(loss);
        }
        for (((p, g), c), r) in self
            .point
            .iter_mut()
            .zip(&gradient)
            .zip(&self.center)
            .zip(&self.radius)
        {
            *p = (*p + 0.5 * r * g.signum()).clamp(c - r, c + r);
        }
    }

    /// Loss at the last point as well, then the sharpness so far.
    pub fn finish(mut self, value: &mut impl FnMut(&[f64]) -> f64) -> f64 {
        let last = value(&self.point);
        if last.is_finite() {
            self.best = self.best.max(last);
        }
        self.sharpness()
    }

    /// `(max L(θ') − L(θ)) / (1 + L(θ))` over the points visited.
    pub fn sharpness(&self) -> f64 {
        (self.best - self.base_loss) / (1.0 + self.base_loss)
    }
}

/// Keskar sharpness of the loss behind `value_and_gradient` at `theta` with `steps` ascent steps.
pub fn keskar_sharpness(
    value_and_gradient: &mut impl FnMut(&[f64]) -> (f64, Vec<f64>),
    theta: &[f64],
    eps: f64,
    steps: usize,
    seed: u64,
) -> f64 {
    let base = value_and_gradient(theta).0;
    let mut ascent = SharpnessAscent::new(theta, eps, base, seed);
    for _ in 0..steps {
        ascent.step(value_and_gradient);
    }
    ascent.finish(&mut |t| value_and_gradient(t).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// L(θ) = ½ Σ aᵢ θᵢ² + c: convex, so the box maximum is at the corner farthest from 0.
    fn quadratic(a: &[f64], c: f64) -> impl FnMut(&[f64]) -> (f64, Vec<f64>) + '_ {
        move |t: &[f64]| {
            let value = 0.5 * a.iter().zip(t).map(|(a, t)| a * t * t).sum::<f64>() + c;
            (value, a.iter().zip(t).map(|(a, t)| a * t).collect())
        }
    }

    #[test]
    fn sharpness_of_a_quadratic_is_the_analytic_box_maximum() {
        let a = [2.0, 0.5, 3.0, 1.0];
        let c = 0.25;
        let eps = 1e-3;
        for theta in [[0.0; 4], [0.5, -1.0, 2.0, -0.25]] {
            let mut f = quadratic(&a, c);
            let base = f(&theta).0;
            // Each coordinate goes to the box edge farther from 0: |θᵢ| + ε(|θᵢ| + 1).
            let top = 0.5
                * a.iter()
                    .zip(&theta)
                    .map(|(a, t)| a * (t.abs() + eps * (t.abs() + 1.0)).powi(2))
                    .sum::<f64>()
                + c;
            let expected = (top - base) / (1.0 + base);
            let got = keskar_sharpness(&mut f, &theta, eps, 10, 7);
            assert!(
                (got - expected).abs() <= 1e-9 * expected.abs().max(1e-12),
                "θ = {theta:?}: {got} vs {expected}"
            );
        }
    }

    #[test]
    fn a_linear_loss_peaks_at_the_corner_along_its_gradient_and_sharpness_is_never_negative() {
        let mut f = |t: &[f64]| (t[0] - 2.0 * t[1] + 5.0, vec![1.0, -2.0]);
        let got = keskar_sharpness(&mut f, &[1.0, 1.0], 0.01, 5, 1);
        // Base 4; the corner (1.02, 0.98) gives 4.06.
        assert!((got - 0.06 / 5.0).abs() < 1e-12, "{got}");
        let mut concave = |t: &[f64]| (-(t[0] * t[0]), vec![-2.0 * t[0]]);
        assert!(keskar_sharpness(&mut concave, &[0.0], 0.1, 5, 3) >= 0.0);
    }
}
