//! E9b's figures: sensitivity against the batch size and against the generalisation gap, then
//! loss and accuracy against the batch size.

use std::rc::Rc;

use mlds_core::view::{RunView, SweepResult};

use super::sweep::{against, loss_accuracy};
use crate::charts::{Figure, Scatter, ScatterPoint, ScatterSeries, PALETTE};

/// Sensitivity against each model's generalisation gap (Novak et al.'s axis), labelled with
/// its batch size (over several factors, a series per fraction of wrong labels, each model
/// named in its tip); a model that missed the target is a ring.
fn gap_series(results: &[SweepResult]) -> Rc<Vec<ScatterSeries>> {
    let factors = results.iter().any(|r| r.values.contains_key("label_noise"));
    let point = |r: &SweepResult| ScatterPoint {
        label: (!factors).then(|| format!("{}", r.get("batch"))),
        tip: factors.then(|| r.label.clone()),
        hollow: r.get("reached_target") == 0.0,
        error: r.values.get("sensitivity_std").copied(),
        ..ScatterPoint::at(
            r.get("test_loss") - r.get("train_loss"),
            r.get("sensitivity"),
        )
    };
    if !factors {
        return Rc::new(vec![ScatterSeries {
            name: "loss gradient".into(),
            color: PALETTE[0],
            points: results.iter().map(point).collect(),
            joined: false,
            hollow: false,
        }]);
    }
    let mut noises: Vec<f64> = results.iter().map(|r| r.get("label_noise")).collect();
    noises.sort_by(f64::total_cmp);
    noises.dedup();
    Rc::new(
        noises
            .iter()
            .enumerate()
            .map(|(i, &noise)| ScatterSeries {
                name: format!("{}% wrong labels", noise * 100.0),
                color: PALETTE[i % PALETTE.len()],
                points: results
                    .iter()
                    .filter(|r| r.get("label_noise") == noise)
                    .map(point)
                    .collect(),
                joined: false,
                hollow: false,
            })
            .collect(),
    )
}

/// Over several seeds, each batch size's mean with its spread.
pub fn figures(view: &RunView) -> Vec<Figure> {
    let results = &view.sweep.pooled();
    let batch = ("batch", "batch size");
    let mut figures = vec![
        against(
            results,
            (
                "sensitivity-sensitivity".into(),
                "Sensitivity vs batch size".into(),
            ),
            batch,
            "‖∂·/∂x‖ (mean)",
            true,
            &[
                ("sensitivity", "loss gradient"),
                ("softmax_sensitivity", "softmax Jacobian"),
            ],
        ),
        Figure::Scatter(Scatter {
            id: "sensitivity-gap".into(),
            title: "Sensitivity vs generalisation gap".into(),
            x_label: "test − train loss".into(),
            y_label: "‖∂L/∂x‖ (mean)".into(),
            log_y: true,
            series: gap_series(results),
            ..Scatter::default()
        }),
    ];
    figures.extend(loss_accuracy(results, "sensitivity", batch, "batch size"));
    figures
}
