//! E4 panel: the gradient norm and the loss at every iteration, in two stacked charts that
//! share the iteration axis.

use std::rc::Rc;

use mlds_core::experiments::gradnorm::{self, GradNormConfig};
use mlds_core::experiments::FromParams;
use mlds_core::params::to_query;
use serde_json::json;
use yew::prelude::*;

use super::config::{use_autorun, use_url_config};
use super::run::{run_controls, use_run};
use super::subject::{start_with_data, subject_controls, use_subject_data};
use crate::backends::Backends;
use crate::components::{
    backend_options, backend_title, BackendLine, ModelTable, Notices, Preset, Presets, Series,
    StackedChart, PALETTE,
};
use crate::run_view::RunView;

#[derive(Properties, PartialEq)]
pub struct GradNormPanelProps {
    pub backends: Backends,
}

fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "sinc5, E1's deep model",
            hash: "exp=gradnorm&task=function&fn=sinc5".into(),
            note: "1000 full-batch Adam steps, ~10 s on the CPU",
        },
        Preset {
            label: "MNIST, one hidden layer",
            hash: "exp=gradnorm&task=images&dataset=mnist".into(),
            note: "3 epochs of 2000 subset images, ~20 s on the CPU",
        },
    ]
}

/// `data-metrics`: the common keys plus the latest and first iteration's loss and norm.
fn metrics(view: &RunView) -> String {
    let mut m = view.metrics();
    let its = &view.sweep.iterations;
    m["iteration"] = json!(its.len());
    m["loss"] = json!(its.last().map(|p| p.0));
    m["grad_norm"] = json!(its.last().map(|p| p.1));
    m["first_loss"] = json!(its.first().map(|p| p.0));
    m["first_grad_norm"] = json!(its.first().map(|p| p.1));
    m.to_string()
}

fn series(name: &str, view: &RunView, pick: fn(&(f64, f64)) -> f64) -> Rc<Vec<Series>> {
    Rc::new(vec![Series {
        name: name.into(),
        color: PALETTE[0],
        points: view
            .sweep
            .iterations
            .iter()
            .enumerate()
            .map(|(i, p)| (i as f64, pick(p)))
            .collect(),
        dashed: false,
    }])
}

#[function_component]
pub fn GradNormPanel(props: &GradNormPanelProps) -> Html {
    let url = use_url_config::<GradNormConfig>("gradnorm");
    let config = url.config.clone();
    let run = use_run();
    let view = run.view.clone();
    let workload = config.subject.workload();
    let resolution = config
        .train
        .backend
        .resolve(workload, props.backends.webgpu_available());
    let data = use_subject_data(&url, &config.subject);

    let on_start = {
        let (run, config, backends, resolution, data, url) = (
            run.clone(),
            config.clone(),
            props.backends.clone(),
            resolution.clone(),
            data.clone(),
            url.clone(),
        );
        Callback::from(move |()| {
            if let Some(n) = &resolution.notice {
                url.notify(n);
            }
            let config = (*config).clone();
            let device = backends.device(resolution.kind);
            let task = config.subject.image_task().cloned();
            start_with_data(
                &run,
                &resolution,
                device,
                task,
                data.clone(),
                move |images, device, mut host| async move {
                    gradnorm::run(&config, images.as_deref(), &device, &mut host).await;
                    host
                },
            );
        })
    };
    use_autorun(url.autorun, on_start.clone());

    let busy = view.state.is_active();
    let current = to_query(
        [("exp", "gradnorm".to_string())]
            .into_iter()
            .chain(config.to_params()),
    );
    html! {
        <section class="panel" data-experiment="gradnorm" data-state={view.state.id()}
                 data-run-backend={view.backend.map(|b| b.id()).unwrap_or("none")}>
            <h2>{ "E4 · Gradient norm during training" }</h2>
            <p class="lede">
                { "The gradient norm ‖∇L‖ = sqrt(Σ_p ‖∂L/∂p‖²) over all parameters, taken from each training step's own backward pass, and the loss, at every iteration. The norm does not simply fall with the loss: it rises while the model leaves its initial plateau and spikes where the loss drops." }
            </p>
            <Presets presets={presets()} current={current} />
            <div class="controls">
                { subject_controls(&url, &config.subject, &config.train, busy) }
                { url.choice("backend", "Backend", config.train.backend.id(), backend_options(), backend_title(config.train.backend, workload), busy) }
            </div>
            if config.subject.image_task().is_some() { { data.view(busy) } }
            <BackendLine choice={config.train.backend} resolution={resolution.clone()} {workload} />
            <Notices notices={(*url.notices).clone()} />
            { run_controls(&run, on_start, config.train.epochs) }
            <div class="charts">
                <StackedChart id="gradnorm-chart" title="Gradient norm and loss per iteration" x_label="iteration"
                    top_label="‖∇L‖" bottom_label="loss"
                    top={series("gradient norm", &view, |p| p.1)} bottom={series("loss", &view, |p| p.0)} />
            </div>
            <ModelTable view={(*view).clone()} />
            <pre class="metrics" data-metrics="">{ metrics(&view) }</pre>
        </section>
    }
}
