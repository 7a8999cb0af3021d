//! E9b panel: models trained with log-spaced batch sizes; their sensitivity to the input (two
//! definitions) beside their train/test loss and accuracy, against batch size.

use mlds_core::experiments::generalization::join_list;
use mlds_core::experiments::sensitivity::SensitivityConfig;
use mlds_core::report::flatness::{reached_count, sensitivity_test};
use mlds_figures::experiments::sensitivity::figures;
use serde_json::json;
use yew::prelude::*;

use super::config::UrlConfig;
use super::frame::{use_panel, PanelFrame, PanelProps};
use super::sweep_charts::{
    batch_sweep_controls, batch_sweep_results, batch_sweep_values, points_json,
};
use crate::components::{figures_html, Preset};
use crate::run_view::RunView;

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "Batch 16 … 4096",
            hash: "exp=sensitivity".into(),
            note: "five 784-32-10 models, each trained to training loss 0.05",
        },
        Preset {
            label: "Novak: 24 models, four factors",
            hash: "exp=sensitivity&sweep=factors".into(),
            note: "batch 32, 256 and full × width 16, 64 × lr 0.001, 0.003 × 0 or 20 % wrong labels, each trained to cross-entropy 0.01 on 2,000 images; Spearman ρ(gap, sensitivity) with its p-value",
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

/// `data-metrics` `models`: each model's factors, measures and gap (both kinds of sweep).
const MODEL_KEYS: [&str; 12] = [
    "batch",
    "width",
    "lr",
    "label_noise",
    "train_size",
    "sensitivity",
    "softmax_sensitivity",
    "gap",
    "train_loss",
    "test_loss",
    "reached_target",
    "epochs",
];

/// The panel's `data-metrics`: a batch sweep's, then `models` (each pooled model with its
/// factors and gap) and Spearman's ρ(gap, sensitivity) over those at the target with its
/// one-sided `p_value` and `n` (null where too few models could show it).
fn metrics(view: &RunView) -> String {
    let mut models = view.sweep.pooled();
    let mut metrics = batch_sweep_values(view, &models, &KEYS);
    for m in &mut models {
        let gap = m.get("test_loss") - m.get("train_loss");
        m.values.insert("gap".into(), gap);
    }
    metrics["models"] = points_json(&models, &MODEL_KEYS);
    let rows: Vec<_> = models.iter().map(|m| &m.values).collect();
    let test = sensitivity_test(&rows);
    metrics["spearman"] = json!(test.map(|t| t.rho));
    metrics["p_value"] = json!(test.map(|t| t.p_positive));
    metrics["n"] = json!(reached_count(&rows));
    metrics.to_string()
}

/// The factors' controls, where the sweep is Novak's kind.
fn factor_controls(url: &UrlConfig<SensitivityConfig>, busy: bool) -> Html {
    let sweep = &url.config.sweep;
    let Some(d) = sweep.factors.as_ref() else {
        return html! {};
    };
    html! {
        <>
            { url.field("widths", "Hidden widths", join_list(&d.widths), busy) }
            { url.field("lrs", "Learning rates", join_list(&d.lrs), busy) }
            { url.field("label_noises", "Fractions of wrong labels", join_list(&d.label_noises), busy) }
        </>
    }
}

#[function_component]
pub fn SensitivityPanel(props: &PanelProps) -> Html {
    let (url, panel) = use_panel::<SensitivityConfig>(&props.backends);
    let (config, view, busy) = (&*url.config, panel.view(), panel.busy());
    let sweep = match config.sweep.factors.is_some() {
        true => "factors",
        false => "batches",
    };
    let controls = html! {
        <>
            { url.choice("sweep", "Models", sweep, vec![("batches", "batch sizes"), ("factors", "several factors (Novak)")], "batch sizes alone, or every combination of batch size, width, learning rate and label noise", busy) }
            { batch_sweep_controls(&url, &config.sweep, busy) }
            { factor_controls(&url, busy) }
            { url.field("samples", "Test examples averaged", config.samples.to_string(), busy) }
            { url.field("eval_size", "Examples evaluated per set", config.sweep.eval_size.to_string(), busy) }
        </>
    };
    html! {
        <PanelFrame run={panel.clone()} title="E9b · Flatness vs generalization — sensitivity" presets={presets()}
            lede={html! { "The same network trained with log-spaced batch sizes. Sensitivity is the Frobenius norm of the gradient of the loss with respect to the input, averaged over test examples; the original definition uses the Jacobian of the softmax output (one backward pass per class). Every model trains to the same training loss, so that minima are compared, not training budgets. Novak et al. found sensitivity to grow with the generalisation gap (test − train loss) over thousands of models varying many factors; the batch size matters through that. \"Several factors\" trains every combination of batch size, width, learning rate and a fraction of wrong labels, as they did, and tests the correlation for significance (p < 0.01)." }}
            {controls} epochs={config.sweep.train.epochs} metrics={metrics(view)}>
            { figures_html(figures(view)) }
            { batch_sweep_results(&view.sweep.pooled(), &config.sweep, &[("sensitivity", "sensitivity"), ("softmax_sensitivity", "softmax sensitivity")]) }
        </PanelFrame>
    }
}
