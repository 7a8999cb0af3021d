//! Novak et al.'s kind of sweep (`sweep=factors`): models that differ in several factors at
//! once — batch size (full batch among them), hidden width, learning rate and a fraction of
//! training labels made wrong — each trained to the same training loss, so that a measure
//! (E9b's sensitivity) can be correlated with the generalisation gap over models that
//! generalise differently for different reasons, not over batch sizes alone. The design is
//! full factorial: every combination of the listed values is one model.

use super::generalization::join_list;
use crate::params::Params;

/// The factors of one model of a sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelFactors {
    /// Examples per step ([`FULL_BATCH`]: the whole training set).
    pub batch: usize,
    /// The hidden layer's width (`None`: the subject's own layers).
    pub width: Option<usize>,
    /// `None`: the run's learning rate.
    pub lr: Option<f64>,
    /// The fraction of training images whose label is made wrong.
    pub label_noise: f64,
}

/// A batch larger than any training set: every step sees the whole set (full batch).
pub const FULL_BATCH: usize = 60_000;

/// The factors besides the batch size, each a list; every combination is one model.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FactorDesign {
    pub widths: Vec<usize>,
    pub lrs: Vec<f64>,
    pub label_noises: Vec<f64>,
}

/// Novak-style defaults: 3 batch sizes (one the full batch) × 2 widths × 2 learning rates ×
/// 2 label-noise fractions = 24 models of 784-w-10 on 2,000 subset images.
pub const DEFAULT_BATCHES: [usize; 3] = [32, 256, FULL_BATCH];
pub const DEFAULT_WIDTHS: [usize; 2] = [16, 64];
pub const DEFAULT_LRS: [f64; 2] = [0.001, 0.003];
pub const DEFAULT_NOISES: [f64; 2] = [0.0, 0.2];
/// Jiang et al. (2020) train every model of their sweep to cross-entropy 0.01.
pub const DEFAULT_TARGET: f64 = 0.01;
pub const DEFAULT_TRAIN_SIZE: usize = 2000;
/// A model whose loss has not improved for this many epochs stops (and is left out where it
/// stopped above the target): models with wrong labels may not get there.
pub const DEFAULT_PATIENCE: usize = 20;

impl FactorDesign {
    pub fn from_params(p: &mut Params) -> Self {
        Self {
            widths: list(p, "widths", &DEFAULT_WIDTHS, |w| (1..=1024).contains(w)),
            lrs: list(p, "lrs", &DEFAULT_LRS, |lr| (1e-6..=1.0).contains(lr)),
            label_noises: list(p, "label_noises", &DEFAULT_NOISES, |f| {
                (0.0..=0.9).contains(f)
            }),
        }
    }

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("widths", join_list(&self.widths)),
            ("lrs", join_list(&self.lrs)),
            ("label_noises", join_list(&self.label_noises)),
        ]
    }

    /// Models per batch size.
    pub fn per_batch(&self) -> usize {
        self.widths.len() * self.lrs.len() * self.label_noises.len()
    }

    /// Model `i` of the design over `batches` (batch size slowest, then width, learning rate
    /// and label noise).
    pub fn model(&self, batches: &[usize], i: usize) -> ModelFactors {
        let (n, l) = (self.label_noises.len(), self.lrs.len());
        let w = self.widths.len();
        ModelFactors {
            batch: batches[i / (w * l * n)],
            width: Some(self.widths[i / (l * n) % w]),
            lr: Some(self.lrs[i / n % l]),
            label_noise: self.label_noises[i % n],
        }
    }
}

/// Batch sizes as the URL writes them: `full` for the full batch.
pub fn join_batches(batches: &[usize]) -> String {
    let show = |b: &usize| match *b {
        FULL_BATCH => "full".to_string(),
        b => b.to_string(),
    };
    batches.iter().map(show).collect::<Vec<_>>().join(",")
}

/// `batches` of a factor sweep: sizes 1 – 8192 or `full`.
pub fn batch_list(p: &mut Params, default: &[usize]) -> Vec<usize> {
    let joined = join_batches(default);
    p.describe(
        "batches",
        "1 to 16 comma-separated, each 1 – 8192 or `full`",
        joined,
    );
    let Some(raw) = p.get("batches") else {
        return default.to_vec();
    };
    let parsed: Option<Vec<usize>> = raw
        .split(',')
        .map(|v| match v.trim() {
            "full" => Some(FULL_BATCH),
            v => v.parse().ok().filter(|b| (1..=8192).contains(b)),
        })
        .collect();
    match parsed {
        Some(list) if (1..=16).contains(&list.len()) => list,
        _ => {
            p.notice(format!(
                "batches={raw}: expected 1 to 16 comma-separated sizes in 1–8192 or `full`; using the default"
            ));
            default.to_vec()
        }
    }
}

/// A comma-separated list of 1 to 4 values, each `ok`, else `default` with a notice.
fn list<T>(p: &mut Params, key: &str, default: &[T], ok: impl Fn(&T) -> bool) -> Vec<T>
where
    T: std::str::FromStr + std::fmt::Display + Copy,
{
    let joined = join_list(default);
    p.describe(key, "1 to 4 comma-separated", joined);
    let Some(raw) = p.get(key) else {
        return default.to_vec();
    };
    let parsed: Option<Vec<T>> = raw
        .split(',')
        .map(|v| v.trim().parse().ok().filter(&ok))
        .collect();
    match parsed {
        Some(list) if (1..=4).contains(&list.len()) => list,
        _ => {
            p.notice(format!(
                "{key}={raw}: expected 1 to 4 comma-separated values in range; using the default"
            ));
            default.to_vec()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_design_is_every_combination_with_the_batch_size_slowest() {
        let d = FactorDesign::from_params(&mut Params::default());
        assert_eq!(d.per_batch(), 8);
        let batches = DEFAULT_BATCHES;
        let all: Vec<ModelFactors> = (0..24).map(|i| d.model(&batches, i)).collect();
        assert_eq!(all[0].batch, 32);
        assert_eq!(all[23].batch, FULL_BATCH);
        assert_eq!(
            all[5],
            ModelFactors {
                batch: 32,
                width: Some(64),
                lr: Some(0.001),
                label_noise: 0.2
            }
        );
        // Every combination once.
        for (a, x) in all.iter().enumerate() {
            for y in &all[a + 1..] {
                assert_ne!(x, y);
            }
        }
    }

    #[test]
    fn lists_read_full_batch_and_refuse_out_of_range_values_with_a_notice() {
        let mut p = Params::parse("batches=16,full&widths=8,32,128&lrs=0.01&label_noises=0,0.5");
        assert_eq!(batch_list(&mut p, &DEFAULT_BATCHES), [16, FULL_BATCH]);
        assert_eq!(join_batches(&[16, FULL_BATCH]), "16,full");
        let d = FactorDesign::from_params(&mut p);
        assert!(p.finish().is_empty());
        assert_eq!(
            (d.widths.len(), d.lrs.len(), d.label_noises.len()),
            (3, 1, 2)
        );
        assert_eq!(
            Params::parse(&crate::params::to_query(d.to_params())).get("lrs"),
            Some("0.01".into())
        );
        for bad in ["widths=0", "lrs=2", "label_noises=1", "widths=1,2,3,4,5"] {
            let mut p = Params::parse(bad);
            assert_eq!(
                FactorDesign::from_params(&mut p),
                FactorDesign::from_params(&mut Params::default()),
                "{bad}"
            );
            assert_eq!(p.finish().len(), 1, "{bad}");
        }
        let mut p = Params::parse("batches=16,huge");
        assert_eq!(batch_list(&mut p, &DEFAULT_BATCHES), DEFAULT_BATCHES);
        assert_eq!(p.finish().len(), 1);
    }
}
