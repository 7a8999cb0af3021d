//! E8 panel: networks of one family with growing width, each adding a point of train/test
//! loss and accuracy against its parameter count as it finishes.

use mlds_core::experiments::generalization::join_list;
use mlds_core::experiments::params_sweep::ParamsConfig;
use yew::prelude::*;

use crate::run_view::RunView;

use super::config::use_url_config;
use super::subject::{current_hash, image_controls, training_controls, use_subject_run};
use super::sweep_charts::{loss_accuracy_charts, results_table, sweep_metrics};
use crate::backends::Backends;
use crate::components::{Preset, Presets};

#[derive(Properties, PartialEq)]
pub struct ParamsPanelProps {
    pub backends: Backends,
}

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "11 widths, 805 to 814k parameters",
            hash: "exp=params".into(),
            note: "784-w-10, w = 1…1024, 8 epochs of 4000 images each, ~1–2 min on the CPU",
        },
        Preset {
            label: "Whole subset",
            hash: "exp=params&train_size=all&epochs=20".into(),
            note: "8,000 images, 20 epochs per model, a few minutes on the CPU",
        },
    ]
}

/// `data-metrics` points: each model's parameter count (and the loss and accuracy).
const KEYS: [&str; 1] = ["params"];

/// E8's charts: loss and accuracy against the parameter count, a point per model.
pub fn figures(view: &RunView) -> Html {
    html! {
        <div class="charts">
            { loss_accuracy_charts(&view.sweep.results, "params", "params", "parameters", "number of parameters") }
        </div>
    }
}

#[function_component]
pub fn ParamsPanel(props: &ParamsPanelProps) -> Html {
    let url = use_url_config::<ParamsConfig>("params");
    let config = url.config.clone();
    let subject = use_subject_run(&url, &props.backends);
    let view = subject.run.view.clone();
    let busy = subject.busy();
    let (state, backend) = subject.state();
    let results = &view.sweep.results;
    let controls = html! {
        <>
            { image_controls(&url, &config.subject, busy, false) }
            { training_controls(&url, &config.train, busy, true) }
            { url.field("widths", "Hidden widths (one model each)", join_list(&config.widths), busy) }
            { url.field("eval_size", "Examples evaluated per set", config.eval_size.to_string(), busy) }
        </>
    };
    html! {
        <section class="panel" data-experiment="params" data-state={state} data-run-backend={backend}>
            <h2>{ "E8 · Number of parameters vs generalization" }</h2>
            <p class="lede">
                { format!("{} fully connected networks 784-w-10 of growing width are trained one after another in the same way; each finished model adds a point. Training loss keeps falling with size; test loss falls, then flattens (or rises) while the models can fit the training set ever better.", config.widths.len()) }
            </p>
            <Presets presets={presets()} current={current_hash(&*config)} />
            { subject.frame(&url, controls) }
            { figures(&view) }
            { results_table(results, &[("params", "parameters")]) }
            <pre class="metrics" data-metrics="">{ sweep_metrics(&view, &KEYS) }</pre>
        </section>
    }
}
