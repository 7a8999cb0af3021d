//! E4, "Gradient norm during training": the norm of the gradient, `sqrt(Σ_p ||∂L/∂p||²)` over
//! all parameters, and the loss at every iteration of one model's training.
//!
//! On a mini-batch run (the MNIST preset) each step's norm is the mini-batch's, ‖g_B‖, which
//! cannot vanish while examples disagree (its noise floor tr(Σ)/B). So such a run also measures
//! the full-batch norm ‖∇L‖ on a fixed probe set every few steps, at the weights the step starts
//! from: the reference the mini-batch norm scatters around.

use burn::module::Module;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::subject::SUBJECT_SIZE_KEYS;
use super::subject::{
    function_training, image_training, run_once, subject_and_settings, subject_params,
    ImageDefaults, Subject, SubjectData, SubjectDefaults, TaskKind, E1_DEEPEST,
};
use crate::analysis::{noise_floor, GradientSum};
use crate::budget::Footprint;
use crate::data::ImageSet;
use crate::engine::{FromParams, Outcome};
use crate::events::{Event, Flow, Host};
use crate::models::{Classifier, Mlp};
use crate::params::Params;
use crate::train::{
    parts, read_scalars, ClassifierTask, Hooks, Regression, Standardizer, TrainSettings, Trainer,
};

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

/// Training examples in the full-batch probe set (the training set's first ones, all of them
/// where it is smaller): the MNIST preset's whole training subset. One measurement costs a
/// forward and backward pass over them, ~30 mini-batch steps of 64.
pub const PROBE_EXAMPLES: usize = 2000;
/// Full-batch measurements per run (about): one every `steps / PROBES` steps (see
/// [`probe_every`]), plus one before the last step. With the MNIST preset's 96 steps that is
/// every other step, which roughly doubles its (short) time; with 10 epochs of 8,000 images,
/// every 25th, a fifth more.
const PROBES: usize = 50;

/// The steps between two full-batch measurements of a run of `steps` steps.
pub fn probe_every(steps: usize) -> usize {
    steps.div_ceil(PROBES).max(1)
}

impl FromParams for GradNormConfig {
    const SIZE_KEYS: &'static [&'static str] = SUBJECT_SIZE_KEYS;

    fn footprint(&self) -> Footprint {
        self.subject.footprint(self.train.batch_size)
    }

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

/// The first and the last window of a run of `n` iterations, which E4's finding and noise floor
/// compare: 5 % of the iterations each (at least one, at most half).
pub fn window(n: usize) -> usize {
    ((n as f64 * WINDOW).ceil() as usize).clamp(1, (n / 2).max(1))
}

/// The share of a run's iterations in each [`window`].
pub const WINDOW: f64 = 0.05;

/// A mini-batch run's full-batch gradient norms, as its [`Event::FullGradient`]s give them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FullBatchNorms {
    /// (step, ‖∇L‖ on the probe set), in step order.
    pub points: Vec<(usize, f64)>,
    /// The probe set's size.
    pub examples: usize,
    /// The run's mini-batch size B and training examples N.
    pub batch: usize,
    pub train: usize,
}

impl FullBatchNorms {
    pub fn new(examples: usize, batch: usize, train: usize) -> Self {
        Self {
            points: Vec::new(),
            examples,
            batch,
            train,
        }
    }

    /// Whether step `step`'s mini-batch holds B examples: not so for each epoch's last one
    /// when B does not divide N, whose norm has a floor N/(N mod B) times higher.
    pub fn whole_batch(&self, step: usize) -> bool {
        let b = self.batch.max(1);
        self.train.is_multiple_of(b) || !(step + 1).is_multiple_of(self.train.div_ceil(b))
    }

    /// The noise floor tr(Σ)/B over the last [`window`] of a run whose per-step (loss,
    /// mini-batch norm) are `iterations`: from the whole mini-batches' norms there and the
    /// full-batch norms measured there. `None` without either.
    pub fn noise_floor(&self, iterations: &[(f64, f64)]) -> Option<f64> {
        let n = iterations.len();
        let steps = n - window(n).min(n)..n;
        let batch: Vec<f64> = steps
            .clone()
            .filter(|&s| self.whole_batch(s))
            .map(|s| iterations[s].1)
            .collect();
        let full: Vec<f64> = self
            .points
            .iter()
            .filter(|(step, _)| steps.contains(step))
            .map(|p| p.1)
            .collect();
        noise_floor(&batch, &full)
    }
}

/// The set a mini-batch run measures its full-batch gradient on.
// One per run, never moved in a loop: the size of the larger variant does not matter.
#[allow(clippy::large_enum_variant)]
enum ProbeSet<'a> {
    /// A function task's points, all of them (one pass).
    Points(&'a Regression),
    /// An image task's first training images, in parts of at most `part` images.
    Images {
        set: &'a ImageSet,
        indices: Vec<usize>,
        part: usize,
        scale: Standardizer,
        loss: CrossEntropyLoss,
        device: Device,
    },
}

/// A mini-batch run's full-batch measurements: on which set, and when.
struct Probe<'a> {
    set: ProbeSet<'a>,
    every: usize,
    last_step: usize,
    batch: usize,
    train: usize,
}

impl<'a> Probe<'a> {
    /// The probe of a mini-batch run of `config` on `data`; `None` for a full-batch run, whose
    /// every step's norm is the full-batch norm already.
    fn new(config: &GradNormConfig, data: &'a SubjectData, device: &Device) -> Option<Self> {
        let (len, set) = match (&config.subject, data) {
            (Subject::Function { .. }, SubjectData::Function(points)) => {
                (points.len(), ProbeSet::Points(points))
            }
            (Subject::Images { model, .. }, SubjectData::Images { train, test, .. }) => {
                let on_cpu = *device == Device::flex();
                let device = device.clone().autodiff();
                let task = ClassifierTask::new(train, test, on_cpu, &device);
                let set = ProbeSet::Images {
                    set: train,
                    indices: (0..train.len().min(PROBE_EXAMPLES)).collect(),
                    part: task.limits(model).train_images,
                    scale: task.scale,
                    loss: CrossEntropyLossConfig::new().init(&device),
                    device,
                };
                (train.len(), set)
            }
            _ => return None,
        };
        let batch = config.train.batch_size.unwrap_or(len).clamp(1, len.max(1));
        if batch >= len {
            return None;
        }
        let steps = config.train.epochs * len.div_ceil(batch);
        Some(Self {
            set,
            every: probe_every(steps),
            last_step: steps.saturating_sub(1),
            batch,
            train: len,
        })
    }

    fn due(&self, step: usize) -> bool {
        step.is_multiple_of(self.every) || step == self.last_step
    }

    fn examples(&self) -> usize {
        match &self.set {
            ProbeSet::Points(points) => points.len(),
            ProbeSet::Images { indices, .. } => indices.len(),
        }
    }

    /// Read ‖∇L‖ from `sum`, the gradient of the probe's loss at `model`'s weights, and emit it
    /// for `step`.
    async fn measure<M: Module>(
        &self,
        step: usize,
        sum: GradientSum<M>,
        model: &M,
        host: &mut impl Host,
    ) -> Result<Flow, String> {
        let Some(norm_sq) = sum.norm_squared(model) else {
            return Err("the model has no parameter with a gradient".into());
        };
        let norm_sq = read_scalars(vec![norm_sq]).await?[0];
        host.emit(Event::FullGradient {
            step,
            // NaN (a diverged model) stays NaN: f64::max would turn it into 0.
            grad_norm: if norm_sq.is_nan() {
                norm_sq
            } else {
                norm_sq.max(0.0).sqrt()
            },
            examples: self.examples(),
            batch: self.batch,
            train: self.train,
        });
        Ok(Flow::Continue)
    }
}

/// E4's addition to the loop: every step's loss and gradient norm, as they are read back, and
/// on a mini-batch run the full-batch norm every few steps.
struct EveryIteration<'a> {
    probe: Option<Probe<'a>>,
}

impl EveryIteration<'_> {
    fn emit_iterations(
        host: &mut impl Host,
        first: usize,
        losses: &[Vec<f64>],
        norms: &[Vec<f64>],
    ) {
        host.emit(Event::Iterations {
            first,
            losses: losses[0].clone(),
            grad_norms: norms[0].clone(),
        });
    }

    /// The probe when a measurement is due before `step`.
    fn due(&self, step: usize) -> Option<&Probe<'_>> {
        self.probe.as_ref().filter(|p| p.due(step))
    }
}

impl Hooks<Mlp> for EveryIteration<'_> {
    fn per_iteration(&self) -> bool {
        true
    }

    async fn before_step(
        &mut self,
        host: &mut impl Host,
        _m: usize,
        step: usize,
        trainer: &Trainer<Mlp>,
    ) -> Result<Flow, String> {
        let Some(probe) = self.due(step) else {
            return Ok(Flow::Continue);
        };
        let ProbeSet::Points(points) = &probe.set else {
            return Err("the probe set does not match the task".into());
        };
        let model = trainer.model();
        let mut sum = GradientSum::default();
        sum.add(model, points.loss(model));
        probe.measure(step, sum, model, host).await
    }

    fn on_iterations(
        &mut self,
        host: &mut impl Host,
        first: usize,
        losses: &[Vec<f64>],
        grad_norms: &[Vec<f64>],
    ) {
        Self::emit_iterations(host, first, losses, grad_norms);
    }
}

impl Hooks<Classifier> for EveryIteration<'_> {
    fn per_iteration(&self) -> bool {
        true
    }

    async fn before_step(
        &mut self,
        host: &mut impl Host,
        _m: usize,
        step: usize,
        trainer: &Trainer<Classifier>,
    ) -> Result<Flow, String> {
        let Some(probe) = self.due(step) else {
            return Ok(Flow::Continue);
        };
        let ProbeSet::Images {
            set,
            indices,
            part,
            scale,
            loss,
            device,
        } = &probe.set
        else {
            return Err("the probe set does not match the task".into());
        };
        let model = trainer.model();
        let mut sum = GradientSum::default();
        for chunk in parts(indices, *part) {
            let (images, labels) = scale.batch(set, chunk, device);
            let share = chunk.len() as f64 / indices.len() as f64;
            sum.add(model, loss.forward(model.forward(images), labels) * share);
            // The page breathes between parts, as the training loop lets it.
            if host.checkpoint().await == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        probe.measure(step, sum, model, host).await
    }

    fn on_iterations(
        &mut self,
        host: &mut impl Host,
        first: usize,
        losses: &[Vec<f64>],
        grad_norms: &[Vec<f64>],
    ) {
        Self::emit_iterations(host, first, losses, grad_norms);
    }
}

/// Run E4 on `device` (plain, not autodiff); `images` is the dataset of an image task.
async fn run<H: Host>(
    config: &GradNormConfig,
    data: SubjectData,
    device: &Device,
    host: &mut H,
) -> Outcome {
    let mut hooks = EveryIteration {
        probe: Probe::new(config, &data, device),
    };
    run_once(
        &config.subject,
        &data,
        &config.train,
        "model",
        device,
        &mut hooks,
        host,
    )
    .await
}

super::subject::subject_experiment!(GradNormConfig, "gradnorm", subject, train);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_five_percent_at_least_one_at_most_half() {
        assert_eq!(window(100), 5);
        assert_eq!(window(96), 5);
        assert_eq!(window(10), 1);
        assert_eq!(window(2), 1);
        assert_eq!(window(1), 1);
        assert_eq!(window(0), 1);
    }

    fn norms(points: &[(usize, f64)], batch: usize, train: usize) -> FullBatchNorms {
        FullBatchNorms {
            points: points.to_vec(),
            ..FullBatchNorms::new(2000, batch, train)
        }
    }

    #[test]
    fn the_noise_floor_uses_the_last_window_only() {
        // 20 steps, last window = the last one (step 19): ‖g_B‖ = 3 there, ‖∇L‖ = 1 → 9 − 1.
        let mut its = vec![(1.0, 100.0); 20];
        its[19] = (1.0, 3.0);
        let full = norms(&[(0, 50.0), (19, 1.0)], 10, 100);
        assert_eq!(full.noise_floor(&its), Some(8.0));
        let early = norms(&[(0, 50.0)], 10, 100);
        assert_eq!(early.noise_floor(&its), None, "none measured there");
        assert_eq!(full.noise_floor(&[]), None);
    }

    #[test]
    fn the_noise_floor_leaves_out_each_epochs_short_last_batch() {
        // N = 100, B = 16: 7 steps an epoch, the 7th of 4 examples (steps 6, 13, …, 34, 41);
        // with N = 96 none is short.
        let full = norms(&[], 16, 100);
        assert!(!full.whole_batch(6) && !full.whole_batch(34) && full.whole_batch(35));
        assert!((0..40).all(|s| norms(&[], 16, 96).whole_batch(s)));
        // 42 steps, last window 39, 40, 41: 41 is short (‖g_B‖ = 40 there) and left out.
        let mut its = vec![(1.0, 2.0); 42];
        its[41] = (1.0, 40.0);
        let full = norms(&[(40, 1.0)], 16, 100);
        assert_eq!(full.noise_floor(&its), Some(3.0));
    }

    #[test]
    fn probes_come_about_fifty_times_a_run() {
        assert_eq!(probe_every(96), 2);
        assert_eq!(probe_every(10), 1);
        assert_eq!(probe_every(1250), 25);
        assert_eq!(probe_every(0), 1);
    }
}
