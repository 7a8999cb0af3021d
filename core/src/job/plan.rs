//! How each experiment's job is cut for a pool of workers (the engine's [`Plan`]).

use crate::engine::merge::UnitMerge;
use crate::engine::plan::{balanced_groups, Plan};
use crate::engine::side_by_side::SideBySide;
use crate::experiments::trajectory::Projections;

use super::Job;

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
            Job::Interpolate(c) => Plan {
                parts: singles(),
                order: (0..count).collect(),
                merge: Box::new(
                    c.feeds()
                        .into_iter()
                        .fold(UnitMerge::new(count), |m, (line, from)| {
                            m.feeding(line, &from)
                        }),
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

impl Plan {
    /// What part `part` of `job`'s plan runs: the job restricted to its units.
    pub fn job(&self, job: &Job, part: usize) -> Job {
        job.part(self.units(part))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
