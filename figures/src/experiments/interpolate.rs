//! E9a's figure: loss and accuracy along θ(α) = (1 − α)·θ₁ + α·θ₂.

use std::rc::Rc;

use mlds_core::view::RunView;

use crate::charts::{DualAxis, Figure, Series, PALETTE};

/// One series per `(result key, name, colour index, dashed)`, against α.
fn series(view: &RunView, keys: &[(&str, &str, usize, bool)]) -> Rc<Vec<Series>> {
    Rc::new(
        keys.iter()
            .map(|(key, name, color, dashed)| Series {
                name: name.to_string(),
                color: PALETTE[*color],
                points: view.sweep.result_points("alpha", key),
                dashed: *dashed,
            })
            .collect(),
    )
}

pub fn figures(view: &RunView) -> Vec<Figure> {
    vec![Figure::DualAxis(DualAxis {
        id: "interpolate-chart".into(),
        title: "Cross-entropy (left, log) and accuracy (right) along θ(α)".into(),
        x_label: "α".into(),
        left_label: "cross-entropy".into(),
        right_label: "accuracy".into(),
        log_left: true,
        right_range: Some((0.0, 1.0)),
        left: series(
            view,
            &[
                ("train_loss", "train loss", 0, false),
                ("test_loss", "test loss", 0, true),
            ],
        ),
        right: series(
            view,
            &[
                ("accuracy", "train accuracy", 1, false),
                ("test_accuracy", "test accuracy", 1, true),
            ],
        ),
        ..DualAxis::default()
    })]
}
