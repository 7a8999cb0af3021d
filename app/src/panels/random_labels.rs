//! E7 panel: an MLP memorises MNIST with randomly permuted training labels: training loss
//! heads to 0 while test loss rises and test accuracy stays at chance.

use mlds_core::experiments::random_labels::RandomLabelsConfig;
use mlds_figures::experiments::{random_labels::figures, DEFAULT_SMOOTHING};
use serde_json::json;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::subject::{image_controls, training_controls};

use crate::components::{figures_html, ModelTable, Preset, Smoothing};
use crate::run_view::RunView;

pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            label: "Random labels, 500 images",
            hash: "exp=random-labels".into(),
            note: "784-256-256-256-10 memorises them in 60 epochs, ~20 s on the CPU",
        },
        Preset {
            label: "True labels (to compare)",
            hash: "exp=random-labels&labels=true".into(),
            note: "same model and data, real labels",
        },
        Preset {
            label: "Full subset",
            hash: "exp=random-labels&train_size=all&epochs=100".into(),
            note: "8,000 images, 100 epochs: several minutes on the CPU",
        },
    ]
}

/// `data-metrics`: E2's keys plus each model's test loss (latest and first).
fn metrics(view: &RunView) -> String {
    let mut m = view.metrics();
    for (i, info) in view.models.iter().enumerate() {
        let series = view.test_losses.get(i);
        m["models"][&info.name]["test_loss"] = json!(series.and_then(|s| s.last()).map(|p| p.1));
        m["models"][&info.name]["first_test_loss"] =
            json!(series.and_then(|s| s.first()).map(|p| p.1));
    }
    m.to_string()
}

#[function_component]
pub fn RandomLabelsPanel(props: &PanelProps) -> Html {
    let (url, panel) = use_panel::<RandomLabelsConfig>(&props.backends);
    let (config, view, busy) = (&*url.config, panel.view(), panel.busy());
    let smoothing = use_state(|| DEFAULT_SMOOTHING);
    let controls = html! {
        <>
            { image_controls(&url, &config.subject, busy, true) }
            { training_controls(&url, &config.train, busy, true) }
            { url.choice("labels", "Training labels", if config.random { "random" } else { "true" }, vec![("random", "randomly permuted"), ("true", "true labels")], "permute the training labels (seeded by the seed)", busy) }
            { url.field("test_size", "Test images", config.test_size.to_string(), busy) }
        </>
    };
    html! {
        <PanelFrame run={panel.clone()} title="E7 · Can a network fit random labels?" presets={presets()}
            lede={html! { "The training labels are randomly permuted (seeded; the test labels stay true) and an MLP with three hidden layers of 256 units trains on them. It memorises them: the training loss heads to 0 while the test loss rises and test accuracy stays at chance (10 %). The default preset uses 500 training images so that memorisation shows within a few minutes on the CPU." }}
            {controls} epochs={config.train.epochs} metrics={metrics(view)}>
            <Smoothing value={*smoothing} on_change={{ let s = smoothing.clone(); Callback::from(move |v| s.set(v)) }} />
            { figures_html(figures(view, *smoothing)) }
            <ModelTable view={view.clone()} />
        </PanelFrame>
    }
}
