//! E2 panel: CNNs of equal size and different depth, and a fully connected network, learn
//! MNIST or CIFAR-10 live; the panel also finds, loads and accepts the datasets.

use mlds_core::data::{DataSource, DatasetKind};
use mlds_core::engine::FromParams;
use mlds_core::experiments::common::ImageTask;
use mlds_core::experiments::tasks::TasksConfig;
use mlds_core::job::Job;
use mlds_core::params::to_query;
use mlds_core::train::OptimizerKind;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::run_view::RunView;

use super::config::{use_autorun, use_url_config};
use super::image_data::use_image_data;
use super::run::{run_controls, use_run};
use crate::backends::Backends;
use crate::components::{
    backend_options, backend_title, is_run_file, model_series, smoothed, BackendLine, LineChart,
    ModelTable, Notices, Preset, Presets, Smoothing, DEFAULT_SMOOTHING,
};
use crate::datasets::dropped_files;

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "MNIST quick",
            hash: "exp=tasks&dataset=mnist&train_size=2000&epochs=2".into(),
            note: "2,000 subset images, 2 epochs, ~30 s on the CPU",
        },
        Preset {
            label: "MNIST, whole subset",
            hash: "exp=tasks&dataset=mnist".into(),
            note: "8,000 images, 5 epochs, a few minutes on the CPU",
        },
        Preset {
            label: "CIFAR-10",
            hash: "exp=tasks&dataset=cifar10".into(),
            note: "needs the official files (the panel says how); minutes on a GPU",
        },
    ]
}

#[derive(Properties, PartialEq)]
pub struct TasksPanelProps {
    pub backends: Backends,
}

/// E2's charts: every model's training loss and accuracy (mini-batch curves, smoothed with
/// weight `smoothing`) and test accuracy.
pub fn figures(view: &RunView, smoothing: f64) -> Html {
    html! {
        <div class="charts">
            <LineChart id="tasks-loss" title="Training loss (cross-entropy)" x_label="epoch" y_label="loss" log_y={true} series={model_series(&view.models, &smoothed(&view.losses, smoothing))} />
            <LineChart id="tasks-accuracy" title="Training accuracy" x_label="epoch" y_label="accuracy" series={model_series(&view.models, &smoothed(&view.accuracies, smoothing))} />
            <LineChart id="tasks-test-accuracy" title="Test accuracy (after each epoch)" x_label="epoch" y_label="accuracy" series={model_series(&view.models, &view.test_accuracies)} />
        </div>
    }
}

#[function_component]
pub fn TasksPanel(props: &TasksPanelProps) -> Html {
    let url = use_url_config::<TasksConfig>("tasks");
    let config = url.config.clone();
    let run = use_run();
    let view = run.view.clone();
    let on_adopt = {
        let config = config.clone();
        Callback::from(move |kind: DatasetKind| {
            let mut next = (*config).clone();
            next.task = ImageTask {
                dataset: kind,
                source: DataSource::Full,
                train_size: next.task.train_size,
            };
            config.set(next);
        })
    };
    let data = use_image_data(Some(config.task.clone()), on_adopt);
    let dropping = use_state(|| false);
    let smoothing = use_state(|| DEFAULT_SMOOTHING);
    let resolution = config
        .train
        .backend
        .resolve(TasksConfig::WORKLOAD, props.backends.webgpu_available());

    let on_start = {
        let (run, config, backends, resolution, data) = (
            run.clone(),
            (*config).clone(),
            props.backends.clone(),
            resolution.clone(),
            data.clone(),
        );
        let url = url.clone();
        Callback::from(move |()| {
            if let Some(n) = &resolution.notice {
                url.notify(n);
            }
            let (run, config, data, backends) =
                (run.clone(), config.clone(), data.clone(), backends.clone());
            spawn_local(async move {
                // The dataset box shows the loading, and says what is missing.
                if data.obtain(config.task.clone()).await.is_some() {
                    run.start_job(Job::Tasks(config), &backends);
                }
            });
        })
    };
    use_autorun(url.autorun, on_start.clone());

    let drag = |over: bool| {
        let dropping = dropping.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dropping.set(over);
        })
    };
    let ondrop = {
        let (on_files, dropping) = (data.on_files.clone(), dropping.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dropping.set(false);
            // A run file dropped here is "Open a run file"'s (it listens on the panel too).
            let files: Vec<_> = dropped_files(&e)
                .into_iter()
                .filter(|f| !is_run_file(f))
                .collect();
            if !files.is_empty() {
                on_files.emit(files);
            }
        })
    };

    let state = view.state;
    let busy = state.is_active();
    let title = backend_title(config.train.backend, TasksConfig::WORKLOAD);
    let field = |name, label, value: String| url.field(name, label, value, busy);
    let choice = |name, label, value: &str, options, title| {
        url.choice(name, label, value, options, title, busy)
    };
    let models = config
        .to_params()
        .into_iter()
        .find(|(k, _)| *k == "models")
        .map(|(_, v)| v)
        .unwrap_or_default();

    html! {
        <section class={classes!("panel", dropping.then_some("dropping"))} data-experiment="tasks" data-state={state.id()}
                 data-run-backend={view.backend.map(|b| b.id()).unwrap_or("none")}
                 ondragover={drag(true)} ondragleave={drag(false)} {ondrop}>
            <h2>{ "E2 · Train on actual tasks" }</h2>
            <p class="lede">
                { format!("Three CNNs with about the same number of parameters — one, two and three conv layers — and a fully connected network learn {} with shuffled mini-batches. With equal parameters, the deeper CNNs reach higher training and test accuracy.", config.task.dataset.title()) }
            </p>
            <Presets presets={presets()} current={to_query([("exp", "tasks".to_string())].into_iter().chain(config.to_params()))} />
            <div class="controls">
                { choice("dataset", "Dataset", config.task.dataset.id(), DatasetKind::ALL.iter().map(|k| (k.id(), k.title())).collect(), "the task") }
                { choice("source", "Data", config.task.source.id(), vec![("subset", "subset shipped with the app (MNIST)"), ("full", "full dataset")], "which copy of the dataset") }
                { field("models", "Models (cnn1, cnn2, cnn3, dnn)", models) }
                { choice("opt", "Optimizer", config.train.optimizer.id(), OptimizerKind::ALL.iter().map(|o| (o.id(), o.id())).collect(), "optimizer") }
                { field("lr", "Learning rate", config.train.learning_rate.to_string()) }
                { field("epochs", "Epochs", config.train.epochs.to_string()) }
                { field("batch", "Batch size", config.train.batch_size.map_or("full".into(), |b| b.to_string())) }
                { field("train_size", "Training examples (or all)", config.task.train_size.map_or("all".into(), |n| n.to_string())) }
                { field("seed", "Seed", config.train.seed.to_string()) }
                { choice("backend", "Backend", config.train.backend.id(), backend_options(), title) }
            </div>
            { data.view(busy) }
            <BackendLine choice={config.train.backend} resolution={resolution.clone()} workload={TasksConfig::WORKLOAD} />
            <Notices notices={(*url.notices).clone()} />
            { run_controls(&run, on_start, config.train.epochs, url.notifier()) }
            <Smoothing value={*smoothing} on_change={{ let s = smoothing.clone(); Callback::from(move |v| s.set(v)) }} />
            { figures(&view, *smoothing) }
            <ModelTable view={(**view).clone()} />
            if let (Some(ms), Some((_, train, _))) = (view.epoch_train_ms, &view.dataset) {
                <p class="throughput">{ format!(
                    "Last epoch: {:.1} s of training (test pass not counted), {:.0} training images per second through all {} models.",
                    ms / 1e3, *train as f64 / (ms / 1e3), view.models.len()) }</p>
            }
            <pre class="metrics" data-metrics="">{ view.metrics_json() }</pre>
        </section>
    }
}
