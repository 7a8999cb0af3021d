//! What every section's finding is made of: the [`Finding`] itself, how it prints numbers, and
//! queries over a run's events ([`Events`]), shared by the findings of each part.

use std::collections::BTreeMap;

use crate::engine::seeds::Pooled;
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

/// Over seeds, a claim must hold in at least this share of them.
pub const SEEDS_AGREE: f64 = 0.8;

/// Values over seeds as `fmt` prints them: the one value, or "mean ± std".
pub(super) fn spread(values: &[f64], fmt: fn(f64) -> String) -> String {
    match values {
        [one] => fmt(*one),
        _ => {
            let (mean, std) = crate::engine::seeds::mean_std(values);
            format!("{} ± {}", fmt(mean), fmt(std))
        }
    }
}

/// A pooled value as `fmt` prints it, "± its spread" where it has one.
pub(super) fn with_spread(point: &Pooled, key: &str, fmt: fn(f64) -> String) -> String {
    let value = point.values.get(key).map_or("—".into(), |&v| fmt(v));
    match point.values.get(&format!("{key}_std")) {
        Some(&std) => format!("{value} ± {}", fmt(std)),
        None => value,
    }
}

/// One result's values.
pub(super) type Values = BTreeMap<String, f64>;

/// The results of two pooled points trained with the same seed, seed by seed (by their
/// `seed` index; a point of one seed pairs with the other's one).
pub(super) fn paired_seeds<'a>(a: &'a Pooled, b: &'a Pooled) -> Vec<(&'a Values, &'a Values)> {
    let seed = |r: &BTreeMap<String, f64>| r.get("seed").copied();
    a.seeds
        .iter()
        .filter_map(|x| Some((x, b.seeds.iter().find(|y| seed(y) == seed(x))?)))
        .collect()
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
}
