//! E2, "Train on actual tasks": CNNs of (nearly) equal size and different depth, and a fully
//! connected network of the same size, learn MNIST or CIFAR-10 with shuffled mini-batches.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Tensor, Transaction};
use serde::{Deserialize, Serialize};
use web_time::Instant;

use super::{fail, FromParams, Outcome};
use crate::backend::{BackendChoice, Workload};
use crate::data::{DataSource, DatasetKind, ImageDataset, ImageSet};
use crate::events::{Event, Flow, Host, ModelInfo};
pub use crate::models::TaskModel;
use crate::models::{init_seeded, Classifier, ClassifierConfig};
use crate::params::Params;
use crate::train::{
    correct_count, images_per_task, parts, BatchPlan, OptimizerKind, Standardizer, Stopwatch,
    Trainer,
};

/// Training points are read back (one device round trip) at most this often.
const READ_INTERVAL_MS: u128 = 250;
/// … and at least every this many batches, so a fast GPU queue stays short.
const READ_EVERY_BATCHES: usize = 50;
/// Test images per evaluation batch (at most).
const EVAL_BATCH: usize = 250;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TasksConfig {
    pub dataset: DatasetKind,
    pub source: DataSource,
    pub models: Vec<TaskModel>,
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub epochs: usize,
    pub batch_size: usize,
    /// Use only the first `train_size` training examples (`None`: all of them).
    pub train_size: Option<usize>,
    pub seed: u64,
    pub backend: BackendChoice,
}

impl Default for TasksConfig {
    fn default() -> Self {
        Self {
            dataset: DatasetKind::Mnist,
            source: DataSource::Subset,
            models: TaskModel::ALL.to_vec(),
            optimizer: OptimizerKind::Adam,
            learning_rate: 0.002,
            epochs: 5,
            batch_size: 64,
            train_size: None,
            seed: 1,
            backend: BackendChoice::Auto,
        }
    }
}

impl TasksConfig {
    pub const WORKLOAD: Workload = Workload::Heavy;
    pub const MAX_TRAIN_SIZE: usize = 60_000;

    pub fn architectures(&self) -> Vec<ClassifierConfig> {
        self.models
            .iter()
            .map(|m| m.architecture(self.dataset))
            .collect()
    }
}

impl FromParams for TasksConfig {
    fn from_params(p: &mut Params) -> Self {
        let d = Self::default();
        let dataset = p.choice(
            "dataset",
            d.dataset,
            DatasetKind::parse,
            &DatasetKind::ALL.map(|k| k.id()),
        );
        // CIFAR-10 has no shipped subset: its default source is the full set.
        let default_source = if dataset.has_subset() {
            DataSource::Subset
        } else {
            DataSource::Full
        };
        let mut source = p.choice(
            "source",
            default_source,
            DataSource::parse,
            &DataSource::ALL.map(|s| s.id()),
        );
        if source == DataSource::Subset && !dataset.has_subset() {
            p.notice(format!(
                "{} has no built-in subset; using the full dataset",
                dataset.title()
            ));
            source = DataSource::Full;
        }
        let models = match p.get("models") {
            None => d.models.clone(),
            Some(raw) => {
                let parsed: Option<Vec<TaskModel>> = raw.split(',').map(TaskModel::parse).collect();
                match parsed {
                    Some(mut models) if !models.is_empty() => {
                        models.dedup();
                        models
                    }
                    _ => {
                        p.notice(format!(
                            "models: '{raw}' is not a list of {}; using all",
                            TaskModel::ALL.map(|m| m.id()).join(", ")
                        ));
                        d.models.clone()
                    }
                }
            }
        };
        let optimizer = p.choice(
            "opt",
            d.optimizer,
            OptimizerKind::parse,
            &OptimizerKind::ALL.map(|o| o.id()),
        );
        let learning_rate = p.number("lr", d.learning_rate, 1e-6..=1.0);
        let epochs = p.number("epochs", d.epochs, 1..=1000);
        let batch_size = p.number("batch", d.batch_size, 1..=1024);
        let train_size = match p.get("train_size").as_deref() {
            None | Some("all") => None,
            Some(_) => Some(p.number(
                "train_size",
                Self::MAX_TRAIN_SIZE,
                16..=Self::MAX_TRAIN_SIZE,
            )),
        };
        let seed = p.number("seed", d.seed, 0..=u32::MAX as u64);
        let backend = p.choice(
            "backend",
            d.backend,
            BackendChoice::parse,
            &BackendChoice::ALL.map(|b| b.id()),
        );
        Self {
            dataset,
            source,
            models,
            optimizer,
            learning_rate,
            epochs,
            batch_size,
            train_size,
            seed,
            backend,
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("dataset", self.dataset.id().into()),
            ("source", self.source.id().into()),
            (
                "models",
                self.models
                    .iter()
                    .map(|m| m.id())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ("opt", self.optimizer.id().into()),
            ("lr", self.learning_rate.to_string()),
            ("epochs", self.epochs.to_string()),
            ("batch", self.batch_size.to_string()),
            (
                "train_size",
                self.train_size.map_or("all".into(), |n| n.to_string()),
            ),
            ("seed", self.seed.to_string()),
            ("backend", self.backend.id().into()),
        ]
    }
}

/// Running sums of one model's loss and hits since the last read, left on the device.
struct Window {
    loss: Option<Tensor<1>>,
    correct: Option<Tensor<1>>,
}

fn add(sum: Option<Tensor<1>>, x: Tensor<1>) -> Option<Tensor<1>> {
    Some(match sum {
        None => x,
        Some(s) => s + x,
    })
}

/// Read a list of one-element tensors in one device round trip.
async fn read_scalars(tensors: Vec<Tensor<1>>) -> Result<Vec<f64>, String> {
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

/// Run E2 on `data` on `device` (plain, not autodiff), reporting to `host`.
pub async fn run<H: Host>(
    config: &TasksConfig,
    data: &ImageDataset,
    device: &Device,
    host: &mut H,
) -> Outcome {
    let expected = config.dataset.shape();
    if data.train.shape != expected || data.test.shape != expected {
        return fail(
            host,
            format!(
                "{} images must be {}×{}×{}; this dataset's are {}×{}×{}",
                config.dataset.title(),
                expected.channels,
                expected.height,
                expected.width,
                data.train.shape.channels,
                data.train.shape.height,
                data.train.shape.width
            ),
        );
    }
    let train = data
        .train
        .take(config.train_size.unwrap_or(data.train.len()));
    let test = &data.test;
    if train.is_empty() || test.is_empty() {
        return fail(
            host,
            format!(
                "the dataset '{}' has no images to train or test on",
                data.name
            ),
        );
    }
    host.emit(Event::Dataset {
        title: data.name.clone(),
        train: train.len(),
        test: test.len(),
    });

    let train_device = device.clone().autodiff();
    let architectures = config.architectures();
    let models = init_seeded(device, config.seed, || {
        architectures
            .iter()
            .map(|a| a.init(&train_device))
            .collect()
    });
    let mut trainers: Vec<Trainer<Classifier>> = models
        .into_iter()
        .map(|m| Trainer::new(m, config.optimizer, config.learning_rate))
        .collect();
    host.emit(Event::Started {
        models: config
            .models
            .iter()
            .zip(&trainers)
            .map(|(m, t)| ModelInfo {
                name: m.name().into(),
                shape: m.describe(config.dataset),
                params: t.model().num_params(),
            })
            .collect(),
        total_epochs: config.epochs,
    });

    // On the CPU backend work is cut into parts that each fit in one short task: images per
    // training part (a step costs about three forward passes) and per test part, per model.
    let on_cpu = *device == Device::flex();
    let limits = |passes: usize, most: usize| -> Vec<usize> {
        architectures
            .iter()
            .map(|a| match on_cpu {
                true => images_per_task(passes * a.forward_macs()).min(most),
                false => most,
            })
            .collect()
    };
    let (part_limits, test_limits) = (limits(3, usize::MAX), limits(1, EVAL_BATCH));
    let scale = Standardizer::fit(&train);
    let loss_fn = CrossEntropyLossConfig::new().init(&train_device);
    let mut plan = BatchPlan::new(train.len(), Some(config.batch_size), config.seed);
    let steps = plan.batches_per_epoch();
    let mut clock = Stopwatch::default();
    for epoch in 1..=config.epochs {
        let mut windows: Vec<Window> = trainers
            .iter()
            .map(|_| Window {
                loss: None,
                correct: None,
            })
            .collect();
        let (mut seen, mut batches_since_read, mut last_read) = (0usize, 0usize, Instant::now());
        // Loss and hit sums of the epoch so far (read back): points show the running average
        // over the epoch, as Keras reports it, not the noisy last few batches.
        let mut epoch_sums = vec![0.0f64; trainers.len() * 2];
        let epoch_start_ms = clock.elapsed_ms();
        for (b, batch) in plan.next_epoch().iter().enumerate() {
            clock.start();
            // The whole batch once for every model that takes it in one part (one upload).
            let mut whole = None;
            for ((trainer, window), &limit) in
                trainers.iter_mut().zip(&mut windows).zip(&part_limits)
            {
                for part in parts(batch, limit) {
                    let (images, labels) = match part.len() == batch.len() {
                        true => whole
                            .get_or_insert_with(|| scale.batch(&train, batch, &train_device))
                            .clone(),
                        false => scale.batch(&train, part, &train_device),
                    };
                    let share = part.len() as f64 / batch.len() as f64;
                    let mut logits = None;
                    let loss = trainer.accumulate(|m| {
                        let out = m.forward(images);
                        logits = Some(out.clone().detach());
                        loss_fn.forward(out, labels.clone()) * share
                    });
                    let logits = logits.expect("the pass ran the forward pass");
                    window.loss = add(window.loss.take(), loss * batch.len() as f64);
                    window.correct = add(window.correct.take(), correct_count(logits, labels));
                    // Let the page breathe between parts and models, not only between batches.
                    clock.stop();
                    if host.checkpoint().await == Flow::Stop {
                        return stopped(host, epoch - 1, &clock);
                    }
                    clock.start();
                }
                trainer.apply();
            }
            seen += batch.len();
            batches_since_read += 1;
            let last = b + 1 == steps;
            if last
                || batches_since_read >= READ_EVERY_BATCHES
                || last_read.elapsed().as_millis() >= READ_INTERVAL_MS
            {
                let sums: Vec<Tensor<1>> = windows
                    .iter_mut()
                    .flat_map(|w| [w.loss.take(), w.correct.take()])
                    .flatten()
                    .collect();
                let values = match read_scalars(sums).await {
                    Ok(v) => v,
                    Err(e) => return fail(host, e),
                };
                clock.stop();
                for (sum, v) in epoch_sums.iter_mut().zip(&values) {
                    *sum += v;
                }
                let losses: Vec<f64> = epoch_sums
                    .iter()
                    .step_by(2)
                    .map(|l| l / seen as f64)
                    .collect();
                let accuracies = epoch_sums
                    .iter()
                    .skip(1)
                    .step_by(2)
                    .map(|c| c / seen as f64)
                    .collect();
                if let Some(i) = losses.iter().position(|l| !l.is_finite()) {
                    return fail(
                        host,
                        format!(
                            "The loss of model {} became {} in epoch {epoch}: training diverged. Try a lower learning rate.",
                            config.models[i].name(),
                            losses[i]
                        ),
                    );
                }
                host.emit(Event::TrainMetrics {
                    epoch: (epoch - 1) as f64 + (b + 1) as f64 / steps as f64,
                    elapsed_ms: clock.elapsed_ms(),
                    losses,
                    accuracies,
                });
                (batches_since_read, last_read) = (0, Instant::now());
            }
            clock.stop();
            if host.checkpoint().await == Flow::Stop {
                return stopped(host, epoch - 1, &clock);
            }
        }

        let epoch_train_ms = clock.elapsed_ms() - epoch_start_ms;
        clock.start();
        let accuracies = match test_accuracy(
            &trainers,
            test,
            &scale,
            &test_limits,
            device,
            host,
            &mut clock,
        )
        .await
        {
            Ok(Some(a)) => a,
            Ok(None) => return stopped(host, epoch - 1, &clock),
            Err(e) => return fail(host, e),
        };
        clock.stop();
        host.emit(Event::TestMetrics {
            epoch,
            accuracies,
            epoch_train_ms,
        });
    }
    host.emit(Event::Done {
        epoch: config.epochs,
        elapsed_ms: clock.elapsed_ms(),
    });
    Outcome::Done
}

/// Every model's accuracy on `test`, or `None` when the host stops the run meanwhile.
async fn test_accuracy<H: Host>(
    trainers: &[Trainer<Classifier>],
    test: &ImageSet,
    scale: &Standardizer,
    limits: &[usize],
    device: &Device,
    host: &mut H,
    clock: &mut Stopwatch,
) -> Result<Option<Vec<f64>>, String> {
    let indices: Vec<usize> = (0..test.len()).collect();
    let mut hits = Vec::with_capacity(trainers.len());
    for (trainer, &limit) in trainers.iter().zip(limits) {
        let model = trainer.model().valid();
        let mut model_hits: Option<Tensor<1>> = None;
        for chunk in parts(&indices, limit) {
            let (images, labels) = scale.batch(test, chunk, device);
            model_hits = add(model_hits, correct_count(model.forward(images), labels));
            clock.stop();
            if host.checkpoint().await == Flow::Stop {
                return Ok(None);
            }
            clock.start();
        }
        hits.extend(model_hits);
    }
    let counts = read_scalars(hits).await?;
    Ok(Some(counts.iter().map(|c| c / test.len() as f64).collect()))
}

fn stopped<H: Host>(host: &mut H, epoch: usize, clock: &Stopwatch) -> Outcome {
    host.emit(Event::Stopped {
        epoch,
        elapsed_ms: clock.elapsed_ms(),
    });
    Outcome::Stopped
}
