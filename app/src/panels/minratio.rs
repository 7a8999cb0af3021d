//! E5 panel: many small networks trained on sinc5 and driven to points where the gradient
//! vanishes; the minimal ratio (fraction of positive Hessian eigenvalues) against the loss,
//! growing live. Clicking a point shows that run's sorted eigenvalue spectrum.

use std::rc::Rc;

use mlds_core::data::TargetFunction;
use mlds_core::experiments::job::Job;
use mlds_core::experiments::minratio::{MinRatioConfig, RatioDefinition};
use mlds_core::experiments::FromParams;
use mlds_core::models::ActivationKind;
use mlds_core::params::to_query;
use serde_json::json;
use yew::prelude::*;

use super::config::{use_autorun, use_url_config};
use super::run::{run_controls, use_run};
use super::subject::training_controls;
use crate::backends::Backends;
use crate::components::{
    LineChart, Notices, Preset, Presets, ScatterChart, ScatterPoint, ScatterSeries, Series, PALETTE,
};
use crate::run_view::{CriticalPointView, RunView};

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "100 runs, Hessian eigenvalues",
            hash: "exp=minratio".into(),
            note: "1-8-8-1 on sinc5, ~1.5 min on the CPU",
        },
        Preset {
            label: "20 runs, sampling definition",
            hash: "exp=minratio&runs=20&ratio=sampling".into(),
            note: "fraction of nearby points with a higher loss, ~20 s",
        },
    ]
}

/// `data-metrics`: runs done and every critical point found.
fn metrics(view: &RunView) -> String {
    let mut m = view.metrics();
    let points = &view.sweep.critical_points;
    m["runs_done"] = json!(points.len());
    m["points"] = json!(points
        .iter()
        .map(|p| json!({ "loss": p.loss, "ratio": p.ratio, "grad_norm": p.grad_norm, "start_grad_norm": p.start_grad_norm, "init_grad_norm": p.init_grad_norm }))
        .collect::<Vec<_>>());
    m.to_string()
}

fn scatter(points: &[CriticalPointView]) -> Rc<Vec<ScatterSeries>> {
    Rc::new(vec![ScatterSeries {
        name: "runs".into(),
        color: PALETTE[0],
        points: points
            .iter()
            .map(|p| ScatterPoint {
                x: p.ratio,
                y: p.loss,
                label: None,
            })
            .collect(),
        joined: false,
    }])
}

fn spectrum(point: Option<&CriticalPointView>) -> Rc<Vec<Series>> {
    Rc::new(
        point
            .map(|p| Series {
                name: format!("run {}", p.run + 1),
                color: PALETTE[1],
                points: p
                    .eigenvalues
                    .iter()
                    .enumerate()
                    .map(|(i, &e)| (i as f64 + 1.0, e))
                    .collect(),
                dashed: false,
            })
            .into_iter()
            .collect(),
    )
}

/// E5's charts: loss against minimal ratio at every critical point, and the sorted Hessian
/// spectrum of the `selected` one (clicking a point calls `on_click`).
pub fn figures(
    view: &RunView,
    selected: Option<usize>,
    on_click: Option<Callback<(usize, usize)>>,
) -> Html {
    let points = &view.sweep.critical_points;
    let chosen = selected.and_then(|i| points.get(i));
    html! {
        <div class="charts">
            <ScatterChart id="minratio-scatter" title="Loss vs minimal ratio at each critical point (click a point)" x_label="minimal ratio" y_label="loss" log_y={true}
                series={scatter(points)} selected={selected.map(|i| (0, i))} {on_click} />
            <LineChart id="minratio-spectrum" title={chosen.map_or("Hessian eigenvalues (click a point)".to_string(), |p| format!("Hessian eigenvalues of run {}, sorted", p.run + 1))}
                x_label="index" y_label="eigenvalue" series={spectrum(chosen)} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct MinRatioPanelProps {
    pub backends: Backends,
}

#[function_component]
pub fn MinRatioPanel(props: &MinRatioPanelProps) -> Html {
    let url = use_url_config::<MinRatioConfig>("minratio");
    let config = url.config.clone();
    let run = use_run();
    let view = run.view.clone();
    let selected = use_state(|| None::<usize>);

    let on_start = {
        let (run, config, selected) = (run.clone(), config.clone(), selected.clone());
        let backends = props.backends.clone();
        Callback::from(move |()| {
            selected.set(None);
            // E5 always runs on the CPU backend (its Hessians are f64): the job says so.
            run.start_job(Job::MinRatio((*config).clone()), &backends);
        })
    };
    use_autorun(url.autorun, on_start.clone());

    let busy = view.state.is_active();
    let points = &view.sweep.critical_points;
    let on_click = {
        let selected = selected.clone();
        Callback::from(move |(_, i): (usize, usize)| selected.set(Some(i)))
    };
    let field = |name, label, value: String| url.field(name, label, value, busy);
    let choice = |name, label, value: &str, options, title| {
        url.choice(name, label, value, options, title, busy)
    };
    let current = to_query(
        [("exp", "minratio".to_string())]
            .into_iter()
            .chain(config.to_params()),
    );
    html! {
        <section class="panel" data-experiment="minratio" data-state={view.state.id()}
                 data-run-backend={view.backend.map(|b| b.id()).unwrap_or("none")}>
            <h2>{ "E5 · What happens when the gradient is almost zero" }</h2>
            <p class="lede">
                { "A small network is trained on sinc5 (MSE), then driven to a point where its gradient vanishes by Levenberg–Marquardt steps on ∇L (Jacobian: the Hessian H, from central differences of gradients in f64). There the minimal ratio is the fraction of H's eigenvalues that are positive. Low-loss points have a high ratio; a few high-loss points with a low ratio are saddle points. Runs use the CPU backend: the Hessian is computed in f64." }
            </p>
            <Presets presets={presets()} current={current} />
            <div class="controls">
                { choice("fn", "Function", config.task.function.id(), TargetFunction::ALL.iter().map(|f| (f.id(), f.formula())).collect(), "the target function") }
                { field("samples", "Samples", config.task.samples.to_string()) }
                { field("shape", "Model (layer widths)", config.model.shape()) }
                { choice("act", "Activation", config.model.activation.id(), ActivationKind::ALL.iter().map(|a| (a.id(), a.id())).collect(), "hidden-layer activation") }
                { training_controls(&url, &config.train, busy, true) }
                { field("runs", "Runs", config.runs.to_string()) }
                { field("steps", "LM steps (at most)", config.steps.to_string()) }
                { choice("ratio", "Minimal ratio", config.ratio.id(), vec![(RatioDefinition::Hessian.id(), "eigenvalues of H > 0"), (RatioDefinition::Sampling.id(), "sampled neighbours with higher loss")], "which definition", ) }
            </div>
            <p class="backend-line">{ "Backend: CPU (flex), in f64 for the Hessian." }</p>
            <Notices notices={(*url.notices).clone()} />
            { run_controls(&run, on_start, config.train.epochs, url.notifier()) }
            { figures(&view, *selected, Some(on_click)) }
            if !points.is_empty() {
                <div class="table-scroll">
                    <table class="models">
                        <thead><tr><th>{ "run" }</th><th>{ "loss" }</th><th>{ "minimal ratio" }</th><th>{ "‖∇L‖ at init" }</th><th>{ "after training" }</th><th>{ "‖∇L‖ at the point" }</th></tr></thead>
                        <tbody>
                        { for points.iter().enumerate().map(|(i, p)| {
                            let onclick = { let selected = selected.clone(); Callback::from(move |_| selected.set(Some(i))) };
                            html! {
                                <tr class={classes!((*selected == Some(i)).then_some("selected"))} {onclick}>
                                    <td>{ p.run + 1 }</td>
                                    <td class="num">{ format!("{:.3e}", p.loss) }</td>
                                    <td class="num">{ format!("{:.3}", p.ratio) }</td>
                                    <td class="num">{ format!("{:.2e}", p.init_grad_norm) }</td>
                                    <td class="num">{ format!("{:.2e}", p.start_grad_norm) }</td>
                                    <td class="num">{ format!("{:.2e}", p.grad_norm) }</td>
                                </tr>
                            }
                        }) }
                        </tbody>
                    </table>
                </div>
            }
            <pre class="metrics" data-metrics="">{ metrics(&view) }</pre>
        </section>
    }
}
