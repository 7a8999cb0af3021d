//! What the page knows of a run: core's [`RunView`] (the run's events folded, its states), held
//! by a panel's reducer.

use std::ops::Deref;
use std::rc::Rc;

pub use mlds_core::view::*;
use yew::Reducible;

/// A panel's run view as yew's reducer state (the folding itself is core's, tested natively).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunViewState(RunView);

impl Deref for RunViewState {
    type Target = RunView;

    fn deref(&self) -> &RunView {
        &self.0
    }
}

impl Reducible for RunViewState {
    type Action = RunAction;

    fn reduce(self: Rc<Self>, action: RunAction) -> Rc<Self> {
        let RunViewState(view) = Rc::unwrap_or_clone(self);
        Rc::new(RunViewState(view.reduce(action)))
    }
}
