//! E3 panel: the same architecture trained several times; every run's weights, collected every
//! few epochs, projected on the top two principal components of all snapshots — one chosen
//! layer and the whole model — as the snapshots arrive.

use std::rc::Rc;

use mlds_core::experiments::trajectory::TrajectoryConfig;
use serde_json::json;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::subject::subject_controls;
use crate::components::{Preset, ScatterChart, ScatterPoint, ScatterSeries, PALETTE};
use crate::run_view::RunView;

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "MNIST, small DNN",
            hash: "exp=trajectory&task=images&dataset=mnist".into(),
            note: "8 runs × 24 epochs of 2000 images, 784-16-10, ~15 s on the CPU",
        },
        Preset {
            label: "sinc5, E1's deep model",
            hash: "exp=trajectory&task=function&fn=sinc5".into(),
            note: "8 runs × 300 full-batch epochs, ~10 s on the CPU",
        },
    ]
}

/// `data-metrics`: runs done, snapshots, explained variance, each finished run's final
/// accuracy (classifiers) or loss (functions).
fn metrics(view: &RunView, classify: bool) -> String {
    let mut m = view.metrics();
    let sweep = &view.sweep;
    m["runs_done"] = json!(view.units_done());
    m["snapshots"] = json!(sweep.snapshots.len());
    let explained = |space: &str| sweep.projections.get(space).map(|p| p.explained);
    m["explained_variance"] = json!({ "layer": explained("layer"), "model": explained("model") });
    let finals = sweep.final_snapshots();
    if classify {
        m["final_accuracies"] = json!(finals.iter().map(|s| s.accuracy).collect::<Vec<_>>());
    } else {
        m["final_losses"] = json!(finals.iter().map(|s| s.loss).collect::<Vec<_>>());
    }
    m.to_string()
}

/// One series per run: its snapshots' coordinates in `space`, joined in order; the start and
/// the last snapshot labelled with the accuracy (or loss), every snapshot's on hover.
fn run_series(view: &RunView, space: &str) -> Rc<Vec<ScatterSeries>> {
    let Some(projection) = view.sweep.projections.get(space) else {
        return Rc::new(Vec::new());
    };
    let mut runs: Vec<ScatterSeries> = Vec::new();
    let mut last_values: Vec<Option<String>> = Vec::new();
    for (s, p) in view.sweep.snapshots.iter().zip(&projection.points) {
        while runs.len() <= s.run {
            let r = runs.len();
            runs.push(ScatterSeries {
                name: format!("run {}", r + 1),
                color: PALETTE[r % PALETTE.len()],
                points: Vec::new(),
                joined: true,
                hollow: false,
            });
        }
        // No loss is measured at the start: its tip and label say "start".
        let value = match (s.accuracy, s.loss) {
            (Some(a), _) => Some(format!("{:.0}%", a * 100.0)),
            (None, loss) if loss.is_finite() => Some(format!("{loss:.1e}")),
            _ => None,
        };
        last_values.resize(runs.len(), None);
        last_values[s.run] = value.clone().filter(|_| s.epoch > 0);
        let tip = format!("epoch {}: {}", s.epoch, value.as_deref().unwrap_or("start"));
        runs[s.run].points.push(ScatterPoint {
            tip: Some(tip),
            label: (s.epoch == 0).then(|| "start".to_string()),
            ..ScatterPoint::at(p[0], p[1])
        });
    }
    // Labels on every snapshot overlap into a blur: only each run's start and its last
    // snapshot are labelled; the rest show on hover (and in the CSV).
    for (run, value) in runs.iter_mut().zip(last_values) {
        if let (Some(last), Some(value)) = (run.points.last_mut(), value) {
            last.label = Some(value);
        }
    }
    Rc::new(runs)
}

fn axis_labels(view: &RunView, space: &str) -> (String, String) {
    let e = view
        .sweep
        .projections
        .get(space)
        .map_or([0.0, 0.0], |p| p.explained);
    (
        format!("PC1 ({:.1}% of variance)", e[0] * 100.0),
        format!("PC2 ({:.1}% of variance)", e[1] * 100.0),
    )
}

#[function_component]
pub fn TrajectoryPanel(props: &PanelProps) -> Html {
    let (url, panel) = use_panel::<TrajectoryConfig>(&props.backends);
    let (config, view, busy) = (&*url.config, panel.view(), panel.busy());
    let classify = config.subject.image_task().is_some();
    let layers: Vec<(&'static str, &'static str)> = LAYER_IDS
        .iter()
        .take(config.subject.layer_count())
        .map(|&id| (id, id))
        .collect();
    let controls = html! {
        <>
            { subject_controls(&url, busy) }
            { url.field("runs", "Runs", config.runs.to_string(), busy) }
            { url.field("every", "Snapshot every (epochs)", config.every.to_string(), busy) }
            { url.choice("layer", "Layer (first chart)", LAYER_IDS[config.layer - 1], layers, "the layer whose weights the first chart reduces", busy) }
        </>
    };
    html! {
        <PanelFrame run={panel.clone()} title="E3 · Visualize the optimization process" presets={presets()}
            lede={html! { format!("The same architecture trained {} times from different seeds; its weights are collected every {} epochs and all snapshots of all runs are reduced to 2-D by PCA (refitted as they arrive), for one layer and for the whole model. Each run's start and last snapshot are labelled with its {} (hover for the others). The runs leave a common centre in different directions.",
                config.runs, config.every, if classify { "test accuracy" } else { "training loss" }) }}
            {controls} epochs={config.train.epochs} metrics={metrics(view, classify)}>
            { figures(view, config) }
        </PanelFrame>
    }
}

/// E3's charts: the PCA projections of the chosen layer's and of the whole model's snapshots.
pub fn figures(view: &RunView, config: &TrajectoryConfig) -> Html {
    let (lx, ly) = axis_labels(view, "layer");
    let (mx, my) = axis_labels(view, "model");
    html! {
        <div class="charts">
            <ScatterChart id="trajectory-layer" title={format!("Layer {} weights", config.layer)} x_label={lx} y_label={ly} series={run_series(view, "layer")} />
            <ScatterChart id="trajectory-model" title="Whole model's weights" x_label={mx} y_label={my} series={run_series(view, "model")} />
        </div>
    }
}

/// Layer ids for the picker (1-based, as in the URL).
const LAYER_IDS: [&str; 24] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17",
    "18", "19", "20", "21", "22", "23", "24",
];
