//! E5 panel: many small networks trained on sinc5 and driven to points where the gradient
//! vanishes; the minimal ratio (fraction of positive Hessian eigenvalues) against the loss,
//! growing live. Clicking a point shows that run's sorted eigenvalue spectrum.

use mlds_core::experiments::minratio::{MinRatioConfig, RatioDefinition};
use mlds_figures::experiments::minratio::{default_choice, figures, groups};
use mlds_figures::Figure;
use serde_json::json;
use yew::prelude::*;

use super::frame::{use_panel, BackendSetting, PanelFrame, PanelProps};
use super::subject::{function_controls, training_controls};

use crate::components::{FigureView, Preset};
use crate::run_view::{CriticalPointView, RunView};

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "100 runs, Hessian eigenvalues",
            hash: "exp=minratio".into(),
            note: "1-8-8-1 on sinc5, ~1 min on the CPU",
        },
        Preset {
            label: "20 runs, sampling definition",
            hash: "exp=minratio&runs=20&ratio=sampling".into(),
            note: "fraction of nearby points with a higher loss, ~20 s",
        },
    ]
}

/// `data-metrics`: runs done, every critical point found and the share that converged.
fn metrics(view: &RunView) -> String {
    let mut m = view.metrics();
    let points = &view.sweep.critical_points;
    m["runs_done"] = json!(points.len());
    m["points"] = json!(points
        .iter()
        .map(|p| json!({
            "loss": p.loss,
            "ratio": p.ratio,
            "strict_ratio": p.strict_ratio,
            "flat": p.flat,
            "grad_norm": p.grad_norm,
            "projected_grad_norm": p.projected_grad_norm,
            "start_grad_norm": p.start_grad_norm,
            "init_grad_norm": p.init_grad_norm,
            "converged": p.converged,
        }))
        .collect::<Vec<_>>());
    m["converged_share"] = json!(converged_share(points));
    m.to_string()
}

fn converged_share(points: &[CriticalPointView]) -> Option<f64> {
    (!points.is_empty())
        .then(|| points.iter().filter(|p| p.converged).count() as f64 / points.len() as f64)
}

#[function_component]
pub fn MinRatioPanel(props: &PanelProps) -> Html {
    let (url, mut panel) = use_panel::<MinRatioConfig>(&props.backends);
    let (config, busy) = (&*url.config, panel.busy());
    let selected = use_state(|| None::<usize>);
    // E5 always runs on the CPU backend (its Hessians are f64): the job says so, the line too.
    panel.backend = BackendSetting::Fixed("Backend: CPU (flex), in f64 for the Hessian.");
    // A new run shows its own lowest-loss spectrum until a point is picked.
    panel.on_start = {
        let (start, selected) = (panel.on_start.clone(), selected.clone());
        Callback::from(move |()| {
            selected.set(None);
            start.emit(());
        })
    };
    let view = panel.view();
    let points = &view.sweep.critical_points;
    let on_pick = {
        let selected = selected.clone();
        Callback::from(move |i: usize| selected.set(Some(i)))
    };
    let on_point = {
        let (groups, on_pick) = (groups(points), on_pick.clone());
        Callback::from(move |(s, k): (usize, usize)| {
            if let Some(&i) = groups.get(s).and_then(|g| g.get(k)) {
                on_pick.emit(i)
            }
        })
    };
    let controls = html! {
        <>
            { function_controls(&url, &config.task, &config.model, busy) }
            { training_controls(&url, &config.train, busy, true) }
            { url.field("runs", "Runs", config.runs.to_string(), busy) }
            { url.field("steps", "Newton steps (at most)", config.steps.to_string(), busy) }
            { url.field("tau", "Flat band τ", config.tau.to_string(), busy) }
            { url.choice("ratio", "Minimal ratio", config.ratio.id(), vec![(RatioDefinition::Hessian.id(), "non-flat eigenvalues of H > 0"), (RatioDefinition::Sampling.id(), "sampled neighbours with higher loss")], "which definition", busy) }
        </>
    };
    let criterion = html! {
        <p class="criterion">
            { format!("Criterion: a run is {}. At the default τ = 1e-3 only the 4–7 stiffest directions count as non-flat: in the weaker ones the trained network is not at a critical point (the gradient there asks for steps far beyond the quadratic model), so the ratio speaks of the stiff directions only. Runs that miss the criterion are drawn hollow and left out of the report's finding.", config.criterion().describe()) }
        </p>
    };
    html! {
        <PanelFrame run={panel.clone()} title="E5 · What happens when the gradient is almost zero" presets={presets()}
            lede={html! { "A small network is trained on sinc5 (MSE), then driven towards a critical point by Newton-MR steps: each step takes the exact Hessian H (central differences of f64 gradients) and its eigen-decomposition, and steps by the pseudo-inverse over H's non-flat eigenvalues with a line search on ‖∇L‖², so it lands on minima and saddles alike. The minimal ratio there is positives / (positives + negatives) over the non-flat eigenvalues; the flat ones (|λ| ≤ τ·max|λ|) are counted beside it, and the old fraction of all eigenvalues > 0 is kept as the strict ratio. The reference: low-loss points have a high ratio, high-loss outliers with a low ratio are saddles. Runs use the CPU backend: the Hessian is computed in f64." }}
            intro={criterion} {controls} epochs={config.train.epochs} metrics={metrics(view)}>
            <div class="charts">
                { for figures(view, config.tau, *selected).into_iter().map(|figure| {
                    let key = figure.id().to_string();
                    // A click on the scatter's point (s, k) shows that run's spectrum.
                    let on_pick = matches!(figure, Figure::Scatter(_)).then(|| on_point.clone());
                    html! { <FigureView {key} {figure} {on_pick} /> }
                }) }
            </div>
            if let Some(share) = converged_share(points) {
                <p class="converged-share">{ format!("{} of {} runs converged ({:.0} %).", points.iter().filter(|p| p.converged).count(), points.len(), 100.0 * share) }</p>
            }
            { runs_table(points, (*selected).or_else(|| default_choice(points)), on_pick) }
        </PanelFrame>
    }
}

/// Every run's end point, a row each; the run number is a button that shows its spectrum (by
/// keyboard too), and so is a click on the row. `shown` is the run whose spectrum is drawn.
fn runs_table(
    points: &[CriticalPointView],
    shown: Option<usize>,
    on_pick: Callback<usize>,
) -> Html {
    if points.is_empty() {
        return html! {};
    }
    html! {
        <div class="table-scroll">
            <table class="models">
                <thead><tr><th>{ "run" }</th><th>{ "loss" }</th><th>{ "minimal ratio" }</th><th>{ "strict ratio" }</th><th>{ "flat" }</th><th>{ "‖∇L‖ at init" }</th><th>{ "after training" }</th><th>{ "‖∇L‖ at the point" }</th><th>{ "non-flat part" }</th><th>{ "converged" }</th></tr></thead>
                <tbody>
                { for points.iter().enumerate().map(|(i, p)| {
                    let onclick = on_pick.reform(move |_: MouseEvent| i);
                    html! {
                        <tr class={classes!((shown == Some(i)).then_some("selected"), (!p.converged).then_some("unconverged"))} onclick={onclick.clone()}>
                            <td><button type="button" class="pick" aria-pressed={(shown == Some(i)).to_string()} title="show this run's spectrum" {onclick}>{ p.run + 1 }</button></td>
                            <td class="num">{ format!("{:.3e}", p.loss) }</td>
                            <td class="num">{ format!("{:.3}", p.ratio) }</td>
                            <td class="num">{ format!("{:.3}", p.strict_ratio) }</td>
                            <td class="num">{ p.flat }</td>
                            <td class="num">{ format!("{:.2e}", p.init_grad_norm) }</td>
                            <td class="num">{ format!("{:.2e}", p.start_grad_norm) }</td>
                            <td class="num">{ format!("{:.2e}", p.grad_norm) }</td>
                            <td class="num">{ format!("{:.2e}", p.projected_grad_norm) }</td>
                            <td>{ if p.converged { "yes" } else { "no" } }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
        </div>
    }
}
