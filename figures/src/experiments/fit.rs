//! E1's figures: the models' training losses, and their predictions over the ground truth.

use std::rc::Rc;

use mlds_core::view::RunView;
use plotters::style::BLACK;

use mlds_core::engine::seeds::split_seed;

use crate::charts::{model_colour, model_series, Figure, Line, Series, PALETTE};

pub fn figures(view: &RunView) -> Vec<Figure> {
    vec![
        Figure::Line(Line {
            id: "fit-loss".into(),
            title: "Training loss (MSE)".into(),
            x_label: "epoch".into(),
            y_label: "loss".into(),
            log_y: true,
            series: model_series(&view.models, &view.losses),
            caption: None,
        }),
        Figure::Line(Line {
            id: "fit-predictions".into(),
            title: "Ground truth and predictions".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            log_y: false,
            series: prediction_series(view),
            caption: None,
        }),
    ]
}

fn prediction_series(view: &RunView) -> Rc<Vec<Series>> {
    let Some((xs, truth)) = &view.reference else {
        return Rc::new(Vec::new());
    };
    let curve = |ys: &[f32]| {
        xs.iter()
            .zip(ys)
            .map(|(&x, &y)| (x as f64, y as f64))
            .collect()
    };
    let mut series = vec![Series {
        name: "ground truth".into(),
        color: BLACK,
        points: curve(truth),
        dashed: true,
    }];
    series.extend(
        view.models
            .iter()
            .zip(&view.predictions)
            .enumerate()
            .map(|(i, (m, p))| Series {
                name: m.name.clone(),
                color: PALETTE[model_colour(&view.models, i) % PALETTE.len()],
                points: curve(p),
                dashed: split_seed(&m.name).1.is_some_and(|s| s > 0),
            }),
    );
    Rc::new(series)
}
