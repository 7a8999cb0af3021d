//! The one training loop's parts: an optimiser step on any module, mini-batch index plans,
//! and a stopwatch for the training time shown to users.

mod batches;
mod images;
mod stopwatch;

pub use batches::BatchPlan;
pub use images::{correct_count, Standardizer};
pub use stopwatch::Stopwatch;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// The optimisers a user can pick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    #[default]
    Adam,
    Sgd,
}

impl OptimizerKind {
    pub const ALL: [OptimizerKind; 2] = [Self::Adam, Self::Sgd];

    pub fn id(self) -> &'static str {
        match self {
            Self::Adam => "adam",
            Self::Sgd => "sgd",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.id() == s)
    }

    pub fn init(self) -> ModuleOptimizer {
        match self {
            // PyTorch's and Keras' epsilon, so runs compare with the homework's figures.
            Self::Adam => AdamConfig::new().with_epsilon(1e-8).init(),
            Self::Sgd => SgdConfig::new().init(),
        }
    }
}

/// A model with its optimiser state: the step every experiment's training goes through.
pub struct Trainer<M: Module> {
    model: Option<M>,
    optimizer: ModuleOptimizer,
    learning_rate: f64,
}

impl<M: Module> Trainer<M> {
    pub fn new(model: M, optimizer: OptimizerKind, learning_rate: f64) -> Self {
        Self {
            model: Some(model),
            optimizer: optimizer.init(),
            learning_rate,
        }
    }

    pub fn model(&self) -> &M {
        self.model
            .as_ref()
            .expect("model is only taken inside step")
    }

    /// One optimisation step on the scalar loss that `loss_of` computes from the model.
    /// Returns the loss before the update, detached from the graph (still on the device).
    pub fn step(&mut self, loss_of: impl FnOnce(&M) -> Tensor<1>) -> Tensor<1> {
        let model = self.model.take().expect("model is only taken inside step");
        let loss = loss_of(&model);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        self.model = Some(self.optimizer.step(self.learning_rate, model, grads));
        loss.detach()
    }
}
