//! E2 panel: CNNs of equal size and different depth, and a fully connected network, learn
//! MNIST or CIFAR-10 live; the panel also finds, loads and accepts the datasets.

use mlds_core::data::DatasetKind;
use mlds_core::experiments::tasks::TasksConfig;
use mlds_core::train::OptimizerKind;
use mlds_figures::experiments::{tasks::figures, DEFAULT_SMOOTHING};
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};

use crate::components::{figures_html, ModelTable, Preset, Smoothing};

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

#[function_component]
pub fn TasksPanel(props: &PanelProps) -> Html {
    let (url, panel) = use_panel::<TasksConfig>(&props.backends);
    let (config, view, busy) = (&*url.config, panel.view(), panel.busy());
    let smoothing = use_state(|| DEFAULT_SMOOTHING);
    let field = |name, label, value: String| url.field(name, label, value, busy);
    let choice = |name, label, value: &str, options, title| {
        url.choice(name, label, value, options, title, busy)
    };
    let controls = html! {
        <>
            { choice("dataset", "Dataset", config.task.dataset.id(), DatasetKind::ALL.iter().map(|k| (k.id(), k.title())).collect(), "the task") }
            { choice("source", "Data", config.task.source.id(), vec![("subset", "subset shipped with the app (MNIST)"), ("full", "full dataset")], "which copy of the dataset") }
            { field("models", "Models (cnn1, cnn2, cnn3, dnn)", url.written("models")) }
            { choice("opt", "Optimizer", config.train.optimizer.id(), OptimizerKind::ALL.iter().map(|o| (o.id(), o.id())).collect(), "optimizer") }
            { field("lr", "Learning rate", config.train.learning_rate.to_string()) }
            { field("epochs", "Epochs", config.train.epochs.to_string()) }
            { field("batch", "Batch size", config.train.batch_size.map_or("full".into(), |b| b.to_string())) }
            { field("train_size", "Training examples (or all)", config.task.train_size.map_or("all".into(), |n| n.to_string())) }
            { field("seed", "Seed", config.train.seed.to_string()) }
            { field("seeds", "Seeds per model (side by side: seed, seed + 1, …)", config.seeds.0.to_string()) }
        </>
    };
    // Dataset files dropped on the panel are taken as its dataset (the box says what it found).
    html! {
        <PanelFrame run={panel.clone()} title="E2 · Train on actual tasks" presets={presets()} drop_datasets={true}
            lede={html! { format!("Three CNNs with about the same number of parameters — one, two and three conv layers — and a fully connected network learn {} with shuffled mini-batches. With equal parameters, the deeper CNNs reach higher training and test accuracy.", config.task.dataset.title()) }}
            {controls} epochs={config.train.epochs} metrics={view.metrics_json()}>
            <Smoothing value={*smoothing} on_change={{ let s = smoothing.clone(); Callback::from(move |v| s.set(v)) }} />
            { figures_html(figures(view, *smoothing)) }
            <ModelTable view={view.clone()} />
            if let (Some(ms), Some((_, train, _))) = (view.epoch_train_ms, &view.dataset) {
                <p class="throughput">{ format!(
                    "Last epoch: {:.1} s of training (test pass not counted), {:.0} training images per second through all {} models.",
                    ms / 1e3, *train as f64 / (ms / 1e3), view.models.len()) }</p>
            }
        </PanelFrame>
    }
}
