//! What the sweeps' figures (E8, E9b, E10) share: named values of each result against one of
//! them, and the loss and accuracy charts every sweep shows beside its own.

use std::rc::Rc;

use mlds_core::view::SweepResult;

use crate::charts::{Figure, Scatter, ScatterPoint, ScatterSeries, PALETTE};

/// One joined series per `(key, name)`, each result's `x` value against that key; a result
/// that missed its training target (`reached_target` 0) is a ring, not a dot; a mean over
/// seeds carries its spread (`<key>_std`) as an error bar. Points are joined where `x` only
/// grows (one model per batch size), not where several models share one (several factors).
pub(super) fn series_of(
    results: &[SweepResult],
    x: &str,
    keys: &[(&str, &str)],
) -> Rc<Vec<ScatterSeries>> {
    Rc::new(
        keys.iter()
            .enumerate()
            .map(|(i, (key, name))| ScatterSeries {
                name: name.to_string(),
                color: PALETTE[i % PALETTE.len()],
                points: results
                    .iter()
                    .map(|r| ScatterPoint {
                        hollow: r.get("reached_target") == 0.0,
                        error: r.values.get(&format!("{key}_std")).copied(),
                        ..ScatterPoint::at(r.get(x), r.get(key))
                    })
                    .collect(),
                joined: results.windows(2).all(|w| w[0].get(x) < w[1].get(x)),
                hollow: false,
            })
            .collect(),
    )
}

/// A log-x scatter of result keys against the result key `x` (a batch size, a parameter count).
pub(super) fn against(
    results: &[SweepResult],
    (id, title): (String, String),
    (x, x_label): (&str, &str),
    y_label: &str,
    log_y: bool,
    keys: &[(&str, &str)],
) -> Figure {
    Figure::Scatter(Scatter {
        id,
        title,
        x_label: x_label.into(),
        y_label: y_label.into(),
        log_x: true,
        log_y,
        series: series_of(results, x, keys),
        ..Scatter::default()
    })
}

/// Train and test loss, and accuracy, against the result key `x` (`x_label` on the axis,
/// `noun` in the titles): the two charts every sweep shows after its own, `{exp}-loss` and
/// `{exp}-accuracy`.
pub(super) fn loss_accuracy(
    results: &[SweepResult],
    exp: &str,
    x: (&str, &str),
    noun: &str,
) -> [Figure; 2] {
    [
        against(
            results,
            (format!("{exp}-loss"), format!("Loss vs {noun}")),
            x,
            "cross-entropy",
            true,
            &[("train_loss", "train"), ("test_loss", "test")],
        ),
        against(
            results,
            (format!("{exp}-accuracy"), format!("Accuracy vs {noun}")),
            x,
            "accuracy",
            false,
            &[("accuracy", "train"), ("test_accuracy", "test")],
        ),
    ]
}
