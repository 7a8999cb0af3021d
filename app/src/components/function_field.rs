//! A function task's target (`fn`): a named function from the list, or one the user types
//! (`fn=expr:…`). A typed function the task cannot fit is refused where it was typed, and the
//! run keeps the function it had.

use mlds_core::data::{Expression, Function, TargetFunction, FUNCTIONS};
use mlds_core::experiments::common::FunctionTask;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::DraftInput;

#[derive(Properties, PartialEq)]
pub struct FunctionFieldProps {
    pub task: FunctionTask,
    #[prop_or_default]
    pub disabled: bool,
    /// Called with `("fn", value)` once the user picks a function or types one the task can fit.
    pub onchange: Callback<(&'static str, String)>,
}

/// The select's value while a typed function is in use.
const TYPED: &str = "typed";

#[function_component]
pub fn FunctionField(props: &FunctionFieldProps) -> Html {
    let error = use_state(|| None::<String>);
    let typed = match &props.task.function {
        Function::Typed(e) => Some(e.source().to_owned()),
        Function::Named(_) => None,
    };
    let on_pick = {
        let (onchange, error) = (props.onchange.clone(), error.clone());
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            if select.value() != TYPED {
                error.set(None);
                onchange.emit(("fn", select.value()));
            }
        })
    };
    let on_type = {
        let (onchange, error, task) = (props.onchange.clone(), error.clone(), props.task.clone());
        Callback::from(move |source: String| {
            if source.trim().is_empty() {
                error.set(None);
                return;
            }
            match task.with_typed(&source) {
                Ok(function) => {
                    error.set(None);
                    onchange.emit(("fn", function.id()));
                }
                Err(why) => error.set(Some(format!(
                    "{why}; the run keeps {}.",
                    task.function.formula()
                ))),
            }
        })
    };
    let selected = match &props.task.function {
        Function::Named(f) => f.id(),
        Function::Typed(_) => TYPED,
    };
    let help = format!(
        "a function of x: + - * / ^, {}, pi, e (at most {} characters)",
        FUNCTIONS.join(", "),
        Expression::MAX_CHARS
    );
    html! {
        <>
            <label class="param" title="the target function">
                <span>{ "Function" }</span>
                <select name="fn" onchange={on_pick} disabled={props.disabled}>
                    { for TargetFunction::ALL.iter().map(|f| html! {
                        <option value={f.id()} selected={selected == f.id()}>{ f.formula() }</option>
                    }) }
                    if typed.is_some() {
                        <option value={TYPED} selected=true>{ "your function (below)" }</option>
                    }
                </select>
            </label>
            <label class="param" title={help.clone()}>
                <span>{ "Your function f(x)" }</span>
                // Twice the limit, so that an over-long expression is said in words.
                // Keyed by the function in use: another one picked from the list empties what
                // was typed (and refused) for the one before.
                <DraftInput key={props.task.function.id()} name="fn-expr" value={typed.unwrap_or_default()} placeholder="sin(3*x)*exp(-x*x)"
                    maxlength={(2 * Expression::MAX_CHARS).to_string()} label={help}
                    onchange={on_type} disabled={props.disabled} />
            </label>
            if let Some(error) = &*error {
                <p class="error field-error" role="alert" data-expression-error="">{ error }</p>
            }
        </>
    }
}
