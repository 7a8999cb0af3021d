//! What the generalization experiments (E7–E10) share: their classifier on an image task,
//! evaluating a trained model on its training and test sets, and the named results a sweep
//! reports (the sweep of models trained to a target is `batch_sweep`).

use std::collections::BTreeMap;

use burn::module::Module;
use burn::tensor::Device;

use super::subject::{Subject, SubjectData};
use crate::events::{Event, Host};
use crate::models::Classifier;
use crate::params::Params;
use crate::train::{ClassifierTask, Stopwatch, WorkLimits};

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
pub fn join_list<T: std::fmt::Display>(list: &[T]) -> String {
    list.iter().map(T::to_string).collect::<Vec<_>>().join(",")
}
