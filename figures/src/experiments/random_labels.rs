//! E7's figures: train and test loss, and accuracy, against the epoch.

use std::rc::Rc;

use mlds_core::view::RunView;

use super::smoothed;
use crate::charts::{Figure, Line, Series, PALETTE};

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

/// The mini-batch train curves smoothed with weight `smoothing`.
pub fn figures(view: &RunView, smoothing: f64) -> Vec<Figure> {
    vec![
        Figure::Line(Line {
            id: "random-labels-loss".into(),
            title: "Cross-entropy: train (random labels) and test".into(),
            x_label: "epoch".into(),
            y_label: "loss".into(),
            log_y: true,
            series: train_test(view, &smoothed(&view.losses, smoothing), &view.test_losses),
            caption: None,
        }),
        Figure::Line(Line {
            id: "random-labels-accuracy".into(),
            title: "Accuracy: train and test".into(),
            x_label: "epoch".into(),
            y_label: "accuracy".into(),
            log_y: false,
            series: train_test(
                view,
                &smoothed(&view.accuracies, smoothing),
                &view.test_accuracies,
            ),
            caption: None,
        }),
    ]
}
