//! The few statistics the findings need.

/// Ranks of `v` (0-based, ties get their mean rank).
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut ranks = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0;
        for &k in &order[i..=j] {
            ranks[k] = mean;
        }
        i = j + 1;
    }
    ranks
}

/// Pearson correlation; `None` when either side is constant or there are fewer than 2 pairs.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mx = x[..n].iter().sum::<f64>() / n as f64;
    let my = y[..n].iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Spearman's rank correlation: +1 when `y` grows with `x`, −1 when it falls.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

/// Spearman's ρ with one-sided p-values for the two alternatives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankCorrelation {
    pub rho: f64,
    pub n: usize,
    /// P(ρ' ≥ ρ) under independence: small when `y` grows with `x`.
    pub p_positive: f64,
    /// P(ρ' ≤ ρ) under independence: small when `y` falls with `x`.
    pub p_negative: f64,
}

/// Up to this many pairs the p-values are exact (all n! orderings, 40,320 at 8).
const EXACT_UP_TO: usize = 8;

/// Spearman's ρ of `x` and `y` and its significance: exact by enumerating every ordering of
/// `y`'s ranks for n ≤ 8 (ties kept as mean ranks), the normal approximation ρ√(n − 1) ~ N(0, 1)
/// above. `None` as [`spearman`].
pub fn spearman_test(x: &[f64], y: &[f64]) -> Option<RankCorrelation> {
    let n = x.len().min(y.len());
    let (rx, mut ry) = (ranks(&x[..n]), ranks(&y[..n]));
    let rho = pearson(&rx, &ry)?;
    let (p_positive, p_negative) = if n <= EXACT_UP_TO {
        // Heap's algorithm over ry's orderings; a tolerance keeps ties of ρ itself counted.
        let (mut above, mut below, mut total) = (0usize, 0usize, 0usize);
        let mut count = |ry: &[f64]| {
            let r = pearson(&rx, ry).unwrap_or(0.0);
            above += (r >= rho - 1e-12) as usize;
            below += (r <= rho + 1e-12) as usize;
            total += 1;
        };
        let mut c = vec![0usize; n];
        count(&ry);
        let mut i = 0;
        while i < n {
            if c[i] < i {
                let j = if i % 2 == 0 { 0 } else { c[i] };
                ry.swap(j, i);
                count(&ry);
                c[i] += 1;
                i = 0;
            } else {
                c[i] = 0;
                i += 1;
            }
        }
        (above as f64 / total as f64, below as f64 / total as f64)
    } else {
        let z = rho * ((n - 1) as f64).sqrt();
        let tail = |z: f64| 0.5 * libm::erfc(z / std::f64::consts::SQRT_2);
        (tail(z), tail(-z))
    };
    Some(RankCorrelation {
        rho,
        n,
        p_positive,
        p_negative,
    })
}

/// Mean distance of `points` from their centroid.
pub fn spread(points: &[[f64; 2]]) -> f64 {
    if points.is_empty() {
        return 0.0;
    }
    let n = points.len() as f64;
    let cx = points.iter().map(|p| p[0]).sum::<f64>() / n;
    let cy = points.iter().map(|p| p[1]).sum::<f64>() / n;
    points
        .iter()
        .map(|p| ((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt())
        .sum::<f64>()
        / n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_of_monotone_data_is_plus_or_minus_one() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((spearman(&x, &[1.0, 10.0, 100.0, 1000.0]).unwrap() - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &[5.0, 3.0, 2.0, -7.0]).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&x, &[1.0, 1.0, 1.0, 1.0]), None);
        assert_eq!(spearman(&[1.0], &[2.0]), None);
    }

    #[test]
    fn exact_p_values_count_the_orderings() {
        // n = 5: ρ = 1 is 1 ordering of 120; ρ ≥ 0.9 adds the 4 adjacent swaps (Σd² = 2).
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let t = spearman_test(&x, &[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!((t.rho, t.n), (1.0, 5));
        assert!((t.p_positive - 1.0 / 120.0).abs() < 1e-15);
        assert_eq!(t.p_negative, 1.0);
        let t = spearman_test(&x, &[2.0, 1.0, 3.0, 4.0, 5.0]).unwrap();
        assert!((t.rho - 0.9).abs() < 1e-12);
        assert!((t.p_positive - 5.0 / 120.0).abs() < 1e-15, "{t:?}");
        let t = spearman_test(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap();
        assert!((t.p_negative - 1.0 / 120.0).abs() < 1e-15);
        // Three pairs can never reach 5 %: 1/6 at best.
        let t = spearman_test(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]).unwrap();
        assert!((t.p_positive - 1.0 / 6.0).abs() < 1e-15);
        assert_eq!(spearman_test(&x, &[1.0; 5]), None);
    }

    #[test]
    fn large_samples_use_the_normal_approximation() {
        // n = 30, ρ = 1: z = √29 ≈ 5.385, one-sided p ≈ 3.6e-8.
        let x: Vec<f64> = (0..30).map(f64::from).collect();
        let t = spearman_test(&x, &x).unwrap();
        assert!((t.p_positive - 3.62e-8).abs() < 0.01e-8, "{t:?}");
        assert!(t.p_negative > 0.999_999);
    }

    #[test]
    fn ties_share_their_mean_rank() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![2.5, 0.0, 2.5, 1.0]);
    }

    #[test]
    fn spread_of_a_square_around_its_centre() {
        let square = [[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]];
        assert!((spread(&square) - 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(spread(&[]), 0.0);
    }
}
