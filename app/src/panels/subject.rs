//! The controls of a subject (a function task and its MLP, or an image task and its
//! classifier) and of its training: what the panels of single-architecture experiments share.

use mlds_core::data::DatasetKind;
use mlds_core::experiments::common::FunctionTask;
use mlds_core::experiments::subject::{Subject, SubjectExperiment};
use mlds_core::models::{ActivationKind, MlpConfig};
use mlds_core::train::{OptimizerKind, TrainSettings};
use yew::prelude::*;

use super::config::UrlConfig;
use crate::components::FunctionField;

fn join(v: &[usize]) -> String {
    v.iter().map(usize::to_string).collect::<Vec<_>>().join("-")
}

/// The task (function or images), its data and model, and the training settings.
pub fn subject_controls<C: SubjectExperiment>(url: &UrlConfig<C>, busy: bool) -> Html {
    let (subject, train) = (url.config.subject(), url.config.train());
    let task_choice = url.choice(
        "task",
        "Task",
        if subject.image_task().is_some() {
            "images"
        } else {
            "function"
        },
        vec![
            ("function", "fit a function (E1's task)"),
            ("images", "classify images (MNIST)"),
        ],
        "what the model learns",
        busy,
    );
    let task_fields = match subject {
        Subject::Function { task, model } => function_controls(url, task, model, busy),
        Subject::Images { .. } => image_controls(url, subject, busy, true),
    };
    html! {
        <>
            { task_choice }
            { task_fields }
            { training_controls(url, train, busy, true) }
        </>
    }
}

/// A function task's controls: the function, its samples, the MLP's widths and activation.
pub fn function_controls<C>(
    url: &UrlConfig<C>,
    task: &FunctionTask,
    model: &MlpConfig,
    busy: bool,
) -> Html {
    html! {
        <>
            <FunctionField task={task.clone()} disabled={busy} onchange={url.on_param.clone()} />
            { url.field("samples", "Samples", task.samples.to_string(), busy) }
            { url.field("shape", "Model (layer widths)", model.shape(), busy) }
            { url.choice("act", "Activation", model.activation.id(), ActivationKind::ALL.iter().map(|a| (a.id(), a.id())).collect(), "hidden-layer activation", busy) }
        </>
    }
}

/// An image task's controls: dataset, source, training examples, and (with `model`) the
/// classifier's conv channels and hidden widths.
pub fn image_controls<C>(url: &UrlConfig<C>, subject: &Subject, busy: bool, model: bool) -> Html {
    let Subject::Images { task, model: arch } = subject else {
        return html! {};
    };
    let field = |name, label, value: String| url.field(name, label, value, busy);
    html! {
        <>
            { url.choice("dataset", "Dataset", task.dataset.id(), DatasetKind::ALL.iter().map(|k| (k.id(), k.title())).collect(), "the task", busy) }
            { url.choice("source", "Data", task.source.id(), vec![("subset", "subset shipped with the app (MNIST)"), ("full", "full dataset")], "which copy of the dataset", busy) }
            { field("train_size", "Training examples (or all)", task.train_size.map_or("all".into(), |n| n.to_string())) }
            if model {
                { field("convs", "Conv channels (e.g. 8-16, empty: none)", join(&arch.convs)) }
                { field("hidden", "Hidden widths (e.g. 16)", join(&arch.hidden)) }
            }
        </>
    }
}

/// Optimiser, learning rate, epochs, batch size (unless a sweep sets it) and seed.
pub fn training_controls<C>(
    url: &UrlConfig<C>,
    train: &TrainSettings,
    busy: bool,
    batch: bool,
) -> Html {
    let field = |name, label, value: String| url.field(name, label, value, busy);
    html! {
        <>
            { url.choice("opt", "Optimizer", train.optimizer.id(), OptimizerKind::ALL.iter().map(|o| (o.id(), o.id())).collect(), "optimizer", busy) }
            { field("lr", "Learning rate", train.learning_rate.to_string()) }
            { field("epochs", "Epochs", train.epochs.to_string()) }
            if batch {
                { field("batch", "Batch size (or full)", train.batch_size.map_or("full".into(), |b| b.to_string())) }
            }
            { field("seed", "Seed", train.seed.to_string()) }
        </>
    }
}
