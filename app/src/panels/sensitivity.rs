//! E9b panel: models trained with log-spaced batch sizes; their sensitivity to the input (two
//! definitions) beside their train/test loss and accuracy, against batch size.

use mlds_core::experiments::sensitivity::SensitivityConfig;
use mlds_figures::experiments::sensitivity::figures;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::sweep_charts::{batch_sweep_controls, batch_sweep_metrics, batch_sweep_results};
use crate::components::{figures_html, Preset};

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "Batch 16 … 4096",
            hash: "exp=sensitivity".into(),
            note: "five 784-32-10 models, each trained to training loss 0.05",
        },
        Preset {
            label: "Quick: 3 batch sizes",
            hash: "exp=sensitivity&batches=32,256,2048&epochs=3&train_size=4000".into(),
            note: "a few seconds; too few models (and epochs) for a finding",
        },
    ]
}

/// `data-metrics` points: each model's two sensitivities (and what every batch sweep records).
const KEYS: [&str; 2] = ["sensitivity", "softmax_sensitivity"];

#[function_component]
pub fn SensitivityPanel(props: &PanelProps) -> Html {
    let (url, panel) = use_panel::<SensitivityConfig>(&props.backends);
    let (config, view, busy) = (&*url.config, panel.view(), panel.busy());
    let controls = html! {
        <>
            { batch_sweep_controls(&url, &config.sweep, busy) }
            { url.field("samples", "Test examples averaged", config.samples.to_string(), busy) }
            { url.field("eval_size", "Examples evaluated per set", config.sweep.eval_size.to_string(), busy) }
        </>
    };
    html! {
        <PanelFrame run={panel.clone()} title="E9b · Flatness vs generalization — sensitivity" presets={presets()}
            lede={html! { "The same network trained with log-spaced batch sizes. Sensitivity is the Frobenius norm of the gradient of the loss with respect to the input, averaged over test examples; the original definition uses the Jacobian of the softmax output (one backward pass per class). Every model trains to the same training loss, so that minima are compared, not training budgets. Novak et al. found sensitivity to grow with the generalisation gap (test − train loss); the batch size matters through that." }}
            {controls} epochs={config.sweep.train.epochs} metrics={batch_sweep_metrics(view, &KEYS)}>
            { figures_html(figures(view)) }
            { batch_sweep_results(&view.sweep.pooled(), config.sweep.target.loss, &[("sensitivity", "sensitivity"), ("softmax_sensitivity", "softmax sensitivity")]) }
        </PanelFrame>
    }
}
