//! E4, "Gradient norm during training": the norm of the gradient, `sqrt(Σ_p ||∂L/∂p||²)` over
//! all parameters, and the loss at every iteration of one model's training.

use burn::module::Module;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::subject::{
    function_training, image_training, run_once, subject_and_settings, subject_params,
    ImageDefaults, Subject, SubjectData, SubjectDefaults, TaskKind, E1_DEEPEST,
};
use crate::engine::{FromParams, Outcome};
use crate::events::{Event, Host};
use crate::params::Params;
use crate::train::{Hooks, TrainSettings};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradNormConfig {
    pub subject: Subject,
    pub train: TrainSettings,
}

/// The sinc5 preset's model is E1's deepest; the MNIST preset's is E2's fully connected one.
const SUBJECT: SubjectDefaults = SubjectDefaults {
    task: TaskKind::Function,
    function: E1_DEEPEST,
    images: ImageDefaults {
        convs: &[],
        hidden: &[20],
        train_size: Some(2000),
    },
};

impl FromParams for GradNormConfig {
    fn from_params(p: &mut Params) -> Self {
        let (subject, train) = subject_and_settings(
            p,
            &SUBJECT,
            &function_training(0.005, 1000, 100_000),
            &image_training(3),
        );
        Self { subject, train }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        subject_params(&self.subject, &self.train)
    }
}

/// E4's addition to the loop: every step's loss and gradient norm, as they are read back.
struct EveryIteration;

impl<M: Module> Hooks<M> for EveryIteration {
    fn per_iteration(&self) -> bool {
        true
    }

    fn on_iterations(
        &mut self,
        host: &mut impl Host,
        first: usize,
        losses: &[Vec<f64>],
        grad_norms: &[Vec<f64>],
    ) {
        host.emit(Event::Iterations {
            first,
            losses: losses[0].clone(),
            grad_norms: grad_norms[0].clone(),
        });
    }
}

/// Run E4 on `device` (plain, not autodiff); `images` is the dataset of an image task.
async fn run<H: Host>(
    config: &GradNormConfig,
    data: SubjectData,
    device: &Device,
    host: &mut H,
) -> Outcome {
    run_once(
        &config.subject,
        &data,
        &config.train,
        "model",
        device,
        &mut EveryIteration,
        host,
    )
    .await
}

super::subject::subject_experiment!(GradNormConfig, "gradnorm", subject, train);
