//! E1 panel: three models of equal size and different depth fit a 1-D function, live.

use mlds_core::experiments::fit::FitConfig;
use mlds_core::models::ActivationKind;
use mlds_core::train::OptimizerKind;
use mlds_figures::experiments::fit::figures;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};

use crate::components::{figures_html, FunctionField, ModelTable, Preset};

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "sinc5",
            hash: "exp=fit&fn=sinc5".into(),
            note: "2000 epochs, ~20 s on the CPU",
        },
        Preset {
            label: "sgn5",
            hash: "exp=fit&fn=sgn5".into(),
            note: "2000 epochs, ~20 s on the CPU",
        },
        Preset {
            label: "sinc5, 3 seeds",
            hash: "exp=fit&fn=sinc5&seeds=3".into(),
            note: "each model from 3 initialisations side by side (dashed: seeds 2 and 3); the finding reads the means",
        },
        Preset {
            label: "sinc5 at the homework's scale",
            hash: "exp=fit&fn=sinc5&epochs=20000".into(),
            note: "20,000 epochs, ~3–4 min on the CPU",
        },
        Preset {
            label: "sgn5 at the homework's scale",
            hash: "exp=fit&fn=sgn5&epochs=20000".into(),
            note: "20,000 epochs, ~3–4 min on the CPU",
        },
    ]
}

#[function_component]
pub fn FitPanel(props: &PanelProps) -> Html {
    let (url, panel) = use_panel::<FitConfig>(&props.backends);
    let (config, view, busy) = (&*url.config, panel.view(), panel.busy());
    let field = |name, label, value: String| url.field(name, label, value, busy);
    let choice = |name, label, value: &str, options, title| {
        url.choice(name, label, value, options, title, busy)
    };
    let controls = html! {
        <>
            <FunctionField task={config.task.clone()} disabled={busy} onchange={url.on_param.clone()} />
            { field("shapes", "Models (widths, comma-separated)", url.written("shapes")) }
            { choice("act", "Activation", config.activation.id(), ActivationKind::ALL.iter().map(|a| (a.id(), a.id())).collect(), "hidden-layer activation") }
            { choice("opt", "Optimizer", config.train.optimizer.id(), OptimizerKind::ALL.iter().map(|o| (o.id(), o.id())).collect(), "optimizer") }
            { field("lr", "Learning rate", config.train.learning_rate.to_string()) }
            { field("epochs", "Epochs", config.train.epochs.to_string()) }
            { field("batch", "Batch size (or full)", config.train.batch_size.map_or("full".into(), |b| b.to_string())) }
            { field("samples", "Samples", config.task.samples.to_string()) }
            { field("seed", "Seed", config.train.seed.to_string()) }
            { field("seeds", "Seeds per model (side by side: seed, seed + 1, …)", config.seeds.0.to_string()) }
        </>
    };
    let lede = html! {
        <>
            { "Three fully connected networks with (nearly) the same number of parameters and different depth fit " }
            <code>{ config.task.function.formula() }</code>{ " on [" }{ config.task.x_min }{ ", " }{ config.task.x_max }{ "]. Deeper models end far below the one-hidden-layer model." }
        </>
    };
    html! {
        <PanelFrame run={panel.clone()} title="E1 · Simulate a function" presets={presets()} {lede}
            {controls} epochs={config.train.epochs} metrics={view.metrics_json()}>
            { figures_html(figures(view)) }
            <ModelTable view={view.clone()} />
        </PanelFrame>
    }
}
