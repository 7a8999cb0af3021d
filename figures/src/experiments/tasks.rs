//! E2's figures: every model's training loss and accuracy (mini-batch curves, smoothed) and
//! its test accuracy after each epoch.

use mlds_core::view::RunView;

use super::smoothed;
use crate::charts::{model_series, Figure, Line};

/// The mini-batch curves smoothed with weight `smoothing`.
pub fn figures(view: &RunView, smoothing: f64) -> Vec<Figure> {
    let line = |id: &str, title: &str, y_label: &str, log_y, points: &[Vec<(f64, f64)>]| {
        Figure::Line(Line {
            id: id.into(),
            title: title.into(),
            x_label: "epoch".into(),
            y_label: y_label.into(),
            log_y,
            series: model_series(&view.models, points),
            caption: None,
        })
    };
    vec![
        line(
            "tasks-loss",
            "Training loss (cross-entropy)",
            "loss",
            true,
            &smoothed(&view.losses, smoothing),
        ),
        line(
            "tasks-accuracy",
            "Training accuracy",
            "accuracy",
            false,
            &smoothed(&view.accuracies, smoothing),
        ),
        line(
            "tasks-test-accuracy",
            "Test accuracy (after each epoch)",
            "accuracy",
            false,
            &view.test_accuracies,
        ),
    ]
}
