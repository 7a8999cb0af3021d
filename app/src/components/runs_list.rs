//! A panel's Runs list: every kept run of its experiment, newest first, each with the settings
//! in which it differs from the run on show, its headline numbers, a name to give it, and
//! Compare (a checkbox), Download and Delete; "Clear all" under it. The list is `[data-runs]`,
//! a kept run `[data-run]`, its checkbox `input[data-compare]` (the browser tests' contract).

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{save_text, DraftInput};
use crate::runs::{label, time_of, KeptRuns, MAX_COMPARED};

#[derive(Properties, PartialEq)]
pub struct RunsListProps {
    pub runs: KeptRuns,
    /// The query of the run on show: each kept run is named by how it differs.
    pub current: AttrValue,
}

#[function_component]
pub fn RunsList(props: &RunsListProps) -> Html {
    let runs = &props.runs;
    let count = runs.kept.len();
    let full = runs.ticked.len() >= MAX_COMPARED;
    let rows = runs.kept.iter().map(|kept| {
        let id = kept.id.clone();
        let ticked = runs.ticked.contains(&id);
        let shown = label(kept, &props.current);
        let on_tick = {
            let (runs, id) = (runs.clone(), id.clone());
            Callback::from(move |e: Event| {
                if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                    runs.tick(&id, input.checked());
                }
            })
        };
        let on_rename = {
            let (runs, id) = (runs.clone(), id.clone());
            Callback::from(move |name: String| runs.rename(&id, name))
        };
        let on_download = {
            let (file, experiment) = (kept.file.clone(), kept.experiment.clone());
            Callback::from(move |_: MouseEvent| {
                let name = format!("{experiment}-run.json");
                if let Err(e) = save_text(&name, "application/json", &file) {
                    web_sys::console::warn_2(&"run download failed:".into(), &e);
                }
            })
        };
        let on_delete = {
            let (runs, id) = (runs.clone(), id.clone());
            Callback::from(move |_: MouseEvent| runs.delete(vec![id.clone()]))
        };
        let when = format!("{} · {} · {}", time_of(kept.saved_ms), kept.backend, kept.headline);
        html! {
            <li key={id.clone()} data-run="" data-run-id={id.clone()} data-query={kept.query.clone()}>
                <label class="run-compare">
                    <input type="checkbox" data-compare="" checked={ticked} disabled={full && !ticked} onchange={on_tick} />
                    <span class="run-label">{ format!("Compare: {shown}") }</span>
                </label>
                <DraftInput class="run-name" value={kept.name.clone()} placeholder={shown.clone()}
                    label={format!("Name of the run kept at {}", time_of(kept.saved_ms))} onchange={on_rename} />
                <span class="run-numbers">{ when }</span>
                <button class="run-download" onclick={on_download}>{ "Download" }</button>
                <button class="run-delete" onclick={on_delete}>{ "Delete" }</button>
            </li>
        }
    });
    let on_clear = {
        let runs = runs.clone();
        Callback::from(move |_: MouseEvent| {
            runs.delete(runs.kept.iter().map(|k| k.id.clone()).collect());
        })
    };
    html! {
        <section class="runs" aria-label="Runs">
            <h3>{ format!("Runs ({count} kept)") }</h3>
            if let Some(message) = &*runs.message {
                <p class="error" role="alert">{ message }</p>
            }
            { for runs.comparison.unreadable.iter().map(|why| html! { <p class="error" role="alert">{ why }</p> }) }
            if !runs.missing.is_empty() {
                <div class="runs-missing" role="status">
                    { "This link compares runs that are not kept in this browser. Each link below opens one with the rest of the comparison (this run and the others, ticked once they are kept there): press Start, then come back." }
                    <ul>
                        { for runs.missing.iter().map(|q| html! {
                            <li><a href={runs.link_to_run(q, &props.current)}>{ q.clone() }</a></li>
                        }) }
                    </ul>
                </div>
            }
            if count == 0 {
                <p class="runs-empty">{ "Every run that ends here (or that you open from a file) is kept in this browser and listed here; tick up to four to draw them over this run's charts." }</p>
            }
            <ol data-runs="">
                { for rows }
            </ol>
            if count > 0 {
                <button class="runs-clear" onclick={on_clear}>{ "Clear all" }</button>
            }
        </section>
    }
}
