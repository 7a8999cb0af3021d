//! E6 panel: the loss on a grid around a trained model (heatmap with contour lines, growing row
//! by row), with the training trajectory where the plane is its PCA plane, and the loss along
//! the straight line from the initial to the final weights.

use mlds_core::experiments::surface::{Directions, SurfaceConfig};
use mlds_figures::experiments::surface::{figures, ColourScale};
use serde_json::json;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::subject::subject_controls;

use crate::components::{figures_html, Preset};
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

/// The loss map's colour scale from the URL: linear with `scale=linear`, log10 otherwise.
fn colour_scale_from_url() -> ColourScale {
    match url::params().get("scale").as_deref() {
        Some("linear") => ColourScale::Linear,
        _ => ColourScale::Log,
    }
}

/// The colour-scale switch, kept in the URL (`scale=linear`; log is the default and not written).
#[hook]
fn use_colour_scale() -> (ColourScale, Html) {
    let scale = use_state(colour_scale_from_url);
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
            { figures_html(figures(view, config, scale)) }
        </PanelFrame>
    }
}
