//! What a spectrum and a gradient say about a point: eigenvalues counted against a threshold,
//! the gradient's part on the non-flat directions, and the gradient-flatness r of Frye et al.

use nalgebra::{DMatrix, DVector};

/// Eigenvalues counted against a threshold t: positive (> t), negative (< −t), flat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    pub positive: usize,
    pub negative: usize,
    pub flat: usize,
}

impl Counts {
    /// Counted with the relative band |λ| ≤ τ·max|λ| as flat.
    pub fn of(eigenvalues: &[f64], tau: f64) -> Self {
        Self::absolute(eigenvalues, flat_band(eigenvalues, tau))
    }

    /// Counted with an absolute threshold: |λ| ≤ `threshold` is flat (Frye et al.: 1e-5).
    pub fn absolute(eigenvalues: &[f64], threshold: f64) -> Self {
        let positive = eigenvalues.iter().filter(|&&l| l > threshold).count();
        let negative = eigenvalues.iter().filter(|&&l| l < -threshold).count();
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

    /// The index: the fraction of all eigenvalues that are negative (0 with none).
    pub fn index(&self) -> f64 {
        let n = self.positive + self.negative + self.flat;
        if n == 0 {
            0.0
        } else {
            self.negative as f64 / n as f64
        }
    }
}

/// The flat band's half-width for a spectrum: τ·max|λ|.
pub fn flat_band(eigenvalues: &[f64], tau: f64) -> f64 {
    tau * eigenvalues.iter().fold(0.0f64, |m, l| m.max(l.abs()))
}

/// g's coordinates in the eigenbasis (`vectors` as columns).
fn coordinates(g: &[f64], vectors: &DMatrix<f64>) -> DVector<f64> {
    vectors.tr_mul(&DVector::from_column_slice(g))
}

/// ‖P_τ g‖: the norm of g's component on the eigenvectors (columns of `vectors`) whose
/// eigenvalues lie outside the flat band.
pub fn projected_norm(g: &[f64], eigenvalues: &[f64], vectors: &DMatrix<f64>, tau: f64) -> f64 {
    let band = flat_band(eigenvalues, tau);
    coordinates(g, vectors)
        .iter()
        .zip(eigenvalues)
        .filter(|(_, l)| l.abs() > band)
        .map(|(c, _)| c * c)
        .sum::<f64>()
        .sqrt()
}

/// Gradient-flatness (Frye et al. 2021): r = ‖Hp + g‖ / (‖H‖_F‖p‖ + ‖g‖), where p is the
/// minimum-residual Newton step, here the pseudo-inverse over the eigenvalues outside the
/// flat band τ·max|λ| (the step the strict search takes). Hp + g is then g's part on the flat
/// directions: r ≈ 1 where the gradient lies in H's near-kernel (a gradient-flat point, which
/// a gradient-norm test alone can take for critical), r ≈ 0 where Newton's model explains the
/// gradient. 0 at g = 0.
pub fn flatness(g: &[f64], eigenvalues: &[f64], vectors: &DMatrix<f64>, tau: f64) -> f64 {
    let band = flat_band(eigenvalues, tau);
    let c = coordinates(g, vectors);
    let (mut residual, mut step) = (0.0, 0.0);
    for (c, &l) in c.iter().zip(eigenvalues) {
        if l.abs() > band {
            step += (c / l).powi(2);
        } else {
            residual += c * c;
        }
    }
    let h_frobenius = eigenvalues.iter().map(|l| l * l).sum::<f64>().sqrt();
    let g_norm = g.iter().map(|x| x * x).sum::<f64>().sqrt();
    let denominator = h_frobenius * step.sqrt() + g_norm;
    if denominator > 0.0 {
        residual.sqrt() / denominator
    } else {
        0.0
    }
}
