//! Where E5's strict protocol starts: points along each run's own training trajectory, one
//! drawn uniformly in loss value (Frye et al. 2021; Pennington & Bahri 2017).

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::analysis::random::Gaussian;
use crate::analysis::read_params;
use crate::events::Host;
use crate::models::Mlp;
use crate::train::{EpochEnd, Hooks, Trainer};

/// Points along a training trajectory, θ every `every` epochs from the initial weights on: the
/// strict protocol's starts are drawn from them.
pub struct Trajectory {
    every: Option<usize>,
    pub points: Vec<Vec<f64>>,
}

impl Trajectory {
    /// Keep θ every `every` epochs (`None`: keep nothing).
    pub fn every(every: Option<usize>) -> Self {
        Self {
            every,
            points: Vec::new(),
        }
    }

    async fn keep(&mut self, model: &Mlp) -> Result<(), String> {
        self.points.push(read_params(model).await?);
        Ok(())
    }
}

impl Hooks<Mlp> for Trajectory {
    async fn on_start(
        &mut self,
        _host: &mut impl Host,
        trainers: &[Trainer<Mlp>],
    ) -> Result<(), String> {
        match self.every {
            Some(_) => self.keep(trainers[0].model()).await,
            None => Ok(()),
        }
    }

    async fn on_epoch(
        &mut self,
        _host: &mut impl Host,
        end: &EpochEnd<'_, Mlp>,
    ) -> Result<(), String> {
        match self.every {
            Some(every) if end.epoch.is_multiple_of(every) => {
                self.keep(end.trainers[0].model()).await
            }
            _ => Ok(()),
        }
    }
}

/// The strict protocol's start (Frye et al.): a loss drawn uniformly between the lowest and
/// the highest of `losses` (the trajectory's points'), the point whose loss is nearest it, and,
/// where `noise` > 0, N(0, noise²) added to every parameter. Seeded: a unit's own draw.
pub fn strict_start(points: &[Vec<f64>], losses: &[f64], noise: f64, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5715_c7a7);
    let finite = || losses.iter().copied().filter(|l| l.is_finite());
    let lo = finite().fold(f64::INFINITY, f64::min);
    let hi = finite().fold(f64::NEG_INFINITY, f64::max);
    let target = lo + (hi - lo) * rng.random::<f64>();
    let nearest = (0..points.len().min(losses.len()))
        .filter(|&i| losses[i].is_finite())
        .min_by(|&a, &b| {
            (losses[a] - target)
                .abs()
                .total_cmp(&(losses[b] - target).abs())
        });
    let mut theta = nearest.map_or_else(Vec::new, |i| points[i].clone());
    if noise > 0.0 {
        let mut gaussian = Gaussian::new(rng.random());
        for t in &mut theta {
            *t += noise * gaussian.next();
        }
    }
    theta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_starts_are_uniform_in_loss_value() {
        // Losses 0, 0.9, 1: a uniform draw in [0, 1] is nearest 0 below 0.45, nearest 0.9 up
        // to 0.95, nearest 1 above: 45 %, 50 %, 5 % (the last point, where training ends,
        // would be an idle choice).
        let points = vec![vec![10.0], vec![20.0], vec![30.0]];
        let losses = [0.0, 0.9, 1.0];
        let mut counts = [0usize; 3];
        let draws = 20_000;
        for seed in 0..draws {
            let start = strict_start(&points, &losses, 0.0, seed);
            counts[(start[0] / 10.0) as usize - 1] += 1;
        }
        let share = counts.map(|c| c as f64 / draws as f64);
        for (got, want) in share.iter().zip([0.45, 0.5, 0.05]) {
            assert!((got - want).abs() < 0.015, "{share:?}");
        }
    }

    #[test]
    fn strict_starts_get_their_noise() {
        let points = vec![vec![0.0; 2000]];
        let start = strict_start(&points, &[0.5], 0.1, 7);
        let n = start.len() as f64;
        let mean = start.iter().sum::<f64>() / n;
        let sd = (start.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!(mean.abs() < 0.01 && (sd - 0.1).abs() < 0.01, "{mean} {sd}");
        // The same seed, the same start; no noise, the point itself.
        assert_eq!(start, strict_start(&points, &[0.5], 0.1, 7));
        assert_eq!(strict_start(&points, &[0.5], 0.0, 7), points[0]);
    }
}
