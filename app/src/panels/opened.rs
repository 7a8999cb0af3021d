//! A run file opened in a panel: shown as if it had just run there (the panel's own view of its
//! events: charts, metrics, exports), with the URL hash set to the file's query so that the link
//! reproduces it. A file of another experiment, or of other settings, is shown by that panel:
//! the page navigates to the file's query and the panel that mounts there picks the file up.

use std::cell::RefCell;

use mlds_core::job::Job;
use mlds_core::params::Params;
use mlds_core::run_file::RunFile;
use yew::prelude::*;

use super::config::PAGE_KEYS;
use super::run::{set_body_backend, RunHandle};
use crate::components::OpenRun;
use crate::run_view::RunAction;
use crate::url;

/// A file read, with its name.
struct Opened {
    name: String,
    file: RunFile,
}

thread_local! {
    /// A file on its way to the panel of its query (set just before the page navigates there).
    static PENDING: RefCell<Option<Opened>> = const { RefCell::new(None) };
}

/// Why a file that parsed is still not a run to show, if it is not.
pub fn refusal(file: &RunFile) -> Option<String> {
    if let Some(unit) = Params::parse(&file.query).get("unit") {
        return Some(format!(
            "it is one unit (unit={unit}) of a sweep, not a whole run: merge the units with `mlds merge` first"
        ));
    }
    if file.end().is_none() {
        return Some(
            "its run has no end (no done, stopped or error event): it was cut short".into(),
        );
    }
    None
}

/// The hash that shows a file's run: its query, and this page's own settings (where runs go,
/// a figure's scale), which are not the run's and stay as they are.
fn hash_of(query: &str) -> String {
    let mut now = url::params();
    // Encoded again: `compare` holds whole queries.
    let page = PAGE_KEYS
        .iter()
        .filter_map(|&k| Some((k, now.get(k)?)))
        .map(|(k, v)| {
            format!(
                "&{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        });
    format!("#{query}{}", page.collect::<String>())
}

/// Show `opened` in `run`'s view, saying where it comes from.
fn show(run: &RunHandle, opened: Opened) {
    let Opened { name, file } = opened;
    let backend = file.backend_kind();
    let build = match file.build.as_str() {
        "" => String::new(),
        build => format!(" by {build}"),
    };
    let note = format!(
        "Showing {name}: the run of {}, computed{build} on {} (opened from its file, not run here).",
        file.query,
        backend.id()
    );
    set_body_backend(backend.id());
    let opened = RunAction::Opened {
        note,
        build: file.build,
    };
    run.replay(backend, file.events, Some(opened));
}

#[derive(Properties, PartialEq)]
pub struct PanelOpenRunProps {
    pub run: RunHandle,
    /// Into the panel's notices: why a file could not be opened.
    pub notify: Callback<String>,
}

/// Every panel's "Open a run file" (through `run_controls`).
#[function_component]
pub fn PanelOpenRun(props: &PanelOpenRunProps) -> Html {
    {
        // The file this panel was navigated to for, if any.
        let run = props.run.clone();
        use_effect_with((), move |_| {
            let exp = url::params().get("exp");
            if let Some(opened) = PENDING.with(|p| p.borrow_mut().take()) {
                if exp.as_deref() == Some(opened.file.experiment.as_str()) {
                    show(&run, opened);
                }
            }
        });
    }
    let on_open = {
        let (run, notify) = (props.run.clone(), props.notify.clone());
        Callback::from(move |(name, file): (String, RunFile)| {
            if let Some(why) = refusal(&file) {
                notify.emit(format!("{name} could not be opened as a run: {why}."));
                return;
            }
            let hash = hash_of(&file.query);
            let here = Job::parse(&url::read_hash())
                .ok()
                .map(|(job, _)| job.query());
            let opened = Opened { name, file };
            if here.as_deref() == Some(opened.file.query.as_str()) {
                // This panel, these settings: shown here; the hash loses `autorun` and such.
                url::replace_hash(hash);
                show(&run, opened);
            } else if let Some(location) = web_sys::window().map(|w| w.location()) {
                PENDING.with(|p| *p.borrow_mut() = Some(opened));
                // A new history entry: Back returns to what was on the page.
                let _ = location.set_hash(&hash);
            }
        })
    };
    let view = &props.run.view;
    html! {
        <>
            <OpenRun {on_open} on_error={props.notify.clone()} disabled={view.state.is_active()} />
            if let Some(note) = &view.opened {
                <p class="opened-run" role="status">{ note }</p>
            }
        </>
    }
}
