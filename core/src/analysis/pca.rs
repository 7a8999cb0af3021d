//! Principal components of parameter snapshots (a training trajectory in θ-space).
//!
//! There are few snapshots (m, tens to hundreds) of many parameters (d up to ~1e5), so the
//! d×d covariance is out of the question: the components come from the m×m Gram matrix
//! G = XXᵀ of the centred rows X. If Gu = λu then Xᵀu is a principal axis with variance
//! ∝ λ and ‖Xᵀu‖ = √λ, so an m×m eigenproblem plus one pass over X gives everything.

use nalgebra::DMatrix;

use super::hessian::symmetric_eigen;
use super::random::dot;

/// A fitted PCA.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    /// The mean row, subtracted before projecting.
    pub mean: Vec<f64>,
    /// Orthonormal principal axes in parameter space, largest variance first, k of them.
    pub components: Vec<Vec<f64>>,
    /// Each component's share of the total variance (0 where there is none).
    pub explained_ratio: Vec<f64>,
    /// Each fitted row's k coordinates (equal to [`Pca::project`] of the row).
    pub projections: Vec<Vec<f64>>,
}

impl Pca {
    /// A row's coordinates along the components: cᵢ·(row − mean).
    pub fn project(&self, row: &[f64]) -> Vec<f64> {
        assert_eq!(row.len(), self.mean.len(), "project: row length differs");
        let centred: Vec<f64> = row.iter().zip(&self.mean).map(|(x, m)| x - m).collect();
        self.components.iter().map(|c| dot(c, &centred)).collect()
    }
}

/// PCA of `rows` (all of one length) with `k` components (at most the row length).
///
/// Degenerate input gives a usable answer, never NaN: with fewer than two rows, zero variance
/// or k beyond the data's rank, the missing components are unit vectors orthogonal to the
/// others (from the standard basis), with ratio 0 and projections 0. Each component's sign
/// makes its largest-magnitude entry positive, so refits of a growing trajectory agree.
pub fn fit(rows: &[Vec<f64>], k: usize) -> Result<Pca, String> {
    let m = rows.len();
    let Some(first) = rows.first() else {
        return Err("PCA needs at least one snapshot".into());
    };
    let d = first.len();
    if rows.iter().any(|r| r.len() != d) {
        return Err("PCA snapshots differ in length".into());
    }
    if rows.iter().flatten().any(|x| !x.is_finite()) {
        return Err("a snapshot has non-finite parameters (did the training diverge?)".into());
    }
    let k = k.min(d);
    let mut mean = vec![0.0; d];
    for row in rows {
        mean.iter_mut().zip(row).for_each(|(s, x)| *s += x);
    }
    mean.iter_mut().for_each(|s| *s /= m as f64);
    let centred: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.iter().zip(&mean).map(|(x, m)| x - m).collect())
        .collect();

    let mut gram = DMatrix::zeros(m, m);
    for i in 0..m {
        for j in 0..=i {
            let g = dot(&centred[i], &centred[j]);
            gram[(i, j)] = g;
            gram[(j, i)] = g;
        }
    }
    let total = gram.trace();
    let (values, vectors) = symmetric_eigen(&gram)?;

    let mut components: Vec<Vec<f64>> = Vec::with_capacity(k);
    let mut explained_ratio = Vec::with_capacity(k);
    // Eigenvalues below this are rounding noise (the centred rows have rank ≤ m − 1).
    let floor = total * 1e-12;
    for idx in (0..m).rev().take(k) {
        let lambda = values[idx];
        if !(total > 0.0 && lambda > floor) {
            break;
        }
        let u = vectors.column(idx);
        let mut axis = vec![0.0; d];
        for (row, ui) in centred.iter().zip(u.iter()) {
            axis.iter_mut().zip(row).for_each(|(a, x)| *a += ui * x);
        }
        // Re-orthogonalise against earlier axes (rounding in u), then normalise.
        for c in &components {
            let p = dot(&axis, c);
            axis.iter_mut().zip(c).for_each(|(a, c)| *a -= p * c);
        }
        let size = dot(&axis, &axis).sqrt();
        if size <= 0.0 {
            break;
        }
        axis.iter_mut().for_each(|a| *a /= size);
        components.push(orient(axis));
        explained_ratio.push(lambda / total);
    }
    // Fill up with standard basis directions orthogonal to what we have.
    let mut basis = 0;
    while components.len() < k && basis < d {
        let mut axis = vec![0.0; d];
        axis[basis] = 1.0;
        basis += 1;
        for c in &components {
            let p = dot(&axis, c);
            axis.iter_mut().zip(c).for_each(|(a, c)| *a -= p * c);
        }
        let size = dot(&axis, &axis).sqrt();
        if size > 1e-6 {
            axis.iter_mut().for_each(|a| *a /= size);
            components.push(orient(axis));
            explained_ratio.push(0.0);
        }
    }

    let mut pca = Pca {
        mean,
        components,
        explained_ratio,
        projections: Vec::new(),
    };
    pca.projections = rows.iter().map(|r| pca.project(r)).collect();
    Ok(pca)
}

/// The axis with its largest-magnitude entry positive (a deterministic sign).
fn orient(axis: Vec<f64>) -> Vec<f64> {
    let largest = axis
        .iter()
        .copied()
        .max_by(|a, b| a.abs().total_cmp(&b.abs()))
        .unwrap_or(0.0);
    if largest < 0.0 {
        axis.into_iter().map(|a| -a).collect()
    } else {
        axis
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::random::Gaussian;

    /// A rotation of ℝ³ (about a tilted axis), as rows.
    fn rotation() -> [[f64; 3]; 3] {
        let (c1, s1) = (0.6f64.cos(), 0.6f64.sin());
        let (c2, s2) = (1.1f64.cos(), 1.1f64.sin());
        // Rz(0.6) · Rx(1.1)
        [
            [c1, -s1 * c2, s1 * s2],
            [s1, c1 * c2, -c1 * s2],
            [0.0, s2, c2],
        ]
    }

    /// `m` points along the rotated axes with standard deviations 5, 2, 0.5. The Gaussian
    /// draws are orthonormalised (per axis, after centring), so the sample covariance is
    /// exactly R·diag(25, 4, 0.25)·Rᵀ and the answer is known exactly.
    fn cloud(m: usize) -> Vec<Vec<f64>> {
        let mut gaussian = Gaussian::new(11);
        let mut columns: Vec<Vec<f64>> = Vec::new();
        for std in [5.0, 2.0, 0.5] {
            let mut c = gaussian.vector(m);
            let mean = c.iter().sum::<f64>() / m as f64;
            c.iter_mut().for_each(|x| *x -= mean);
            for prev in &columns {
                let p = dot(&c, prev) / dot(prev, prev);
                c.iter_mut().zip(prev).for_each(|(x, q)| *x -= p * q);
            }
            let scale = std * (m as f64).sqrt() / dot(&c, &c).sqrt();
            columns.push(c.into_iter().map(|x| x * scale).collect());
        }
        let r = rotation();
        (0..m)
            .map(|i| {
                (0..3)
                    .map(|a| 10.0 + (0..3).map(|b| r[a][b] * columns[b][i]).sum::<f64>())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn recovers_the_axes_and_variances_of_an_anisotropic_cloud() {
        let rows = cloud(200);
        let pca = fit(&rows, 3).unwrap();
        let r = rotation();
        let total = 25.0 + 4.0 + 0.25;
        for (i, var) in [25.0, 4.0, 0.25].into_iter().enumerate() {
            let axis = [r[0][i], r[1][i], r[2][i]];
            let cos = dot(&pca.components[i], &axis);
            assert!(cos.abs() > 0.999, "component {i}: |cos| = {}", cos.abs());
            assert!((pca.explained_ratio[i] - var / total).abs() < 1e-9);
        }
        for (row, projection) in rows.iter().zip(&pca.projections) {
            let again = pca.project(row);
            for (a, b) in projection.iter().zip(&again) {
                assert!((a - b).abs() < 1e-12);
            }
        }
        for (a, m) in pca.mean.iter().zip([10.0; 3]) {
            assert!((a - m).abs() < 1e-9);
        }
    }

    #[test]
    fn degenerate_input_gives_zeros_not_nan() {
        for rows in [vec![vec![1.0, 2.0, 3.0]], vec![vec![1.0, 2.0, 3.0]; 4]] {
            let pca = fit(&rows, 2).unwrap();
            assert_eq!(pca.components.len(), 2);
            assert_eq!(pca.explained_ratio, [0.0, 0.0]);
            assert!(pca.projections.iter().flatten().all(|&p| p == 0.0));
            assert!((dot(&pca.components[0], &pca.components[1])).abs() < 1e-12);
        }
        // Two points: one real axis, the second filled in orthogonally.
        let pca = fit(&[vec![0.0, 0.0, 0.0], vec![3.0, 4.0, 0.0]], 2).unwrap();
        assert_eq!(pca.explained_ratio, [1.0, 0.0]);
        assert!((pca.components[0][0] - 0.6).abs() < 1e-12);
        assert!(dot(&pca.components[0], &pca.components[1]).abs() < 1e-12);
        assert!(fit(&[], 2).is_err());
        assert!(fit(&[vec![1.0], vec![1.0, 2.0]], 1).is_err());
    }
}
