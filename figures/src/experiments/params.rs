//! E8's figures: loss and accuracy against the parameter count, a point per width (its mean
//! over the seeds, with its spread, where `seeds` > 1).

use mlds_core::view::RunView;

use super::sweep::loss_accuracy;
use crate::charts::Figure;

pub fn figures(view: &RunView) -> Vec<Figure> {
    let x = ("params", "parameters");
    loss_accuracy(&view.sweep.pooled(), "params", x, "number of parameters").into()
}
