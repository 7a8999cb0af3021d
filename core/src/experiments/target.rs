//! The training target of the experiments that compare minima (E9a, E9b, E10), and training
//! a classifier towards it: the loop stops at the target loss, or once the loss has stopped
//! improving, with the epochs as a cap.

use burn::tensor::Device;

use super::subject::{train_subject, Subject, SubjectData, Trained};
use crate::events::Host;
use crate::models::{Classifier, Mlp};
use crate::params::Params;
use crate::train::{EpochEnd, Halt, Hooks, Stopwatch, TrainSettings};

/// The training target of the experiments that compare minima (E9a, E9b, E10): every model
/// trains until its training loss reaches the same value, not for the same number of epochs
/// (a batch of 4,096 takes 256× fewer steps per epoch than one of 16, and would be compared
/// under-trained). Keskar et al. train until the loss stops improving (~100 % training
/// accuracy, cross-entropy ~1e-3): with `patience`, a model whose loss has stopped improving
/// has reached its minimum too.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Target {
    /// Training stops after the first epoch whose mean training cross-entropy is at most this;
    /// the settings' `epochs` is the cap.
    pub loss: f64,
    /// … or after this many epochs in a row without the epoch's mean training loss falling
    /// [`IMPROVEMENT`] below its best so far (0: never; the loss must reach `loss`).
    #[serde(default)]
    pub patience: usize,
}

/// The default target: a training cross-entropy of 0.05 (≈ 99 % training accuracy on MNIST).
pub const DEFAULT_TARGET_LOSS: f64 = 0.05;

/// What counts as the loss still improving: falling at least 1 % below its best.
pub const IMPROVEMENT: f64 = 0.01;

/// The default cap on a batch sweep's epochs: enough for batch 4,096 on the 8,000-image subset
/// (2 steps an epoch) to reach the default target (it takes ~160 epochs for 784-32-10), while
/// batch 16 stops after ~13.
pub const EPOCH_CAP: usize = 300;

impl Target {
    /// `target` (the training loss to reach) and `patience` (default none: the loss must
    /// reach it).
    pub fn from_params(p: &mut Params) -> Self {
        Self {
            loss: p.number("target", DEFAULT_TARGET_LOSS, 1e-4..=10.0),
            patience: p.number("patience", 0, 0..=1000),
        }
    }

    pub fn to_params(&self) -> (&'static str, String) {
        ("target", self.loss.to_string())
    }

    /// Whether a model whose evaluated training loss is `train_loss` reached the target: the
    /// rule the findings and the hollow points use (the stop itself uses the epoch's mean
    /// loss, which lags the model's, so a model that stopped is normally below it).
    pub fn reached(&self, train_loss: f64) -> bool {
        train_loss <= self.loss
    }
}

/// Ends the image loop after the first epoch whose mean training loss is at most the target,
/// or (with patience) once it has stopped improving.
struct StopAtTarget {
    target: Target,
    epochs: usize,
    hit: bool,
    /// The lowest epoch mean so far, and the epochs since it last improved by [`IMPROVEMENT`].
    best: f64,
    since: usize,
}

impl StopAtTarget {
    fn new(target: Target) -> Self {
        Self {
            target,
            epochs: 0,
            hit: false,
            best: f64::INFINITY,
            since: 0,
        }
    }

    /// Takes the epoch's mean training loss.
    fn saw(&mut self, epoch: usize, loss: Option<f64>) {
        self.epochs = epoch;
        let Some(loss) = loss else { return };
        if loss < self.best * (1.0 - IMPROVEMENT) {
            self.best = loss;
            self.since = 0;
        } else {
            self.since += 1;
        }
        let settled = self.target.patience > 0 && self.since >= self.target.patience;
        self.hit = loss <= self.target.loss || settled;
    }
}

impl Hooks<Classifier> for StopAtTarget {
    fn finished(&self) -> bool {
        self.hit
    }

    async fn on_epoch(
        &mut self,
        _host: &mut impl Host,
        end: &EpochEnd<'_, Classifier>,
    ) -> Result<(), String> {
        self.saw(end.epoch, end.losses.and_then(|l| l.first()).copied());
        Ok(())
    }
}

// `train_subject` takes hooks for both kinds of model; these experiments train classifiers.
impl Hooks<Mlp> for StopAtTarget {}

/// A model trained towards a [`Target`]: the model and the epochs it took (the cap if it
/// missed; fewer means it reached the loss or stopped improving).
pub struct TrainedToTarget {
    pub model: Classifier,
    pub epochs: usize,
}

/// Train one freshly initialised classifier of `subject` (seeded by `seed`) with `settings`
/// until its epoch's mean training loss reaches `target`, for at most `settings.epochs`.
#[allow(clippy::too_many_arguments)]
pub async fn train_to_target(
    subject: &Subject,
    data: &SubjectData,
    settings: &TrainSettings,
    target: Target,
    seed: u64,
    device: &Device,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> Result<TrainedToTarget, Halt> {
    let mut stop = StopAtTarget::new(target);
    let trained = train_subject(
        subject, data, settings, seed, device, &mut stop, host, clock,
    )
    .await?;
    match trained {
        Trained::Classifier(model) => Ok(TrainedToTarget {
            model,
            epochs: stop.epochs,
        }),
        Trained::Mlp(_) => Err(Halt::Failed("this experiment classifies images".into())),
    }
}

/// What a result reports of its model's training towards the target: the target, the epochs
/// and steps it took, and whether it reached the target (1 or 0): its evaluated training loss
/// is within it, or, where `settled` counts (Keskar et al.'s "until the loss stops
/// improving"), it stopped improving before the cap (`settled`: its epochs were fewer).
pub fn target_values(
    target: Target,
    epochs: usize,
    steps_per_epoch: usize,
    train_loss: f64,
    settled: bool,
) -> [(&'static str, f64); 4] {
    [
        ("target_loss", target.loss),
        ("epochs", epochs as f64),
        ("steps", (epochs * steps_per_epoch) as f64),
        (
            "reached_target",
            f64::from(u8::from(target.reached(train_loss) || settled)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The epoch after which training stops on these epoch means, if it does.
    fn stops_after(target: Target, losses: &[f64]) -> Option<usize> {
        let mut stop = StopAtTarget::new(target);
        (1..=losses.len()).find(|&epoch| {
            stop.saw(epoch, Some(losses[epoch - 1]));
            stop.hit
        })
    }

    #[test]
    fn training_stops_at_the_target_loss_or_once_the_loss_stops_improving() {
        let reach = Target {
            loss: 0.01,
            patience: 0,
        };
        assert_eq!(stops_after(reach, &[1.0, 0.1, 0.02, 0.01, 0.005]), Some(4));
        // Without patience a plateau above the target runs to the cap.
        let plateau = [1.0, 0.5, 0.3, 0.3, 0.299, 0.2995, 0.3, 0.2999];
        assert_eq!(stops_after(reach, &plateau), None);
        // With patience 3: the best is 0.3 at epoch 3, 0.299 is less than 1 % below it, so
        // epochs 4, 5 and 6 do not improve.
        let patient = Target {
            loss: 0.01,
            patience: 3,
        };
        assert_eq!(stops_after(patient, &plateau), Some(6));
        // A fall of 1 % or more (0.49 < 0.495) starts the count again.
        let restart = [1.0, 0.5, 0.5, 0.5, 0.49, 0.49, 0.49, 0.49];
        assert_eq!(stops_after(patient, &restart), Some(8));
        // The target still stops it first.
        assert_eq!(stops_after(patient, &[1.0, 0.5, 0.005]), Some(3));
    }
}
