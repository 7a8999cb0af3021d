//! One stream from units that are models of one run trained side by side (E1's and E2's
//! models, a unit each, `unit=i`): every unit runs at once, and the stream joins them step by
//! step as the whole run gives it: one `Started` listing every model, each logged point
//! (`Losses`, `TrainMetrics`, `TestMetrics`) once every model has reached it, `Predictions` of
//! every model, one end after the last unit. Points are logged on a schedule of steps, the same
//! for a model alone as beside others, so they join.

use std::collections::BTreeMap;

use web_time::Instant;

use super::merge::{last_event, End, Merge};
use crate::events::{Event, ModelInfo};

/// A unit's predictions on the grid: the epoch, and a row per model of the unit.
type Predictions = (usize, Vec<Vec<f32>>);

/// Logged points some models have reached, by key (an epoch, or a fractional epoch's bits):
/// each unit's part, until every unit has sent its own.
struct Join<T> {
    points: BTreeMap<u64, Vec<Option<T>>>,
    count: usize,
}

impl<T> Join<T> {
    fn new(count: usize) -> Self {
        Self {
            points: BTreeMap::new(),
            count,
        }
    }

    /// Unit `unit`'s part of point `key`: every unit's part, in unit order, once all are in.
    fn add(&mut self, key: u64, unit: usize, part: T) -> Option<Vec<T>> {
        let parts = self
            .points
            .entry(key)
            .or_insert_with(|| (0..self.count).map(|_| None).collect());
        parts[unit] = Some(part);
        if parts.iter().all(Option::is_some) {
            self.points
                .remove(&key)
                .map(|p| p.into_iter().flatten().collect())
        } else {
            None
        }
    }
}

/// A `TrainMetrics` part: elapsed time, losses, accuracies.
type MetricsPart = (f64, Vec<f64>, Vec<f64>);

/// The values of every part, one after another.
fn concat<'a>(parts: impl IntoIterator<Item = &'a Vec<f64>>) -> Vec<f64> {
    parts.into_iter().flatten().copied().collect()
}

/// The largest of the parts' times: the slowest model's.
fn slowest(times: impl IntoIterator<Item = f64>) -> f64 {
    times.into_iter().fold(0.0, f64::max)
}

#[derive(Debug, Default)]
struct Model {
    started: Option<Vec<ModelInfo>>,
    /// Its latest predictions.
    predictions: Option<Predictions>,
    epoch: usize,
    end: Option<End>,
}

/// The merge of `count` models trained apart.
pub struct SideBySide {
    models: Vec<Model>,
    total_epochs: usize,
    started_sent: bool,
    /// The ground truth (every unit sends the same), given out once, after `Started`.
    reference: Option<Event>,
    reference_sent: bool,
    /// The dataset's description (every unit sends the same): the first one passes.
    dataset_sent: bool,
    losses: Join<(f64, Vec<f64>)>,
    metrics: Join<MetricsPart>,
    tests: Join<(Vec<f64>, Vec<f64>, f64)>,
    clock: Instant,
    finished: bool,
}

impl SideBySide {
    pub fn new(count: usize) -> Self {
        Self {
            models: (0..count).map(|_| Model::default()).collect(),
            total_epochs: 0,
            started_sent: false,
            reference: None,
            reference_sent: false,
            dataset_sent: false,
            losses: Join::new(count),
            metrics: Join::new(count),
            tests: Join::new(count),
            clock: Instant::now(),
            finished: false,
        }
    }

    /// The ground truth, once `Started` has gone out: the stream starts with `Started`.
    fn send_reference(&mut self, out: &mut Vec<Event>) {
        if self.started_sent && !self.reference_sent {
            if let Some(reference) = &self.reference {
                out.push(reference.clone());
                self.reference_sent = true;
            }
        }
    }

    fn take(&mut self, unit: usize, event: Event, out: &mut Vec<Event>) {
        let count = self.models.len();
        match event {
            Event::Started {
                models,
                total_epochs,
            } => {
                self.models[unit].started = Some(models);
                self.total_epochs = self.total_epochs.max(total_epochs);
                if !self.started_sent && self.models.iter().all(|m| m.started.is_some()) {
                    self.started_sent = true;
                    let models = self
                        .models
                        .iter()
                        .flat_map(|m| m.started.clone().unwrap_or_default())
                        .collect();
                    out.push(Event::Started {
                        models,
                        total_epochs: self.total_epochs,
                    });
                }
                self.send_reference(out);
            }
            Event::Reference { .. } => {
                self.reference.get_or_insert(event);
                self.send_reference(out);
            }
            Event::Dataset { .. } if self.dataset_sent => {}
            Event::Dataset { .. } => {
                self.dataset_sent = true;
                out.push(event);
            }
            Event::Losses {
                epoch,
                elapsed_ms,
                losses,
            } => {
                self.models[unit].epoch = epoch;
                if let Some(parts) = self.losses.add(epoch as u64, unit, (elapsed_ms, losses)) {
                    out.push(Event::Losses {
                        epoch,
                        elapsed_ms: slowest(parts.iter().map(|p| p.0)),
                        losses: concat(parts.iter().map(|p| &p.1)),
                    });
                }
            }
            Event::TrainMetrics {
                epoch,
                elapsed_ms,
                losses,
                accuracies,
            } => {
                let part = (elapsed_ms, losses, accuracies);
                if let Some(parts) = self.metrics.add(epoch.to_bits(), unit, part) {
                    out.push(Event::TrainMetrics {
                        epoch,
                        elapsed_ms: slowest(parts.iter().map(|p| p.0)),
                        losses: concat(parts.iter().map(|p| &p.1)),
                        accuracies: concat(parts.iter().map(|p| &p.2)),
                    });
                }
            }
            Event::TestMetrics {
                epoch,
                accuracies,
                losses,
                epoch_train_ms,
            } => {
                self.models[unit].epoch = epoch;
                let part = (accuracies, losses, epoch_train_ms);
                if let Some(parts) = self.tests.add(epoch as u64, unit, part) {
                    out.push(Event::TestMetrics {
                        epoch,
                        accuracies: concat(parts.iter().map(|p| &p.0)),
                        losses: concat(parts.iter().map(|p| &p.1)),
                        // The models trained at once: the epoch took the slowest one's time.
                        epoch_train_ms: slowest(parts.iter().map(|p| p.2)),
                    });
                }
            }
            Event::Predictions { epoch, ys } => {
                self.models[unit].predictions = Some((epoch, ys));
                let latest: Option<Vec<&Predictions>> =
                    self.models.iter().map(|m| m.predictions.as_ref()).collect();
                if let Some(latest) = latest {
                    out.push(Event::Predictions {
                        epoch: latest.iter().map(|p| p.0).min().unwrap_or(epoch),
                        ys: latest.iter().flat_map(|p| p.1.clone()).collect(),
                    });
                }
            }
            Event::Done { epoch, .. } => {
                self.models[unit].epoch = epoch;
                self.models[unit].end = Some(End::Done);
            }
            Event::Stopped { epoch, .. } => {
                self.models[unit].epoch = epoch;
                self.models[unit].end = Some(End::Stopped);
            }
            Event::Error { message } => {
                let name = self.models[unit]
                    .started
                    .as_ref()
                    .and_then(|m| m.first())
                    .map_or_else(
                        || format!("model {} of {count}", unit + 1),
                        |m| m.name.clone(),
                    );
                self.models[unit].end = Some(End::Failed);
                out.push(Event::Error {
                    message: format!("{name} was lost ({message}); the other models go on."),
                });
            }
            other => out.push(other),
        }
    }
}

impl Merge for SideBySide {
    fn push(&mut self, unit: usize, events: Vec<Event>) -> Vec<Event> {
        let mut out = Vec::new();
        if unit >= self.models.len() || self.finished {
            return out;
        }
        for event in events {
            if self.models[unit].end.is_some() {
                break;
            }
            self.take(unit, event, &mut out);
        }
        if self.models.iter().all(|m| m.end.is_some()) {
            self.finished = true;
            let ends: Vec<End> = self.models.iter().filter_map(|m| m.end).collect();
            let epoch = self.models.iter().map(|m| m.epoch).max().unwrap_or(0);
            let elapsed_ms = self.clock.elapsed().as_secs_f64() * 1000.0;
            out.extend(last_event(&ends, epoch, elapsed_ms));
        }
        out
    }

    fn is_finished(&self) -> bool {
        self.finished
    }

    fn side_by_side(&self) -> bool {
        true
    }
}
