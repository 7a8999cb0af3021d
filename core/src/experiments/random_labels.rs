//! E7, "Can a network fit random labels?": the training labels randomly permuted (seeded; the
//! test labels stay true), an MLP with 3 hidden layers of 256 memorises them: its training loss
//! heads to 0 while its test loss rises and test accuracy stays at chance.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::subject::SUBJECT_SIZE_KEYS;
use super::subject::{
    image_training, run_once, subject_params, ImageDefaults, Subject, SubjectData,
};
use crate::budget::Footprint;
use crate::engine::{fail, FromParams, Outcome};
use crate::events::{Event, Host};
use crate::params::Params;
use crate::train::{NoHooks, TrainSettings};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomLabelsConfig {
    pub subject: Subject,
    pub train: TrainSettings,
    /// Permute the training labels (`false`: the true labels, to compare).
    pub random: bool,
    /// Test images evaluated after each epoch.
    pub test_size: usize,
}

/// 500 training images: few enough that 784-256-256-256-10 (335,114 parameters) memorises
/// their random labels within a few minutes on the CPU backend.
const SUBJECT: ImageDefaults = ImageDefaults {
    convs: &[],
    hidden: &[256, 256, 256],
    train_size: Some(500),
};

impl FromParams for RandomLabelsConfig {
    const SIZE_KEYS: &'static [&'static str] = SUBJECT_SIZE_KEYS;

    fn footprint(&self) -> Footprint {
        self.subject.footprint(self.train.batch_size)
    }

    fn from_params(p: &mut Params) -> Self {
        let subject = Subject::images_from_params(p, &SUBJECT);
        let defaults = crate::train::TrainDefaults {
            learning_rate: 0.001,
            epochs: 60,
            ..image_training(60)
        };
        let train = TrainSettings::from_params(p, &defaults);
        let random = p.choice(
            "labels",
            true,
            |s| match s {
                "random" => Some(true),
                "true" => Some(false),
                _ => None,
            },
            &["random", "true"],
        );
        Self {
            subject,
            train,
            random,
            test_size: p.number("test_size", 1000, 10..=10_000),
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = subject_params(&self.subject, &self.train);
        pairs.retain(|(k, _)| *k != "task");
        pairs.extend([
            ("labels", if self.random { "random" } else { "true" }.into()),
            ("test_size", self.test_size.to_string()),
        ]);
        pairs
    }
}

/// Run E7 on `device` (plain, not autodiff) with `images`.
async fn run<H: Host>(
    config: &RandomLabelsConfig,
    data: SubjectData,
    device: &Device,
    host: &mut H,
) -> Outcome {
    let data = match data {
        SubjectData::Images { train, test, title } => SubjectData::Images {
            train: match config.random {
                true => train.with_shuffled_labels(config.train.seed),
                false => train,
            },
            test: test.take(config.test_size),
            title,
        },
        SubjectData::Function(_) => return fail(host, "E7 classifies images".into()),
    };
    if let SubjectData::Images { train, test, title } = &data {
        // The run evaluates only the first `test_size` test images: say so.
        host.emit(Event::Dataset {
            title: title.clone(),
            train: train.len(),
            test: test.len(),
        });
    }
    let name = match config.random {
        true => "random labels",
        false => "true labels",
    };
    let mut no_hooks = NoHooks;
    run_once(
        &config.subject,
        &data,
        &config.train,
        name,
        device,
        &mut no_hooks,
        host,
    )
    .await
}

super::subject::subject_experiment!(RandomLabelsConfig, "random-labels", subject, train);
