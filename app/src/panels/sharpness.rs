//! E10 panel: models trained with different batch sizes to a common training loss; Keskar's
//! sharpness, the Hessian's largest eigenvalue, trace and spectral density of each, beside
//! their train/test loss and accuracy.

use mlds_core::experiments::sharpness::SharpnessConfig;
use mlds_figures::experiments::sharpness::figures;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::sweep_charts::{batch_sweep_controls, batch_sweep_metrics, batch_sweep_results};
use crate::components::{figures_html, Preset};

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "Batch 16 … 4096",
            hash: "exp=sharpness".into(),
            note: "five 784-32-10 models, each to training loss 0.05; sharpness at ε = 1e-3, Lanczos, Hutchinson and SLQ",
        },
        Preset {
            label: "Keskar's protocol: to each minimum",
            hash: "exp=sharpness&batches=16,32,64,128,256,512,1024,2048,4096&target=0.001&patience=20&epochs=1000".into(),
            note: "nine batch sizes, each trained to cross-entropy 1e-3 or until it stops improving (as E9a's ends); ~3 min natively on 2 cores, longer in the page",
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
            { figures_html(figures(view, config.epsilon)) }
            { batch_sweep_results(&view.sweep.pooled(), &config.sweep, &[("sharpness", "sharpness ×100"), ("top_eigenvalue", "top eigenvalue"), ("trace", "trace")]) }
            <p class="note" data-caveats="">{ "Two caveats on reading curvature as generalisation. Kaur, Cohen & Lipton (2022): scaling the batch size and the learning rate together changes the Hessian's largest eigenvalue without changing generalisation, and every model here keeps one learning rate, so the batch size moves both. Dinh et al. (2017): sharpness changes under reparametrisations (rescaling one layer up and the next down) that leave the function, and so its test error, unchanged." }</p>
        </PanelFrame>
    }
}
