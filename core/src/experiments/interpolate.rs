//! E9a, "Flatness vs generalization — interpolation": two models trained differently (batch
//! 64 vs 1024 by default, or two learning rates), then the loss and accuracy along the line
//! θ(α) = (1 − α)·θ₁ + α·θ₂ for α ∈ [−1, 2]: the flatter minimum is the wider valley.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::generalization::{emit_result, Evaluator};
use super::subject::{
    image_training, subject_params, train_classifier, Subject, SubjectData, SubjectDefaults,
};
use super::{fail, finish, FromParams, Outcome};
use crate::analysis::{combine, load_params, read_params};
use crate::data::{linspace, ImageDataset};
use crate::events::{Event, Flow, Host};
use crate::models::{ActivationKind, Classifier};
use crate::params::Params;
use crate::train::{Halt, Stopwatch, TrainSettings};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterpolateConfig {
    pub subject: Subject,
    /// The first model's training (`batch`, `lr`, …).
    pub train: TrainSettings,
    /// The second model's batch size and learning rate (`batch2`, `lr2`).
    pub batch2: usize,
    pub lr2: f64,
    /// Both models start from the same initial weights (else seeds `seed` and `seed + 1`).
    pub same_init: bool,
    /// Points on α ∈ [−1, 2].
    pub points: usize,
    /// Examples of each set every point is evaluated on.
    pub eval_size: usize,
}

const SUBJECT: SubjectDefaults = SubjectDefaults {
    images: true,
    shape: "1-8-1",
    activation: ActivationKind::Relu,
    convs: &[],
    hidden: &[64],
    train_size: None,
};

/// α's range.
pub const ALPHAS: (f64, f64) = (-1.0, 2.0);

impl FromParams for InterpolateConfig {
    fn from_params(p: &mut Params) -> Self {
        let subject = Subject::images_from_params(p, &SUBJECT);
        let train = TrainSettings::from_params(p, &image_training(20));
        Self {
            subject,
            batch2: p.number("batch2", 1024, 1..=4096),
            lr2: p.number("lr2", train.learning_rate, 1e-6..=1.0),
            same_init: !matches!(p.get("same_init").as_deref(), Some("0" | "false" | "no")),
            points: p.number("points", 31, 31..=201),
            eval_size: p.number("eval_size", 1000, 10..=60_000),
            train,
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = subject_params(&self.subject, &self.train);
        pairs.retain(|(k, _)| *k != "task");
        pairs.extend([
            ("batch2", self.batch2.to_string()),
            ("lr2", self.lr2.to_string()),
            ("same_init", u8::from(self.same_init).to_string()),
            ("points", self.points.to_string()),
            ("eval_size", self.eval_size.to_string()),
        ]);
        pairs
    }
}

impl InterpolateConfig {
    /// The two trainings: (label, settings, initialisation seed).
    pub fn trainings(&self) -> [(String, TrainSettings, u64); 2] {
        let first = self.train.clone();
        let second = TrainSettings {
            batch_size: Some(self.batch2),
            learning_rate: self.lr2,
            ..self.train.clone()
        };
        let label = |s: &TrainSettings| {
            format!(
                "batch {}, lr {}",
                s.batch_size.map_or("full".into(), |b| b.to_string()),
                s.learning_rate
            )
        };
        let seed2 = self.train.seed + u64::from(!self.same_init);
        [
            (format!("θ₁: {}", label(&first)), first, self.train.seed),
            (format!("θ₂: {}", label(&second)), second, seed2),
        ]
    }
}

/// Run E9a on `device` (plain, not autodiff) with `images`.
pub async fn run<H: Host>(
    config: &InterpolateConfig,
    images: Option<&ImageDataset>,
    device: &Device,
    host: &mut H,
) -> Outcome {
    let data = match SubjectData::prepare(&config.subject, images, device, host) {
        Ok(d) => d,
        Err(e) => return fail(host, e),
    };
    let trainings = config.trainings();
    host.emit(Event::Started {
        models: trainings
            .iter()
            .map(|(label, ..)| config.subject.model_info(label.clone()))
            .collect(),
        total_epochs: config.train.epochs,
    });
    let mut clock = Stopwatch::default();
    let mut ends: Vec<(Classifier, Vec<f64>)> = Vec::new();
    for (i, (label, settings, seed)) in trainings.iter().enumerate() {
        host.emit(Event::Unit {
            index: i,
            count: 2,
            label: format!("training {label}"),
        });
        let trained = train_classifier(
            &config.subject,
            &data,
            settings,
            *seed,
            device,
            host,
            &mut clock,
        )
        .await;
        let model = match trained {
            Ok(m) => m,
            Err(halt) => return finish(host, Err(halt), config.train.epochs, &clock),
        };
        match read_params(&model).await {
            Ok(theta) => ends.push((model, theta)),
            Err(e) => return fail(host, e),
        }
    }
    let result = along_the_line(config, &ends, &data, device, host, &mut clock).await;
    finish(host, result, config.train.epochs, &clock)
}

/// Evaluate θ(α) at every α, one point (and one result) at a time.
async fn along_the_line(
    config: &InterpolateConfig,
    ends: &[(Classifier, Vec<f64>)],
    data: &SubjectData,
    device: &Device,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> Result<(), Halt> {
    let evaluator =
        Evaluator::new(&config.subject, data, config.eval_size, device).map_err(Halt::Failed)?;
    let (model, first) = &ends[0];
    let step: Vec<f64> = ends[1].1.iter().zip(first).map(|(b, a)| b - a).collect();
    for (i, alpha) in linspace(ALPHAS.0, ALPHAS.1, config.points)
        .into_iter()
        .enumerate()
    {
        clock.start();
        let point = load_params(model.clone(), &combine(first, &[(&step, alpha)]));
        let eval = evaluator
            .evaluate(&[point], device, host, clock)
            .await
            .map_err(Halt::Failed)?;
        clock.stop();
        let Some(eval) = eval else {
            return Err(Halt::Stopped {
                epoch: config.train.epochs,
            });
        };
        emit_result(
            host,
            i,
            format!("α = {alpha:.2}"),
            [("alpha", alpha)].into_iter().chain(eval[0].values()),
        );
        if host.checkpoint().await == Flow::Stop {
            return Err(Halt::Stopped {
                epoch: config.train.epochs,
            });
        }
    }
    Ok(())
}

super::subject::subject_experiment!(
    InterpolateConfig,
    "interpolate",
    Interpolate,
    subject,
    train
);
