//! What a page knows of a run: the experiment's events folded into one value, and the run's
//! states as its buttons move it (start, pause, resume, stop). The browser's panels render it;
//! the native tests fold a run's events with it too, so the page's folding is tested here.

mod grid;
mod seeds;

pub use seeds::pool_json;
mod sweep;

use std::rc::Rc;

use serde_json::json;

use crate::backend::BackendKind;
use crate::events::{Event, ModelInfo};
use crate::experiments::gradnorm::FullBatchNorms;

pub use crate::events::CriticalPoint;
use crate::progress::Progress;
pub use crate::progress::SweepProgress;
pub use grid::HeatmapGrid;
pub use sweep::{DensityView, Projection, SnapshotPoint, SurfaceView, SweepResult, SweepView};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RunState {
    #[default]
    Idle,
    Running,
    /// Pause asked, not yet acknowledged by everything that computes the run: events may come.
    Pausing,
    /// Every part of the run holds: nothing moves until resume or stop.
    Paused,
    /// Stop asked: the run's parts are ending.
    Stopping,
    Done,
    Error,
}

impl RunState {
    /// The `data-state` value browser tests read.
    pub fn id(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Running => "running",
            Self::Pausing => "pausing",
            Self::Paused => "paused",
            Self::Stopping => "stopping",
            Self::Done => "done",
            Self::Error => "error",
        }
    }

    pub fn is_active(self) -> bool {
        matches!(
            self,
            Self::Running | Self::Pausing | Self::Paused | Self::Stopping
        )
    }
}

/// Every event of a run, in order, for the run's JSON export. Shared, not copied, when the view
/// is (views are copied on every update); two logs are equal when they are the same log.
#[derive(Clone, Debug, Default)]
pub struct EventLog(Rc<std::cell::RefCell<Vec<Event>>>);

impl PartialEq for EventLog {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl EventLog {
    /// A copy of the events so far.
    pub fn events(&self) -> Vec<Event> {
        self.0.borrow().clone()
    }

    /// How many events so far (without copying them).
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunView {
    /// The run's events so far.
    pub log: EventLog,
    pub state: RunState,
    pub backend: Option<BackendKind>,
    pub models: Vec<ModelInfo>,
    pub total_epochs: usize,
    /// Whole epochs done.
    pub epoch: usize,
    /// How far the run is (the progress bar), folded as everywhere else.
    pub progress: Progress,
    pub elapsed_ms: f64,
    /// Training time of the last finished epoch, without its test pass (classifiers).
    pub epoch_train_ms: Option<f64>,
    /// Per model: (epoch, training loss).
    pub losses: Vec<Vec<(f64, f64)>>,
    /// Per model: (epoch, training accuracy), for classifiers.
    pub accuracies: Vec<Vec<(f64, f64)>>,
    /// Per model: (epoch, test accuracy), for classifiers.
    pub test_accuracies: Vec<Vec<(f64, f64)>>,
    /// Per model: (epoch, test loss), for classifiers.
    pub test_losses: Vec<Vec<(f64, f64)>>,
    /// What the optimisation experiments add (sweeps, snapshots, surfaces…).
    pub sweep: SweepView,
    /// The data the run trains on: title, training and test examples.
    pub dataset: Option<(String, usize, usize)>,
    /// The ground-truth curve: grid xs and ys.
    pub reference: Option<(Vec<f32>, Vec<f32>)>,
    /// Per model: prediction on the reference grid.
    pub predictions: Vec<Vec<f32>>,
    pub error: Option<String>,
    /// The user stopped the run before its end.
    pub stopped: bool,
    /// Where the run comes from when it was opened from a run file, not run here (a new run
    /// starts without it).
    pub opened: Option<String>,
    /// The build that computed an opened run (its file's `build`): downloading it again keeps
    /// it, since this page did not compute it.
    pub opened_build: Option<String>,
}

pub enum RunAction {
    Start(BackendKind),
    Events(Vec<Event>),
    /// The user asked to pause: `pausing` until [`RunAction::PauseHeld`].
    Pause,
    /// Everything that computes the run has acknowledged the pause.
    PauseHeld,
    Resume,
    /// The user asked to stop: `stopping` until the run's end arrives.
    Stop,
    /// A run stopped before it could start (waiting for its dataset): it ends here.
    StoppedBeforeStart,
    Reset,
    /// The run shown was opened from a file: what to say about it, and the build that
    /// computed it.
    Opened {
        note: String,
        build: String,
    },
    /// A view folded elsewhere, shown whole: a finished run replayed a slice per task (a large
    /// file's run, folded at once, would hold the page's thread).
    Show(Box<RunView>),
}

impl RunView {
    /// The view of a run whose events are `events` (a run file's, a finished run's).
    pub fn of_events(events: Vec<Event>) -> RunView {
        RunView::default().reduce(RunAction::Events(events))
    }

    /// The view after `action`: the page's reducer.
    pub fn reduce(self, action: RunAction) -> RunView {
        let mut view = self;
        match action {
            RunAction::Start(backend) => {
                view = RunView {
                    state: RunState::Running,
                    backend: Some(backend),
                    ..RunView::default()
                }
            }
            RunAction::Reset => view = RunView::default(),
            RunAction::Show(shown) => view = *shown,
            RunAction::Opened { note, build } => {
                view.opened = Some(note);
                view.opened_build = Some(build);
            }
            RunAction::Pause if view.state == RunState::Running => view.state = RunState::Pausing,
            RunAction::PauseHeld if view.state == RunState::Pausing => {
                view.state = RunState::Paused
            }
            RunAction::Resume if matches!(view.state, RunState::Pausing | RunState::Paused) => {
                view.state = RunState::Running
            }
            RunAction::Stop if view.state.is_active() => view.state = RunState::Stopping,
            RunAction::StoppedBeforeStart if view.state == RunState::Stopping => {
                view.stopped = true;
                view.state = RunState::Done;
            }
            RunAction::Pause
            | RunAction::PauseHeld
            | RunAction::Resume
            | RunAction::Stop
            | RunAction::StoppedBeforeStart => {}
            RunAction::Events(events) => {
                view.log.0.borrow_mut().extend(events.iter().cloned());
                events.into_iter().for_each(|e| view.apply(e));
            }
        }
        view
    }
}

impl RunView {
    fn apply(&mut self, event: Event) {
        self.progress.see(&event);
        match event {
            Event::Started {
                models,
                total_epochs,
            } => {
                self.losses = vec![Vec::new(); models.len()];
                self.accuracies = vec![Vec::new(); models.len()];
                self.test_accuracies = vec![Vec::new(); models.len()];
                self.test_losses = vec![Vec::new(); models.len()];
                self.models = models;
                self.total_epochs = total_epochs;
            }
            Event::Reference { xs, ys } => self.reference = Some((xs, ys)),
            Event::Losses {
                epoch,
                elapsed_ms,
                losses,
            } => {
                self.epoch = epoch;
                self.elapsed_ms = elapsed_ms;
                push_points(&mut self.losses, epoch as f64, losses);
            }
            Event::Dataset { title, train, test } => self.dataset = Some((title, train, test)),
            Event::TrainMetrics {
                epoch,
                elapsed_ms,
                losses,
                accuracies,
            } => {
                self.epoch = epoch.floor() as usize;
                self.elapsed_ms = elapsed_ms;
                push_points(&mut self.losses, epoch, losses);
                push_points(&mut self.accuracies, epoch, accuracies);
            }
            Event::TestMetrics {
                epoch,
                accuracies,
                losses,
                epoch_train_ms,
            } => {
                push_points(&mut self.test_accuracies, epoch as f64, accuracies);
                push_points(&mut self.test_losses, epoch as f64, losses);
                self.epoch_train_ms = Some(epoch_train_ms);
            }
            Event::Predictions { ys, .. } => self.predictions = ys,
            Event::Done { epoch, elapsed_ms } => {
                self.finish(epoch, elapsed_ms);
            }
            Event::Stopped { epoch, elapsed_ms } => {
                self.finish(epoch, elapsed_ms);
                self.stopped = true;
            }
            Event::Error { message } => {
                self.state = RunState::Error;
                self.error = Some(message);
            }
            // Shown; the run's other parts go on (the merge ends it in error if all are lost).
            Event::UnitLost { message } => self.error = Some(message),
            Event::Unit {
                index,
                count,
                label,
            } => {
                self.sweep.unit = Some((index, count, label));
                // A unit's curves start over; its epochs count from 0 again.
                for series in [
                    &mut self.losses,
                    &mut self.accuracies,
                    &mut self.test_accuracies,
                    &mut self.test_losses,
                ] {
                    series.iter_mut().for_each(Vec::clear);
                }
                self.epoch = 0;
            }
            Event::Snapshot {
                run,
                epoch,
                loss,
                accuracy,
            } => self.sweep.snapshots.push(SnapshotPoint {
                run,
                epoch,
                loss,
                accuracy,
            }),
            Event::Projection {
                space,
                points,
                explained,
            } => {
                self.sweep
                    .projections
                    .insert(space, Projection { points, explained });
            }
            Event::FullGradient {
                step,
                grad_norm,
                examples,
                batch,
                train,
            } => self
                .sweep
                .full_batch
                .get_or_insert_with(|| FullBatchNorms::new(examples, batch, train))
                .points
                .push((step, grad_norm)),
            Event::Iterations {
                losses, grad_norms, ..
            } => self
                .sweep
                .iterations
                .extend(losses.into_iter().zip(grad_norms)),
            Event::CriticalPoint(point) => self.sweep.add_critical_point(point),
            Event::SurfaceGrid {
                xs,
                ys,
                directions,
                path,
            } => self.sweep.surface = Some(SurfaceView::new(xs, ys, directions, path)),
            Event::SurfaceRow { row, losses } => {
                if let Some(surface) = &mut self.sweep.surface {
                    surface.set_row(row, &losses);
                }
            }
            Event::Result {
                index,
                label,
                values,
            } => self.sweep.add_result(SweepResult {
                index,
                label,
                values,
            }),
            // Folded into `progress` above.
            Event::SweepProgress { .. } => {}
            // Material for a sweep's combining step, which takes it out before the page.
            Event::Weights { .. } => {}
            Event::Density {
                index,
                grid,
                density,
            } => self.sweep.add_density(DensityView {
                index,
                points: grid.into_iter().zip(density).collect(),
            }),
            Event::LineLosses { alphas, losses } => {
                self.sweep.line = alphas.into_iter().zip(losses).collect();
            }
        }
    }

    /// Epochs done and to do over the whole run, counting a sweep's units.
    pub fn overall_progress(&self) -> (f64, usize) {
        self.progress.overall()
    }

    fn finish(&mut self, epoch: usize, elapsed_ms: f64) {
        self.state = RunState::Done;
        self.epoch = epoch;
        self.elapsed_ms = elapsed_ms;
    }

    /// Runs of a sweep that finished: all of them once the run is done.
    pub fn units_done(&self) -> usize {
        if let Some(p) = &self.progress.sweep {
            return p.units_ended;
        }
        match (&self.sweep.unit, self.state) {
            (Some((_, count, _)), RunState::Done) if self.error.is_none() && !self.stopped => {
                *count
            }
            (Some((index, _, _)), _) => *index,
            (None, _) => 0,
        }
    }

    /// The latest values as JSON text, for the `data-metrics` element that browser tests read.
    pub fn metrics_json(&self) -> String {
        self.metrics().to_string()
    }

    /// The latest values as JSON (panels add their experiment's keys).
    pub fn metrics(&self) -> serde_json::Value {
        let models: serde_json::Map<String, serde_json::Value> = self
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let last =
                    |s: &Vec<Vec<(f64, f64)>>| s.get(i).and_then(|p| p.last()).map(|&(_, v)| v);
                let first = self.losses.get(i).and_then(|p| p.first()).map(|&(_, v)| v);
                let mut entry =
                    json!({ "params": m.params, "loss": last(&self.losses), "first_loss": first });
                if self.accuracies.get(i).is_some_and(|a| !a.is_empty()) {
                    entry["accuracy"] = json!(last(&self.accuracies));
                    entry["first_accuracy"] = json!(self.accuracies[i].first().map(|&(_, v)| v));
                    entry["test_accuracy"] = json!(last(&self.test_accuracies));
                }
                (m.name.clone(), entry)
            })
            .collect();
        let by_model = seeds::by_model_over_seeds(&models);
        json!({
            "state": self.state.id(),
            "backend": self.backend.map(BackendKind::id),
            "epoch": self.epoch,
            "total_epochs": self.total_epochs,
            "elapsed_ms": self.elapsed_ms.round(),
            "epoch_train_ms": self.epoch_train_ms.map(f64::round),
            "models": models,
            "by_model": by_model,
            "dataset": self.dataset.as_ref().map(|(title, train, test)| json!({ "title": title, "train": train, "test": test })),
            "sweep": self.progress.sweep.as_ref().map(|p| json!({ "units": p.units, "units_ended": p.units_ended, "epochs_done": p.epochs_done, "epochs_total": p.epochs_total })),
        })
    }
}

/// Append one point per model to per-model series.
fn push_points(series: &mut [Vec<(f64, f64)>], x: f64, ys: Vec<f64>) {
    // NaN: no value (a model lost while the others went on), not drawn.
    for (points, y) in series.iter_mut().zip(ys).filter(|(_, y)| !y.is_nan()) {
        points.push((x, y));
    }
}

#[cfg(test)]
mod tests;
