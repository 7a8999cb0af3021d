//! The training loop of an image classification task (E2, and E3/E4's MNIST presets):
//! shuffled mini-batches on every model, running train metrics read back every few batches on
//! the CPU (a few times a second on a GPU), a test pass after every epoch. On the CPU backend
//! each batch and the test pass are cut into parts that fit in one short browser task (see
//! [`super::parts`]), each model's by the cost of its own architecture ([`WorkLimits`]).

use burn::module::Module;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::tensor::{Device, Tensor};
use web_time::Instant;

use super::hooks::{read_scalars, EpochEnd, Halt, Hooks, IterationLog};
use super::{correct_count, images_per_task, parts, BatchPlan, Standardizer, Stopwatch, Trainer};
use crate::data::ImageSet;
use crate::events::{Event, Flow, Host};
use crate::models::{Classifier, ClassifierConfig};

/// On a GPU, training points are read back (one device round trip) at most this often.
const READ_INTERVAL_MS: u128 = 250;
/// … and at least every this many batches, so a fast GPU queue stays short.
const READ_EVERY_BATCHES: usize = 50;
/// On the CPU a read costs nothing, so points come on a schedule of steps, the same for every
/// model whatever runs beside it (E2's models trained apart join point by point): every
/// this many batches at least…
const CPU_READ_MIN_BATCHES: usize = 4;
/// … and at most this many points per model in a run.
const CPU_MOST_POINTS: usize = 1000;
/// Test images per evaluation batch (at most).
const EVAL_BATCH: usize = 250;

/// How one model's work is cut on a backend: the most images of one part of a training batch
/// and of one part of an evaluation, each part run between two checkpoints of the host. A
/// model's own, from its architecture (see [`ClassifierTask::limits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkLimits {
    /// Images per training part (no limit on a GPU: the whole batch).
    pub train_images: usize,
    /// Images per evaluation part.
    pub test_images: usize,
}

/// A classification task ready to train on: the sets, their scaling, and the backend, which
/// decides how the work of each model is cut (see [`ClassifierTask::limits`]).
pub struct ClassifierTask<'a> {
    pub train: &'a ImageSet,
    pub test: &'a ImageSet,
    pub scale: Standardizer,
    loss_fn: CrossEntropyLoss,
    on_cpu: bool,
}

impl<'a> ClassifierTask<'a> {
    /// `on_cpu`: the CPU backend computes on the page's thread, so work is cut into parts of
    /// about one short task each.
    pub fn new(train: &'a ImageSet, test: &'a ImageSet, on_cpu: bool, device: &Device) -> Self {
        Self {
            train,
            test,
            scale: Standardizer::fit(train),
            loss_fn: CrossEntropyLossConfig::new().init(device),
            on_cpu,
        }
    }

    /// How the work of a model of `architecture` is cut on this backend: on the CPU, parts
    /// of about one short task each (a training step costs about three forward passes; an
    /// evaluation part holds at most `EVAL_BATCH` images); on a GPU, whole batches.
    pub fn limits(&self, architecture: &ClassifierConfig) -> WorkLimits {
        let images = |passes: usize, most: usize| match self.on_cpu {
            true => images_per_task(passes * architecture.forward_macs()).min(most),
            false => most,
        };
        WorkLimits {
            train_images: images(3, usize::MAX),
            test_images: images(1, EVAL_BATCH),
        }
    }

    /// Whether the training points of a run of `epochs` epochs of `steps` batches are read
    /// after batch `b` (0-based, of the epoch), `batches` and `since` after the last read.
    fn read_due(
        &self,
        epochs: usize,
        steps: usize,
        b: usize,
        batches: usize,
        since: Instant,
    ) -> bool {
        if b + 1 == steps {
            return true;
        }
        match self.on_cpu {
            true => {
                let every = (epochs * steps)
                    .div_ceil(CPU_MOST_POINTS)
                    .max(CPU_READ_MIN_BATCHES);
                (b + 1).is_multiple_of(every)
            }
            false => {
                batches >= READ_EVERY_BATCHES || since.elapsed().as_millis() >= READ_INTERVAL_MS
            }
        }
    }

    /// Mean cross-entropy and accuracy of each model on `set` (its first `limit` images),
    /// or `None` when the host stops meanwhile. Each model comes with its own work limits
    /// (see [`ClassifierTask::limits`]); models are the plain (inference) ones.
    pub async fn evaluate(
        &self,
        models: &[(Classifier, WorkLimits)],
        set: &ImageSet,
        limit: usize,
        device: &Device,
        host: &mut impl Host,
        clock: &mut Stopwatch,
    ) -> Result<Option<(Vec<f64>, Vec<f64>)>, String> {
        let n = set.len().min(limit);
        let indices: Vec<usize> = (0..n).collect();
        let mut sums = Vec::with_capacity(models.len() * 2);
        for (model, limits) in models {
            let (mut loss, mut hits): (Option<Tensor<1>>, Option<Tensor<1>>) = (None, None);
            for chunk in parts(&indices, limits.test_images) {
                let (images, labels) = self.scale.batch(set, chunk, device);
                let logits = model.forward(images);
                let batch_loss =
                    self.loss_fn.forward(logits.clone(), labels.clone()) * chunk.len() as f64;
                loss = add(loss, batch_loss);
                hits = add(hits, correct_count(logits, labels));
                clock.stop();
                if host.checkpoint().await == Flow::Stop {
                    return Ok(None);
                }
                clock.start();
            }
            sums.extend(loss);
            sums.extend(hits);
        }
        let values = read_scalars(sums).await?;
        let n = n.max(1) as f64;
        let losses = values.iter().step_by(2).map(|v| v / n).collect();
        let accuracies = values.iter().skip(1).step_by(2).map(|v| v / n).collect();
        Ok(Some((losses, accuracies)))
    }
}

fn add(sum: Option<Tensor<1>>, x: Tensor<1>) -> Option<Tensor<1>> {
    Some(match sum {
        None => x,
        Some(s) => s + x,
    })
}

/// Running sums of one model's loss and hits since the last read, left on the device.
#[derive(Default)]
struct Window {
    loss: Option<Tensor<1>>,
    correct: Option<Tensor<1>>,
}

/// Train every model for `epochs` epochs of shuffled `batch_size` mini-batches, emitting
/// [`Event::TrainMetrics`] every few batches (see `ClassifierTask::read_due`) and
/// [`Event::TestMetrics`] after each epoch,
/// calling `hooks` and the host's checkpoint between parts of the work. `names` and
/// `architectures` are each trainer's, in the order of `trainers`; a model's architecture
/// decides how its work is cut (see [`ClassifierTask::limits`]).
#[allow(clippy::too_many_arguments)]
pub async fn fit_classifiers<H: Host>(
    trainers: &mut [Trainer<Classifier>],
    names: &[String],
    architectures: &[ClassifierConfig],
    task: &ClassifierTask<'_>,
    epochs: usize,
    batch_size: usize,
    seed: u64,
    device: &Device,
    hooks: &mut impl Hooks<Classifier>,
    host: &mut H,
    clock: &mut Stopwatch,
) -> Result<(), Halt> {
    assert_eq!(
        architectures.len(),
        trainers.len(),
        "one architecture per trainer"
    );
    let limits: Vec<WorkLimits> = architectures.iter().map(|a| task.limits(a)).collect();
    let train_device = device.clone().autodiff();
    let train = task.train;
    let per_iteration = hooks.per_iteration();
    let mut log = IterationLog::new(trainers.len());
    let mut plan = BatchPlan::new(train.len(), Some(batch_size), seed);
    hooks.on_start(host, trainers).await.map_err(Halt::Failed)?;
    let steps = plan.batches_per_epoch();
    for epoch in 1..=epochs {
        let mut windows: Vec<Window> = trainers.iter().map(|_| Window::default()).collect();
        let (mut seen, mut batches_since_read, mut last_read) = (0usize, 0usize, Instant::now());
        // Examples since the last read: each `TrainMetrics` is the mean over those batches only,
        // so curves do not jump at every epoch start (the page smooths them, as TensorBoard does).
        let mut seen_since_read = 0usize;
        // Loss and hit sums of the epoch so far (read back): the epoch's means, which the
        // hooks get at its end.
        let mut epoch_sums = vec![0.0f64; trainers.len() * 2];
        let (mut losses, mut accuracies) = (Vec::new(), Vec::new());
        let epoch_start_ms = clock.elapsed_ms();
        for (b, batch) in plan.next_epoch().iter().enumerate() {
            for (m, trainer) in trainers.iter().enumerate() {
                let step = (epoch - 1) * steps + b;
                if hooks
                    .before_step(host, m, step, trainer)
                    .await
                    .map_err(Halt::Failed)?
                    == Flow::Stop
                {
                    return Err(Halt::Stopped { epoch: epoch - 1 });
                }
            }
            clock.start();
            // The whole batch once for every model that takes it in one part (one upload).
            let mut whole = None;
            for (m, ((trainer, window), limits)) in trainers
                .iter_mut()
                .zip(&mut windows)
                .zip(&limits)
                .enumerate()
            {
                let mut batch_loss: Option<Tensor<1>> = None;
                for part in parts(batch, limits.train_images) {
                    let (images, labels) = match part.len() == batch.len() {
                        true => whole
                            .get_or_insert_with(|| task.scale.batch(train, batch, &train_device))
                            .clone(),
                        false => task.scale.batch(train, part, &train_device),
                    };
                    let share = part.len() as f64 / batch.len() as f64;
                    let mut logits = None;
                    let loss = trainer.accumulate(|model| {
                        let out = model.forward(images);
                        logits = Some(out.clone().detach());
                        task.loss_fn.forward(out, labels.clone()) * share
                    });
                    let logits = logits.expect("the pass ran the forward pass");
                    batch_loss = add(batch_loss, loss);
                    window.correct = add(window.correct.take(), correct_count(logits, labels));
                    // Let the page breathe between parts and models, not only between batches.
                    clock.stop();
                    if host.checkpoint().await == Flow::Stop {
                        return Err(Halt::Stopped { epoch: epoch - 1 });
                    }
                    clock.start();
                }
                trainer.apply();
                let batch_loss = batch_loss.expect("a batch has at least one part");
                if per_iteration {
                    log.push(m, batch_loss.clone(), trainer);
                }
                window.loss = add(window.loss.take(), batch_loss * batch.len() as f64);
            }
            if per_iteration {
                log.flush(hooks, host, b + 1 == steps)
                    .await
                    .map_err(Halt::Failed)?;
            }
            seen += batch.len();
            seen_since_read += batch.len();
            batches_since_read += 1;
            if task.read_due(epochs, steps, b, batches_since_read, last_read) {
                let sums: Vec<Tensor<1>> = windows
                    .iter_mut()
                    .flat_map(|w| [w.loss.take(), w.correct.take()])
                    .flatten()
                    .collect();
                let values = read_scalars(sums).await.map_err(Halt::Failed)?;
                clock.stop();
                for (sum, v) in epoch_sums.iter_mut().zip(&values) {
                    *sum += v;
                }
                losses = epoch_sums
                    .iter()
                    .step_by(2)
                    .map(|l| l / seen as f64)
                    .collect();
                accuracies = epoch_sums
                    .iter()
                    .skip(1)
                    .step_by(2)
                    .map(|c| c / seen as f64)
                    .collect();
                if let Some(i) = losses.iter().position(|l: &f64| !l.is_finite()) {
                    return Err(Halt::Failed(format!(
                        "The loss of model {} became {} in epoch {epoch}: training diverged. Try a lower learning rate.",
                        names[i], losses[i]
                    )));
                }
                let window = |offset: usize| -> Vec<f64> {
                    let n = seen_since_read as f64;
                    values
                        .iter()
                        .skip(offset)
                        .step_by(2)
                        .map(|v| v / n)
                        .collect()
                };
                host.emit(Event::TrainMetrics {
                    epoch: (epoch - 1) as f64 + (b + 1) as f64 / steps as f64,
                    elapsed_ms: clock.elapsed_ms(),
                    losses: window(0),
                    accuracies: window(1),
                });
                (batches_since_read, seen_since_read, last_read) = (0, 0, Instant::now());
            }
            clock.stop();
            if host.checkpoint().await == Flow::Stop {
                return Err(Halt::Stopped { epoch: epoch - 1 });
            }
        }

        let epoch_train_ms = clock.elapsed_ms() - epoch_start_ms;
        clock.start();
        let models: Vec<(Classifier, WorkLimits)> = trainers
            .iter()
            .zip(&limits)
            .map(|(t, &l)| (t.model().valid(), l))
            .collect();
        let (test_losses, test_accuracies) = match task
            .evaluate(&models, task.test, usize::MAX, device, host, clock)
            .await
        {
            Ok(Some(r)) => r,
            Ok(None) => return Err(Halt::Stopped { epoch: epoch - 1 }),
            Err(e) => return Err(Halt::Failed(e)),
        };
        clock.stop();
        host.emit(Event::TestMetrics {
            epoch,
            accuracies: test_accuracies.clone(),
            losses: test_losses,
            epoch_train_ms,
        });
        let end = EpochEnd {
            epoch,
            trainers,
            losses: Some(&losses),
            accuracies: Some(&accuracies),
            test_accuracies: Some(&test_accuracies),
        };
        hooks.on_epoch(host, &end).await.map_err(Halt::Failed)?;
        if hooks.finished() {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ImageShape;

    /// Counts the host's checkpoints: one after every part of an evaluation.
    #[derive(Default)]
    struct CountingHost(usize);

    impl Host for CountingHost {
        fn emit(&mut self, _: Event) {}

        async fn checkpoint(&mut self) -> Flow {
            self.0 += 1;
            Flow::Continue
        }
    }

    const IMAGES: usize = 40;

    fn set() -> ImageSet {
        let shape = ImageShape {
            channels: 1,
            height: 16,
            width: 16,
        };
        let pixels = (0..IMAGES * 256).map(|i| (i * 37 % 256) as u8).collect();
        let labels = (0..IMAGES).map(|i| (i % 10) as u8).collect();
        ImageSet::new(shape, pixels, labels).unwrap()
    }

    fn architecture(convs: &[usize]) -> ClassifierConfig {
        ClassifierConfig {
            input: [1, 16, 16],
            convs: convs.to_vec(),
            hidden: Vec::new(),
            classes: 10,
        }
    }

    #[test]
    fn limits_follow_the_architecture_on_the_cpu_and_are_whole_batches_on_a_gpu() {
        let device = Device::flex();
        let set = set();
        let (cheap, costly) = (architecture(&[]), architecture(&[64, 64]));
        let cpu = ClassifierTask::new(&set, &set, true, &device);
        let (c, k) = (cpu.limits(&cheap), cpu.limits(&costly));
        assert!(k.train_images < c.train_images, "{k:?} {c:?}");
        assert!(k.test_images < c.test_images, "{k:?} {c:?}");
        assert_eq!(c.test_images, EVAL_BATCH, "at most EVAL_BATCH");
        let gpu = ClassifierTask::new(&set, &set, false, &device);
        for a in [&cheap, &costly] {
            let whole = WorkLimits {
                train_images: usize::MAX,
                test_images: EVAL_BATCH,
            };
            assert_eq!(gpu.limits(a), whole);
        }
    }

    /// Two architectures of very different cost evaluated together, in either order, or
    /// alone: each is cut by its own limits (a model matched to limits by its position would
    /// take the other's) and gets the same loss.
    #[test]
    fn each_model_is_evaluated_in_parts_of_its_own_limits() {
        let device = Device::flex();
        let set = set();
        let task = ClassifierTask::new(&set, &set, true, &device);
        let (cheap, costly) = (architecture(&[]), architecture(&[64, 64]));
        let (c, k) = (task.limits(&cheap), task.limits(&costly));
        assert!(
            c.test_images >= IMAGES && k.test_images < IMAGES / 2,
            "{c:?} {k:?}"
        );
        let cheap = (cheap.init(&device), c);
        let costly = (costly.init(&device), k);
        let evaluate = |models: &[(Classifier, WorkLimits)]| -> (usize, Vec<f64>) {
            let mut host = CountingHost::default();
            let mut clock = Stopwatch::default();
            let run = task.evaluate(models, &set, usize::MAX, &device, &mut host, &mut clock);
            let (losses, _) = pollster::block_on(run).unwrap().expect("never stopped");
            (host.0, losses)
        };
        let (cheap_parts, cheap_loss) = evaluate(std::slice::from_ref(&cheap));
        let (costly_parts, costly_loss) = evaluate(std::slice::from_ref(&costly));
        assert_eq!(cheap_parts, 1);
        assert_eq!(costly_parts, IMAGES.div_ceil(k.test_images));
        let (parts, losses) = evaluate(&[costly.clone(), cheap.clone()]);
        assert_eq!(parts, cheap_parts + costly_parts);
        assert_eq!(losses, [costly_loss[0], cheap_loss[0]]);
        let (parts, losses) = evaluate(&[cheap, costly]);
        assert_eq!(parts, cheap_parts + costly_parts);
        assert_eq!(losses, [cheap_loss[0], costly_loss[0]]);
    }
}
