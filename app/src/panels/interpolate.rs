//! E9a panel: two models trained differently, and the loss and accuracy along the line through
//! them, θ(α) = (1 − α)·θ₁ + α·θ₂, α ∈ [−1, 2], growing point by point.

use mlds_core::experiments::interpolate::InterpolateConfig;
use mlds_figures::experiments::interpolate::figures;
use serde_json::json;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::subject::{image_controls, training_controls};

use crate::components::{figures_html, Preset};
use crate::run_view::RunView;

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "Batch 64 vs 1024",
            hash: "exp=interpolate".into(),
            note: "784-64-10, same initialisation, both trained to training loss 0.05 on the 8,000-image subset",
        },
        Preset {
            label: "Learning rate 1e-3 vs 1e-2",
            hash: "exp=interpolate&lr=0.001&lr2=0.01&batch2=64".into(),
            note: "both batch 64",
        },
        Preset {
            label: "Different initialisations",
            hash: "exp=interpolate&same_init=0".into(),
            note: "seeds s and s + 1: a barrier between the two minima",
        },
    ]
}

/// The line's two ends (α = 0 and 1, the trained models) as far as evaluated: (α, train
/// loss, test loss).
fn ends(view: &RunView) -> Vec<(f64, f64, f64)> {
    let results = &view.sweep.results;
    [0.0, 1.0]
        .into_iter()
        .filter_map(|a: f64| {
            let r = results.iter().find(|r| (r.get("alpha") - a).abs() < 1e-9)?;
            Some((a, r.get("train_loss"), r.get("test_loss")))
        })
        .collect()
}

/// `data-metrics`: α and the four curves, one value per point so far, the training target and
/// the two ends (whether each reached it).
fn metrics(view: &RunView, target: f64) -> String {
    let mut m = view.metrics();
    let column = |k: &str| {
        json!(view
            .sweep
            .results
            .iter()
            .map(|r| r.get(k))
            .collect::<Vec<_>>())
    };
    for key in [
        "alpha",
        "train_loss",
        "test_loss",
        "accuracy",
        "test_accuracy",
    ] {
        let name = if key == "alpha" { "alphas" } else { key };
        m[name] = column(key);
    }
    m["target_loss"] = json!(target);
    m["ends"] = json!(ends(view)
        .iter()
        .map(|&(alpha, train_loss, test_loss)| json!({
            "alpha": alpha,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "reached_target": train_loss <= target,
        }))
        .collect::<Vec<_>>());
    m.to_string()
}

/// Each end's training loss against the target, and its generalisation gap.
fn ends_note(view: &RunView, target: f64) -> Html {
    let ends = ends(view);
    if ends.is_empty() {
        return html! {};
    }
    let text = ends
        .iter()
        .map(|&(a, train, test)| {
            let name = if a == 0.0 { "θ₁" } else { "θ₂" };
            let status = match train <= target {
                true => "reached the target",
                false => "missed the target: not a minimum to compare",
            };
            format!(
                "{name}: train loss {train:.4} ({status}), test − train {:.4}",
                test - train
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    html! { <p class="note" data-target={target.to_string()}>{ format!("Target training loss {target}. {text}.") }</p> }
}

#[function_component]
pub fn InterpolatePanel(props: &PanelProps) -> Html {
    let (url, panel) = use_panel::<InterpolateConfig>(&props.backends);
    let (config, view, busy) = (&*url.config, panel.view(), panel.busy());
    let field = |name, label, value: String| url.field(name, label, value, busy);
    let controls = html! {
        <>
            { image_controls(&url, &config.subject, busy, true) }
            { training_controls(&url, &config.train, busy, true) }
            { field("batch2", "θ₂: batch size", config.batch2.to_string()) }
            { field("lr2", "θ₂: learning rate", config.lr2.to_string()) }
            { url.choice("same_init", "Initialisation", if config.same_init { "1" } else { "0" }, vec![("1", "the same for both"), ("0", "different (seed + 1)")], "whether both models start from the same weights", busy) }
            { field("target", "Training loss to reach (both)", config.target.loss.to_string()) }
            { field("points", "Points on α ∈ [−1, 2]", config.points.to_string()) }
            { field("eval_size", "Examples evaluated per set", config.eval_size.to_string()) }
        </>
    };
    let trainings = config.trainings();
    html! {
        <PanelFrame run={panel.clone()} title="E9a · Flatness vs generalization — interpolation" presets={presets()}
            lede={html! { format!("Two models are trained — {} and {} — each until its training loss is at most {} (the epochs are a cap), so that the line joins two minima, not a model and an under-trained one; then evaluated along θ(α) = (1 − α)·θ₁ + α·θ₂ for α from −1 to 2. Keskar et al. found the loss around the small-batch minimum (α = 0) wider and flatter than around the large-batch one (α = 1), and the flatter one generalising better.", trainings[0].0, trainings[1].0, config.target.loss) }}
            {controls} epochs={config.train.epochs} metrics={metrics(view, config.target.loss)}>
            { figures_html(figures(view)) }
            { ends_note(view, config.target.loss) }
        </PanelFrame>
    }
}
