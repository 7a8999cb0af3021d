//! E6 panel: the loss on a grid around a trained model (heatmap with contour lines, growing row
//! by row), with the training trajectory where the plane is its PCA plane, and the loss along
//! the straight line from the initial to the final weights.

use std::rc::Rc;

use mlds_core::experiments::surface::{Directions, SurfaceConfig};
use serde_json::json;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::subject::subject_controls;
use crate::components::{Heatmap, HeatmapGrid, LineChart, Preset, Series, PALETTE};
use crate::run_view::RunView;
use crate::url;

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "sinc5, random directions",
            hash: "exp=surface&task=function&fn=sinc5&dirs=random".into(),
            note: "E1's deep model, 31×31 grid, ~5 s on the CPU",
        },
        Preset {
            label: "sinc5, PCA of the trajectory",
            hash: "exp=surface&task=function&fn=sinc5&dirs=pca".into(),
            note: "the trajectory drawn on its own plane, ~5 s",
        },
        Preset {
            label: "MNIST, small DNN",
            hash: "exp=surface&task=images&dataset=mnist&dirs=pca".into(),
            note: "784-16-10, 5 epochs, loss on 1000 images, ~30 s",
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

/// The loss map's colour scale: log10 of the loss by default (losses span decades, and Li et
/// al. draw log-spaced contours), linear with `scale=linear` in the URL.
#[derive(Clone, Copy, PartialEq)]
pub enum ColourScale {
    Log,
    Linear,
}

impl ColourScale {
    fn from_url() -> Self {
        match url::params().get("scale").as_deref() {
            Some("linear") => ColourScale::Linear,
            _ => ColourScale::Log,
        }
    }
}

/// The colour-scale switch, kept in the URL (`scale=linear`; log is the default and not written).
#[hook]
fn use_colour_scale() -> (ColourScale, Html) {
    let scale = use_state(ColourScale::from_url);
    let pick = |to: ColourScale| {
        let scale = scale.clone();
        Callback::from(move |_: Event| {
            url::set_param("scale", (to == ColourScale::Linear).then_some("linear"));
            scale.set(to);
        })
    };
    let control = html! {
        <fieldset class="scale-switch">
            <legend>{ "Colour scale of the map" }</legend>
            <label><input type="radio" name="surface-scale" value="log" checked={*scale == ColourScale::Log} onchange={pick(ColourScale::Log)} />{ " log (contours a factor apart)" }</label>
            <label><input type="radio" name="surface-scale" value="linear" checked={*scale == ColourScale::Linear} onchange={pick(ColourScale::Linear)} />{ " linear" }</label>
        </fieldset>
    };
    (*scale, control)
}

/// E6's charts: the loss grid around the trained model (with the projected trajectory), and the
/// loss along the line from the initial weights.
pub fn figures(view: &RunView, config: &SurfaceConfig, scale: ColourScale) -> Html {
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
    let loss_name = if config.subject.image_task().is_some() {
        "cross-entropy"
    } else {
        "MSE"
    };
    html! {
        <div class="charts">
            <Heatmap id="surface-map" title={format!("Training loss ({loss_name}) around the trained model")} x_label="direction 1" y_label="direction 2"
                grid={grid(view)} log_color={scale == ColourScale::Log} {path} {markers} />
            <LineChart id="surface-line" title="Loss from the initial (α = 0) to the final weights (α = 1)" x_label="α" y_label="loss" log_y={true} series={line} />
        </div>
    }
}

#[function_component]
pub fn SurfacePanel(props: &PanelProps) -> Html {
    let (url, panel) = use_panel::<SurfaceConfig>(&props.backends);
    let (config, view, busy) = (&*url.config, panel.view(), panel.busy());
    let (scale, scale_control) = use_colour_scale();
    let controls = html! {
        <>
            { subject_controls(&url, busy) }
            { url.choice("dirs", "Directions", config.directions.id(), vec![(Directions::Random.id(), "filter-normalised random"), (Directions::Pca.id(), "PCA of the trajectory")], "the plane of the grid", busy) }
            { url.field("grid", "Grid points per side", config.grid.to_string(), busy) }
            { url.field("span", "Span (random directions)", config.span.to_string(), busy) }
            { url.field("line", "Points on the line", config.line_points.to_string(), busy) }
            if config.subject.image_task().is_some() { { url.field("eval_size", "Images per loss", config.eval_size.to_string(), busy) } }
        </>
    };
    html! {
        <PanelFrame run={panel.clone()} title="E6 · Error surface" presets={presets()}
            lede={html! { "After training, the loss on a grid around the trained model θ₁ along two directions — filter-normalised random directions (each neuron's slice scaled to the norm of its weights, Li et al. 2018) or the top two PCA directions of the training trajectory, which is then drawn on the map — and along the straight line from the initial weights θ₀ (α = 0) to θ₁ (α = 1)." }}
            {controls} epochs={config.train.epochs} metrics={metrics(view)}>
            if let Some(s) = &view.sweep.surface {
                <p class="surface-status">{ format!("Grid along {}: {} of {} rows computed.", s.directions, s.rows_done, s.grid.ys.len()) }</p>
            }
            { scale_control }
            { figures(view, config, scale) }
        </PanelFrame>
    }
}
