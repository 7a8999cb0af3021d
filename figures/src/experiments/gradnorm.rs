//! E4's figure: the gradient norm over the loss, per iteration, sharing the iteration axis.

use std::rc::Rc;

use mlds_core::view::RunView;

use crate::charts::{Figure, Series, Stacked, PALETTE};

fn series(name: &str, view: &RunView, pick: fn(&(f64, f64)) -> f64) -> Rc<Vec<Series>> {
    Rc::new(vec![Series {
        name: name.into(),
        color: PALETTE[0],
        points: view
            .sweep
            .iterations
            .iter()
            .enumerate()
            .map(|(i, p)| (i as f64, pick(p)))
            .collect(),
        dashed: false,
    }])
}

pub fn figures(view: &RunView) -> Vec<Figure> {
    vec![Figure::Stacked(Stacked {
        id: "gradnorm-chart".into(),
        title: "Gradient norm and loss per iteration".into(),
        x_label: "iteration".into(),
        top_label: "‖∇L‖".into(),
        bottom_label: "loss".into(),
        top: series("gradient norm", view, |p| p.1),
        bottom: series("loss", view, |p| p.0),
        log_y_top: true,
        log_y_bottom: true,
        caption: None,
    })]
}
