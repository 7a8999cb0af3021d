//! The training loop of a function task (E1, and E3–E6's sinc5 presets): full-batch or shuffled
//! mini-batch MSE steps on every model, losses read back a few hundred times per run.

use burn::nn::loss::{MseLoss, Reduction};
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::hooks::{is_log_epoch, read_scalars, EpochEnd, Halt, Hooks, IterationLog};
use super::{BatchPlan, Stopwatch, Trainer};
use crate::events::{Event, Flow, Host};
use crate::models::Mlp;

/// Loss points read back per run (at most), besides those the hooks ask for.
const LOSS_POINTS: usize = 400;

/// A function task's training set: inputs and targets as `[n, 1]` columns on the training
/// (autodiff) device.
#[derive(Clone, Debug)]
pub struct Regression {
    pub x: Tensor<2>,
    pub y: Tensor<2>,
}

/// A column tensor `[n, 1]` from values.
pub fn column(values: &[f64], device: &Device) -> Tensor<2> {
    let data: Vec<f32> = values.iter().map(|&v| v as f32).collect();
    Tensor::from_data(TensorData::new(data, [values.len(), 1]), device)
}

impl Regression {
    pub fn new(xs: &[f64], ys: &[f64], device: &Device) -> Self {
        Self {
            x: column(xs, device),
            y: column(ys, device),
        }
    }

    pub fn len(&self) -> usize {
        self.x.dims()[0]
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The examples at `indices`.
    pub fn batch(&self, indices: &[usize]) -> (Tensor<2>, Tensor<2>) {
        let idx: Vec<i64> = indices.iter().map(|&i| i as i64).collect();
        let idx =
            Tensor::<1, Int>::from_data(TensorData::new(idx, [indices.len()]), &self.x.device());
        (
            self.x.clone().select(0, idx.clone()),
            self.y.clone().select(0, idx),
        )
    }

    /// Mean squared error of `model` on the whole set (no gradient).
    pub fn loss(&self, model: &Mlp) -> Tensor<1> {
        MseLoss::new().forward(
            model.forward(self.x.clone()),
            self.y.clone(),
            Reduction::Mean,
        )
    }
}

/// Train every model for `epochs` epochs of `batch_size` (None: full batch) on `data`,
/// emitting [`Event::Losses`] at log epochs (names for the divergence message), calling
/// `hooks` and the host's checkpoint after every epoch. `clock` keeps the training time.
#[allow(clippy::too_many_arguments)]
pub async fn fit_function<H: Host>(
    trainers: &mut [Trainer<Mlp>],
    names: &[String],
    data: &Regression,
    epochs: usize,
    batch_size: Option<usize>,
    seed: u64,
    hooks: &mut impl Hooks<Mlp>,
    host: &mut H,
    clock: &mut Stopwatch,
) -> Result<(), Halt> {
    let per_iteration = hooks.per_iteration();
    let mut log = IterationLog::new(trainers.len());
    let mut plan = BatchPlan::new(data.len(), batch_size, seed);
    let full_batch = plan.is_full_batch();
    hooks.on_start(host, trainers).await.map_err(Halt::Failed)?;
    let loss_fn = MseLoss::new();
    for epoch in 1..=epochs {
        clock.start();
        let batches = plan.next_epoch();
        let mut epoch_losses: Vec<Tensor<1>> = Vec::with_capacity(trainers.len());
        for (m, trainer) in trainers.iter_mut().enumerate() {
            let mut sum: Option<Tensor<1>> = None;
            for (b, batch) in batches.iter().enumerate() {
                clock.stop();
                let step = (epoch - 1) * batches.len() + b;
                let flow = hooks.before_step(host, m, step, trainer).await;
                clock.start();
                if flow.map_err(Halt::Failed)? == Flow::Stop {
                    return Err(Halt::Stopped { epoch: epoch - 1 });
                }
                // Full batch: the whole set as it is, no gather (E1's usual step).
                let (x, y) = match full_batch {
                    true => (data.x.clone(), data.y.clone()),
                    false => data.batch(batch),
                };
                let loss =
                    trainer.step(|model| loss_fn.forward(model.forward(x), y, Reduction::Mean));
                if per_iteration {
                    log.push(m, loss.clone(), trainer);
                }
                sum = Some(match sum {
                    None => loss,
                    Some(s) => s + loss,
                });
            }
            epoch_losses.push(sum.expect("an epoch has at least one batch") / batches.len() as f64);
        }
        if per_iteration {
            log.flush(hooks, host, epoch == epochs)
                .await
                .map_err(Halt::Failed)?;
        }

        let read = is_log_epoch(epoch, epochs, LOSS_POINTS) || hooks.needs_losses(epoch);
        let losses = match read {
            true => Some(read_scalars(epoch_losses).await.map_err(Halt::Failed)?),
            false => None,
        };
        clock.stop();
        if let Some(losses) = &losses {
            if let Some(i) = losses.iter().position(|l| !l.is_finite()) {
                return Err(Halt::Failed(format!(
                    "The loss of model {} became {} at epoch {epoch}: training diverged. Try a lower learning rate.",
                    names[i], losses[i]
                )));
            }
            host.emit(Event::Losses {
                epoch,
                elapsed_ms: clock.elapsed_ms(),
                losses: losses.clone(),
            });
        }
        let end = EpochEnd {
            epoch,
            trainers,
            losses: losses.as_deref(),
            accuracies: None,
            test_accuracies: None,
        };
        hooks.on_epoch(host, &end).await.map_err(Halt::Failed)?;
        if host.checkpoint().await == Flow::Stop {
            return Err(Halt::Stopped { epoch });
        }
    }
    Ok(())
}
