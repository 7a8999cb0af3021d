//! E7 panel: an MLP memorises MNIST with randomly permuted training labels: training loss
//! heads to 0 while test loss rises and test accuracy stays at chance.

use std::rc::Rc;

use mlds_core::experiments::random_labels::RandomLabelsConfig;
use serde_json::json;
use yew::prelude::*;

use super::frame::{use_panel, PanelFrame, PanelProps};
use super::subject::{image_controls, training_controls};
use crate::components::{
    smoothed, LineChart, ModelTable, Preset, Series, Smoothing, DEFAULT_SMOOTHING, PALETTE,
};
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

/// Training (solid) and test (dashed) curves of the run's model.
fn train_test(
    view: &RunView,
    train: &[Vec<(f64, f64)>],
    test: &[Vec<(f64, f64)>],
) -> Rc<Vec<Series>> {
    let pick = |s: &[Vec<(f64, f64)>]| s.first().cloned().unwrap_or_default();
    let name = view.models.first().map_or("model", |m| m.name.as_str());
    Rc::new(vec![
        Series {
            name: format!("train ({name})"),
            color: PALETTE[0],
            points: pick(train),
            dashed: false,
        },
        Series {
            name: "test (true labels)".into(),
            color: PALETTE[1],
            points: pick(test),
            dashed: true,
        },
    ])
}

/// E7's charts: train and test loss, and accuracy, against the epoch (the mini-batch train
/// curves smoothed with weight `smoothing`).
pub fn figures(view: &RunView, smoothing: f64) -> Html {
    html! {
        <div class="charts">
            <LineChart id="random-labels-loss" title="Cross-entropy: train (random labels) and test" x_label="epoch" y_label="loss" log_y={true}
                series={train_test(view, &smoothed(&view.losses, smoothing), &view.test_losses)} />
            <LineChart id="random-labels-accuracy" title="Accuracy: train and test" x_label="epoch" y_label="accuracy"
                series={train_test(view, &smoothed(&view.accuracies, smoothing), &view.test_accuracies)} />
        </div>
    }
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
            { figures(view, *smoothing) }
            <ModelTable view={view.clone()} />
        </PanelFrame>
    }
}
