//! E8 panel: networks of one family with growing width, each adding a point of train/test
//! loss and accuracy against its parameter count as it finishes.

use mlds_core::experiments::generalization::join_list;
use mlds_core::experiments::params_sweep::ParamsConfig;
use mlds_figures::experiments::params::figures;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::subject::{image_controls, training_controls};
use super::sweep_charts::{results_table, sweep_metrics};
use crate::components::{figures_html, Preset};

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "11 widths, 805 to 814k parameters",
            hash: "exp=params".into(),
            note: "784-w-10, w = 1…1024, 8 epochs of 4000 images each, ~1–2 min on the CPU",
        },
        Preset {
            label: "3 seeds, mean ± std",
            hash: "exp=params&seeds=3".into(),
            note: "each width trained from 3 seeds: points are means with error bars, ~4–6 min on the CPU",
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

#[function_component]
pub fn ParamsPanel(props: &PanelProps) -> Html {
    let (url, panel) = use_panel::<ParamsConfig>(&props.backends);
    let (config, view, busy) = (&*url.config, panel.view(), panel.busy());
    let controls = html! {
        <>
            { image_controls(&url, &config.subject, busy, false) }
            { training_controls(&url, &config.train, busy, true) }
            { url.field("widths", "Hidden widths (one model each)", join_list(&config.widths), busy) }
            { url.field("eval_size", "Examples evaluated per set", config.eval_size.to_string(), busy) }
            { url.field("seeds", "Seeds per width (mean ± std)", config.seeds.0.to_string(), busy) }
        </>
    };
    html! {
        <PanelFrame run={panel.clone()} title="E8 · Number of parameters vs generalization" presets={presets()}
            lede={html! { format!("{} fully connected networks 784-w-10 of growing width are trained one after another in the same way; each finished model adds a point. Training loss keeps falling with size; test loss falls, then flattens (or rises) while the models can fit the training set ever better.", config.widths.len()) }}
            {controls} epochs={config.train.epochs} metrics={sweep_metrics(view, &KEYS)}>
            { figures_html(figures(view)) }
            { results_table(&view.sweep.pooled(), &[("params", "parameters")]) }
        </PanelFrame>
    }
}
