//! E9b panel: models trained with log-spaced batch sizes; their sensitivity to the input (two
//! definitions) beside their train/test loss and accuracy, against batch size.

use std::rc::Rc;

use mlds_core::experiments::sensitivity::SensitivityConfig;
use yew::prelude::*;

use crate::run_view::{RunView, SweepResult};

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::sweep_charts::{
    batch_sweep_controls, batch_sweep_metrics, batch_sweep_results, loss_accuracy_charts, series_of,
};
use crate::components::{Preset, ScatterChart, ScatterPoint, ScatterSeries, PALETTE};

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

/// Sensitivity against each model's generalisation gap (Novak et al.'s axis), labelled with
/// its batch size; a model that missed the target is a ring.
fn gap_series(results: &[SweepResult]) -> Rc<Vec<ScatterSeries>> {
    Rc::new(vec![ScatterSeries {
        name: "loss gradient".into(),
        color: PALETTE[0],
        points: results
            .iter()
            .map(|r| ScatterPoint {
                label: Some(format!("{}", r.get("batch"))),
                hollow: r.get("reached_target") == 0.0,
                ..ScatterPoint::at(
                    r.get("test_loss") - r.get("train_loss"),
                    r.get("sensitivity"),
                )
            })
            .collect(),
        joined: false,
        hollow: false,
    }])
}

/// E9b's charts: sensitivity against the generalisation gap and the batch size, loss and
/// accuracy against the batch size.
pub fn figures(view: &RunView) -> Html {
    let results = &view.sweep.results;
    html! {
        <div class="charts">
            <ScatterChart id="sensitivity-sensitivity" title="Sensitivity vs batch size" x_label="batch size" y_label="‖∂·/∂x‖ (mean)" log_x={true} log_y={true}
                series={series_of(results, "batch", &[("sensitivity", "loss gradient"), ("softmax_sensitivity", "softmax Jacobian")])} />
            <ScatterChart id="sensitivity-gap" title="Sensitivity vs generalisation gap" x_label="test − train loss" y_label="‖∂L/∂x‖ (mean)" log_y={true}
                series={gap_series(results)} />
            { loss_accuracy_charts(results, "sensitivity", "batch", "batch size", "batch size") }
        </div>
    }
}

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
            { figures(view) }
            { batch_sweep_results(&view.sweep.results, config.sweep.target.loss, &[("sensitivity", "sensitivity"), ("softmax_sensitivity", "softmax sensitivity")]) }
        </PanelFrame>
    }
}
