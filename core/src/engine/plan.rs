//! How a job runs apart, in a pool of workers: its parts (what one worker runs), the order
//! they start in, the merge of their streams and the combining step. Which experiment is cut
//! how is the registry's (`Job::plan`); this holds what every cut shares.
//!
//! - A sweep's units (E3's and E5's runs, E8's widths, E9a's trainings and line, E9b's and
//!   E10's batch sizes) are a part each, queued costliest first ([`Job::schedule`]).
//! - E1's and E2's models train side by side: every part runs at once and the stream joins
//!   them step by step. So that a run never puts more busy threads on the machine than the
//!   pool has workers (four CNNs in four workers on two cores gave the page 130 ms tasks), the
//!   models are cut into at most `workers` contiguous groups of about equal cost, a group per
//!   worker, each trained as the whole run trains its models (`unit=a-b`).
//! - The combining step (E3's projections: a PCA refit over every snapshot) is kept apart from
//!   the merge, so that the page can run it in a worker of its own and only render.

use std::ops::Range;

use super::merge::{Combine, Given, Merge};
use crate::events::Event;

/// A job cut into parts for a pool of workers.
pub struct Plan {
    /// Per part, the units it computes: one unit of a sweep, or a group of side-by-side models.
    pub parts: Vec<Range<usize>>,
    /// Parts in the order they start.
    pub order: Vec<usize>,
    /// The parts' streams → the job's stream (part `i`'s events are pushed as unit `i`).
    pub merge: Box<dyn Merge>,
    /// What turns the merged stream into the one the page shows, where that computes.
    pub combine: Option<Box<dyn Combine>>,
}

impl Plan {
    /// The number of parts.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The units part `part` computes (the job restricted to them is what it runs).
    pub fn units(&self, part: usize) -> Range<usize> {
        self.parts[part].clone()
    }

    /// Whether every part must run at once (models side by side).
    pub fn at_once(&self) -> bool {
        self.merge.side_by_side()
    }

    /// The merge and the combining step as one (the stream a whole run gives).
    pub fn whole(self) -> Box<dyn Merge> {
        match self.combine {
            Some(combine) => Box::new(Combined {
                merge: self.merge,
                combine,
            }),
            None => self.merge,
        }
    }
}

/// Units `0..costs.len()` cut into at most `groups` contiguous groups (none empty) whose
/// largest total cost is the least possible.
pub fn balanced_groups(costs: &[f64], groups: usize) -> Vec<Range<usize>> {
    let n = costs.len();
    let groups = groups.clamp(1, n.max(1));
    if n == 0 {
        return Vec::new();
    }
    let sum = |r: Range<usize>| costs[r].iter().sum::<f64>();
    // best[g][i]: the least largest group cost cutting units 0..i into g groups; cut[g][i] where
    // the last group starts. n ≤ a few dozen models: the O(g·n²) table is nothing.
    let mut best = vec![vec![f64::INFINITY; n + 1]; groups + 1];
    let mut cut = vec![vec![0; n + 1]; groups + 1];
    best[0][0] = 0.0;
    for g in 1..=groups {
        for i in g..=n {
            for j in (g - 1)..i {
                let worst = best[g - 1][j].max(sum(j..i));
                if worst < best[g][i] {
                    best[g][i] = worst;
                    cut[g][i] = j;
                }
            }
        }
    }
    let mut parts = Vec::with_capacity(groups);
    let mut end = n;
    for g in (1..=groups).rev() {
        let start = cut[g][end];
        parts.push(start..end);
        end = start;
    }
    parts.reverse();
    parts
}

/// A merge whose stream a combining step then turns into the one shown.
struct Combined {
    merge: Box<dyn Merge>,
    combine: Box<dyn Combine>,
}

impl Merge for Combined {
    fn push(&mut self, unit: usize, events: Vec<Event>) -> Vec<Event> {
        let merged = self.merge.push(unit, events);
        self.combine.absorb(merged)
    }

    fn opening(&self) -> Vec<Event> {
        self.merge.opening()
    }

    fn is_finished(&self) -> bool {
        self.merge.is_finished()
    }

    fn side_by_side(&self) -> bool {
        self.merge.side_by_side()
    }

    fn given(&self, unit: usize) -> Given {
        self.merge.given(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::side_by_side::SideBySide;

    #[test]
    fn groups_are_contiguous_cover_every_unit_and_balance_the_cost() {
        // E1's reference models: the deep one costs most per step.
        assert_eq!(balanced_groups(&[9.0, 6.0, 3.0], 2), [0..1, 1..3]);
        assert_eq!(balanced_groups(&[1.0, 1.0, 1.0, 1.0], 2), [0..2, 2..4]);
        assert_eq!(balanced_groups(&[1.0, 1.0, 1.0], 8), [0..1, 1..2, 2..3]);
        assert_eq!(
            balanced_groups(&[5.0, 1.0, 1.0, 1.0, 1.0, 1.0], 2),
            [0..1, 1..6]
        );
        assert_eq!(
            balanced_groups(&[2.0, 3.0], 1),
            vec![std::ops::Range { start: 0, end: 2 }]
        );
    }

    #[test]
    fn a_lost_group_of_models_is_named_by_its_places() {
        let mut merge = SideBySide::grouped(&[1, 2]);
        let out = merge.skip(1, Some("its worker could not load"));
        assert!(
            matches!(&out[..], [Event::UnitLost { message }]
                if message == "models 2 to 3 of 3 were lost (its worker could not load); the other models go on."),
            "{out:?}"
        );
    }
}
