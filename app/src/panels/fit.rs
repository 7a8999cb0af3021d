//! E1 panel: three models of equal size and different depth fit a 1-D function, live.

use std::rc::Rc;

use mlds_core::backend::BackendChoice;
use mlds_core::data::TargetFunction;
use mlds_core::experiments::fit::{self, FitConfig};
use mlds_core::experiments::FromParams;
use mlds_core::models::ActivationKind;
use mlds_core::params::Params;
use mlds_core::train::OptimizerKind;
use plotters::style::BLACK;
use yew::prelude::*;

use super::run::use_run;
use crate::backends::Backends;
use crate::components::{
    LineChart, ParamField, ParamOptions, Progress, RunButtons, Series, PALETTE,
};
use crate::run_view::RunView;
use crate::url;

#[derive(Properties, PartialEq)]
pub struct FitPanelProps {
    pub backends: Backends,
}

/// The config in the URL, the notices raised reading it, and whether to start at once.
fn config_from_url() -> (FitConfig, Vec<String>, bool) {
    let mut params = url::params();
    params.get("exp");
    let autorun = params.flag("autorun");
    let config = FitConfig::from_params(&mut params);
    (config, params.finish(), autorun)
}

fn write_url(config: &FitConfig, autorun: bool) {
    let mut pairs = vec![("exp", "fit".to_string())];
    pairs.extend(config.to_params());
    if autorun {
        pairs.push(("autorun", "1".into()));
    }
    url::write_hash(pairs);
}

#[function_component]
pub fn FitPanel(props: &FitPanelProps) -> Html {
    let initial = use_memo((), |_| config_from_url());
    let config = use_state(|| initial.0.clone());
    let notices = use_state(|| initial.1.clone());
    let autorun = initial.2;
    let run = use_run();
    let view = run.view.clone();
    let resolution = config
        .backend
        .resolve(FitConfig::WORKLOAD, props.backends.webgpu_available());

    let on_start = {
        let (run, config, backends, resolution) = (
            run.clone(),
            config.clone(),
            props.backends.clone(),
            resolution.clone(),
        );
        let notices = notices.clone();
        Callback::from(move |()| {
            if let Some(n) = &resolution.notice {
                if !notices.contains(n) {
                    notices.set([(*notices).clone(), vec![n.clone()]].concat());
                }
            }
            let device = backends.device(resolution.kind);
            let config = (*config).clone();
            set_body_backend(resolution.kind.id());
            run.start(resolution.kind, move |mut host| async move {
                fit::run(&config, &device, &mut host).await;
                host
            });
        })
    };
    {
        // `autorun=1`: start once, on mount.
        let on_start = on_start.clone();
        use_effect_with((), move |_| {
            if autorun {
                on_start.emit(());
            }
        });
    }
    {
        let config = config.clone();
        use_effect_with((*config).clone(), move |c| write_url(c, autorun));
    }

    let on_param = {
        let (config, notices) = (config.clone(), notices.clone());
        Callback::from(move |(key, value): (&'static str, String)| {
            let mut pairs: Vec<(&str, String)> = config.to_params();
            pairs.retain(|(k, _)| *k != key);
            pairs.push((key, value));
            let mut params = Params::parse(&mlds_core::params::to_query(pairs));
            let next = FitConfig::from_params(&mut params);
            notices.set(params.finish());
            config.set(next);
        })
    };

    let state = view.state;
    let busy = state.is_active();
    let backend_title = match config.backend {
        BackendChoice::Auto => BackendChoice::auto_reason(FitConfig::WORKLOAD),
        _ => "the backend this run is asked to use",
    };
    let field = |name: &'static str, label: &'static str, value: String| {
        html! { <ParamField {name} {label} value={value} disabled={busy} onchange={on_param.clone()} /> }
    };
    let choice = |name: &'static str,
                  label: &'static str,
                  value: &str,
                  options: Vec<(&'static str, &'static str)>,
                  title: &'static str| {
        html! { <ParamField {name} {label} value={value.to_string()} options={ParamOptions::Choice(options)} title={title} disabled={busy} onchange={on_param.clone()} /> }
    };
    let shapes = config
        .to_params()
        .into_iter()
        .find(|(k, _)| *k == "shapes")
        .map(|(_, v)| v)
        .unwrap_or_default();

    html! {
        <section class="panel" data-experiment="fit" data-state={state.id()}
                 data-run-backend={view.backend.map(|b| b.id()).unwrap_or("none")}>
            <h2>{ "E1 · Simulate a function" }</h2>
            <p class="lede">
                { "Three fully connected networks with (nearly) the same number of parameters and different depth fit " }
                <code>{ config.function.formula() }</code>{ " on [" }{ config.x_min }{ ", " }{ config.x_max }{ "]. Deeper models end far below the one-hidden-layer model." }
            </p>
            <div class="controls">
                { choice("fn", "Function", config.function.id(), TargetFunction::ALL.iter().map(|f| (f.id(), f.formula())).collect(), "the target function") }
                { field("shapes", "Models (widths, comma-separated)", shapes) }
                { choice("act", "Activation", config.activation.id(), ActivationKind::ALL.iter().map(|a| (a.id(), a.id())).collect(), "hidden-layer activation") }
                { choice("opt", "Optimizer", config.optimizer.id(), OptimizerKind::ALL.iter().map(|o| (o.id(), o.id())).collect(), "optimizer") }
                { field("lr", "Learning rate", config.learning_rate.to_string()) }
                { field("epochs", "Epochs", config.epochs.to_string()) }
                { field("batch", "Batch size (or full)", config.batch_size.map_or("full".into(), |b| b.to_string())) }
                { field("samples", "Samples", config.samples.to_string()) }
                { field("seed", "Seed", config.seed.to_string()) }
                { choice("backend", "Backend", config.backend.id(), vec![("auto", "auto"), ("webgpu", "WebGPU"), ("cpu", "CPU (flex)")], backend_title) }
            </div>
            <p class="backend-line" title={backend_title}>
                { format!("This run uses: {}", match resolution.kind { mlds_core::BackendKind::WebGpu => "WebGPU", mlds_core::BackendKind::Cpu => "CPU (flex)" }) }
                { if config.backend == BackendChoice::Auto { html!{ <span class="why">{ " (auto — hover for why)" }</span> } } else { html!{} } }
            </p>
            <Notices notices={(*notices).clone()} />
            <RunButtons {state} on_start={on_start}
                on_pause={{ let run = run.clone(); Callback::from(move |p| run.pause(p)) }}
                on_stop={{ let run = run.clone(); Callback::from(move |()| run.stop()) }}
                on_reset={{ let run = run.clone(); Callback::from(move |()| run.reset()) }} />
            <Progress epoch={view.epoch} total={view.total_epochs.max(config.epochs)} elapsed_ms={view.elapsed_ms} />
            if let Some(error) = &view.error {
                <div class="error" role="alert">{ error }</div>
            }
            if view.stopped {
                <p class="stopped">{ format!("Stopped by you at epoch {}.", view.epoch) }</p>
            }
            <div class="charts">
                <LineChart id="fit-loss" title="Training loss (MSE)" x_label="epoch" y_label="loss" log_y={true} series={loss_series(&view)} />
                <LineChart id="fit-predictions" title="Ground truth and predictions" x_label="x" y_label="y" series={prediction_series(&view)} />
            </div>
            <ModelTable view={(*view).clone()} />
            <pre class="metrics" data-metrics="">{ view.metrics_json() }</pre>
        </section>
    }
}

fn set_body_backend(id: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-backend", id);
    }
}

fn loss_series(view: &RunView) -> Rc<Vec<Series>> {
    Rc::new(
        view.models
            .iter()
            .zip(&view.losses)
            .enumerate()
            .map(|(i, (m, l))| Series {
                name: m.name.clone(),
                color: PALETTE[i % PALETTE.len()],
                points: l.clone(),
                dashed: false,
            })
            .collect(),
    )
}

fn prediction_series(view: &RunView) -> Rc<Vec<Series>> {
    let Some((xs, truth)) = &view.reference else {
        return Rc::new(Vec::new());
    };
    let curve = |ys: &[f32]| {
        xs.iter()
            .zip(ys)
            .map(|(&x, &y)| (x as f64, y as f64))
            .collect()
    };
    let mut series = vec![Series {
        name: "ground truth".into(),
        color: BLACK,
        points: curve(truth),
        dashed: true,
    }];
    series.extend(
        view.models
            .iter()
            .zip(&view.predictions)
            .enumerate()
            .map(|(i, (m, p))| Series {
                name: m.name.clone(),
                color: PALETTE[i % PALETTE.len()],
                points: curve(p),
                dashed: false,
            }),
    );
    Rc::new(series)
}

#[derive(Properties, PartialEq)]
struct NoticesProps {
    notices: Vec<String>,
}

#[function_component]
fn Notices(props: &NoticesProps) -> Html {
    if props.notices.is_empty() {
        return html! {};
    }
    html! {
        <ul class="notices" role="status">
            { for props.notices.iter().map(|n| html! { <li>{ n }</li> }) }
        </ul>
    }
}

#[derive(Properties, PartialEq)]
struct ModelTableProps {
    view: RunView,
}

#[function_component]
fn ModelTable(props: &ModelTableProps) -> Html {
    let view = &props.view;
    if view.models.is_empty() {
        return html! {};
    }
    html! {
        <table class="models">
            <thead><tr><th>{ "model" }</th><th>{ "parameters" }</th><th>{ "loss" }</th></tr></thead>
            <tbody>
            { for view.models.iter().zip(&view.losses).enumerate().map(|(i, (m, l))| {
                let color = PALETTE[i % PALETTE.len()];
                html! {
                    <tr>
                        <td><span class="swatch" style={format!("background: rgb({},{},{})", color.0, color.1, color.2)}></span>{ &m.name }</td>
                        <td class="num">{ m.params }</td>
                        <td class="num">{ l.last().map(|(_, v)| format!("{v:.3e}")).unwrap_or_default() }</td>
                    </tr>
                }
            }) }
            </tbody>
        </table>
    }
}
