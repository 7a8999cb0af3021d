//! One stream from units that are models of one run trained side by side (E1's and E2's
//! models, a unit each, `unit=i`): every unit runs at once, and the stream joins them step by
//! step as the whole run gives it: one `Started` listing every model, each logged point
//! (`Losses`, `TrainMetrics`, `TestMetrics`) once every model has reached it, `Predictions` of
//! every model, one end after the last unit. Points are logged on a schedule of steps, the same
//! for a model alone as beside others, so they join.
//!
//! A lost model (its worker crashed) holds nothing up: its slot in every later point is NaN,
//! which the page does not draw, and the other models go on.

use std::collections::BTreeMap;

use web_time::Instant;

use super::merge::{last_event, End, Merge};
use crate::events::{Event, ModelInfo};

/// A unit's predictions on the grid: the epoch, and a row per model of the unit.
type Predictions = (usize, Vec<Vec<f32>>);

/// A `Losses` part: elapsed time, losses.
type LossesPart = (f64, Vec<f64>);
/// A `TrainMetrics` part: elapsed time, losses, accuracies.
type MetricsPart = (f64, Vec<f64>, Vec<f64>);
/// A `TestMetrics` part: accuracies, losses, the epoch's training time.
type TestPart = (Vec<f64>, Vec<f64>, f64);

/// Logged points some models have reached, by key (an epoch, or a fractional epoch's bits):
/// each unit's part, until every unit has sent its own or was lost (its `filler` stands in).
struct Join<T> {
    points: BTreeMap<u64, Vec<Option<T>>>,
    fillers: Vec<Option<T>>,
}

impl<T: Clone> Join<T> {
    fn new(count: usize) -> Self {
        Self {
            points: BTreeMap::new(),
            fillers: (0..count).map(|_| None).collect(),
        }
    }

    /// Unit `unit`'s part of point `key`: every unit's part, in unit order, once all are in.
    fn add(&mut self, key: u64, unit: usize, part: T) -> Option<Vec<T>> {
        let count = self.fillers.len();
        let parts = self
            .points
            .entry(key)
            .or_insert_with(|| (0..count).map(|_| None).collect());
        parts[unit] = Some(part);
        self.complete(key)
    }

    /// Unit `unit` is lost: `filler` stands in for its parts; the points that waited only for
    /// it, by key.
    fn lose(&mut self, unit: usize, filler: T) -> Vec<(u64, Vec<T>)> {
        self.fillers[unit] = Some(filler);
        let keys: Vec<u64> = self.points.keys().copied().collect();
        keys.into_iter()
            .filter_map(|key| Some((key, self.complete(key)?)))
            .collect()
    }

    fn complete(&mut self, key: u64) -> Option<Vec<T>> {
        let parts = self.points.get(&key)?;
        let ready = parts
            .iter()
            .zip(&self.fillers)
            .all(|(part, filler)| part.is_some() || filler.is_some());
        if !ready {
            return None;
        }
        let parts = self.points.remove(&key)?;
        Some(
            parts
                .into_iter()
                .zip(&self.fillers)
                .filter_map(|(part, filler)| part.or_else(|| filler.clone()))
                .collect(),
        )
    }
}

/// The values of every part, one after another.
fn concat<'a>(parts: impl IntoIterator<Item = &'a Vec<f64>>) -> Vec<f64> {
    parts.into_iter().flatten().copied().collect()
}

/// The largest of the parts' times: the slowest model's.
fn slowest(times: impl IntoIterator<Item = f64>) -> f64 {
    times.into_iter().fold(0.0, f64::max)
}

fn losses_event(epoch: u64, parts: Vec<LossesPart>) -> Event {
    Event::Losses {
        epoch: epoch as usize,
        elapsed_ms: slowest(parts.iter().map(|p| p.0)),
        losses: concat(parts.iter().map(|p| &p.1)),
    }
}

fn metrics_event(epoch_bits: u64, parts: Vec<MetricsPart>) -> Event {
    Event::TrainMetrics {
        epoch: f64::from_bits(epoch_bits),
        elapsed_ms: slowest(parts.iter().map(|p| p.0)),
        losses: concat(parts.iter().map(|p| &p.1)),
        accuracies: concat(parts.iter().map(|p| &p.2)),
    }
}

fn tests_event(epoch: u64, parts: Vec<TestPart>) -> Event {
    Event::TestMetrics {
        epoch: epoch as usize,
        accuracies: concat(parts.iter().map(|p| &p.0)),
        losses: concat(parts.iter().map(|p| &p.1)),
        // The models trained at once: the epoch took the slowest one's time.
        epoch_train_ms: slowest(parts.iter().map(|p| p.2)),
    }
}

/// One part: a model, or a group of models trained together in one worker.
#[derive(Debug, Default)]
struct Model {
    /// Its models' indexes among all the run's.
    models: std::ops::Range<usize>,
    started: Option<Vec<ModelInfo>>,
    /// Its latest predictions.
    predictions: Option<Predictions>,
    epoch: usize,
    end: Option<End>,
}

impl Model {
    /// How many models the unit holds, as its `Started` said (none if it never said).
    fn width(&self) -> usize {
        self.started.as_ref().map_or(0, Vec::len)
    }

    /// What to call it in a message: its models' names, or their places among `count`.
    fn name(&self, count: usize) -> String {
        let names: Vec<&str> = self
            .started
            .iter()
            .flatten()
            .map(|m| m.name.as_str())
            .collect();
        match (names.as_slice(), self.models.len()) {
            ([], 1) => format!("model {} of {count}", self.models.start + 1),
            ([], _) => format!(
                "models {} to {} of {count}",
                self.models.start + 1,
                self.models.end
            ),
            ([one], _) => one.to_string(),
            (many, _) => many.join(" and "),
        }
    }
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
    losses: Join<LossesPart>,
    metrics: Join<MetricsPart>,
    tests: Join<TestPart>,
    clock: Instant,
    finished: bool,
    /// Why the first lost model was lost.
    first_loss: Option<String>,
}

impl SideBySide {
    /// `count` models, a unit each.
    pub fn new(count: usize) -> Self {
        Self::grouped(&vec![1; count])
    }

    /// Units that hold `sizes[i]` models each (in order: unit 0 the first models, and so on).
    pub fn grouped(sizes: &[usize]) -> Self {
        let count = sizes.len();
        let mut start = 0;
        Self {
            models: sizes
                .iter()
                .map(|&size| {
                    start += size;
                    Model {
                        models: start - size..start,
                        ..Model::default()
                    }
                })
                .collect(),
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
            first_loss: None,
        }
    }

    /// `Started` once every model has said it started (or was lost), then the ground truth:
    /// the stream starts with `Started`.
    fn send_started(&mut self, out: &mut Vec<Event>) {
        let all = self
            .models
            .iter()
            .all(|m| m.started.is_some() || m.end.is_some());
        if !self.started_sent && all {
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
        if self.started_sent && !self.reference_sent {
            if let Some(reference) = &self.reference {
                out.push(reference.clone());
                self.reference_sent = true;
            }
        }
    }

    /// Predictions of every model, once each has sent some (or was lost: its rows are its last
    /// ones, or empty, no curve).
    fn send_predictions(&self, out: &mut Vec<Event>) {
        let alive: Option<Vec<usize>> = self
            .models
            .iter()
            .filter(|m| m.end != Some(End::Failed))
            .map(|m| m.predictions.as_ref().map(|p| p.0))
            .collect();
        let Some(epoch) = alive.and_then(|epochs| epochs.into_iter().min()) else {
            return;
        };
        let rows = |m: &Model| {
            m.predictions
                .as_ref()
                .map_or_else(|| vec![Vec::new(); m.width()], |p| p.1.clone())
        };
        out.push(Event::Predictions {
            epoch,
            ys: self.models.iter().flat_map(rows).collect(),
        });
    }

    /// Unit `unit` was lost: no point waits for it any more.
    fn lose(&mut self, unit: usize, message: String, out: &mut Vec<Event>) {
        let count = self.models.last().map_or(0, |m| m.models.end);
        let model = &mut self.models[unit];
        model.end = Some(End::Failed);
        self.first_loss.get_or_insert(message.clone());
        let verb = if model.models.len() > 1 {
            "were"
        } else {
            "was"
        };
        out.push(Event::UnitLost {
            message: format!(
                "{} {verb} lost ({message}); the other models go on.",
                model.name(count)
            ),
        });
        let nan = vec![f64::NAN; model.width()];
        self.send_started(out);
        for (key, parts) in self.losses.lose(unit, (0.0, nan.clone())) {
            out.push(losses_event(key, parts));
        }
        for (key, parts) in self.metrics.lose(unit, (0.0, nan.clone(), nan.clone())) {
            out.push(metrics_event(key, parts));
        }
        for (key, parts) in self.tests.lose(unit, (nan.clone(), nan, 0.0)) {
            out.push(tests_event(key, parts));
        }
        if self.models.iter().any(|m| m.predictions.is_some()) {
            self.send_predictions(out);
        }
    }

    fn take(&mut self, unit: usize, event: Event, out: &mut Vec<Event>) {
        match event {
            Event::Started {
                models,
                total_epochs,
            } => {
                self.models[unit].started = Some(models);
                self.total_epochs = self.total_epochs.max(total_epochs);
                self.send_started(out);
            }
            Event::Reference { .. } => {
                self.reference.get_or_insert(event);
                self.send_started(out);
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
                let key = epoch as u64;
                if let Some(parts) = self.losses.add(key, unit, (elapsed_ms, losses)) {
                    out.push(losses_event(key, parts));
                }
            }
            Event::TrainMetrics {
                epoch,
                elapsed_ms,
                losses,
                accuracies,
            } => {
                let key = epoch.to_bits();
                let part = (elapsed_ms, losses, accuracies);
                if let Some(parts) = self.metrics.add(key, unit, part) {
                    out.push(metrics_event(key, parts));
                }
            }
            Event::TestMetrics {
                epoch,
                accuracies,
                losses,
                epoch_train_ms,
            } => {
                self.models[unit].epoch = epoch;
                let key = epoch as u64;
                let part = (accuracies, losses, epoch_train_ms);
                if let Some(parts) = self.tests.add(key, unit, part) {
                    out.push(tests_event(key, parts));
                }
            }
            Event::Predictions { epoch, ys } => {
                self.models[unit].predictions = Some((epoch, ys));
                self.send_predictions(out);
            }
            Event::Done { epoch, .. } => {
                self.models[unit].epoch = epoch;
                self.models[unit].end = Some(End::Done);
            }
            Event::Stopped { epoch, .. } => {
                self.models[unit].epoch = epoch;
                self.models[unit].end = Some(End::Stopped);
            }
            Event::Error { message } => self.lose(unit, message, out),
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
            out.push(last_event(
                &ends,
                epoch,
                elapsed_ms,
                self.first_loss.as_deref(),
            ));
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
