//! A panel's run controls: Start / Pause / Stop / Reset, the progress bar, the run's exports
//! (run file, link) and "Open a run file", composed over the run's handle ([`super::run`]).

use mlds_core::job::Job;
use mlds_core::run_file::RunFile;
use mlds_core::BackendKind;
use yew::prelude::*;

use super::opened::PanelOpenRun;
use super::run::RunHandle;
use crate::components::{save_text, Progress, RunButtons};
use crate::run_view::EventLog;
use crate::workers::BUILD_ID;

/// Start / Pause / Stop / Reset, the progress bar (over a sweep's units too), the run's exports
/// and "Open a run file", the run's error and the stopped note. `total_epochs` is the schedule
/// before the run reports its own; `notify` puts a message in the panel's notices.
pub fn run_controls(
    run: &RunHandle,
    on_start: Callback<()>,
    total_epochs: usize,
    notify: Callback<String>,
) -> Html {
    let view = &run.view;
    let state = view.state;
    let (done, total) = view.overall_progress();
    html! {
        <>
            <RunButtons {state} {on_start}
                on_pause={{ let run = run.clone(); Callback::from(move |p| run.pause(p)) }}
                on_stop={{ let run = run.clone(); Callback::from(move |()| run.request_stop()) }}
                on_reset={{ let run = run.clone(); Callback::from(move |()| run.reset()) }} />
            <Progress epoch={done} total={total.max(total_epochs)} elapsed_ms={view.elapsed_ms}
                      unit={view.sweep.unit.as_ref().map(|(_, _, label)| AttrValue::from(label.clone()))} />
            <RunExport log={view.log.clone()} backend={view.backend} build={view.opened_build.clone()} running={state.is_active()} />
            <PanelOpenRun run={run.clone()} {notify} />
            if let Some(error) = &view.error {
                <div class="error" role="alert">{ error }</div>
            }
            if view.stopped {
                <p class="stopped">{ format!("Stopped by you at epoch {}.", view.epoch) }</p>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct RunExportProps {
    log: EventLog,
    backend: Option<BackendKind>,
    /// The build of a run opened from a file (this page's own otherwise).
    build: Option<String>,
    running: bool,
}

/// The run as a run file (`mlds_core::run_file`: its query, the link that reproduces it and
/// every event so far; what the `mlds` command writes and reads), and "Copy link" for that link.
#[function_component]
fn RunExport(props: &RunExportProps) -> Html {
    let status = use_state(String::new);
    let location = || web_sys::window().map(|w| w.location());
    let on_json = {
        let (log, backend, build) = (props.log.clone(), props.backend, props.build.clone());
        Callback::from(move |_: MouseEvent| {
            let (href, hash) = location().map_or((String::new(), String::new()), |l| {
                (l.href().unwrap_or_default(), l.hash().unwrap_or_default())
            });
            // The panel keeps its settings in the hash: the job that ran.
            let job = match Job::parse(&hash) {
                Ok((job, _)) => job,
                Err(e) => {
                    web_sys::console::warn_1(&format!("run export: {e}").into());
                    return;
                }
            };
            let page = href.split('#').next().unwrap_or_default();
            let backend = backend.unwrap_or(BackendKind::Cpu).id();
            let build = build.as_deref().unwrap_or(BUILD_ID);
            let mut file = RunFile::new(&job, page, build, backend, log.events());
            // The page's own URL, as it was (the format's `link` and `hash` from the page).
            (file.link, file.hash) = (href, hash);
            let name = format!("{}-run.json", job.id());
            if let Err(e) = save_text(&name, "application/json", &file.to_json()) {
                web_sys::console::warn_2(&"run export failed:".into(), &e);
            }
        })
    };
    let on_copy = {
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            let href = location().and_then(|l| l.href().ok()).unwrap_or_default();
            let status = status.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
                let copied = match clipboard {
                    Some(c) => wasm_bindgen_futures::JsFuture::from(c.write_text(&href))
                        .await
                        .is_ok(),
                    None => false,
                };
                status.set(match copied {
                    true => format!("Link copied: {href}"),
                    // No clipboard permission: the link itself, to copy by hand.
                    false => format!("Copy this link: {href}"),
                });
            });
        })
    };
    html! {
        <div class="run-exports">
            <button type="button" class="export" onclick={on_json} disabled={props.running}>{ "Download run as JSON" }</button>
            <button type="button" class="export copy-link" onclick={on_copy}>{ "Copy link" }</button>
            <span class="copy-status">{ (*status).clone() }</span>
        </div>
    }
}
