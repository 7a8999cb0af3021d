use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// How one epoch's examples are cut into batches: full batch, or shuffled mini-batches drawn
/// from a seeded generator so that a run is reproducible.
pub struct BatchPlan {
    len: usize,
    batch_size: usize,
    rng: StdRng,
}

impl BatchPlan {
    /// `batch_size` of `None` (or ≥ `len`) means full batch.
    pub fn new(len: usize, batch_size: Option<usize>, seed: u64) -> Self {
        Self {
            len,
            batch_size: batch_size.unwrap_or(len).clamp(1, len.max(1)),
            rng: StdRng::seed_from_u64(seed),
        }
    }

    pub fn is_full_batch(&self) -> bool {
        self.batch_size >= self.len
    }

    pub fn batches_per_epoch(&self) -> usize {
        self.len.div_ceil(self.batch_size)
    }

    /// The next epoch's batches of example indices (the last one may be smaller).
    pub fn next_epoch(&mut self) -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..self.len).collect();
        if !self.is_full_batch() {
            order.shuffle(&mut self.rng);
        }
        order
            .chunks(self.batch_size)
            .map(<[usize]>::to_vec)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_batch_is_one_ordered_batch() {
        let mut plan = BatchPlan::new(5, None, 1);
        assert!(plan.is_full_batch());
        assert_eq!(plan.next_epoch(), vec![vec![0, 1, 2, 3, 4]]);
    }

    #[test]
    fn mini_batches_cover_every_example_once_and_reshuffle() {
        let mut plan = BatchPlan::new(10, Some(4), 7);
        assert_eq!(plan.batches_per_epoch(), 3);
        let first = plan.next_epoch();
        assert_eq!(
            first.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![4, 4, 2]
        );
        let mut seen: Vec<usize> = first.concat();
        seen.sort();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        let second = plan.next_epoch();
        assert_ne!(first, second);
        // Same seed, same order.
        assert_eq!(BatchPlan::new(10, Some(4), 7).next_epoch(), first);
    }
}
