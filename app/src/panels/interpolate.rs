//! E9a panel: two models trained differently from the same initial weights, each to its
//! minimum (Keskar et al.'s protocol), and the loss and accuracy along the line through them,
//! θ(α) = (1 − α)·θ₁ + α·θ₂, α ∈ [−1, 2], growing point by point.

use mlds_core::experiments::interpolate::InterpolateConfig;
use mlds_core::report::flatness::{minimum_reached, rise, DELTA};
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
            label: "Batch 64 vs 800",
            hash: "exp=interpolate".into(),
            note: "Keskar et al.'s protocol: 784-64-10, same initialisation, batch 800 a tenth of the 8,000-image subset, each trained until its training loss reaches 1e-3 or stops improving",
        },
        Preset {
            label: "Trained to loss 0.05 only",
            hash: "exp=interpolate&target=0.05&patience=0&batch2=1024".into(),
            note: "the homework's target: the minima are not yet sharp or flat (Keskar's Fig. 6)",
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

/// One end of the line (α = 0 or 1, a trained model) as evaluated, with its training.
struct End {
    alpha: f64,
    batch: Option<usize>,
    train_loss: f64,
    train_accuracy: f64,
    test_loss: f64,
    test_accuracy: f64,
    /// The rise in training loss at α ± δ, once the line has reached both sides.
    rise: Option<f64>,
    epochs: f64,
    /// Reached the target loss, or stopped improving before the cap.
    reached_target: bool,
}

/// The line's two ends as far as evaluated.
fn ends(view: &RunView, config: &InterpolateConfig) -> Vec<End> {
    let results = &view.sweep.results;
    let alphas: Vec<f64> = results.iter().map(|r| r.get("alpha")).collect();
    let train: Vec<f64> = results.iter().map(|r| r.get("train_loss")).collect();
    let trainings = config.trainings();
    [0.0, 1.0]
        .into_iter()
        .enumerate()
        .filter_map(|(i, alpha): (usize, f64)| {
            let r = results
                .iter()
                .find(|r| (r.get("alpha") - alpha).abs() < 1e-9)?;
            let stopped = r.get(["stopped_1", "stopped_2"][i]) > 0.5;
            let train_loss = r.get("train_loss");
            Some(End {
                alpha,
                batch: trainings[i].1.batch_size,
                train_loss,
                train_accuracy: r.get("accuracy"),
                test_loss: r.get("test_loss"),
                test_accuracy: r.get("test_accuracy"),
                rise: rise(&alphas, &train, alpha, DELTA),
                epochs: r.get(["epochs_1", "epochs_2"][i]),
                reached_target: minimum_reached(stopped, train_loss, Some(config.target.loss)),
            })
        })
        .collect()
}

/// `data-metrics`: α and the four curves, one value per point so far, the training target,
/// δ, the distance ratio and the two ends.
fn metrics(view: &RunView, config: &InterpolateConfig) -> String {
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
    m["target_loss"] = json!(config.target.loss);
    m["patience"] = json!(config.target.patience);
    m["delta"] = json!(DELTA);
    if let Some(first) = view.sweep.results.first() {
        m["distance_ratio"] = json!(first.get("distance_ratio"));
    }
    m["ends"] = json!(ends(view, config)
        .iter()
        .map(|e| json!({
            "alpha": e.alpha,
            "batch": e.batch,
            "train_loss": e.train_loss,
            "train_accuracy": e.train_accuracy,
            "test_loss": e.test_loss,
            "test_accuracy": e.test_accuracy,
            "rise": e.rise,
            "epochs": e.epochs,
            "reached_target": e.reached_target,
        }))
        .collect::<Vec<_>>());
    m.to_string()
}

/// Each end's training against the target, its rise at ±δ and its test error.
fn ends_note(view: &RunView, config: &InterpolateConfig) -> Html {
    let ends = ends(view, config);
    if ends.is_empty() {
        return html! {};
    }
    let text = ends
        .iter()
        .map(|e| {
            let name = if e.alpha == 0.0 { "θ₁" } else { "θ₂" };
            let status = match e.reached_target {
                true => "reached its minimum",
                false => "stopped at the cap: not a minimum to compare",
            };
            let rise = e
                .rise
                .map(|r| format!(", rise at ±{DELTA} {r:.2e}"))
                .unwrap_or_default();
            format!(
                "{name}: train loss {:.2e} after {} epochs ({status}){rise}, test error {:.1} %",
                e.train_loss,
                e.epochs,
                100.0 * (1.0 - e.test_accuracy)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let target = config.target;
    html! { <p class="note" data-target={target.loss.to_string()}>{ format!("Target: training loss {}, or no 1 % improvement for {} epochs. {text}.", target.loss, target.patience) }</p> }
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
            { field("patience", "… or epochs without improvement", config.target.patience.to_string()) }
            { field("points", "Points on α ∈ [−1, 2]", config.points.to_string()) }
            { field("eval_size", "Examples evaluated per set", config.eval_size.to_string()) }
        </>
    };
    let trainings = config.trainings();
    html! {
        <PanelFrame run={panel.clone()} title="E9a · Flatness vs generalization — interpolation" presets={presets()}
            lede={html! { format!("Two models are trained from the same initial weights — {} and {} — each until its training loss is at most {} or stops improving (the epochs are a cap), so that the line joins two minima, not a model and an under-trained one; then evaluated along θ(α) = (1 − α)·θ₁ + α·θ₂ for α from −1 to 2. Keskar et al. found the loss around the small-batch minimum (α = 0) wider and flatter than around the large-batch one (α = 1), and the flatter one generalising better; the difference shows as the loss falls towards 1e-3, not at 0.05.", trainings[0].0, trainings[1].0, config.target.loss) }}
            {controls} epochs={config.train.epochs} metrics={metrics(view, config)}>
            { figures_html(figures(view)) }
            { ends_note(view, config) }
        </PanelFrame>
    }
}
