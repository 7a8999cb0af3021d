//! How a job runs apart, in a pool of workers: its parts (what one worker runs), the order
//! they start in, the merge of their streams and the combining step.
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

use super::job::Job;
use super::merge::{Combine, Given, Merge, UnitMerge};
use super::side_by_side::SideBySide;
use super::trajectory::Projections;
use crate::events::Event;

/// A job cut into parts for a pool of workers.
pub struct Plan {
    /// Per part, the units it computes: one unit of a sweep, or a group of side-by-side models.
    parts: Vec<Range<usize>>,
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

    /// What part `part` runs: the job restricted to its units.
    pub fn job(&self, job: &Job, part: usize) -> Job {
        job.part(self.parts[part].clone())
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

impl Job {
    /// The job cut for a pool of up to `workers` workers; `None` where it runs whole in one
    /// worker (it is not a sweep, or its models train side by side and `workers` is 1).
    pub fn plan(&self, workers: usize) -> Option<Plan> {
        let count = match self.units() {
            (count, None) if count > 1 && !self.is_part() => count,
            _ => return None,
        };
        let singles = || (0..count).map(|i| i..i + 1).collect::<Vec<_>>();
        let plan = match self {
            Job::Fit(_) | Job::Tasks(_) => {
                if workers < 2 {
                    return None;
                }
                let parts = balanced_groups(&self.unit_costs(), workers);
                Plan {
                    order: (0..parts.len()).collect(),
                    merge: Box::new(SideBySide::grouped(
                        &parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
                    )),
                    parts,
                    combine: None,
                }
            }
            Job::Trajectory(_) => Plan {
                parts: singles(),
                order: (0..count).collect(),
                merge: Box::new(UnitMerge::new(count)),
                combine: Some(Box::new(Projections::default())),
            },
            Job::Interpolate(_) => Plan {
                parts: singles(),
                order: (0..count).collect(),
                merge: Box::new(
                    UnitMerge::new(count).feeding(super::interpolate::LINE_UNIT, &[0, 1]),
                ),
                combine: None,
            },
            _ => {
                let order = self.schedule();
                Plan {
                    parts: singles(),
                    merge: Box::new(UnitMerge::in_order(order.clone())),
                    order,
                    combine: None,
                }
            }
        };
        Some(plan)
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
    fn side_by_side_models_take_at_most_the_pool_and_sweeps_a_part_per_unit() {
        let (e2, _) = Job::parse("exp=tasks&models=cnn1,cnn2,cnn3,dnn").unwrap();
        let plan = e2.plan(2).expect("side by side");
        assert_eq!(plan.len(), 2);
        assert!(plan.at_once());
        let parts: Vec<String> = (0..2).map(|i| plan.job(&e2, i).query()).collect();
        assert!(parts.iter().all(|q| q.contains("unit=")), "{parts:?}");
        assert!(e2.plan(1).is_none(), "one worker: the run whole");
        assert_eq!(e2.plan(4).unwrap().len(), 4);
        assert_eq!(e2.plan(9).unwrap().len(), 4);

        let (e8, _) = Job::parse("exp=params&widths=2,8,4").unwrap();
        let plan = e8.plan(2).expect("a sweep");
        assert_eq!(plan.len(), 3);
        assert_eq!(plan.order, [1, 2, 0]);
        assert!(!plan.at_once());
        assert_eq!(plan.job(&e8, 1), e8.unit(1));
        let (e3, _) = Job::parse("exp=trajectory&runs=3").unwrap();
        assert!(e3.plan(2).unwrap().combine.is_some());
        let (e4, _) = Job::parse("exp=gradnorm").unwrap();
        assert!(e4.plan(2).is_none());
        // A part is not cut again.
        assert!(e8.unit(1).plan(2).is_none());
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
