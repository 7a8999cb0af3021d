//! The training loops every experiment goes through: the optimiser step on any module (with
//! its gradient norm, from the step's own backward pass), the loop over a function task
//! ([`fit_function`]) and the loop over an image classification task ([`fit_classifiers`]),
//! each with [`Hooks`] for what an experiment adds (snapshots, per-iteration metrics), plus
//! the settings every experiment shares, mini-batch plans and a stopwatch.

mod batches;
mod classify;
mod grad_norm;
mod hooks;
mod images;
mod parts;
mod regression;
mod settings;
mod stopwatch;

pub use batches::BatchPlan;
pub use classify::{fit_classifiers, ClassifierTask, WorkLimits};
pub use grad_norm::grad_norm_squared;
pub use hooks::{is_log_epoch, read_scalars, EpochEnd, Halt, Hooks, IterationLog, NoHooks};
pub use images::{correct_count, Standardizer};
pub use parts::{images_per_task, parts};
pub use regression::{column, fit_function, Regression};
pub use settings::{TrainDefaults, TrainSettings};
pub use stopwatch::Stopwatch;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsAccumulator, GradientsParams, ModuleOptimizer, SgdConfig};
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
    /// Gradients of the parts of a batch seen so far (see [`Trainer::accumulate`]).
    pending: GradientsAccumulator<M>,
    /// Whether each step also computes its gradient's squared norm (E4).
    track_grad_norm: bool,
    /// The last step's squared gradient norm, left on the device until taken.
    grad_norm_sq: Option<Tensor<1>>,
}

impl<M: Module> Trainer<M> {
    pub fn new(model: M, optimizer: OptimizerKind, learning_rate: f64) -> Self {
        Self {
            model: Some(model),
            optimizer: optimizer.init(),
            learning_rate,
            pending: GradientsAccumulator::new(),
            track_grad_norm: false,
            grad_norm_sq: None,
        }
    }

    /// Make every step also compute Σ_p ||∂L/∂p||² of the gradient it applies: a reduction on
    /// the device, no extra backward pass. Take it with [`Trainer::take_grad_norm_sq`].
    pub fn track_grad_norm(mut self, on: bool) -> Self {
        self.track_grad_norm = on;
        self
    }

    /// The squared gradient norm of the last step, if tracked (a one-element device tensor).
    pub fn take_grad_norm_sq(&mut self) -> Option<Tensor<1>> {
        self.grad_norm_sq.take()
    }

    fn note_grad_norm(&mut self, model: &M, grads: &GradientsParams) {
        if self.track_grad_norm {
            self.grad_norm_sq = grad_norm_squared(model, grads);
        }
    }

    pub fn model(&self) -> &M {
        self.model
            .as_ref()
            .expect("model is only taken inside step")
    }

    /// The trained model, without its optimiser.
    pub fn into_model(mut self) -> M {
        self.model.take().expect("model is only taken inside step")
    }

    /// One optimisation step on the scalar loss that `loss_of` computes from the model.
    /// Returns the loss before the update, detached from the graph (still on the device).
    pub fn step(&mut self, loss_of: impl FnOnce(&M) -> Tensor<1>) -> Tensor<1> {
        let model = self.model.take().expect("model is only taken inside step");
        let loss = loss_of(&model);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        self.note_grad_norm(&model, &grads);
        self.model = Some(self.optimizer.step(self.learning_rate, model, grads));
        loss.detach()
    }

    /// The backward pass of one part of a batch: its gradients are added to the pending ones
    /// until [`Trainer::apply`]. Weighting each part's mean loss by its share of the batch makes
    /// the sum the batch's gradient, so a batch can be cut into parts that each fit in one
    /// short browser task. Returns the (weighted) loss, detached.
    pub fn accumulate(&mut self, loss_of: impl FnOnce(&M) -> Tensor<1>) -> Tensor<1> {
        let model = self
            .model
            .as_ref()
            .expect("model is only taken inside step");
        let loss = loss_of(model);
        let grads = GradientsParams::from_grads(loss.backward(), model);
        self.pending.accumulate(model, grads);
        loss.detach()
    }

    /// One optimisation step with the gradients accumulated since the last one.
    pub fn apply(&mut self) {
        let model = self.model.take().expect("model is only taken inside apply");
        let grads = self.pending.grads();
        self.note_grad_norm(&model, &grads);
        self.model = Some(self.optimizer.step(self.learning_rate, model, grads));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::loss::{MseLoss, Reduction};
    use burn::nn::{Linear, LinearConfig};
    use burn::tensor::{Device, TensorData};

    fn weights(model: &Linear) -> Vec<f32> {
        let mut w = model.weight.val().into_data().try_to_vec::<f32>().unwrap();
        w.extend(
            model
                .bias
                .as_ref()
                .unwrap()
                .val()
                .into_data()
                .try_to_vec::<f32>()
                .unwrap(),
        );
        w
    }

    #[test]
    fn a_batch_in_weighted_parts_makes_the_same_step_as_the_whole_batch() {
        let device = Device::flex().autodiff();
        let rows = [
            [0.5f32, -1.0],
            [2.0, 0.25],
            [-1.5, 1.0],
            [0.0, 3.0],
            [1.0, 1.0],
        ];
        let x = Tensor::<2>::from_data(TensorData::new(rows.concat(), [5, 2]), &device);
        let y = Tensor::<2>::from_data(
            TensorData::new(vec![1.0f32, -2.0, 0.5, 3.0, 0.0], [5, 1]),
            &device,
        );
        let model = LinearConfig::new(2, 1).init(&device);
        let loss = |m: &Linear, x: Tensor<2>, y: Tensor<2>| {
            MseLoss::new().forward(m.forward(x), y, Reduction::Mean)
        };
        for optimizer in OptimizerKind::ALL {
            let mut whole = Trainer::new(model.clone(), optimizer, 0.1);
            let mut parted = Trainer::new(model.clone(), optimizer, 0.1);
            for _ in 0..3 {
                whole.step(|m| loss(m, x.clone(), y.clone()));
                for (start, len) in [(0, 2), (2, 2), (4, 1)] {
                    let share = len as f64 / 5.0;
                    parted.accumulate(|m| {
                        loss(
                            m,
                            x.clone().narrow(0, start, len),
                            y.clone().narrow(0, start, len),
                        ) * share
                    });
                }
                parted.apply();
            }
            let (a, b) = (weights(whole.model()), weights(parted.model()));
            assert_ne!(
                a,
                weights(&model),
                "{optimizer:?}: the steps moved the weights"
            );
            for (a, b) in a.iter().zip(&b) {
                assert!((a - b).abs() < 1e-5, "{optimizer:?}: {a} vs {b}");
            }
        }
    }
}
