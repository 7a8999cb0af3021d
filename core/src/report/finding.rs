//! What every section's finding is made of: the [`Finding`] itself, how it prints numbers, and
//! queries over a run's events ([`Events`]), shared by the findings of each part.

use std::collections::BTreeMap;

use crate::events::{Event, ModelInfo};

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub text: String,
    /// Whether the data agrees with the section's reference result.
    pub agrees: bool,
}

/// A number as a finding prints it: 3 significant digits, scientific when small or large.
pub(super) fn num(x: f64) -> String {
    if x != 0.0 && !(1e-2..1e4).contains(&x.abs()) {
        format!("{x:.1e}")
    } else {
        format!("{x:.3}")
    }
}

pub(super) fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

/// Queries over a run's events.
pub(super) struct Events<'a>(pub(super) &'a [Event]);

impl Events<'_> {
    pub(super) fn models(&self) -> Option<&[ModelInfo]> {
        self.0.iter().rev().find_map(|e| match e {
            Event::Started { models, .. } => Some(models.as_slice()),
            _ => None,
        })
    }

    pub(super) fn last_losses(&self) -> Option<&[f64]> {
        self.0.iter().rev().find_map(|e| match e {
            Event::Losses { losses, .. } => Some(losses.as_slice()),
            _ => None,
        })
    }

    /// The latest training (loss, accuracy) of every model.
    pub(super) fn last_train(&self) -> Option<(&[f64], &[f64])> {
        self.0.iter().rev().find_map(|e| match e {
            Event::TrainMetrics {
                losses, accuracies, ..
            } => Some((losses.as_slice(), accuracies.as_slice())),
            _ => None,
        })
    }

    /// Every test pass: (accuracies, losses) of every model.
    pub(super) fn tests(&self) -> Vec<(&[f64], &[f64])> {
        self.0
            .iter()
            .filter_map(|e| match e {
                Event::TestMetrics {
                    accuracies, losses, ..
                } => Some((accuracies.as_slice(), losses.as_slice())),
                _ => None,
            })
            .collect()
    }

    /// A sweep's results in index order, with their indices.
    pub(super) fn indexed_results(&self) -> Vec<(usize, &BTreeMap<String, f64>)> {
        let mut found: Vec<_> = self
            .0
            .iter()
            .filter_map(|e| match e {
                Event::Result { index, values, .. } => Some((*index, values)),
                _ => None,
            })
            .collect();
        found.sort_by_key(|(i, _)| *i);
        found
    }

    /// A sweep's results in index order.
    pub(super) fn results(&self) -> Vec<&BTreeMap<String, f64>> {
        self.indexed_results().into_iter().map(|(_, v)| v).collect()
    }

    /// One named value of every result (in index order); `None` if any lacks it.
    pub(super) fn column(&self, key: &str) -> Option<Vec<f64>> {
        let rows = self.results();
        (rows.len() >= 2)
            .then(|| rows.iter().map(|r| r.get(key).copied()).collect())
            .flatten()
    }
}
