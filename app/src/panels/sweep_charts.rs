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

/// One joined series per `(key, name)`, each result's `x` value against that key.
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
                    .map(|r| ScatterPoint::at(r.get(x), r.get(key)))
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

/// The controls of a batch-size sweep (E9b, E10): data, model, training but its batch size,
/// and the batch sizes.
pub fn batch_sweep_controls<C>(url: &UrlConfig<C>, sweep: &BatchSweep, busy: bool) -> Html {
    html! {
        <>
            { image_controls(url, &sweep.subject, busy, true) }
            { training_controls(url, &sweep.train, busy, false) }
            { url.field("batches", "Batch sizes (one model each)", join_list(&sweep.batches), busy) }
        </>
    }
}

/// The results as `[{key: value, …}]` with the given keys (the `data-metrics` points).
pub fn points_json(results: &[SweepResult], keys: &[&str]) -> serde_json::Value {
    json!(results
        .iter()
        .map(|r| keys
            .iter()
            .map(|k| (k.to_string(), json!(r.values.get(*k))))
            .collect::<serde_json::Map<_, _>>())
        .collect::<Vec<_>>())
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
