//! E10 panel: Keskar's sharpness and the Hessian's largest eigenvalue of models trained with
//! different batch sizes, beside their train/test accuracy.

use mlds_core::experiments::sharpness::SharpnessConfig;
use yew::prelude::*;

use crate::run_view::RunView;

use super::config::use_url_config;
use super::subject::{current_hash, use_subject_run};
use super::sweep_charts::{batch_sweep_controls, results_table, series_of, sweep_metrics};
use crate::backends::Backends;
use crate::components::{Preset, Presets, ScatterChart};

#[derive(Properties, PartialEq)]
pub struct SharpnessPanelProps {
    pub backends: Backends,
}

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "Batch 16 … 4096",
            hash: "exp=sharpness".into(),
            note:
                "five 784-32-10 models, 10 epochs each, sharpness with ε = 1e-3, ~25 s on the CPU",
        },
        Preset {
            label: "Quick: 3 batch sizes",
            hash: "exp=sharpness&batches=32,256,2048&epochs=3&train_size=4000".into(),
            note: "a few seconds",
        },
    ]
}

const KEYS: [&str; 7] = [
    "batch",
    "sharpness",
    "top_eigenvalue",
    "train_loss",
    "test_loss",
    "accuracy",
    "test_accuracy",
];

/// E10's charts: sharpness and the top eigenvalue, and accuracy, against the batch size.
pub fn figures(view: &RunView) -> Html {
    let results = &view.sweep.results;
    html! {
        <div class="charts">
            <ScatterChart id="sharpness-sharpness" title="Sharpness and top Hessian eigenvalue vs batch size" x_label="batch size" y_label="value" log_x={true} log_y={true}
                series={series_of(results, "batch", &[("sharpness", "sharpness"), ("top_eigenvalue", "largest eigenvalue")])} />
            <ScatterChart id="sharpness-accuracy" title="Accuracy vs batch size" x_label="batch size" y_label="accuracy" log_x={true}
                series={series_of(results, "batch", &[("accuracy", "train"), ("test_accuracy", "test")])} />
        </div>
    }
}

#[function_component]
pub fn SharpnessPanel(props: &SharpnessPanelProps) -> Html {
    let url = use_url_config::<SharpnessConfig>("sharpness");
    let config = url.config.clone();
    let subject = use_subject_run(&url, &props.backends);
    let view = subject.run.view.clone();
    let busy = subject.busy();
    let (state, backend) = subject.state();
    let results = &view.sweep.results;
    let controls = html! {
        <>
            { batch_sweep_controls(&url, &config.sweep, busy) }
            { url.field("epsilon", "Box size ε", config.epsilon.to_string(), busy) }
            { url.field("samples", "Training examples measured", config.samples.to_string(), busy) }
            { url.field("power_steps", "Power-iteration steps", config.power_steps.to_string(), busy) }
            { url.field("ascent_steps", "Ascent steps", config.ascent_steps.to_string(), busy) }
        </>
    };
    html! {
        <section class="panel" data-experiment="sharpness" data-state={state} data-run-backend={backend}>
            <h2>{ "E10 · Other generalization metrics: sharpness" }</h2>
            <p class="lede">
                { "Keskar et al.'s sharpness, max over ‖θ'−θ‖∞ ≤ ε(|θ|+1) of (L(θ') − L(θ)) / (1 + L(θ)), by projected ascent in that box, and the Hessian's largest eigenvalue by power iteration on Hessian-vector products (central differences of f64 gradients on the CPU), for models trained with different batch sizes. Larger batches tend to find sharper minima." }
            </p>
            <Presets presets={presets()} current={current_hash(&*config)} />
            { subject.frame(&url, controls) }
            { figures(&view) }
            { results_table(results, &[("sharpness", "sharpness"), ("top_eigenvalue", "top eigenvalue"), ("train_loss", "train loss"), ("test_loss", "test loss"), ("accuracy", "train accuracy"), ("test_accuracy", "test accuracy")]) }
            <pre class="metrics" data-metrics="">{ sweep_metrics(&view, &KEYS) }</pre>
        </section>
    }
}
