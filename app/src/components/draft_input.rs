//! A text input that keeps what is typed until it is committed (on `change`: Enter or leaving
//! the field). yew writes an input's `value` back into the page whenever its component renders,
//! which would otherwise undo typing that a render interrupted (a run kept, a tick stored) and
//! wipe an entry the page refused, which the user should be able to mend.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DraftInputProps {
    /// The value in use; when it changes (a preset, a reload, a rename stored), what the field
    /// shows follows it.
    pub value: AttrValue,
    /// The input's accessible name.
    pub label: AttrValue,
    /// Called with the field's text once it is committed.
    pub onchange: Callback<String>,
    #[prop_or_default]
    pub name: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub maxlength: Option<AttrValue>,
    #[prop_or_default]
    pub disabled: bool,
}

#[function_component]
pub fn DraftInput(props: &DraftInputProps) -> Html {
    // `_eq`: the value in use set again on mount (or to what is already typed) renders nothing.
    let draft = use_state_eq(|| props.value.clone());
    {
        let draft = draft.clone();
        use_effect_with(props.value.clone(), move |value| draft.set(value.clone()));
    }
    let text = |e: &Event| e.target_dyn_into::<HtmlInputElement>().map(|i| i.value());
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(value) = text(&e) {
                draft.set(value.into());
            }
        })
    };
    let onchange = {
        let commit = props.onchange.clone();
        Callback::from(move |e: Event| {
            if let Some(value) = text(&e) {
                commit.emit(value);
            }
        })
    };
    html! {
        <input name={props.name.clone()} class={props.class.clone()} value={(*draft).clone()}
            placeholder={props.placeholder.clone()} maxlength={props.maxlength.clone()}
            aria-label={props.label.clone()} disabled={props.disabled} {oninput} {onchange} />
    }
}
