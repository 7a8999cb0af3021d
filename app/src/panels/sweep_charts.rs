//! What the sweep panels (E8, E9b, E10) share: the loss and accuracy columns every sweep has
//! beside its own measures, the results as JSON points and as a table, and a batch-size
//! sweep's controls and notes (their charts are `mlds_figures`').

use serde_json::json;
use yew::prelude::*;

use mlds_core::experiments::batch_sweep::BatchSweep;
use mlds_core::experiments::factors::join_batches;

use super::config::UrlConfig;
use super::subject::{image_controls, training_controls};
use crate::run_view::{RunView, SweepResult};

/// Every sweep's train and test loss and accuracy: their result keys and table headings.
const LOSS_ACCURACY: [(&str, &str); 4] = [
    ("train_loss", "train loss"),
    ("test_loss", "test loss"),
    ("accuracy", "train accuracy"),
    ("test_accuracy", "test accuracy"),
];

/// What a batch-size sweep records of each model besides: its batch size, whether it reached
/// the training target, and the epochs and steps that took.
const BATCH_KEYS: [&str; 4] = ["batch", "reached_target", "epochs", "steps"];

/// The `data-metrics` text of a sweep: the common keys plus `points`, each with the
/// experiment's `keys` and the loss and accuracy, pooled over the seeds (`seeds` and
/// `<key>_std` where `seeds` > 1).
pub fn sweep_metrics(view: &RunView, keys: &[&str]) -> String {
    let keys: Vec<&str> = keys
        .iter()
        .copied()
        .chain(LOSS_ACCURACY.map(|(k, _)| k))
        .collect();
    let mut metrics = view.metrics();
    metrics["points"] = points_json(&view.sweep.pooled(), &keys);
    metrics.to_string()
}

/// [`sweep_metrics`] of a batch-size sweep: its own `keys` and what every such sweep records,
/// each batch size pooled over its seeds (`seeds=k`: each point gains `seeds` and
/// `<key>_std` beside each of its numbers).
pub fn batch_sweep_metrics(view: &RunView, keys: &[&str]) -> String {
    batch_sweep_values(view, &view.sweep.pooled(), keys).to_string()
}

/// [`batch_sweep_metrics`] as JSON, of results already pooled, for a panel that adds its own
/// keys.
pub fn batch_sweep_values(
    view: &RunView,
    pooled: &[SweepResult],
    keys: &[&str],
) -> serde_json::Value {
    let keys: Vec<&str> = [&BATCH_KEYS, keys, &LOSS_ACCURACY.map(|(k, _)| k)].concat();
    let mut metrics = view.metrics();
    metrics["points"] = points_json(pooled, &keys);
    metrics
}

/// The controls of a batch-size sweep (E9b, E10): data, model, training but its batch size
/// (its epochs the cap), the training target and the batch sizes.
pub fn batch_sweep_controls<C>(url: &UrlConfig<C>, sweep: &BatchSweep, busy: bool) -> Html {
    html! {
        <>
            { image_controls(url, &sweep.subject, busy, true) }
            { training_controls(url, &sweep.train, busy, false) }
            { url.field("target", "Training loss to reach (every model)", sweep.target.loss.to_string(), busy) }
            { url.field("patience", "… or epochs without improvement before a model stops (0: never)", sweep.target.patience.to_string(), busy) }
            { url.field("batches", "Batch sizes (one model each; `full`: the whole set)", join_batches(&sweep.batches), busy) }
            { url.field("seeds", "Seeds per batch size (mean ± std)", sweep.seeds.0.to_string(), busy) }
        </>
    }
}

/// The results as `[{key: value, …}]` with the given keys (the `data-metrics` points);
/// `reached_target` as a boolean. A mean over seeds adds `seeds` and, beside each key with
/// a spread, `<key>_std`.
pub fn points_json(results: &[SweepResult], keys: &[&str]) -> serde_json::Value {
    let value = |r: &SweepResult, k: &str| match (k, r.values.get(k)) {
        ("reached_target", Some(v)) => json!(*v > 0.5),
        (_, v) => json!(v),
    };
    let point = |r: &SweepResult| {
        let mut point = serde_json::Map::new();
        for k in keys {
            point.insert(k.to_string(), value(r, k));
            let std = format!("{k}_std");
            if let Some(v) = r.values.get(&std) {
                point.insert(std, json!(v));
            }
        }
        if let Some(seeds) = r.values.get("seeds") {
            point.insert("seeds".into(), json!(seeds));
        }
        point
    };
    json!(results.iter().map(point).collect::<Vec<_>>())
}

/// The sentence under a batch sweep's charts: the target, and which models missed it.
fn target_note(results: &[SweepResult], sweep: &BatchSweep) -> Html {
    let target = sweep.target;
    let missed: Vec<&str> = results
        .iter()
        .filter(|r| r.get("reached_target") == 0.0)
        .map(|r| r.label.as_str())
        .collect();
    let stop = match (target.patience, sweep.counts_settled()) {
        (0, _) => String::new(),
        // A batch-size sweep with patience: Keskar et al.'s minimum.
        (n, true) => format!(
            ", or until it has not improved for {n} epochs (its minimum, as Keskar et al. train)"
        ),
        (n, false) => {
            format!(", or stops after {n} epochs without improvement (then it missed the target)")
        }
    };
    let rule = format!(
        "Every model trains until its epoch's mean training loss is at most {}{stop} (the epochs are a cap).",
        target.loss
    );
    let text = match missed.is_empty() {
        true => rule,
        false => format!(
            "{rule} Missed it, drawn as rings and left out of the finding: {}.",
            missed.join(", ")
        ),
    };
    html! { <p class="note" data-target={target.loss.to_string()}>{ text }</p> }
}

/// What a batch-size sweep shows under its charts: the training target (and which models
/// missed it), and the results with the experiment's `columns`, then the epochs, whether the
/// model reached the target, the loss and the accuracy.
pub fn batch_sweep_results(
    results: &[SweepResult],
    sweep: &BatchSweep,
    columns: &[(&str, &str)],
) -> Html {
    let columns = [
        columns,
        &[("epochs", "epochs"), ("reached_target", "reached target")],
    ]
    .concat();
    html! {
        <>
            { target_note(results, sweep) }
            { results_table(results, &columns) }
        </>
    }
}

/// The results as a table: their label, the experiment's `(key, heading)` columns, then the
/// loss and accuracy.
pub fn results_table(results: &[SweepResult], columns: &[(&str, &str)]) -> Html {
    if results.is_empty() {
        return html! {};
    }
    let columns = [columns, &LOSS_ACCURACY].concat();
    let number = |v: f64| match v {
        v if v.fract() == 0.0 && v.abs() < 1e9 => format!("{v:.0}"),
        v if (0.01..1000.0).contains(&v.abs()) => format!("{v:.4}"),
        v => format!("{v:.3e}"),
    };
    // A mean over seeds with its spread.
    let cell = |r: &SweepResult, k: &str| match r.values.get(&format!("{k}_std")) {
        Some(&std) => format!("{} ± {}", number(r.get(k)), number(std)),
        None => number(r.get(k)),
    };
    html! {
        <table class="models results">
            <thead><tr>
                <th>{ "model" }</th>
                { for columns.iter().map(|(_, h)| html! { <th>{ *h }</th> }) }
            </tr></thead>
            <tbody>
            { for results.iter().map(|r| html! {
                <tr>
                    <td>{ &r.label }</td>
                    { for columns.iter().map(|(k, _)| html! { <td class="num">{ cell(r, k) }</td> }) }
                </tr>
            }) }
            </tbody>
        </table>
    }
}
