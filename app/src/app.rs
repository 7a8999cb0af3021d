//! The page: detects the backends, then shows the experiment the URL names.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::backends::Backends;
use crate::landing::Landing;
use crate::panels::registry::{panel, PANELS};
use crate::report::ReportPage;
use crate::url;

fn experiment_in_url() -> String {
    url::params().get("exp").unwrap_or_else(|| "home".into())
}

#[function_component]
pub fn App() -> Html {
    let backends = use_state(|| None::<Backends>);
    // Bumped when the user edits the hash by hand (or goes back): the panel re-reads the URL.
    let hash_generation = use_state(|| 0u32);
    let exp = use_state(experiment_in_url);
    {
        let backends = backends.clone();
        use_effect_with((), move |_| {
            crate::workers::prepare();
            crate::components::warm_text();
            wasm_bindgen_futures::spawn_local(async move {
                let found = Backends::detect().await;
                if let Some(body) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.body())
                {
                    let _ = body.set_attribute(
                        "data-webgpu",
                        if found.webgpu_available() {
                            "available"
                        } else {
                            "unavailable"
                        },
                    );
                    // The backend a run would get by default; each run then sets its own.
                    let _ = body.set_attribute(
                        "data-backend",
                        if found.webgpu_available() {
                            "webgpu"
                        } else {
                            "cpu"
                        },
                    );
                }
                backends.set(Some(found));
            });
        });
    }
    {
        let (generation, exp) = (hash_generation.clone(), exp.clone());
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                exp.set(experiment_in_url());
                generation.set(*generation + 1);
            });
            let window = web_sys::window().expect("a window");
            let _ = window
                .add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            move || {
                let _ = window.remove_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
        });
    }

    let nav = html! {
        <nav class="experiments">
            <a href="#exp=home" class={classes!((*exp == "home").then_some("selected"))}>{ "All experiments" }</a>
            <a href="#exp=report" class={classes!((*exp == "report").then_some("selected"))}>{ "The report" }</a>
            { for PANELS.iter().map(|p| {
                let selected = *exp == p.id;
                html! { <a href={format!("#exp={}", p.id)} class={classes!(selected.then_some("selected"))}>{ p.nav }</a> }
            }) }
        </nav>
    };
    let status = match &*backends {
        None => html! { <p class="backend-status">{ "Starting WebGPU…" }</p> },
        Some(b) if b.webgpu_available() => {
            html! { <p class="backend-status">{ "WebGPU is available; the CPU backend (flex) is always there too." }</p> }
        }
        Some(b) => html! {
            <div class="backend-status fallback">
                <p>{ "This browser did not give the page WebGPU, so every run uses the CPU backend: the presets still work, the larger models just train more slowly." }</p>
                <p>{ "To train on your GPU: a recent Chrome or Edge (113 or later; Firefox and Safari where WebGPU is enabled), the page opened over https:// or on localhost, and a GPU the browser supports (on Linux, Chrome may need chrome://flags/#enable-unsafe-webgpu)." }</p>
                <details>
                    <summary>{ "Details" }</summary>
                    <code>{ b.webgpu_error.clone().unwrap_or_default() }</code>
                </details>
            </div>
        },
    };
    let panel = match (&*backends, exp.as_str()) {
        (_, "home") => html! { <Landing /> },
        (Some(b), "report") => html! { <ReportPage key={*hash_generation} backends={b.clone()} /> },
        (None, _) => html! { <p class="loading">{ "Loading…" }</p> },
        (Some(b), id) => match panel(id) {
            Some(p) => (p.show)(b.clone(), *hash_generation),
            None => html! {
                <div class="error" role="alert">{ format!("There is no experiment '{id}' in this version; pick one above.") }</div>
            },
        },
    };
    html! {
        <>
            <header>
                <h1>{ "MLDS Playground" }</h1>
                <p class="tagline">{ "Deep-learning-theory experiments, trained live in your browser." }</p>
                { status }
            </header>
            { nav }
            <main>{ panel }</main>
        </>
    }
}
