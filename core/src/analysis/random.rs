//! Seeded Gaussian draws for the analyses (random directions, power-iteration starts, sphere
//! samples). `rand` alone has no normal distribution (that is `rand_distr`); Box–Muller is
//! a few lines and keeps every draw reproducible from its seed on every platform.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// A seeded source of standard normal numbers.
pub(crate) struct Gaussian {
    rng: StdRng,
    spare: Option<f64>,
}

impl Gaussian {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            spare: None,
        }
    }

    /// One N(0, 1) draw (Box–Muller; the second value of each pair is kept for the next call).
    pub(crate) fn next(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        // 1 − U lies in (0, 1], so the log is finite.
        let u = 1.0 - self.rng.random::<f64>();
        let angle = std::f64::consts::TAU * self.rng.random::<f64>();
        let r = (-2.0 * u.ln()).sqrt();
        self.spare = Some(r * angle.sin());
        r * angle.cos()
    }

    /// `n` independent N(0, 1) draws.
    pub(crate) fn vector(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.next()).collect()
    }

    /// A point uniform on the unit sphere in ℝⁿ (a normalised Gaussian vector).
    pub(crate) fn unit_vector(&mut self, n: usize) -> Vec<f64> {
        loop {
            let v = self.vector(n);
            let norm = norm(&v);
            if norm > 0.0 || n == 0 {
                return v
                    .into_iter()
                    .map(|x| x / norm.max(f64::MIN_POSITIVE))
                    .collect();
            }
        }
    }
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

pub(crate) fn norm(v: &[f64]) -> f64 {
    dot(v, v).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_standard_normal_and_reproducible() {
        let xs = Gaussian::new(7).vector(20_000);
        assert_eq!(xs, Gaussian::new(7).vector(20_000));
        assert_ne!(xs, Gaussian::new(8).vector(20_000));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
        let u = Gaussian::new(1).unit_vector(5);
        assert!((norm(&u) - 1.0).abs() < 1e-12);
    }
}
