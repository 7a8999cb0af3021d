//! E9a's figure: loss and accuracy along θ(α) = (1 − α)·θ₁ + α·θ₂; over seeds (a pair and a
//! line each), each α's mean over the seeds.

use std::rc::Rc;

use mlds_core::view::{RunView, SweepResult};

use crate::charts::{DualAxis, Figure, Series, PALETTE};

/// One series per `(result key, name, colour index, dashed)`, against α.
fn series(points: &[SweepResult], keys: &[(&str, &str, usize, bool)]) -> Rc<Vec<Series>> {
    Rc::new(
        keys.iter()
            .map(|(key, name, color, dashed)| Series {
                name: name.to_string(),
                color: PALETTE[*color],
                points: points
                    .iter()
                    .map(|r| (r.get("alpha"), r.get(key)))
                    .collect(),
                dashed: *dashed,
            })
            .collect(),
    )
}

pub fn figures(view: &RunView) -> Vec<Figure> {
    let points = view.sweep.pooled();
    let over = match points.iter().map(|p| p.get("seeds")).fold(1.0, f64::max) {
        k if k > 1.0 => format!(", mean over {k} seeds"),
        _ => String::new(),
    };
    vec![Figure::DualAxis(DualAxis {
        id: "interpolate-chart".into(),
        title: format!("Cross-entropy (left, log) and accuracy (right) along θ(α){over}"),
        x_label: "α".into(),
        left_label: "cross-entropy".into(),
        right_label: "accuracy".into(),
        log_left: true,
        right_range: Some((0.0, 1.0)),
        left: series(
            &points,
            &[
                ("train_loss", "train loss", 0, false),
                ("test_loss", "test loss", 0, true),
            ],
        ),
        right: series(
            &points,
            &[
                ("accuracy", "train accuracy", 1, false),
                ("test_accuracy", "test accuracy", 1, true),
            ],
        ),
        ..DualAxis::default()
    })]
}
