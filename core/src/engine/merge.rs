//! One stream from a sweep's units run apart (a pool of workers, see `units`): each unit sends
//! its own events, in any interleaving; the page gets the stream it would get from the whole
//! sweep run in one place, plus the progress over all units.
//!
//! - Results (`Result`, `CriticalPoint`) pass at once: they carry their unit's index, so views
//!   keep them in index order whatever order units finish in.
//! - Curves (training metrics, the unit's models) come one unit at a time, in the order units
//!   are started (index order unless told, see `Job::schedule`): the *followed* unit's pass at
//!   once, the others' wait until every unit before theirs has ended. So the stream holds every
//!   unit's curves, as the whole sweep run in one place does.
//! - A unit's `Done`/`Stopped` is kept to itself; the sweep's own `Done` (or `Stopped`) comes
//!   once every unit has ended. A unit's error is reported with what was lost (`UnitLost`),
//!   and the other units go on; if every unit is lost, the sweep ends with an `Error`.
//! - Where the sweep's results need all units (E3's projections of every run's snapshots), a
//!   [`Combine`] step turns the merged stream's raw material into them; where they need more
//!   computing (E9a's line through both trained models), a last unit does, given the other
//!   units' `Weights` ([`Merge::given`]).

use web_time::Instant;

use crate::events::Event;
use crate::progress::Progress;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    Done,
    Stopped,
    Failed,
}

#[derive(Debug, Default)]
struct UnitStream {
    label: Option<String>,
    /// Curve events not shown yet (the unit is not followed).
    waiting: Vec<Event>,
    /// The `Weights` it sent for a unit that waits for it.
    feeds: Vec<Event>,
    /// How far it is (a done unit has done its whole schedule).
    progress: Progress,
    end: Option<End>,
}

/// How the streams of a job's units, run apart, become the job's one stream.
pub trait Merge {
    /// The events unit `unit` sent → the events of the job's stream.
    fn push(&mut self, unit: usize, events: Vec<Event>) -> Vec<Event>;

    /// Unit `unit` will not run (the job was stopped before it started, or no worker is left
    /// to run it: `lost` says why).
    fn skip(&mut self, unit: usize, lost: Option<&str>) -> Vec<Event> {
        let event = match lost {
            Some(why) => Event::Error {
                message: why.to_string(),
            },
            None => Event::Stopped {
                epoch: 0,
                elapsed_ms: 0.0,
            },
        };
        self.push(unit, vec![event])
    }

    /// The events before any unit has sent one (a sweep's progress: nothing done yet).
    fn opening(&self) -> Vec<Event> {
        Vec::new()
    }

    /// Whether the job's last event (`Done` or `Stopped`) has been given out.
    fn is_finished(&self) -> bool;

    /// Whether every unit must run at once: the stream joins them step by step (E1's models
    /// side by side), rather than one after another.
    fn side_by_side(&self) -> bool {
        false
    }

    /// Whether unit `unit` can start now, and what it is given (the registry's `Job::given`).
    fn given(&self, _unit: usize) -> Given {
        Given::Ready(Vec::new())
    }
}

/// Whether a unit can start.
#[derive(Debug, PartialEq)]
pub enum Given {
    /// Now, given these events of the units it waits for.
    Ready(Vec<Event>),
    /// Once the units it waits for have ended.
    Wait,
    /// Never: a unit it waits for was lost or stopped (why).
    Never(String),
}

/// Every unit has ended, each as `ends` says: the job is `Stopped` if one was stopped, `Done`
/// if any finished its work, and failed if every unit was lost (each reported as it was; the
/// error repeats the first one's `cause`, most often every unit's).
pub(crate) fn last_event(
    ends: &[End],
    epoch: usize,
    elapsed_ms: f64,
    cause: Option<&str>,
) -> Event {
    if ends.contains(&End::Stopped) {
        Event::Stopped { epoch, elapsed_ms }
    } else if ends.contains(&End::Done) {
        Event::Done { epoch, elapsed_ms }
    } else {
        Event::Error {
            message: format!(
                "Nothing of this run finished: every part of it was lost ({}).",
                cause.unwrap_or("no reason given")
            ),
        }
    }
}

/// A sweep's combining step, on its merged stream (units in index order): kept apart from the
/// merge (see `plan`), so the page can run it in a worker of its own.
pub trait Combine {
    /// Events as merged → events as the page shows them (what it adds goes before the
    /// merge's bookkeeping at the end of `events`: its progress and the run's end).
    fn absorb(&mut self, events: Vec<Event>) -> Vec<Event>;
}

/// The merge of a sweep's unit streams.
pub struct UnitMerge {
    units: Vec<UnitStream>,
    /// The order units' curves are shown in, and the followed unit's place in it.
    order: Vec<usize>,
    followed: usize,
    started: Instant,
    finished: bool,
    /// Units that wait for others, each with those it waits for.
    fed: Vec<(usize, Vec<usize>)>,
    /// Why the first lost unit was lost.
    first_loss: Option<String>,
}

impl UnitMerge {
    /// `count` units, their curves shown in index order.
    pub fn new(count: usize) -> Self {
        Self::in_order((0..count).collect())
    }

    /// Units `0..order.len()`, their curves shown in `order` (a permutation of them).
    pub fn in_order(order: Vec<usize>) -> Self {
        debug_assert!({
            let mut sorted = order.clone();
            sorted.sort_unstable();
            sorted.into_iter().eq(0..order.len())
        });
        Self {
            units: (0..order.len()).map(|_| UnitStream::default()).collect(),
            order,
            followed: 0,
            started: Instant::now(),
            finished: false,
            fed: Vec::new(),
            first_loss: None,
        }
    }

    /// The same merge, unit `unit` starting once units `from` have ended, given their
    /// `Weights` (which the stream does not show). Several units may each wait for others.
    pub fn feeding(mut self, unit: usize, from: &[usize]) -> Self {
        self.fed.push((unit, from.to_vec()));
        self
    }
}

impl Merge for UnitMerge {
    fn push(&mut self, unit: usize, events: Vec<Event>) -> Vec<Event> {
        let mut out = Vec::new();
        if unit >= self.units.len() || self.finished {
            return out;
        }
        for event in events {
            if self.units[unit].end.is_some() {
                break; // nothing after a unit's end belongs to the sweep
            }
            self.take(unit, event, &mut out);
        }
        self.follow_next(&mut out);
        out.push(self.progress());
        if self.units.iter().all(|u| u.end.is_some()) {
            self.finish(&mut out);
        }
        out
    }

    fn opening(&self) -> Vec<Event> {
        vec![self.progress()]
    }

    fn is_finished(&self) -> bool {
        self.finished
    }

    fn given(&self, unit: usize) -> Given {
        let Some((_, from)) = self.fed.iter().find(|(fed, _)| *fed == unit) else {
            return Given::Ready(Vec::new());
        };
        let mut events = Vec::new();
        for &i in from {
            match self.units[i].end {
                None => return Given::Wait,
                Some(End::Done) => events.extend(self.units[i].feeds.iter().cloned()),
                Some(_) => {
                    let name = self.units[i]
                        .label
                        .clone()
                        .unwrap_or(format!("unit {}", i + 1));
                    return Given::Never(format!("it needs {name}, which did not finish"));
                }
            }
        }
        Given::Ready(events)
    }
}

impl UnitMerge {
    fn take(&mut self, unit: usize, event: Event, out: &mut Vec<Event>) {
        let count = self.units.len();
        let followed = unit == self.order[self.followed];
        let stream = &mut self.units[unit];
        match event {
            Event::Result { .. } | Event::CriticalPoint { .. } | Event::Density { .. } => {
                out.push(event)
            }
            Event::Weights { .. } if !self.fed.is_empty() => stream.feeds.push(event),
            Event::Done { .. } => {
                stream.progress.see(&event);
                stream.end = Some(End::Done);
            }
            Event::Stopped { .. } => stream.end = Some(End::Stopped),
            Event::Error { message } => {
                let name = stream
                    .label
                    .clone()
                    .unwrap_or_else(|| format!("unit {} of {count}", unit + 1));
                stream.end = Some(End::Failed);
                self.first_loss.get_or_insert(message.clone());
                out.push(Event::UnitLost {
                    message: format!("{name} was lost ({message}); the other units go on."),
                });
            }
            // A unit's own progress; the sweep's is given out after every push.
            Event::SweepProgress { .. } => {}
            curve => {
                stream.progress.see(&curve);
                if let Event::Unit { label, .. } = &curve {
                    stream.label = Some(label.clone());
                }
                if followed {
                    out.push(curve);
                } else {
                    stream.waiting.push(curve);
                }
            }
        }
    }

    /// Once the followed unit has ended, follow the next one, showing the curves it has sent so
    /// far (all of them, if it has ended too: then the one after it, and so on).
    fn follow_next(&mut self, out: &mut Vec<Event>) {
        while self.units[self.order[self.followed]].end.is_some()
            && self.followed + 1 < self.order.len()
        {
            self.followed += 1;
            out.append(&mut self.units[self.order[self.followed]].waiting);
        }
    }

    fn progress(&self) -> Event {
        // Units not started yet count as long as the longest known one.
        let total = |u: &UnitStream| u.progress.total_epochs as f64;
        let known = self.units.iter().map(total).fold(0.0, f64::max);
        Event::SweepProgress {
            epochs_done: self.units.iter().map(|u| u.progress.epochs).sum(),
            epochs_total: self
                .units
                .iter()
                .map(|u| if total(u) > 0.0 { total(u) } else { known })
                .sum(),
            units_ended: self.units.iter().filter(|u| u.end.is_some()).count(),
            units: self.units.len(),
        }
    }

    fn finish(&mut self, out: &mut Vec<Event>) {
        self.finished = true;
        let elapsed_ms = self.started.elapsed().as_secs_f64() * 1000.0;
        let ends: Vec<End> = self.units.iter().filter_map(|u| u.end).collect();
        let epoch = self
            .units
            .iter()
            .map(|u| u.progress.epochs)
            .fold(0.0, f64::max) as usize;
        out.push(last_event(
            &ends,
            epoch,
            elapsed_ms,
            self.first_loss.as_deref(),
        ));
    }
}
