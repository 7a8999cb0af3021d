//! E10 panel: models trained with different batch sizes to a common training loss; Keskar's
//! sharpness, the Hessian's largest eigenvalue, trace and spectral density of each, beside
//! their train/test loss and accuracy.

use std::rc::Rc;

use mlds_core::experiments::sharpness::SharpnessConfig;
use yew::prelude::*;

use crate::run_view::RunView;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::sweep_charts::{
    batch_sweep_controls, batch_sweep_metrics, batch_sweep_results, loss_accuracy_charts, series_of,
};
use crate::components::{LineChart, Preset, ScatterChart, Series, PALETTE};

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "Batch 16 … 4096",
            hash: "exp=sharpness".into(),
            note: "five 784-32-10 models, each to training loss 0.05; sharpness at ε = 1e-3, Lanczos, Hutchinson and SLQ",
        },
        Preset {
            label: "Quick: 3 batch sizes",
            hash: "exp=sharpness&batches=32,256,2048&epochs=3&train_size=4000".into(),
            note: "a few seconds; too few models (and epochs) for a finding",
        },
    ]
}

/// `data-metrics` points: each model's sharpness, Hessian measures and the Hessian-vector
/// products' step and asymmetry (and what every batch sweep records).
const KEYS: [&str; 5] = [
    "sharpness",
    "top_eigenvalue",
    "trace",
    "hvp_step",
    "hvp_asymmetry",
];

/// One chart per batch size: the Hessian's eigenvalue spectral density (log y, as PyHessian
/// draws it).
fn densities(view: &RunView) -> Html {
    let sweep = &view.sweep;
    html! {
        <div class="charts densities">
            { for sweep.densities.iter().map(|d| {
                let label = sweep
                    .results
                    .iter()
                    .find(|r| r.index == d.index)
                    .map_or(format!("model {}", d.index + 1), |r| r.label.clone());
                // The log axis needs positive values: the far tails underflow to 0.
                let points = d.points.iter().map(|&(x, y)| (x, y.max(1e-12))).collect();
                let series = Rc::new(vec![Series { name: label.clone(), color: PALETTE[d.index % PALETTE.len()], points, dashed: false }]);
                html! {
                    <LineChart id={format!("sharpness-density-{}", d.index)} title={format!("Hessian eigenvalue density (SLQ), {label}")}
                        x_label="eigenvalue" y_label="density" log_y={true} {series} />
                }
            }) }
        </div>
    }
}

/// E10's charts: sharpness, the top eigenvalue and the trace, training loss and accuracy
/// against the batch size, and one spectral density per batch size.
pub fn figures(view: &RunView, epsilon: f64) -> Html {
    let results = &view.sweep.results;
    html! {
        <>
        <div class="charts">
            <ScatterChart id="sharpness-sharpness" title={format!("Sharpness (Keskar, ×100), ε = {epsilon}")} x_label="batch size" y_label="100 · relative loss rise" log_x={true} log_y={true}
                series={series_of(results, "batch", &[("sharpness", "sharpness ×100")])} />
            <ScatterChart id="sharpness-hessian" title="Hessian: largest eigenvalue (Lanczos) and trace (Hutchinson)" x_label="batch size" y_label="value" log_x={true} log_y={true}
                series={series_of(results, "batch", &[("top_eigenvalue", "largest eigenvalue"), ("trace", "trace")])} />
            { loss_accuracy_charts(results, "sharpness", "batch", "batch size", "batch size") }
        </div>
        { densities(view) }
        </>
    }
}

#[function_component]
pub fn SharpnessPanel(props: &PanelProps) -> Html {
    let (url, panel) = use_panel::<SharpnessConfig>(&props.backends);
    let (config, view, busy) = (&*url.config, panel.view(), panel.busy());
    let field = |name, label, value: String| url.field(name, label, value, busy);
    let controls = html! {
        <>
            { batch_sweep_controls(&url, &config.sweep, busy) }
            { field("epsilon", "Box size ε", config.epsilon.to_string()) }
            { field("samples", "Training examples measured", config.samples.to_string()) }
            { field("lanczos_steps", "Lanczos steps per probe", config.lanczos_steps.to_string()) }
            { field("slq_probes", "SLQ probes (density, top eigenvalue)", config.slq_probes.to_string()) }
            { field("trace_probes", "Hutchinson probes (trace)", config.trace_probes.to_string()) }
            { field("ascent_steps", "Ascent steps", config.ascent_steps.to_string()) }
        </>
    };
    html! {
        <PanelFrame run={panel.clone()} title="E10 · Other generalization metrics: sharpness" presets={presets()}
            lede={html! { "Models trained with different batch sizes, each to the same training loss, so that minima are compared, not training budgets. Keskar et al.'s sharpness, 100 · max over ‖θ'−θ‖∞ ≤ ε(|θ|+1) of (L(θ') − L(θ)) / (1 + L(θ)), by projected ascent in that box; and as PyHessian measures curvature: the Hessian's largest eigenvalue by Lanczos, its trace by Hutchinson's estimator and its eigenvalue density by stochastic Lanczos quadrature, all on Hessian-vector products (central differences of f64 gradients on the CPU, the step chosen by the products' symmetry). Keskar et al. found large-batch minima one to two orders of magnitude sharper." }}
            {controls} epochs={config.sweep.train.epochs} metrics={batch_sweep_metrics(view, &KEYS)}>
            { figures(view, config.epsilon) }
            { batch_sweep_results(&view.sweep.results, config.sweep.target.loss, &[("sharpness", "sharpness ×100"), ("top_eigenvalue", "top eigenvalue"), ("trace", "trace")]) }
        </PanelFrame>
    }
}
