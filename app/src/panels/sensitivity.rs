//! E9b panel: models trained with log-spaced batch sizes; their sensitivity to the input (two
//! definitions) beside their train/test loss and accuracy, against batch size.

use mlds_core::experiments::sensitivity::SensitivityConfig;
use yew::prelude::*;

use crate::run_view::RunView;

use super::config::use_url_config;
use super::subject::{current_hash, use_subject_run};
use super::sweep_charts::{batch_sweep_controls, results_table, series_of, sweep_metrics};
use crate::backends::Backends;
use crate::components::{Preset, Presets, ScatterChart};

#[derive(Properties, PartialEq)]
pub struct SensitivityPanelProps {
    pub backends: Backends,
}

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "Batch 16 … 4096",
            hash: "exp=sensitivity".into(),
            note:
                "five 784-32-10 models on the 8,000-image subset, 10 epochs each, ~20 s on the CPU",
        },
        Preset {
            label: "Quick: 3 batch sizes",
            hash: "exp=sensitivity&batches=32,256,2048&epochs=3&train_size=4000".into(),
            note: "a few seconds",
        },
    ]
}

const KEYS: [&str; 7] = [
    "batch",
    "sensitivity",
    "softmax_sensitivity",
    "train_loss",
    "test_loss",
    "accuracy",
    "test_accuracy",
];

/// E9b's charts: sensitivity, loss and accuracy against the batch size.
pub fn figures(view: &RunView) -> Html {
    let results = &view.sweep.results;
    html! {
        <div class="charts">
            <ScatterChart id="sensitivity-sensitivity" title="Sensitivity vs batch size" x_label="batch size" y_label="‖∂·/∂x‖ (mean)" log_x={true} log_y={true}
                series={series_of(results, "batch", &[("sensitivity", "loss gradient"), ("softmax_sensitivity", "softmax Jacobian")])} />
            <ScatterChart id="sensitivity-loss" title="Loss vs batch size" x_label="batch size" y_label="cross-entropy" log_x={true} log_y={true}
                series={series_of(results, "batch", &[("train_loss", "train"), ("test_loss", "test")])} />
            <ScatterChart id="sensitivity-accuracy" title="Accuracy vs batch size" x_label="batch size" y_label="accuracy" log_x={true}
                series={series_of(results, "batch", &[("accuracy", "train"), ("test_accuracy", "test")])} />
        </div>
    }
}

#[function_component]
pub fn SensitivityPanel(props: &SensitivityPanelProps) -> Html {
    let url = use_url_config::<SensitivityConfig>("sensitivity");
    let config = url.config.clone();
    let subject = use_subject_run(&url, &props.backends);
    let view = subject.run.view.clone();
    let busy = subject.busy();
    let (state, backend) = subject.state();
    let results = &view.sweep.results;
    let controls = html! {
        <>
            { batch_sweep_controls(&url, &config.sweep, busy) }
            { url.field("samples", "Test examples averaged", config.samples.to_string(), busy) }
            { url.field("eval_size", "Examples evaluated per set", config.sweep.eval_size.to_string(), busy) }
        </>
    };
    html! {
        <section class="panel" data-experiment="sensitivity" data-state={state} data-run-backend={backend}>
            <h2>{ "E9b · Flatness vs generalization — sensitivity" }</h2>
            <p class="lede">
                { "The same network trained with log-spaced batch sizes. Sensitivity is the Frobenius norm of the gradient of the loss with respect to the input, averaged over test examples; the original definition uses the Jacobian of the softmax output (one backward pass per class). Large-batch models tend to be more sensitive and to generalise a little worse." }
            </p>
            <Presets presets={presets()} current={current_hash(&*config)} />
            { subject.frame(&url, controls) }
            { figures(&view) }
            { results_table(results, &[("sensitivity", "sensitivity"), ("softmax_sensitivity", "softmax sensitivity"), ("train_loss", "train loss"), ("test_loss", "test loss"), ("accuracy", "train accuracy"), ("test_accuracy", "test accuracy")]) }
            <pre class="metrics" data-metrics="">{ sweep_metrics(&view, &KEYS) }</pre>
        </section>
    }
}
