//! E10, "Other generalization metrics": for models trained with different batch sizes,
//! Keskar et al.'s sharpness (projected ascent in the box ‖θ' − θ‖∞ ≤ ε(|θ| + 1)) and the
//! Hessian's largest eigenvalue (power iteration on Hessian-vector products), beside their
//! train/test accuracy. Both are measured in f64 on the CPU backend on a fixed sample of the
//! training set, whichever backend trained the models.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, FloatDType};
use serde::{Deserialize, Serialize};

use super::generalization::{run_batch_sweep, BatchSweep, Measure};
use super::subject::{Subject, SubjectData, SubjectDefaults};
use super::{FromParams, Outcome};
use crate::analysis::{
    hvp, load_params, read_params, to_f64, LossOracle, PowerIteration, SharpnessAscent,
};
use crate::data::ImageDataset;
use crate::events::{Flow, Host};
use crate::models::{ActivationKind, Classifier, ClassifierConfig};
use crate::params::Params;
use crate::train::{Standardizer, Stopwatch};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharpnessConfig {
    pub sweep: BatchSweep,
    /// The box's relative size ε.
    pub epsilon: f64,
    /// Training examples the loss is measured on for both metrics.
    pub samples: usize,
    /// Power-iteration steps (two gradients each).
    pub power_steps: usize,
    /// Projected-ascent steps (one gradient each).
    pub ascent_steps: usize,
}

const SUBJECT: SubjectDefaults = SubjectDefaults {
    images: true,
    shape: "1-8-1",
    activation: ActivationKind::Relu,
    convs: &[],
    hidden: &[32],
    train_size: None,
};

/// Central-difference step of the Hessian-vector products (unit directions, f64).
const HVP_EPS: f64 = 1e-4;

impl FromParams for SharpnessConfig {
    fn from_params(p: &mut Params) -> Self {
        Self {
            sweep: BatchSweep::from_params(p, &SUBJECT, 10),
            epsilon: p.number("epsilon", 1e-3, 1e-6..=0.1),
            samples: p.number("samples", 500, 10..=10_000),
            power_steps: p.number("power_steps", 20, 1..=500),
            ascent_steps: p.number("ascent_steps", 10, 1..=500),
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = self.sweep.to_params();
        pairs.extend([
            ("epsilon", self.epsilon.to_string()),
            ("samples", self.samples.to_string()),
            ("power_steps", self.power_steps.to_string()),
            ("ascent_steps", self.ascent_steps.to_string()),
        ]);
        pairs
    }
}

struct Sharpness<'a> {
    config: &'a SharpnessConfig,
    architecture: ClassifierConfig,
}

impl Sharpness<'_> {
    /// The model's training loss on the sample as a function of its parameters, in f64 on the
    /// CPU backend (a copy of the trained weights, wherever they live).
    async fn oracle(
        &self,
        model: &Classifier,
        train: &crate::data::ImageSet,
    ) -> Result<(LossOracle<Classifier>, Vec<f64>), String> {
        let theta = read_params(model).await?;
        let cpu = Device::flex().autodiff();
        let copy = to_f64(load_params(self.architecture.init(&cpu), &theta));
        let n = self.config.samples.min(train.len());
        let indices: Vec<usize> = (0..n).collect();
        let (images, labels) = Standardizer::fit(train).batch(train, &indices, &cpu);
        let images = images.cast(FloatDType::F64).detach();
        let loss_fn = CrossEntropyLossConfig::new().init(&cpu);
        let oracle = LossOracle::new(copy, move |m: &Classifier| {
            loss_fn.forward(m.forward(images.clone()), labels.clone())
        });
        Ok((oracle, theta))
    }
}

impl Measure for Sharpness<'_> {
    async fn measure(
        &mut self,
        model: &Classifier,
        data: &SubjectData,
        _device: &Device,
        host: &mut impl Host,
        clock: &mut Stopwatch,
    ) -> Result<Option<Vec<(&'static str, f64)>>, String> {
        let SubjectData::Images { train, .. } = data else {
            return Err("E10 classifies images".into());
        };
        let (oracle, theta) = self.oracle(model, train).await?;
        let seed = self.config.sweep.train.seed;
        let mut power = PowerIteration::new(theta.len(), seed);
        let mut grad = |t: &[f64]| oracle.gradient(t);
        for _ in 0..self.config.power_steps {
            if !power.step(&mut |v: &[f64]| hvp(&mut grad, &theta, v, HVP_EPS)) {
                break;
            }
            clock.stop();
            if host.checkpoint().await == Flow::Stop {
                return Ok(None);
            }
            clock.start();
        }
        let base = oracle.value(&theta);
        let mut ascent = SharpnessAscent::new(&theta, self.config.epsilon, base, seed);
        for _ in 0..self.config.ascent_steps {
            ascent.step(&mut |t: &[f64]| oracle.value_and_gradient(t));
            clock.stop();
            if host.checkpoint().await == Flow::Stop {
                return Ok(None);
            }
            clock.start();
        }
        let sharpness = ascent.finish(&mut |t: &[f64]| oracle.value(t));
        Ok(Some(vec![
            ("sharpness", sharpness),
            ("top_eigenvalue", power.estimate()),
            ("sample_loss", base),
        ]))
    }
}

/// Run E10 on `device` (plain, not autodiff) with `images`.
pub async fn run<H: Host>(
    config: &SharpnessConfig,
    images: Option<&ImageDataset>,
    device: &Device,
    host: &mut H,
) -> Outcome {
    let Subject::Images { model, .. } = &config.sweep.subject else {
        return super::fail(host, "E10 classifies images".into());
    };
    let mut measure = Sharpness {
        config,
        architecture: model.clone(),
    };
    run_batch_sweep(&config.sweep, images, device, host, &mut measure).await
}

super::subject::subject_experiment!(
    SharpnessConfig,
    "sharpness",
    Sharpness,
    sweep.subject,
    sweep.train
);
