//! How far a run is, from its events, for the terminal's progress bar (indicatif, on stderr;
//! hidden where stderr is no terminal) or, in a unit's process, for the parent that runs it.

use indicatif::{ProgressBar, ProgressStyle};
use mlds_core::Event;

/// The share of a run done, from its stream: the epochs of its schedule, over a sweep's units
/// where it runs them one after another, or a merge's own count.
#[derive(Debug, Default)]
pub struct Tracker {
    total_epochs: f64,
    epoch: f64,
    /// The unit being computed and how many there are (a whole sweep in one process).
    unit: Option<(usize, usize)>,
    /// A merge's count over every unit: epochs done and to do.
    sweep: Option<(f64, f64)>,
    /// The run is one unit of a sweep (whose events still name the sweep's count).
    single_unit: bool,
    pub label: String,
}

impl Tracker {
    /// A tracker of a run that is `one_unit` of a sweep, or not.
    pub fn new(one_unit: bool) -> Self {
        Self {
            single_unit: one_unit,
            ..Self::default()
        }
    }

    /// Take `event` into account.
    pub fn see(&mut self, event: &Event) {
        match event {
            Event::Started { total_epochs, .. } => self.total_epochs = *total_epochs as f64,
            Event::Unit {
                index,
                count,
                label,
            } => {
                self.unit = Some((*index, *count));
                self.epoch = 0.0;
                self.label = label.clone();
            }
            Event::Losses { epoch, .. } | Event::TestMetrics { epoch, .. } => {
                self.epoch = self.epoch.max(*epoch as f64)
            }
            Event::TrainMetrics { epoch, .. } => self.epoch = self.epoch.max(*epoch),
            Event::Iterations { .. } | Event::SurfaceRow { .. } => {}
            Event::SweepProgress {
                epochs_done,
                epochs_total,
                units_ended,
                units,
            } => {
                self.sweep = Some((*epochs_done, *epochs_total));
                self.label = format!("{units_ended} of {units} units done");
            }
            Event::Done { .. } => self.epoch = self.total_epochs,
            _ => {}
        }
    }

    /// The share done, 0–1.
    pub fn fraction(&self) -> f64 {
        let share = match self.sweep {
            Some((done, total)) if total > 0.0 => done / total,
            _ => {
                let within = match self.total_epochs {
                    t if t > 0.0 => (self.epoch / t).min(1.0),
                    _ => 0.0,
                };
                match self.unit {
                    Some((index, count)) if count > 1 && !self.single_unit => {
                        (index as f64 + within) / count as f64
                    }
                    _ => within,
                }
            }
        };
        share.clamp(0.0, 1.0)
    }
}

/// Ticks of the bar: per-mille.
const TICKS: u64 = 1000;

/// The terminal's bar for a run; `quiet` draws nothing.
pub fn bar(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(TICKS);
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% ETA {eta} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Show `fraction` (0–1) and `label` on `bar`.
pub fn show(bar: &ProgressBar, fraction: f64, label: &str) {
    bar.set_position((fraction * TICKS as f64).round() as u64);
    bar.set_message(label.to_string());
}
