//! What the single-architecture panels (E3, E4, E6) share: the controls of their subject (a
//! function task and its MLP, or an image task and its classifier) and training settings, the
//! dataset of an image task, and starting a run once its data is there.

use mlds_core::backend::{Resolution, Workload};
use mlds_core::data::{DataSource, DatasetKind, TargetFunction};
use mlds_core::experiments::subject::{Subject, SubjectExperiment};
use mlds_core::job::Job;
use mlds_core::models::ActivationKind;
use mlds_core::params::to_query;
use mlds_core::train::{OptimizerKind, TrainSettings};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::config::{use_autorun, UrlConfig};
use super::image_data::{use_image_data, ImageData};
use super::run::{run_controls, use_run, RunHandle};
use crate::backends::Backends;
use crate::components::{backend_options, backend_title, BackendLine, Notices};

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

/// A single-architecture panel's run: its lifecycle, backend, dataset and Start callback.
pub struct SubjectRun {
    pub run: RunHandle,
    pub resolution: Resolution,
    pub workload: Workload,
    pub data: ImageData,
    pub on_start: Callback<()>,
}

/// Bind the run of experiment `C` to its URL config: Start loads the image task's dataset (if
/// any), then runs on the resolved backend; `autorun=1` starts it on load.
#[hook]
pub fn use_subject_run<C: SubjectExperiment + Into<Job>>(
    url: &UrlConfig<C>,
    backends: &Backends,
) -> SubjectRun {
    let run = use_run();
    let config = url.config.clone();
    let workload = config.subject().workload();
    let resolution = config
        .train()
        .backend
        .resolve(workload, backends.webgpu_available());
    let data = use_subject_data(url, config.subject());
    let on_start = {
        let (run, backends, resolution, data, url) = (
            run.clone(),
            backends.clone(),
            resolution.clone(),
            data.clone(),
            url.clone(),
        );
        Callback::from(move |()| {
            if let Some(n) = &resolution.notice {
                url.notify(n);
            }
            let job: Job = (*config).clone().into();
            let (run, data, backends) = (run.clone(), data.clone(), backends.clone());
            spawn_local(async move {
                // The dataset box shows the loading, and says what is missing.
                if let Some(task) = job.image_task().cloned() {
                    if data.obtain(task).await.is_none() {
                        return;
                    }
                }
                run.start_job(job, &backends);
            });
        })
    };
    use_autorun(url.autorun, on_start.clone());
    SubjectRun {
        run,
        resolution,
        workload,
        data,
        on_start,
    }
}

impl SubjectRun {
    /// The panel's controls (subject, training, `extra`, backend), dataset box, backend line,
    /// notices and run controls.
    pub fn controls<C: SubjectExperiment>(&self, url: &UrlConfig<C>, extra: Html) -> Html {
        let config = &*url.config;
        let busy = self.busy();
        self.frame(
            url,
            html! {
                <>
                    { subject_controls(url, config.subject(), config.train(), busy) }
                    { extra }
                </>
            },
        )
    }

    /// Whether a run is going (controls are disabled then).
    pub fn busy(&self) -> bool {
        self.run.view.state.is_active()
    }

    /// `controls` and the backend choice, then the dataset box, backend line, notices and run
    /// controls.
    pub fn frame<C: SubjectExperiment>(&self, url: &UrlConfig<C>, controls: Html) -> Html {
        let config = &*url.config;
        let busy = self.busy();
        let train = config.train();
        html! {
            <>
                <div class="controls">
                    { controls }
                    { url.choice("backend", "Backend", train.backend.id(), backend_options(), backend_title(train.backend, self.workload), busy) }
                </div>
                if config.subject().image_task().is_some() { { self.data.view(busy) } }
                <BackendLine choice={train.backend} resolution={self.resolution.clone()} workload={self.workload} />
                <Notices notices={(*url.notices).clone()} />
                { run_controls(&self.run, self.on_start.clone(), train.epochs, url.notifier()) }
            </>
        }
    }

    /// The `data-state`/`data-run-backend` contract of the panel's section.
    pub fn state(&self) -> (&'static str, &'static str) {
        let view = &self.run.view;
        (
            view.state.id(),
            view.backend.map(|b| b.id()).unwrap_or("none"),
        )
    }
}

/// The hash of a config (to mark the preset in use).
pub fn current_hash<C: SubjectExperiment>(config: &C) -> String {
    to_query(
        [("exp", C::ID.to_string())]
            .into_iter()
            .chain(config.to_params()),
    )
}
