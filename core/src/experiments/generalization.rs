//! What the generalization experiments (E7–E10) share: their classifier on an image task,
//! evaluating a trained model on its training and test sets, sweeps over batch sizes, and the
//! named results a sweep reports.

use std::collections::BTreeMap;

use burn::module::Module;
use burn::tensor::Device;

use super::subject::{image_training, subject_params, ImageDefaults, Subject, SubjectData};
use super::target::{target_values, train_to_target, Target, TrainedToTarget};
use crate::budget::Footprint;
use crate::engine::seeds::Seeds;
use crate::engine::units::Units;
use crate::engine::{fail, stopped, Outcome};
use crate::events::{Event, Host};
use crate::models::Classifier;
use crate::params::Params;
use crate::train::{BatchPlan, ClassifierTask, Halt, Stopwatch, TrainSettings, WorkLimits};

/// A trained classifier's loss and accuracy on (the first `limit` examples of) its training and
/// test sets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    pub train_loss: f64,
    pub accuracy: f64,
    pub test_loss: f64,
    pub test_accuracy: f64,
}

impl Evaluation {
    /// As named values, the keys the pages and tests read.
    pub fn values(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("train_loss", self.train_loss),
            ("accuracy", self.accuracy),
            ("test_loss", self.test_loss),
            ("test_accuracy", self.test_accuracy),
        ]
    }
}

/// Evaluates trained classifiers of one architecture on a subject's training and test sets.
/// Built once per architecture and run: fitting the image scaling is a pass over the training
/// set, and how the work is cut depends on the architecture.
pub struct Evaluator<'a> {
    task: ClassifierTask<'a>,
    /// How the work of a model of the architecture is cut on this backend.
    work: WorkLimits,
    /// Examples of each set evaluated (at most).
    limit: usize,
}

impl<'a> Evaluator<'a> {
    pub fn new(
        subject: &Subject,
        data: &'a SubjectData,
        limit: usize,
        device: &Device,
    ) -> Result<Self, String> {
        let (Subject::Images { model, .. }, SubjectData::Images { train, test, .. }) =
            (subject, data)
        else {
            return Err("the generalization experiments classify images".into());
        };
        let on_cpu = *device == Device::flex();
        let task = ClassifierTask::new(train, test, on_cpu, device);
        let work = task.limits(model);
        Ok(Self { task, work, limit })
    }

    /// Loss and accuracy of `models` (any device; evaluated as inference models) on both
    /// sets; `None` if the host stopped meanwhile.
    pub async fn evaluate(
        &self,
        models: &[Classifier],
        device: &Device,
        host: &mut impl Host,
        clock: &mut Stopwatch,
    ) -> Result<Option<Vec<Evaluation>>, String> {
        let plain: Vec<(Classifier, WorkLimits)> =
            models.iter().map(|m| (m.valid(), self.work)).collect();
        let task = &self.task;
        let Some((train_loss, accuracy)) = task
            .evaluate(&plain, task.train, self.limit, device, host, clock)
            .await?
        else {
            return Ok(None);
        };
        let Some((test_loss, test_accuracy)) = task
            .evaluate(&plain, task.test, self.limit, device, host, clock)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(
            (0..models.len())
                .map(|i| Evaluation {
                    train_loss: train_loss[i],
                    accuracy: accuracy[i],
                    test_loss: test_loss[i],
                    test_accuracy: test_accuracy[i],
                })
                .collect(),
        ))
    }
}

/// Training examples of an image task (1 otherwise: these experiments classify images).
pub fn train_len(data: &SubjectData) -> usize {
    match data {
        SubjectData::Images { train, .. } => train.len(),
        SubjectData::Function(_) => 1,
    }
}

/// Send one result of a sweep.
pub fn emit_result(
    host: &mut impl Host,
    index: usize,
    label: String,
    values: impl IntoIterator<Item = (&'static str, f64)>,
) {
    host.emit(Event::Result {
        index,
        label,
        values: values
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    });
}

/// A comma-separated list of positive integers in `range` (batch sizes, widths), at least
/// `min_len` of them, else `default` with a notice.
pub fn number_list(
    p: &mut Params,
    key: &str,
    default: &[usize],
    range: std::ops::RangeInclusive<usize>,
    min_len: usize,
) -> Vec<usize> {
    let joined = join_list(default);
    let values = format!(
        "{min_len} to 16 comma-separated, each {} – {}",
        range.start(),
        range.end()
    );
    p.describe(key, values, joined);
    let Some(raw) = p.get(key) else {
        return default.to_vec();
    };
    let parsed: Option<Vec<usize>> = raw.split(',').map(|v| v.trim().parse().ok()).collect();
    match parsed {
        Some(list)
            if list.len() >= min_len
                && list.len() <= 16
                && list.iter().all(|v| range.contains(v)) =>
        {
            list
        }
        _ => {
            p.notice(format!(
                "{key}={raw}: expected {min_len} to 16 comma-separated values in {}–{}; using the default",
                range.start(),
                range.end()
            ));
            default.to_vec()
        }
    }
}

/// `16,64,256`
pub fn join_list(list: &[usize]) -> String {
    list.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Models that differ only in their training batch size (E9b, E10): the sweep's settings.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchSweep {
    pub subject: Subject,
    /// Every model's training, but for its batch size (`epochs`: the cap).
    pub train: TrainSettings,
    /// The training loss every model trains to.
    pub target: Target,
    /// One model per batch size, log-spaced by default.
    pub batches: Vec<usize>,
    /// Examples of each set the finished models are evaluated on.
    pub eval_size: usize,
    /// Each batch size is trained once per seed (`seed`, `seed + 1`, …): a unit each.
    #[serde(default)]
    pub seeds: Seeds,
    /// The units this run trains (all, or one: a worker's unit).
    #[serde(default)]
    pub units: Units,
}

/// 16 … 4096, ×4 apart: five models.
pub const DEFAULT_BATCHES: [usize; 5] = [16, 64, 256, 1024, 4096];

impl BatchSweep {
    /// Its units, one per batch size and seed: how many, and which this run trains.
    pub fn units(&self) -> (usize, Units) {
        (self.seeds.units(self.batches.len()), self.units)
    }

    /// Unit `unit`'s batch size.
    pub fn batch(&self, unit: usize) -> usize {
        self.batches[self.seeds.of(unit).0]
    }

    /// The seed unit `unit` trains (and measures) with.
    pub fn seed(&self, unit: usize) -> u64 {
        self.seeds.seed(self.train.seed, unit)
    }

    /// Smallest batch sizes first: their many steps cost the most per example.
    pub fn schedule(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.units().0).collect();
        order.sort_by_key(|&u| (self.batch(u), u));
        order
    }

    /// One batch size trains at a time.
    pub fn footprint(&self) -> Footprint {
        Footprint::largest(
            self.batches
                .iter()
                .map(|&b| self.subject.footprint(Some(b))),
        )
    }

    pub fn from_params(p: &mut Params, subject: &ImageDefaults, epochs: usize) -> Self {
        let subject = Subject::images_from_params(p, subject);
        let train = TrainSettings::from_params(p, &image_training(epochs));
        let batches = number_list(p, "batches", &DEFAULT_BATCHES, 1..=8192, 2);
        let seeds = Seeds::from_params(p);
        Self {
            subject,
            train,
            target: Target::from_params(p),
            units: Units::from_params(p, seeds.units(batches.len())),
            seeds,
            batches,
            eval_size: p.number("eval_size", 2000, 10..=60_000),
        }
    }

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = subject_params(&self.subject, &self.train);
        pairs.retain(|(k, _)| !matches!(*k, "task" | "batch"));
        pairs.extend([
            self.target.to_params(),
            ("batches", join_list(&self.batches)),
            ("eval_size", self.eval_size.to_string()),
        ]);
        pairs.extend(self.seeds.to_params());
        pairs.extend(self.units.to_params());
        pairs
    }
}

/// What E9b and E10 measure on each trained model besides its losses and accuracies.
#[allow(async_fn_in_trait)] // used generically, never as a trait object
pub trait Measure {
    /// Named values for the model of unit `unit` (`None`: the host stopped).
    async fn measure(
        &mut self,
        unit: usize,
        model: &Classifier,
        data: &SubjectData,
        device: &Device,
        host: &mut impl Host,
        clock: &mut Stopwatch,
    ) -> Result<Option<Vec<(&'static str, f64)>>, String>;
}

/// Train one model per batch size to the sweep's target, one after another; evaluate and
/// `measure` each, and report it as a result (`batch`, losses, accuracies, the target's values
/// of [`target_values`] and the measured values).
pub async fn run_batch_sweep<H: Host>(
    sweep: &BatchSweep,
    data: SubjectData,
    device: &Device,
    host: &mut H,
    measure: &mut impl Measure,
) -> Outcome {
    sweep.subject.started(host, sweep.train.epochs);
    // One architecture: one evaluator for every batch size.
    let evaluator = match Evaluator::new(&sweep.subject, &data, sweep.eval_size, device) {
        Ok(e) => e,
        Err(e) => return fail(host, e),
    };
    let mut clock = Stopwatch::default();
    let count = sweep.units().0;
    for i in 0..count {
        if !sweep.units.includes(i) {
            continue;
        }
        let batch = sweep.batch(i);
        let of_seed = match sweep.seeds.0 {
            1 => String::new(),
            k => format!(", seed {} of {k}", sweep.seeds.of(i).1 + 1),
        };
        host.emit(Event::Unit {
            index: i,
            count,
            label: format!("batch size {batch}{of_seed} ({} of {count})", i + 1),
        });
        let settings = TrainSettings {
            batch_size: Some(batch),
            seed: sweep.seed(i),
            ..sweep.train.clone()
        };
        let trained = train_to_target(
            &sweep.subject,
            &data,
            &settings,
            sweep.target,
            settings.seed,
            device,
            host,
            &mut clock,
        )
        .await;
        let TrainedToTarget { model, epochs } = match trained {
            Ok(m) => m,
            Err(Halt::Stopped { epoch }) => return stopped(host, epoch, &clock),
            Err(Halt::Failed(e)) => return fail(host, format!("batch size {batch}: {e}")),
        };
        clock.start();
        let eval = evaluator
            .evaluate(std::slice::from_ref(&model), device, host, &mut clock)
            .await;
        let eval = match eval {
            Ok(Some(e)) => e[0],
            Ok(None) => return stopped(host, sweep.train.epochs, &clock),
            Err(e) => return fail(host, e),
        };
        let measured = match measure
            .measure(i, &model, &data, device, host, &mut clock)
            .await
        {
            Ok(Some(m)) => m,
            Ok(None) => return stopped(host, sweep.train.epochs, &clock),
            Err(e) => return fail(host, format!("batch size {batch}: {e}")),
        };
        clock.stop();
        let steps_per_epoch = BatchPlan::new(train_len(&data), Some(batch), 0).batches_per_epoch();
        emit_result(
            host,
            i,
            format!("batch {batch}"),
            [("batch", batch as f64)]
                .into_iter()
                .chain(eval.values())
                .chain(target_values(
                    sweep.target,
                    epochs,
                    steps_per_epoch,
                    eval.train_loss,
                ))
                .chain(measured)
                .chain(sweep.seeds.values(i)),
        );
    }
    host.emit(Event::Done {
        epoch: sweep.train.epochs,
        elapsed_ms: clock.elapsed_ms(),
    });
    Outcome::Done
}
