//! What the single-architecture panels (E3, E4, E6) share: the controls of their subject (a
//! function task and its MLP, or an image task and its classifier) and training settings, the
//! dataset of an image task, and starting a run once its data is there.

use std::future::Future;
use std::rc::Rc;

use burn::tensor::Device;
use mlds_core::backend::Resolution;
use mlds_core::data::{DataSource, DatasetKind, ImageDataset, TargetFunction};
use mlds_core::experiments::common::ImageTask;
use mlds_core::experiments::subject::Subject;
use mlds_core::models::ActivationKind;
use mlds_core::train::{OptimizerKind, TrainSettings};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::config::UrlConfig;
use super::image_data::{use_image_data, ImageData};
use super::run::{set_body_backend, RunHandle};
use crate::host::BrowserHost;

fn join(v: &[usize]) -> String {
    v.iter().map(usize::to_string).collect::<Vec<_>>().join("-")
}

/// Task, data, model and training controls.
pub fn subject_controls<C>(
    url: &UrlConfig<C>,
    subject: &Subject,
    train: &TrainSettings,
    busy: bool,
) -> Html {
    let field = |name, label, value: String| url.field(name, label, value, busy);
    let choice = |name, label, value: &str, options, title| {
        url.choice(name, label, value, options, title, busy)
    };
    let task_choice = choice(
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
    );
    let task_fields = match subject {
        Subject::Function { task, model } => html! {
            <>
                { choice("fn", "Function", task.function.id(), TargetFunction::ALL.iter().map(|f| (f.id(), f.formula())).collect(), "the target function") }
                { field("samples", "Samples", task.samples.to_string()) }
                { field("shape", "Model (layer widths)", model.shape()) }
                { choice("act", "Activation", model.activation.id(), ActivationKind::ALL.iter().map(|a| (a.id(), a.id())).collect(), "hidden-layer activation") }
            </>
        },
        Subject::Images { task, model } => html! {
            <>
                { choice("dataset", "Dataset", task.dataset.id(), DatasetKind::ALL.iter().map(|k| (k.id(), k.title())).collect(), "the task") }
                { choice("source", "Data", task.source.id(), vec![("subset", "subset shipped with the app (MNIST)"), ("full", "full dataset")], "which copy of the dataset") }
                { field("train_size", "Training examples (or all)", task.train_size.map_or("all".into(), |n| n.to_string())) }
                { field("convs", "Conv channels (e.g. 8-16, empty: none)", join(&model.convs)) }
                { field("hidden", "Hidden widths (e.g. 16)", join(&model.hidden)) }
            </>
        },
    };
    html! {
        <>
            { task_choice }
            { task_fields }
            { training_controls(url, train, busy) }
        </>
    }
}

/// Optimiser, learning rate, epochs, batch size and seed.
pub fn training_controls<C>(url: &UrlConfig<C>, train: &TrainSettings, busy: bool) -> Html {
    let field = |name, label, value: String| url.field(name, label, value, busy);
    html! {
        <>
            { url.choice("opt", "Optimizer", train.optimizer.id(), OptimizerKind::ALL.iter().map(|o| (o.id(), o.id())).collect(), "optimizer", busy) }
            { field("lr", "Learning rate", train.learning_rate.to_string()) }
            { field("epochs", "Epochs", train.epochs.to_string()) }
            { field("batch", "Batch size (or full)", train.batch_size.map_or("full".into(), |b| b.to_string())) }
            { field("seed", "Seed", train.seed.to_string()) }
        </>
    }
}

/// The dataset of the subject's image task (nothing to load for a function task). A dataset the
/// user gives switches the panel to it.
#[hook]
pub fn use_subject_data<C: 'static>(url: &UrlConfig<C>, subject: &Subject) -> ImageData {
    let on_params = url.on_params.clone();
    let on_adopt = Callback::from(move |kind: DatasetKind| {
        on_params.emit(vec![
            ("dataset", kind.id().to_string()),
            ("source", DataSource::Full.id().to_string()),
        ])
    });
    use_image_data(subject.image_task().cloned(), on_adopt)
}

/// Start `experiment` on the resolved backend, once the image task's data (if any) is loaded.
pub fn start_with_data<F, Fut>(
    run: &RunHandle,
    resolution: &Resolution,
    device: Device,
    image_task: Option<ImageTask>,
    data: ImageData,
    experiment: F,
) where
    F: FnOnce(Option<Rc<ImageDataset>>, Device, BrowserHost) -> Fut + 'static,
    Fut: Future<Output = BrowserHost> + 'static,
{
    let (run, kind) = (run.clone(), resolution.kind);
    spawn_local(async move {
        let images = match image_task {
            Some(task) => match data.obtain(task).await {
                Some(d) => Some(d),
                // The dataset box says what is missing.
                None => return,
            },
            None => None,
        };
        set_body_backend(kind.id());
        run.start(kind, move |host| experiment(images, device, host));
    });
}
