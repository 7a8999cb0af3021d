//! E8's figures: loss and accuracy against the parameter count, a point per model.

use mlds_core::view::RunView;

use super::sweep::loss_accuracy;
use crate::charts::Figure;

pub fn figures(view: &RunView) -> Vec<Figure> {
    let x = ("params", "parameters");
    loss_accuracy(&view.sweep.results, "params", x, "number of parameters").into()
}
