//! Start / Pause / Resume / Stop / Reset, enabled according to the run's state.

use yew::prelude::*;

use crate::run_view::RunState;

#[derive(Properties, PartialEq)]
pub struct RunButtonsProps {
    pub state: RunState,
    /// False until the backends are known.
    #[prop_or(true)]
    pub ready: bool,
    pub on_start: Callback<()>,
    pub on_pause: Callback<bool>,
    pub on_stop: Callback<()>,
    pub on_reset: Callback<()>,
}

#[function_component]
pub fn RunButtons(props: &RunButtonsProps) -> Html {
    let state = props.state;
    let click = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let pause = {
        let cb = props.on_pause.clone();
        Callback::from(move |_: MouseEvent| cb.emit(state == RunState::Running))
    };
    // Pausing and stopping are states of their own: the button says so until every part of
    // the run has acknowledged.
    let pause_label = match state {
        RunState::Paused => "Resume",
        RunState::Pausing => "Pausing…",
        _ => "Pause",
    };
    let can_pause = matches!(
        state,
        RunState::Running | RunState::Pausing | RunState::Paused
    );
    let can_stop = state.is_active() && state != RunState::Stopping;
    html! {
        <div class="run-buttons">
            <button class="start" onclick={click(&props.on_start)} disabled={state.is_active() || !props.ready}>{ "Start" }</button>
            <button class="pause" onclick={pause} disabled={!can_pause} data-state={state.id()}>
                { pause_label }
            </button>
            <button class="stop" onclick={click(&props.on_stop)} disabled={!can_stop}>
                { if state == RunState::Stopping { "Stopping…" } else { "Stop" } }
            </button>
            <button class="reset" onclick={click(&props.on_reset)} disabled={state == RunState::Idle}>{ "Reset" }</button>
        </div>
    }
}
