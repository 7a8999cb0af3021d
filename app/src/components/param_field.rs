//! One labelled control bound to a URL parameter.

use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub enum ParamOptions {
    /// Free text (numbers, shapes), validated by the experiment's parser.
    Text,
    /// A fixed list of (id, label).
    Choice(Vec<(&'static str, &'static str)>),
}

#[derive(Properties, PartialEq)]
pub struct ParamFieldProps {
    /// The URL key.
    pub name: &'static str,
    pub label: &'static str,
    pub value: AttrValue,
    #[prop_or(ParamOptions::Text)]
    pub options: ParamOptions,
    #[prop_or_default]
    pub title: AttrValue,
    #[prop_or_default]
    pub disabled: bool,
    /// Called with (key, new value) when the user commits a change.
    pub onchange: Callback<(&'static str, String)>,
}

#[function_component]
pub fn ParamField(props: &ParamFieldProps) -> Html {
    let name = props.name;
    let onchange = {
        let cb = props.onchange.clone();
        Callback::from(move |e: Event| {
            let target = e.target();
            let value = target
                .as_ref()
                .and_then(|t| wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlInputElement>(t))
                .map(|i| i.value())
                .or_else(|| {
                    target
                        .as_ref()
                        .and_then(|t| {
                            wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlSelectElement>(t)
                        })
                        .map(|s| s.value())
                });
            if let Some(value) = value {
                cb.emit((name, value));
            }
        })
    };
    let control = match &props.options {
        ParamOptions::Text => html! {
            <input name={name} value={props.value.clone()} {onchange} disabled={props.disabled} />
        },
        ParamOptions::Choice(options) => html! {
            <select name={name} {onchange} disabled={props.disabled}>
                { for options.iter().map(|(id, label)| html! {
                    <option value={*id} selected={props.value == *id}>{ *label }</option>
                }) }
            </select>
        },
    };
    html! {
        <label class="param" title={props.title.clone()}>
            <span>{ props.label }</span>
            { control }
        </label>
    }
}
