//! The training settings every experiment shares (optimiser, learning rate, epochs, batch size,
//! seed, backend), read from and written to the URL in one place.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use super::OptimizerKind;
use crate::backend::BackendChoice;
use crate::params::Params;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainSettings {
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub epochs: usize,
    /// Examples per mini-batch; `None`: the full training set in one batch.
    pub batch_size: Option<usize>,
    pub seed: u64,
    pub backend: BackendChoice,
}

/// An experiment's defaults and limits for [`TrainSettings`].
#[derive(Clone, Debug, PartialEq)]
pub struct TrainDefaults {
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub epochs: usize,
    pub epoch_range: RangeInclusive<usize>,
    pub batch_size: Option<usize>,
    /// Largest mini-batch a user may ask for.
    pub max_batch: usize,
    /// Whether `batch=full` (the whole set per step) is offered. Where it is, a batch of at
    /// least `max_batch` examples also means full batch.
    pub full_batch: bool,
}

impl Default for TrainDefaults {
    fn default() -> Self {
        Self {
            optimizer: OptimizerKind::Adam,
            learning_rate: 0.001,
            epochs: 10,
            epoch_range: 1..=1000,
            batch_size: Some(64),
            max_batch: 1024,
            full_batch: false,
        }
    }
}

impl TrainDefaults {
    /// The settings a preset starts from.
    pub fn settings(&self) -> TrainSettings {
        TrainSettings {
            optimizer: self.optimizer,
            learning_rate: self.learning_rate,
            epochs: self.epochs,
            batch_size: self.batch_size,
            seed: 1,
            backend: BackendChoice::Auto,
        }
    }
}

impl TrainSettings {
    /// Read `opt`, `lr`, `epochs`, `batch`, `seed` and `backend`, clamping with notices.
    pub fn from_params(p: &mut Params, d: &TrainDefaults) -> Self {
        let optimizer = p.choice(
            "opt",
            d.optimizer,
            OptimizerKind::parse,
            &OptimizerKind::ALL.map(|o| o.id()),
        );
        let learning_rate = p.number("lr", d.learning_rate, 1e-6..=1.0);
        let epochs = p.number("epochs", d.epochs, d.epoch_range.clone());
        let sizes = format!("1 – {}", d.max_batch);
        p.describe(
            "batch",
            if d.full_batch {
                format!("`full` or {sizes}")
            } else {
                sizes
            },
            d.batch_size.map_or("full".into(), |b| b.to_string()),
        );
        let batch_size = match p.get("batch").as_deref() {
            None => d.batch_size,
            Some("full") if d.full_batch => None,
            Some(_) => {
                let default = d.batch_size.unwrap_or(d.max_batch);
                let b = p.number("batch", default, 1..=d.max_batch);
                Some(b).filter(|&b| !(d.full_batch && b >= d.max_batch))
            }
        };
        let seed = p.number("seed", 1, 0..=u32::MAX as u64);
        let backend = p.choice(
            "backend",
            BackendChoice::Auto,
            BackendChoice::parse,
            &BackendChoice::ALL.map(|b| b.id()),
        );
        Self {
            optimizer,
            learning_rate,
            epochs,
            batch_size,
            seed,
            backend,
        }
    }

    /// The URL pairs that reproduce these settings.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("opt", self.optimizer.id().into()),
            ("lr", self.learning_rate.to_string()),
            ("epochs", self.epochs.to_string()),
            (
                "batch",
                self.batch_size.map_or("full".into(), |b| b.to_string()),
            ),
            ("seed", self.seed.to_string()),
            ("backend", self.backend.id().into()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::to_query;

    fn parse(query: &str, d: &TrainDefaults) -> (TrainSettings, Vec<String>) {
        let mut p = Params::parse(query);
        let s = TrainSettings::from_params(&mut p, d);
        (s, p.finish())
    }

    #[test]
    fn defaults_when_absent_and_round_trip() {
        let d = TrainDefaults::default();
        let (s, notices) = parse("", &d);
        assert_eq!(s, d.settings());
        assert!(notices.is_empty());
        let custom = TrainSettings {
            optimizer: OptimizerKind::Sgd,
            learning_rate: 0.05,
            epochs: 7,
            batch_size: Some(32),
            seed: 9,
            backend: BackendChoice::Cpu,
        };
        assert_eq!(parse(&to_query(custom.to_params()), &d).0, custom);
    }

    #[test]
    fn full_batch_only_where_offered() {
        let full = TrainDefaults {
            batch_size: None,
            max_batch: 512,
            full_batch: true,
            ..TrainDefaults::default()
        };
        assert_eq!(parse("batch=full", &full).0.batch_size, None);
        assert_eq!(parse("batch=600", &full).0.batch_size, None, "≥ the set");
        assert_eq!(parse("batch=16", &full).0.batch_size, Some(16));
        let (s, notices) = parse("batch=full", &TrainDefaults::default());
        assert_eq!(s.batch_size, Some(64));
        assert_eq!(notices.len(), 1, "{notices:?}");
    }

    #[test]
    fn out_of_range_values_are_clamped_with_notices() {
        let (s, notices) = parse(
            "lr=5&epochs=0&opt=rmsprop&backend=cuda&batch=99999",
            &TrainDefaults::default(),
        );
        assert_eq!(s.learning_rate, 1.0);
        assert_eq!(s.epochs, 1);
        assert_eq!(s.optimizer, OptimizerKind::Adam);
        assert_eq!(s.batch_size, Some(1024));
        assert_eq!(notices.len(), 5, "{notices:?}");
    }
}
