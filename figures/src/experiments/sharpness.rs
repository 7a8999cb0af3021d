//! E10's figures: sharpness, the Hessian's largest eigenvalue and trace, loss and accuracy
//! against the batch size, and one eigenvalue density per batch size.

use std::rc::Rc;

use mlds_core::view::RunView;

use super::sweep::{against, loss_accuracy};
use crate::charts::{Figure, Line, Series, PALETTE};

/// `epsilon`: the sharpness box's size (the config's), for the title.
/// Over several seeds, each batch size's mean with its spread.
pub fn figures(view: &RunView, epsilon: f64) -> Vec<Figure> {
    let results = &view.sweep.pooled();
    let batch = ("batch", "batch size");
    let mut figures = vec![
        against(
            results,
            (
                "sharpness-sharpness".into(),
                format!("Sharpness (Keskar, ×100), ε = {epsilon}"),
            ),
            batch,
            "100 · relative loss rise",
            true,
            &[("sharpness", "sharpness ×100")],
        ),
        against(
            results,
            (
                "sharpness-hessian".into(),
                "Hessian: largest eigenvalue (Lanczos) and trace (Hutchinson)".into(),
            ),
            batch,
            "value",
            true,
            &[("top_eigenvalue", "largest eigenvalue"), ("trace", "trace")],
        ),
    ];
    figures.extend(loss_accuracy(results, "sharpness", batch, "batch size"));
    figures.extend(densities(view));
    figures
}

/// One chart per batch size: the Hessian's eigenvalue spectral density (log y, as PyHessian
/// draws it); over several seeds, the first seed's.
fn densities(view: &RunView) -> impl Iterator<Item = Figure> + '_ {
    let sweep = &view.sweep;
    let first_seed = |index| {
        let result = sweep.results.iter().find(|r| r.index == index);
        result.is_none_or(|r| r.values.get("seed").is_none_or(|&s| s == 0.0))
    };
    sweep
        .densities
        .iter()
        .filter(move |d| first_seed(d.index))
        .map(|d| {
            let label = sweep
                .results
                .iter()
                .find(|r| r.index == d.index)
                .map_or(format!("model {}", d.index + 1), |r| r.label.clone());
            // The log axis needs positive values: the far tails underflow to 0.
            let points = d.points.iter().map(|&(x, y)| (x, y.max(1e-12))).collect();
            let series = vec![Series {
                name: label.clone(),
                color: PALETTE[d.index % PALETTE.len()],
                points,
                dashed: false,
            }];
            Figure::Line(Line {
                id: format!("sharpness-density-{}", d.index),
                title: format!("Hessian eigenvalue density (SLQ), {label}"),
                x_label: "eigenvalue".into(),
                y_label: "density".into(),
                log_y: true,
                series: Rc::new(series),
                caption: None,
            })
        })
}
