//! What an experiment adds to the shared training loops, and what the loops share: how a run
//! halts, batched reads of device scalars, the per-iteration log.

use burn::tensor::{Tensor, Transaction};
use web_time::Instant;

use super::Trainer;
use crate::events::{Flow, Host};

/// Why a loop ended before its schedule did.
#[derive(Clone, Debug, PartialEq)]
pub enum Halt {
    /// The host asked to stop after `epoch` whole epochs.
    Stopped { epoch: usize },
    /// Something the user must read (a diverged loss, a failed device read).
    Failed(String),
}

/// The end of an epoch, as the hooks see it.
pub struct EpochEnd<'a, M: burn::module::Module> {
    pub epoch: usize,
    pub trainers: &'a [Trainer<M>],
    /// Each model's mean training loss over the epoch, where it was read this epoch.
    pub losses: Option<&'a [f64]>,
    /// Each model's training accuracy over the epoch (0–1), for classifiers.
    pub accuracies: Option<&'a [f64]>,
    /// Each model's test accuracy after the epoch, for classifiers.
    pub test_accuracies: Option<&'a [f64]>,
}

/// An experiment's additions to a training loop. Every method has a default that adds nothing.
#[allow(async_fn_in_trait)] // used generically, never as a trait object
pub trait Hooks<M: burn::module::Module> {
    /// Record every step's loss and gradient norm (read back in batches, see
    /// [`Hooks::on_iterations`]).
    fn per_iteration(&self) -> bool {
        false
    }

    /// Whether the loop must read the epoch's losses even where it would not (a snapshot).
    fn needs_losses(&self, _epoch: usize) -> bool {
        false
    }

    /// Before the first epoch, with the freshly initialised models (E6 keeps their weights).
    async fn on_start(
        &mut self,
        _host: &mut impl Host,
        _trainers: &[Trainer<M>],
    ) -> Result<(), String> {
        Ok(())
    }

    /// Before step `step` (from 0, over the whole run) of model `m`, with its trainer: a
    /// measurement at the weights the step starts from (E4's full-batch gradient norm).
    /// Outside the training time; `Flow::Stop` (the host stopped meanwhile) ends the run.
    async fn before_step(
        &mut self,
        _host: &mut impl Host,
        _m: usize,
        _step: usize,
        _trainer: &Trainer<M>,
    ) -> Result<Flow, String> {
        Ok(Flow::Continue)
    }

    /// Steps `first..first + n` of every model: their losses and gradient norms (per model).
    fn on_iterations(
        &mut self,
        _host: &mut impl Host,
        _first: usize,
        _losses: &[Vec<f64>],
        _grad_norms: &[Vec<f64>],
    ) {
    }

    /// Whether training ends now, before its schedule does (a training target reached). Asked
    /// after [`Hooks::on_epoch`] by the image-classification loop only (`fit_classifiers`).
    fn finished(&self) -> bool {
        false
    }

    /// After every epoch (before the host's checkpoint). An error ends the run.
    async fn on_epoch(
        &mut self,
        _host: &mut impl Host,
        _end: &EpochEnd<'_, M>,
    ) -> Result<(), String> {
        Ok(())
    }
}

/// Hooks that add nothing.
pub struct NoHooks;
impl<M: burn::module::Module> Hooks<M> for NoHooks {}

/// Epochs at which losses are read back: the first, every `every`-th, and the last. Reading
/// costs a device round trip, so long runs read at most ~`points` times.
pub fn is_log_epoch(epoch: usize, total: usize, points: usize) -> bool {
    let every = (total / points.max(1)).max(1);
    epoch == 1 || epoch == total || epoch.is_multiple_of(every)
}

/// Read one-element tensors in one device round trip.
pub async fn read_scalars(tensors: Vec<Tensor<1>>) -> Result<Vec<f64>, String> {
    if tensors.is_empty() {
        return Ok(Vec::new());
    }
    let tx = tensors
        .into_iter()
        .fold(Transaction::default(), |tx, t| tx.register(t));
    let data = tx
        .execute_async()
        .await
        .map_err(|e| format!("reading from the device failed: {e:?}"))?;
    Ok(data
        .into_iter()
        .map(|d| {
            d.convert::<f64>()
                .try_into_vec::<f64>()
                .map_or(f64::NAN, |v| v[0])
        })
        .collect())
}

/// Steps read back per device round trip (at most), and how long unread steps may wait.
const LOG_READ_EVERY: usize = 64;
const LOG_READ_MS: u128 = 250;

/// Every step's loss and squared gradient norm, per model, kept on the device until a batched
/// read: one round trip per ~64 steps instead of one per step.
pub struct IterationLog {
    pending: Vec<Vec<(Tensor<1>, Option<Tensor<1>>)>>,
    /// Index of the first pending step.
    first: usize,
    last_read: Instant,
}

impl IterationLog {
    pub fn new(models: usize) -> Self {
        Self {
            pending: (0..models).map(|_| Vec::new()).collect(),
            first: 0,
            last_read: Instant::now(),
        }
    }

    /// Log model `m`'s step: its loss and (taken from the trainer) squared gradient norm.
    pub fn push<M: burn::module::Module>(
        &mut self,
        m: usize,
        loss: Tensor<1>,
        trainer: &mut Trainer<M>,
    ) {
        // Gradients live on the inner backend: the loss joins them there, so that one
        // transaction reads both.
        let norm = trainer.take_grad_norm_sq().map(Tensor::without_autodiff);
        self.pending[m].push((loss.without_autodiff(), norm));
    }

    fn due(&self) -> bool {
        let n = self.pending.first().map_or(0, Vec::len);
        n >= LOG_READ_EVERY || (n > 0 && self.last_read.elapsed().as_millis() >= LOG_READ_MS)
    }

    /// Read and hand the pending steps to `hooks` when due (or always, with `force`).
    pub async fn flush<M: burn::module::Module>(
        &mut self,
        hooks: &mut impl Hooks<M>,
        host: &mut impl Host,
        force: bool,
    ) -> Result<(), String> {
        if !(force || self.due()) || self.pending.iter().all(Vec::is_empty) {
            return Ok(());
        }
        let steps = self.pending[0].len();
        let mut tensors = Vec::new();
        for model in &mut self.pending {
            for (loss, norm) in model.drain(..) {
                // Untracked norms read as NaN (the trainer was not asked to track them).
                let norm = norm.unwrap_or_else(|| loss.clone().mul_scalar(f64::NAN));
                tensors.push(loss);
                tensors.push(norm);
            }
        }
        let values = read_scalars(tensors).await?;
        let per_model: Vec<&[f64]> = values.chunks(2 * steps).collect();
        let losses: Vec<Vec<f64>> = per_model
            .iter()
            .map(|v| v.iter().step_by(2).copied().collect())
            .collect();
        let norms: Vec<Vec<f64>> = per_model
            .iter()
            .map(|v| {
                v.iter()
                    .skip(1)
                    .step_by(2)
                    // f64::max drops NaN (NaN.max(0) is 0): a diverged step must stay NaN.
                    .map(|&s| if s.is_nan() { s } else { s.max(0.0).sqrt() })
                    .collect()
            })
            .collect();
        hooks.on_iterations(host, self.first, &losses, &norms);
        self.first += steps;
        self.last_read = Instant::now();
        Ok(())
    }
}
