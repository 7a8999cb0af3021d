//! E6 panel: the loss on a grid around a trained model (heatmap with contour lines, growing row
//! by row), with the training trajectory where the plane is its PCA plane, and the loss along
//! the straight line from the initial to the final weights.

use std::rc::Rc;

use mlds_core::experiments::surface::{self, Directions, SurfaceConfig};
use mlds_core::experiments::FromParams;
use mlds_core::params::to_query;
use serde_json::json;
use yew::prelude::*;

use super::config::{use_autorun, use_url_config};
use super::run::{run_controls, use_run};
use super::subject::{start_with_data, subject_controls, use_subject_data};
use crate::backends::Backends;
use crate::components::{
    backend_options, backend_title, BackendLine, Heatmap, HeatmapGrid, LineChart, Notices, Preset,
    Presets, Series, PALETTE,
};
use crate::run_view::RunView;

#[derive(Properties, PartialEq)]
pub struct SurfacePanelProps {
    pub backends: Backends,
}

fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "sinc5, random directions",
            hash: "exp=surface&task=function&fn=sinc5&dirs=random".into(),
            note: "E1's deep model, 31×31 grid, ~20 s on the CPU",
        },
        Preset {
            label: "sinc5, PCA of the trajectory",
            hash: "exp=surface&task=function&fn=sinc5&dirs=pca".into(),
            note: "the trajectory drawn on its own plane, ~20 s",
        },
        Preset {
            label: "MNIST, small DNN",
            hash: "exp=surface&task=images&dataset=mnist&dirs=pca".into(),
            note: "784-16-10, 5 epochs, loss on 1000 images, ~1 min",
        },
    ]
}

/// `data-metrics`: grid size, the loss at its centre and its range, the line's losses.
fn metrics(view: &RunView) -> String {
    let mut m = view.metrics();
    if let Some(s) = &view.sweep.surface {
        m["grid"] = json!([s.grid.xs.len(), s.grid.ys.len()]);
        m["rows_done"] = json!(s.rows_done);
        m["center_loss"] = json!(s.center());
        let range = s.range();
        m["min_loss"] = json!(range.map(|r| r.0));
        m["max_loss"] = json!(range.map(|r| r.1));
    }
    m["line"] = json!(view.sweep.line.iter().map(|p| p.1).collect::<Vec<_>>());
    m.to_string()
}

fn grid(view: &RunView) -> Rc<HeatmapGrid> {
    Rc::new(
        view.sweep
            .surface
            .as_ref()
            .map_or_else(HeatmapGrid::default, |s| s.grid.clone()),
    )
}

#[function_component]
pub fn SurfacePanel(props: &SurfacePanelProps) -> Html {
    let url = use_url_config::<SurfaceConfig>("surface");
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
                    surface::run(&config, images.as_deref(), &device, &mut host).await;
                    host
                },
            );
        })
    };
    use_autorun(url.autorun, on_start.clone());

    let busy = view.state.is_active();
    let classify = config.subject.image_task().is_some();
    let current = to_query(
        [("exp", "surface".to_string())]
            .into_iter()
            .chain(config.to_params()),
    );
    let surface = view.sweep.surface.as_ref();
    let path = Rc::new(surface.map_or(Vec::new(), |s| {
        s.path.iter().map(|p| (p[0], p[1])).collect()
    }));
    let markers = Rc::new(surface.map_or(Vec::new(), |_| vec![(0.0, 0.0, "trained".to_string())]));
    let line = Rc::new(vec![Series {
        name: "θ₀ + α(θ₁ − θ₀)".into(),
        color: PALETTE[0],
        points: view.sweep.line.clone(),
        dashed: false,
    }]);
    let loss_name = if classify { "cross-entropy" } else { "MSE" };
    html! {
        <section class="panel" data-experiment="surface" data-state={view.state.id()}
                 data-run-backend={view.backend.map(|b| b.id()).unwrap_or("none")}>
            <h2>{ "E6 · Error surface" }</h2>
            <p class="lede">
                { "After training, the loss on a grid around the trained model θ₁ along two directions — filter-normalised random directions (each neuron's slice scaled to the norm of its weights, Li et al. 2018) or the top two PCA directions of the training trajectory, which is then drawn on the map — and along the straight line from the initial weights θ₀ (α = 0) to θ₁ (α = 1)." }
            </p>
            <Presets presets={presets()} current={current} />
            <div class="controls">
                { subject_controls(&url, &config.subject, &config.train, busy) }
                { url.choice("dirs", "Directions", config.directions.id(), vec![(Directions::Random.id(), "filter-normalised random"), (Directions::Pca.id(), "PCA of the trajectory")], "the plane of the grid", busy) }
                { url.field("grid", "Grid points per side", config.grid.to_string(), busy) }
                { url.field("span", "Span (random directions)", config.span.to_string(), busy) }
                { url.field("line", "Points on the line", config.line_points.to_string(), busy) }
                if classify { { url.field("eval_size", "Images per loss", config.eval_size.to_string(), busy) } }
                { url.choice("backend", "Backend", config.train.backend.id(), backend_options(), backend_title(config.train.backend, workload), busy) }
            </div>
            if classify { { data.view(busy) } }
            <BackendLine choice={config.train.backend} resolution={resolution.clone()} {workload} />
            <Notices notices={(*url.notices).clone()} />
            { run_controls(&run, on_start, config.train.epochs) }
            if let Some(s) = surface {
                <p class="surface-status">{ format!("Grid along {}: {} of {} rows computed.", s.directions, s.rows_done, s.grid.ys.len()) }</p>
            }
            <div class="charts">
                <Heatmap id="surface-map" title={format!("Training loss ({loss_name}) around the trained model")} x_label="direction 1" y_label="direction 2"
                    grid={grid(&view)} log_color={true} {path} {markers} />
                <LineChart id="surface-line" title="Loss from the initial (α = 0) to the final weights (α = 1)" x_label="α" y_label="loss" log_y={true} series={line} />
            </div>
            <pre class="metrics" data-metrics="">{ metrics(&view) }</pre>
        </section>
    }
}
