//! How far a run is, folded from its events in one place: the page's progress bar
//! (`RunView::overall_progress`), `mlds`'s bar (`cli/src/progress.rs`) and each unit's share of
//! a merged sweep (`engine::merge`, which sends the sweep's as [`Event::SweepProgress`]) all
//! read a [`Progress`].

use crate::events::Event;

/// A merge's count over every unit of a sweep whose units run apart (a pool of workers).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepProgress {
    pub epochs_done: f64,
    pub epochs_total: f64,
    pub units_ended: usize,
    pub units: usize,
}

/// What a run's events say of how far it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// The schedule's epochs (a unit's, where a sweep runs its units one after another); 0
    /// until the run has started.
    pub total_epochs: usize,
    /// Epochs done in the current unit, counting a mini-batch epoch's finished batches; the
    /// whole schedule once done (a run that ends early, at its target, has done its share).
    pub epochs: f64,
    /// The unit being computed and how many there are (a sweep run whole, unit after unit).
    pub unit: Option<(usize, usize)>,
    /// A merge's count over every unit, where the run is merged from units run apart.
    pub sweep: Option<SweepProgress>,
}

impl Progress {
    /// Take `event` into account.
    pub fn see(&mut self, event: &Event) {
        match event {
            Event::Started { total_epochs, .. } => self.total_epochs = *total_epochs,
            Event::Unit { index, count, .. } => {
                // A unit's epochs count from 0 again.
                self.unit = Some((*index, *count));
                self.epochs = 0.0;
            }
            Event::Losses { epoch, .. } | Event::TestMetrics { epoch, .. } => {
                self.epochs = self.epochs.max(*epoch as f64)
            }
            Event::TrainMetrics { epoch, .. } => self.epochs = self.epochs.max(*epoch),
            Event::Done { epoch, .. } => {
                self.epochs = match self.total_epochs {
                    0 => *epoch as f64,
                    total => total as f64,
                }
            }
            Event::SweepProgress {
                epochs_done,
                epochs_total,
                units_ended,
                units,
            } => {
                self.sweep = Some(SweepProgress {
                    epochs_done: *epochs_done,
                    epochs_total: *epochs_total,
                    units_ended: *units_ended,
                    units: *units,
                })
            }
            _ => {}
        }
    }

    /// Epochs done and to do over the whole run: a merge's count, or the units one after
    /// another, or the one schedule.
    pub fn overall(&self) -> (f64, usize) {
        if let Some(p) = &self.sweep {
            return (p.epochs_done, p.epochs_total.ceil() as usize);
        }
        match self.unit {
            Some((index, count)) => (
                (index * self.total_epochs) as f64 + self.epochs,
                count * self.total_epochs,
            ),
            None => (self.epochs, self.total_epochs),
        }
    }

    /// The share done, 0–1 (0 while nothing is known).
    pub fn fraction(&self) -> f64 {
        match self.overall() {
            (done, total) if total > 0 => (done / total as f64).clamp(0.0, 1.0),
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::ModelInfo;

    fn started(total_epochs: usize) -> Event {
        Event::Started {
            models: vec![ModelInfo {
                name: "m".into(),
                shape: "1-1".into(),
                params: 2,
            }],
            total_epochs,
        }
    }

    fn losses(epoch: usize) -> Event {
        Event::Losses {
            epoch,
            elapsed_ms: 0.0,
            losses: vec![0.5],
        }
    }

    fn folded(events: &[Event]) -> Progress {
        let mut p = Progress::default();
        events.iter().for_each(|e| p.see(e));
        p
    }

    #[test]
    fn one_schedule_counts_its_epochs_and_a_done_run_its_whole_schedule() {
        assert_eq!(folded(&[]).fraction(), 0.0);
        assert_eq!(folded(&[started(40), losses(10)]).overall(), (10.0, 40));
        assert_eq!(folded(&[started(40), losses(10)]).fraction(), 0.25);
        let early = folded(&[
            started(40),
            losses(10),
            Event::Done {
                epoch: 12,
                elapsed_ms: 1.0,
            },
        ]);
        assert_eq!(
            early.overall(),
            (40.0, 40),
            "ended at its target: its share is done"
        );
    }

    #[test]
    fn units_run_one_after_another_count_the_ones_before() {
        let unit = |index| Event::Unit {
            index,
            count: 4,
            label: format!("u{index}"),
        };
        let p = folded(&[
            unit(0),
            started(10),
            losses(10),
            unit(1),
            started(10),
            losses(5),
        ]);
        assert_eq!(p.overall(), (15.0, 40));
        assert_eq!(p.fraction(), 0.375);
    }

    #[test]
    fn a_merges_count_wins() {
        let sweep = Event::SweepProgress {
            epochs_done: 30.0,
            epochs_total: 120.0,
            units_ended: 1,
            units: 4,
        };
        let p = folded(&[started(10), losses(9), sweep]);
        assert_eq!(p.overall(), (30.0, 120));
        assert_eq!(p.sweep.as_ref().map(|s| s.units_ended), Some(1));
    }
}
