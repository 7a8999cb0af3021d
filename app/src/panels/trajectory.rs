//! E3 panel: the same architecture trained several times; every run's weights, collected every
//! few epochs, projected on the top two principal components of all snapshots — one chosen
//! layer and the whole model — as the snapshots arrive.

use mlds_core::experiments::trajectory::TrajectoryConfig;
use mlds_figures::experiments::trajectory::figures;
use serde_json::json;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::subject::subject_controls;

use crate::components::{figures_html, Preset};
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
            { figures_html(figures(view, config.layer)) }
        </PanelFrame>
    }
}

/// Layer ids for the picker (1-based, as in the URL).
const LAYER_IDS: [&str; 24] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17",
    "18", "19", "20", "21", "22", "23", "24",
];
