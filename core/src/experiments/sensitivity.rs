//! E9b, "Flatness vs generalization — sensitivity": models trained with log-spaced batch
//! sizes; for each, the sensitivity to its input — the Frobenius norm of the gradient of the
//! loss with respect to the input, averaged over test examples — and the original definition,
//! the Frobenius norm of the softmax output's Jacobian with respect to the input.
//! Inputs are the standardised images the model sees.

use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use super::batch_sweep::{run_batch_sweep, BatchSweep, Measure};
use super::subject::{ImageDefaults, SubjectData};
use super::target::EPOCH_CAP;
use crate::analysis::{input_gradient_norms, softmax_jacobian_norms};
use crate::budget::Footprint;
use crate::data::CLASSES;
use crate::engine::{FromParams, Outcome};
use crate::events::{Flow, Host};
use crate::models::Classifier;
use crate::params::Params;
use crate::train::{images_per_task, parts, read_scalars, Standardizer, Stopwatch};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensitivityConfig {
    pub sweep: BatchSweep,
    /// Test examples the sensitivities are averaged over.
    pub samples: usize,
}

/// The whole shipped subset (8,000 images), so that the largest batch (4,096) is a real
/// mini-batch; 784-32-10 keeps five trainings within a few minutes.
const SUBJECT: ImageDefaults = ImageDefaults {
    convs: &[],
    hidden: &[32],
    train_size: None,
};

impl FromParams for SensitivityConfig {
    const SIZE_KEYS: &'static [&'static str] =
        &["shape", "convs", "hidden", "samples", "batch", "batches"];

    fn footprint(&self) -> Footprint {
        self.sweep.footprint()
    }

    fn from_params(p: &mut Params) -> Self {
        Self {
            sweep: BatchSweep::with_factors_from_params(p, &SUBJECT, EPOCH_CAP),
            samples: p.number("samples", 500, 1..=10_000),
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = self.sweep.to_params();
        pairs.push(("samples", self.samples.to_string()));
        pairs
    }
}

/// The two sensitivities of a trained model, averaged over test examples.
struct Sensitivities {
    samples: usize,
    /// Multiply-accumulates of one forward pass (to size the parts of the work).
    macs: usize,
}

impl Measure for Sensitivities {
    async fn measure(
        &mut self,
        _unit: usize,
        model: &Classifier,
        data: &SubjectData,
        device: &Device,
        host: &mut impl Host,
        clock: &mut Stopwatch,
    ) -> Result<Option<Vec<(&'static str, f64)>>, String> {
        let SubjectData::Images { train, test, .. } = data else {
            return Err("E9b classifies images".into());
        };
        let scale = Standardizer::fit(train);
        let train_device = device.clone().autodiff();
        let n = self.samples.min(test.len());
        let indices: Vec<usize> = (0..n).collect();
        // A softmax Jacobian costs a forward and a backward pass per class.
        let per_part = images_per_task(self.macs * 3 * (CLASSES + 1));
        let (mut loss_sum, mut softmax_sum): (Vec<Tensor<1>>, Vec<Tensor<1>>) = (vec![], vec![]);
        for chunk in parts(&indices, per_part) {
            let (images, labels) = scale.batch(test, chunk, &train_device);
            let forward = |x| model.forward(x);
            loss_sum.push(input_gradient_norms(forward, images.clone(), labels).sum());
            softmax_sum.push(softmax_jacobian_norms(forward, images, CLASSES).sum());
            clock.stop();
            if host.checkpoint().await == Flow::Stop {
                return Ok(None);
            }
            clock.start();
        }
        let total = |parts: Vec<Tensor<1>>| parts.into_iter().reduce(|a, b| a + b);
        let sums = read_scalars(
            total(loss_sum)
                .into_iter()
                .chain(total(softmax_sum))
                .collect(),
        )
        .await?;
        let mean = |i: usize| sums.get(i).copied().unwrap_or(f64::NAN) / n.max(1) as f64;
        Ok(Some(vec![
            ("sensitivity", mean(0)),
            ("softmax_sensitivity", mean(1)),
        ]))
    }
}

/// Run E9b on `device` (plain, not autodiff) with `images`.
async fn run<H: Host>(
    config: &SensitivityConfig,
    data: SubjectData,
    device: &Device,
    host: &mut H,
) -> Outcome {
    let macs = match &config.sweep.subject {
        super::subject::Subject::Images { model, .. } => model.forward_macs(),
        _ => 1,
    };
    let mut measure = Sensitivities {
        samples: config.samples,
        macs,
    };
    run_batch_sweep(&config.sweep, data, device, host, &mut measure).await
}

super::subject::subject_experiment!(SensitivityConfig, "sensitivity", batch sweep sweep);
