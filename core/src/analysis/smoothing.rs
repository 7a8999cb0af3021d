//! Smoothing of noisy training curves, as TensorBoard does it: an exponential moving average
//! with a weight in [0, 1), debiased so that the first points are not pulled towards zero.

/// The debiased EMA of `points` (x, y) with `weight` (0: the points as they are; towards 1:
/// smoother). Non-finite values are skipped by the average and kept as they are.
pub fn ema(points: &[(f64, f64)], weight: f64) -> Vec<(f64, f64)> {
    let weight = weight.clamp(0.0, 0.999);
    let (mut last, mut steps) = (0.0, 0i32);
    points
        .iter()
        .map(|&(x, y)| {
            if !y.is_finite() {
                return (x, y);
            }
            last = last * weight + (1.0 - weight) * y;
            steps += 1;
            (x, last / (1.0 - weight.powi(steps)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_zero_keeps_the_points() {
        let p = [(0.0, 3.0), (1.0, -1.0), (2.0, 5.0)];
        assert_eq!(ema(&p, 0.0), p.to_vec());
    }

    #[test]
    fn a_constant_stays_constant_from_the_first_point() {
        // Debiasing: without it the first point would be 0.4 · 2 = 0.8.
        for (_, y) in ema(&[(0.0, 2.0), (1.0, 2.0), (2.0, 2.0)], 0.6) {
            assert!((y - 2.0).abs() < 1e-12);
        }
    }

    #[test]
    fn known_values_of_a_step() {
        // w = 0.5 on 0, 1: last = 0 → 0.5; debiased 0 / 0.5 = 0, then 0.5 / 0.75.
        let s = ema(&[(0.0, 0.0), (1.0, 1.0)], 0.5);
        assert_eq!(s[0], (0.0, 0.0));
        assert!((s[1].1 - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn alternating_noise_is_damped() {
        let noisy: Vec<(f64, f64)> = (0..100)
            .map(|i| (i as f64, if i % 2 == 0 { 1.0 } else { 0.0 }))
            .collect();
        let tail = &ema(&noisy, 0.9)[50..];
        assert!(
            tail.iter().all(|&(_, y)| (y - 0.5).abs() < 0.06),
            "{tail:?}"
        );
        assert!(ema(&[(0.0, f64::NAN), (1.0, 1.0)], 0.5)[0].1.is_nan());
    }
}
