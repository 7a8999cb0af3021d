//! How far a run is, from its events, for the terminal's progress bar (indicatif, on stderr;
//! hidden where stderr is no terminal) or, in a unit's process, for the parent that runs it.

use indicatif::{ProgressBar, ProgressStyle};
use mlds_core::progress::Progress;
use mlds_core::Event;

/// The share of a run done, from its stream (`mlds_core::progress`), and the bar's label.
#[derive(Debug, Default)]
pub struct Tracker {
    progress: Progress,
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
        self.progress.see(event);
        match event {
            Event::Unit { label, .. } => self.label = label.clone(),
            Event::SweepProgress {
                units_ended, units, ..
            } => self.label = format!("{units_ended} of {units} units done"),
            _ => {}
        }
    }

    /// The share done, 0–1: one unit's own schedule where the run is one unit.
    pub fn fraction(&self) -> f64 {
        match self.single_unit {
            true => Progress {
                unit: None,
                ..self.progress.clone()
            }
            .fraction(),
            false => self.progress.fraction(),
        }
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
