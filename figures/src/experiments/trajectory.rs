//! E3's figures: every run's snapshots projected on the top two principal components, for the
//! chosen layer and for the whole model.

use std::rc::Rc;

use mlds_core::view::RunView;

use crate::charts::{Figure, Scatter, ScatterPoint, ScatterSeries, PALETTE};

/// `layer`: the layer whose weights the first chart shows (the config's).
pub fn figures(view: &RunView, layer: usize) -> Vec<Figure> {
    let chart = |id: &str, title: String, space: &str| {
        let (x_label, y_label) = axis_labels(view, space);
        Figure::Scatter(Scatter {
            id: id.into(),
            title,
            x_label,
            y_label,
            series: run_series(view, space),
            own_axes: true,
            ..Scatter::default()
        })
    };
    vec![
        chart(
            "trajectory-layer",
            format!("Layer {layer} weights"),
            "layer",
        ),
        chart("trajectory-model", "Whole model's weights".into(), "model"),
    ]
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
