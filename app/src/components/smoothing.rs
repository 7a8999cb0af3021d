//! The smoothing control of mini-batch curves (TensorBoard's: an exponential moving average,
//! weight 0–0.99); the figures smooth the curves when they are drawn.

use mlds_figures::experiments::DEFAULT_SMOOTHING;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SmoothingProps {
    pub value: f64,
    pub on_change: Callback<f64>,
}

/// A slider for the smoothing weight, with its value.
#[function_component]
pub fn Smoothing(props: &SmoothingProps) -> Html {
    let oninput = props.on_change.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        input.value().parse().unwrap_or(DEFAULT_SMOOTHING)
    });
    html! {
        <label class="smoothing" title="exponential moving average of the mini-batch curves (0: raw)">
            { "Smoothing " }
            <input type="range" name="smoothing" min="0" max="0.99" step="0.01" value={props.value.to_string()} {oninput} />
            <span class="value">{ format!("{:.2}", props.value) }</span>
        </label>
    }
}
