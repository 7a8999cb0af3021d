//! E4 panel: the gradient norm and the loss at every iteration, in two stacked charts that
//! share the iteration axis; on a mini-batch run, the full-batch norm on a probe set beside the
//! mini-batch norm, and the noise floor.

use mlds_core::experiments::gradnorm::{GradNormConfig, PROBE_EXAMPLES};
use mlds_figures::experiments::gradnorm::figures;
use serde_json::json;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::subject::subject_controls;

use crate::components::{figures_html, ModelTable, Preset};
use crate::run_view::RunView;

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "sinc5, E1's deep model",
            hash: "exp=gradnorm&task=function&fn=sinc5".into(),
            note: "1000 full-batch Adam steps, ~5 s on the CPU",
        },
        Preset {
            label: "MNIST, one hidden layer",
            hash: "exp=gradnorm&task=images&dataset=mnist".into(),
            note: "3 epochs of 2000 subset images, with the full-batch norm on all 2000 every other step; a few seconds on the CPU",
        },
    ]
}

/// `data-metrics`: the common keys plus the latest and first iteration's loss and norm, and on
/// a mini-batch run the latest and first full-batch norm and the last window's noise floor
/// (null on a full-batch run).
fn metrics(view: &RunView) -> String {
    let mut m = view.metrics();
    let its = &view.sweep.iterations;
    m["iteration"] = json!(its.len());
    m["loss"] = json!(its.last().map(|p| p.0));
    m["grad_norm"] = json!(its.last().map(|p| p.1));
    m["first_loss"] = json!(its.first().map(|p| p.0));
    m["first_grad_norm"] = json!(its.first().map(|p| p.1));
    m["diverged"] = json!(diverged_at(view));
    let full = view.sweep.full_batch.as_ref();
    m["full_grad_norm"] = json!(full.and_then(|f| f.points.last()).map(|p| p.1));
    m["first_full_grad_norm"] = json!(full.and_then(|f| f.points.first()).map(|p| p.1));
    m["noise_floor"] = json!(full.and_then(|f| f.noise_floor(its)));
    m.to_string()
}

/// The first iteration whose loss or gradient norm is not finite (NaN is kept, not read as 0).
fn diverged_at(view: &RunView) -> Option<usize> {
    view.sweep
        .iterations
        .iter()
        .position(|(l, g)| !l.is_finite() || !g.is_finite())
}

#[function_component]
pub fn GradNormPanel(props: &PanelProps) -> Html {
    let (url, panel) = use_panel::<GradNormConfig>(&props.backends);
    let view = panel.view();
    html! {
        <PanelFrame run={panel.clone()} title="E4 · Gradient norm during training" presets={presets()}
            lede={html! { format!("The gradient norm ‖∇L‖ = sqrt(Σ_p ‖∂L/∂p‖²) over all parameters, taken from each training step's own backward pass, and the loss, at every iteration. On the function task (full batch) both fall by orders of magnitude as the fit improves. On MNIST (mini-batches of 64) the step's norm is the mini-batch's, ‖g_B‖: it cannot vanish while examples disagree (its noise floor tr(Σ)/B, Deep Learning §8.2.1), so the loss falls while ‖g_B‖ stays within a small factor. There the full-batch norm ‖∇L‖ on the first {PROBE_EXAMPLES} training images is measured every few steps beside it, and tr(Σ)/B ≈ mean ‖g_B‖² − ‖∇L‖² over the last 5 % of the steps.") }}
            controls={subject_controls(&url, panel.busy())} epochs={url.config.train.epochs} metrics={metrics(view)}>
            { figures_html(figures(view)) }
            <ModelTable view={view.clone()} />
            if let Some(i) = diverged_at(view) {
                <p class="diverged">{ format!("diverged at iteration {i}: the loss or the gradient norm is not finite from there on") }</p>
            }
        </PanelFrame>
    }
}
