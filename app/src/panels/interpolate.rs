//! E9a panel: two models trained differently from the same initial weights, each to its
//! minimum (Keskar et al.'s protocol), and the loss and accuracy along the line through them,
//! θ(α) = (1 − α)·θ₁ + α·θ₂, α ∈ [−1, 2], growing point by point.

use mlds_core::engine::seeds::mean_std;
use mlds_core::experiments::interpolate::InterpolateConfig;
use mlds_core::report::flatness::{seed_lines, LineEnd, SeedLine, DELTA};
use mlds_figures::experiments::interpolate::figures;
use serde_json::json;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::subject::{image_controls, training_controls};

use crate::components::{figures_html, Preset};
use crate::run_view::{pool_json, RunView};

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
            label: "5 seeds, as Keskar et al.",
            hash: "exp=interpolate&train_size=2000&batch2=200&seeds=5".into(),
            note: "five pairs, each from its own θ₀, on 2,000 images (batch 64 vs 200, a tenth): the ends' rises and errors as mean ± std, and in how many seeds the flatter minimum generalises better",
        },
        Preset {
            label: "Different initialisations",
            hash: "exp=interpolate&same_init=0".into(),
            note: "seeds s and s + 1: a barrier between the two minima",
        },
    ]
}

/// Each seed's line (one where `seeds` = 1), its ends as far as evaluated.
fn lines(view: &RunView) -> Vec<SeedLine> {
    seed_lines(view.sweep.results.iter().map(|r| &r.values))
}

/// An end as `data-metrics` shows it, with its batch size.
fn end_json(e: &LineEnd, batch: Option<usize>) -> serde_json::Value {
    json!({
        "alpha": e.alpha,
        "batch": batch,
        "train_loss": e.train_loss,
        "train_accuracy": e.train_accuracy,
        "test_loss": e.test_loss,
        "test_accuracy": e.test_accuracy,
        "rise": e.rise,
        "epochs": e.epochs,
        "reached_target": e.reached_target,
    })
}

/// The two ends over seeds: each number's mean, `<key>_std` its spread and `seeds`, where
/// every seed's line has reached that end; `reached_target` only where every seed's did.
fn pooled_ends(per_seed: &[Vec<serde_json::Value>]) -> Vec<serde_json::Value> {
    (0..2)
        .filter_map(|i| {
            let ends: Vec<&serde_json::Value> =
                per_seed.iter().map(|l| l.get(i)).collect::<Option<_>>()?;
            const POOLED: [&str; 6] = [
                "train_loss",
                "train_accuracy",
                "test_loss",
                "test_accuracy",
                "rise",
                "epochs",
            ];
            // `alpha` and `batch` as the first seed's (every seed's); a number some seed lacks
            // is null.
            let mut pooled = ends.first()?.as_object()?.clone();
            for key in POOLED {
                pooled.insert(key.into(), json!(null));
            }
            pooled.extend(pool_json(&ends, &POOLED));
            let reached = ends.iter().all(|e| e["reached_target"] == json!(true));
            pooled.insert("reached_target".into(), json!(reached));
            Some(json!(pooled))
        })
        .collect()
}

/// `data-metrics`: α and the four curves, one value per point so far (each α's mean over the
/// seeds), the training target, δ, the distance ratio and the two ends; over seeds, the ends
/// and distance ratio are means with their spread (`<key>_std`, `seeds`) and `seed_ends`
/// holds each seed's two ends.
fn metrics(view: &RunView, config: &InterpolateConfig) -> String {
    let mut m = view.metrics();
    let points = view.sweep.pooled();
    let column = |k: &str| json!(points.iter().map(|r| r.get(k)).collect::<Vec<_>>());
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
    let lines = lines(view);
    let batches = config.trainings().map(|t| t.1.batch_size);
    let per_seed: Vec<Vec<serde_json::Value>> = lines
        .iter()
        .map(|l| {
            l.ends
                .iter()
                .zip(batches)
                .map(|(e, b)| end_json(e, b))
                .collect()
        })
        .collect();
    let distances: Option<Vec<f64>> = lines.iter().map(|l| l.distance_ratio).collect();
    match config.seeds.0 {
        1 => {
            m["ends"] = json!(per_seed.first().cloned().unwrap_or_default());
            if let Some(&[d]) = distances.as_deref() {
                m["distance_ratio"] = json!(d);
            }
        }
        k => {
            m["seeds"] = json!(k);
            m["ends"] = json!(pooled_ends(&per_seed));
            if let Some(d) = distances.filter(|d| !d.is_empty()) {
                let (mean, std) = mean_std(&d);
                m["distance_ratio"] = json!(mean);
                m["distance_ratio_std"] = json!(std);
            }
            m["seed_ends"] = json!(per_seed);
        }
    }
    m.to_string()
}

/// Each end's training against the target, its rise at ±δ and its test error (each seed's,
/// where several).
fn ends_note(view: &RunView, config: &InterpolateConfig) -> Html {
    let lines = lines(view);
    if lines.iter().all(|l| l.ends.is_empty()) {
        return html! {};
    }
    let several = lines.len() > 1;
    let text = lines
        .iter()
        .flat_map(|l| l.ends.iter().map(move |e| (l.seed, e)))
        .map(|(seed, e)| {
            let name = if e.alpha == 0.0 { "θ₁" } else { "θ₂" };
            let of_seed = if several {
                format!(" (seed {})", seed + 1)
            } else {
                String::new()
            };
            let status = match e.reached_target {
                true => "reached its minimum",
                false => "stopped at the cap: not a minimum to compare",
            };
            let rise = e
                .rise
                .map(|r| format!(", rise at ±{DELTA} {r:.2e}"))
                .unwrap_or_default();
            let epochs = e
                .epochs
                .map(|n| format!(" after {n} epochs"))
                .unwrap_or_default();
            format!(
                "{name}{of_seed}: train loss {:.2e}{epochs} ({status}){rise}, test error {:.1} %",
                e.train_loss,
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
            { field("seeds", "Seeds (a pair and a line each; mean ± std)", config.seeds.0.to_string()) }
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
