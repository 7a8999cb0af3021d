//! E5 panel: many small networks trained on sinc5 and driven to points where the gradient
//! vanishes, by two protocols side by side (the homework's and Frye et al.'s strict one); the
//! minimal ratio against the loss, growing live. Clicking a point shows its sorted spectrum.

use mlds_core::events::SearchProtocol;
use mlds_core::experiments::minratio::{MinRatioConfig, Protocols, RatioDefinition};
use mlds_figures::experiments::minratio::{default_choice, figures, groups, point_name};
use serde_json::json;
use yew::prelude::*;

use super::frame::{use_panel, BackendSetting, PanelFrame, PanelProps};
use super::subject::{function_controls, training_controls};

use crate::components::{Figures, Preset};
use crate::run_view::{CriticalPoint, RunView};

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "Both protocols, 40 runs",
            hash: "exp=minratio".into(),
            note: "1-8-8-1 on sinc5: the homework's curve beside true critical points",
        },
        Preset {
            label: "Both protocols, 200 runs (full)",
            hash: "exp=minratio&runs=200&steps=40".into(),
            note: "the report's full scale: more true critical points, several minutes",
        },
        Preset {
            label: "Homework protocol, 100 runs",
            hash: "exp=minratio&protocol=homework&runs=100".into(),
            note: "the reference figure's recipe alone, ~1 min",
        },
        Preset {
            label: "20 runs, sampling definition",
            hash: "exp=minratio&protocol=homework&runs=20&ratio=sampling".into(),
            note: "fraction of nearby points with a higher loss, ~20 s",
        },
    ]
}

/// `data-metrics`: runs done (every protocol's search ended), every search's end point and
/// each protocol's converged share.
fn metrics(view: &RunView, protocols: &[SearchProtocol]) -> String {
    let mut m = view.metrics();
    let points = &view.sweep.critical_points;
    let mut searches = std::collections::BTreeMap::<usize, usize>::new();
    for p in points {
        *searches.entry(p.run).or_default() += 1;
    }
    m["runs_done"] = json!(searches.values().filter(|&&n| n >= protocols.len()).count());
    m["points"] = json!(points
        .iter()
        .map(|p| json!({
            "run": p.run,
            "protocol": p.protocol.id(),
            "loss": p.loss,
            "start_loss": p.start_loss,
            "ratio": p.ratio,
            "index": p.index,
            "negative": p.negative,
            "positive": p.positive,
            "flat": p.flat,
            "grad_norm": p.grad_norm,
            "projected_grad_norm": p.projected_grad_norm,
            "start_grad_norm": p.start_grad_norm,
            "init_grad_norm": p.init_grad_norm,
            "flatness": p.flatness,
            "converged": p.converged,
        }))
        .collect::<Vec<_>>());
    m["converged_share"] = json!({
        "homework": converged_share(points, SearchProtocol::Homework),
        "strict": converged_share(points, SearchProtocol::Strict),
    });
    m.to_string()
}

/// The share of a protocol's searches that met its criterion (`None` before the first).
fn converged_share(points: &[CriticalPoint], protocol: SearchProtocol) -> Option<f64> {
    let mine = || points.iter().filter(|p| p.protocol == protocol);
    let all = mine().count();
    (all > 0).then(|| mine().filter(|p| p.converged).count() as f64 / all as f64)
}

/// "12 of 30 runs converged (40 %)", per protocol run so far.
fn shares(points: &[CriticalPoint]) -> String {
    SearchProtocol::ALL
        .iter()
        .filter_map(|&protocol| {
            let share = converged_share(points, protocol)?;
            let all = points.iter().filter(|p| p.protocol == protocol).count();
            Some(format!(
                "{}: {} of {all} searches converged ({:.0} %)",
                protocol.id(),
                (share * all as f64).round(),
                100.0 * share
            ))
        })
        .collect::<Vec<_>>()
        .join("; ")
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
            { url.choice("protocol", "Protocol", config.protocol.id(), vec![(Protocols::Both.id(), "both, side by side"), (Protocols::Homework.id(), "the homework's"), (Protocols::Strict.id(), "strict (Frye et al.)")], "which search protocol", busy) }
            { url.field("steps", "Newton steps (at most)", config.steps.to_string(), busy) }
            { url.field("tau", "Homework flat band τ", config.tau.to_string(), busy) }
            { url.field("noise", "Strict start noise σ", config.noise.to_string(), busy) }
            { url.choice("ratio", "Homework ratio", config.ratio.id(), vec![(RatioDefinition::Hessian.id(), "all eigenvalues of H > 0"), (RatioDefinition::Sampling.id(), "sampled neighbours with higher loss")], "which definition", busy) }
        </>
    };
    let criterion = html! {
        <div class="criterion">
            <p>{ format!("Homework protocol: from the trained end, a point is {}; its ratio counts all eigenvalues > 0, flat ones included, as the homework did. The gradient's part in the flat band is never asked to vanish, so a gradient-flat point passes.", config.criterion(SearchProtocol::Homework).describe()) }</p>
            <p>{ format!("Strict protocol (Frye et al. 2021): the start is a point of the run's training trajectory drawn uniformly in loss value (noise σ = {} on every other run), a point is {}, the index counts eigenvalues below −1e-5 (absolute), and a point whose gradient-flatness r = ‖Hp + g‖ / (‖H‖_F‖p‖ + ‖g‖) exceeds 0.9 is gradient-flat. Expect few converged runs, most at the loss of the constant-mean output (Var(y)). Unconverged and gradient-flat points are hollow and left out of the finding.", config.noise, config.criterion(SearchProtocol::Strict).describe()) }</p>
        </div>
    };
    html! {
        <PanelFrame run={panel.clone()} title="E5 · What happens when the gradient is almost zero" presets={presets()}
            lede={html! { "A small network is trained on sinc5 (MSE), then driven towards a critical point by Newton-MR steps: each takes the exact Hessian H (central differences of f64 gradients), its eigen-decomposition, and the pseudo-inverse step with a line search on ‖∇L‖², so it lands on minima and saddles alike. Two protocols side by side: the homework's recipe, whose curve is the reference figure's (low loss, high minimal ratio), and the strict one of Frye et al. 2021, which asks the whole gradient to vanish and finds how few true critical points that recipe's points are. Runs use the CPU backend: the Hessian is computed in f64." }}
            intro={criterion} {controls} epochs={config.train.epochs} metrics={metrics(view, config.protocol.each())}>
            // A click on the scatter's point (s, k) shows that run's spectrum.
            <Figures figures={figures(view, config.tau, *selected)} on_pick={on_point} />
            if !points.is_empty() {
                <p class="converged-share">{ format!("{}.", shares(points)) }</p>
            }
            { runs_table(points, (*selected).or_else(|| default_choice(points)), on_pick) }
        </PanelFrame>
    }
}

/// Every run's end point, a row each; the run number is a button that shows its spectrum (by
/// keyboard too), and so is a click on the row. `shown` is the run whose spectrum is drawn.
fn runs_table(points: &[CriticalPoint], shown: Option<usize>, on_pick: Callback<usize>) -> Html {
    if points.is_empty() {
        return html! {};
    }
    html! {
        <div class="table-scroll">
            <table class="models">
                <thead><tr><th>{ "run" }</th><th>{ "protocol" }</th><th>{ "start loss" }</th><th>{ "loss" }</th><th>{ "minimal ratio" }</th><th>{ "negative / flat / positive (±1e-5)" }</th><th>{ "‖∇L‖ at init" }</th><th>{ "at the start" }</th><th>{ "‖∇L‖ at the point" }</th><th>{ "flatness r" }</th><th>{ "converged" }</th></tr></thead>
                <tbody>
                { for points.iter().enumerate().map(|(i, p)| {
                    let onclick = on_pick.reform(move |_: MouseEvent| i);
                    html! {
                        <tr class={classes!((shown == Some(i)).then_some("selected"), (!p.converged).then_some("unconverged"))} onclick={onclick.clone()}>
                            <td><button type="button" class="pick" aria-pressed={(shown == Some(i)).to_string()} title={format!("show the spectrum of {}", point_name(p))} {onclick}>{ p.run + 1 }</button></td>
                            <td>{ p.protocol.id() }</td>
                            <td class="num">{ format!("{:.3e}", p.start_loss) }</td>
                            <td class="num">{ format!("{:.3e}", p.loss) }</td>
                            <td class="num">{ format!("{:.3}", p.ratio) }</td>
                            <td class="num">{ format!("{} / {} / {}", p.negative, p.flat, p.positive) }</td>
                            <td class="num">{ format!("{:.2e}", p.init_grad_norm) }</td>
                            <td class="num">{ format!("{:.2e}", p.start_grad_norm) }</td>
                            <td class="num">{ format!("{:.2e}", p.grad_norm) }</td>
                            <td class="num">{ format!("{:.2}", p.flatness) }</td>
                            <td>{ if p.converged { "yes" } else { "no" } }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
        </div>
    }
}
