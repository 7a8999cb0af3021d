//! Charts and tables the sweep panels (E8, E9b, E10) share: named values of each result
//! against one of them, and the results as JSON points and as a table.

use std::rc::Rc;

use serde_json::json;
use yew::prelude::*;

use mlds_core::experiments::generalization::{join_list, BatchSweep};

use super::config::UrlConfig;
use super::subject::{image_controls, training_controls};
use crate::components::{ScatterPoint, ScatterSeries, PALETTE};
use crate::run_view::{RunView, SweepResult};

/// One joined series per `(key, name)`, each result's `x` value against that key; a result
/// that missed its training target (`reached_target` 0) is a ring, not a dot.
pub fn series_of(
    results: &[SweepResult],
    x: &str,
    keys: &[(&str, &str)],
) -> Rc<Vec<ScatterSeries>> {
    Rc::new(
        keys.iter()
            .enumerate()
            .map(|(i, (key, name))| ScatterSeries {
                name: name.to_string(),
                color: PALETTE[i % PALETTE.len()],
                points: results
                    .iter()
                    .map(|r| ScatterPoint {
                        hollow: r.get("reached_target") == 0.0,
                        ..ScatterPoint::at(r.get(x), r.get(key))
                    })
                    .collect(),
                joined: true,
                hollow: false,
            })
            .collect(),
    )
}

/// The `data-metrics` text of a sweep: the common keys plus `points` with the given keys.
pub fn sweep_metrics(view: &RunView, keys: &[&str]) -> String {
    let mut metrics = view.metrics();
    metrics["points"] = points_json(&view.sweep.results, keys);
    metrics.to_string()
}

/// The controls of a batch-size sweep (E9b, E10): data, model, training but its batch size
/// (its epochs the cap), the training target and the batch sizes.
pub fn batch_sweep_controls<C>(url: &UrlConfig<C>, sweep: &BatchSweep, busy: bool) -> Html {
    html! {
        <>
            { image_controls(url, &sweep.subject, busy, true) }
            { training_controls(url, &sweep.train, busy, false) }
            { url.field("target", "Training loss to reach (every model)", sweep.target.loss.to_string(), busy) }
            { url.field("batches", "Batch sizes (one model each)", join_list(&sweep.batches), busy) }
        </>
    }
}

/// The results as `[{key: value, …}]` with the given keys (the `data-metrics` points);
/// `reached_target` as a boolean.
pub fn points_json(results: &[SweepResult], keys: &[&str]) -> serde_json::Value {
    let value = |r: &SweepResult, k: &str| match (k, r.values.get(k)) {
        ("reached_target", Some(v)) => json!(*v > 0.5),
        (_, v) => json!(v),
    };
    json!(results
        .iter()
        .map(|r| keys
            .iter()
            .map(|k| (k.to_string(), value(r, k)))
            .collect::<serde_json::Map<_, _>>())
        .collect::<Vec<_>>())
}

/// The sentence under a batch sweep's charts: the target, and which models missed it.
pub fn target_note(results: &[SweepResult], target: f64) -> Html {
    let missed: Vec<&str> = results
        .iter()
        .filter(|r| r.get("reached_target") == 0.0)
        .map(|r| r.label.as_str())
        .collect();
    let text = match missed.is_empty() {
        true => format!("Every model trains until its epoch's mean training loss is at most {target} (the epochs are a cap)."),
        false => format!(
            "Every model trains until its epoch's mean training loss is at most {target} (the epochs are a cap). Missed it, drawn as rings and left out of the finding: {}.",
            missed.join(", ")
        ),
    };
    html! { <p class="note" data-target={target.to_string()}>{ text }</p> }
}

/// The results as a table: their label and the given `(key, heading)` columns.
pub fn results_table(results: &[SweepResult], columns: &[(&str, &str)]) -> Html {
    if results.is_empty() {
        return html! {};
    }
    let cell = |v: f64| match v {
        v if v.fract() == 0.0 && v.abs() < 1e9 => format!("{v:.0}"),
        v if (0.01..1000.0).contains(&v.abs()) => format!("{v:.4}"),
        v => format!("{v:.3e}"),
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
                    { for columns.iter().map(|(k, _)| html! { <td class="num">{ cell(r.get(k)) }</td> }) }
                </tr>
            }) }
            </tbody>
        </table>
    }
}
