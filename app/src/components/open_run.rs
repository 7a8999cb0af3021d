//! Opening a run file (`mlds-run`, what "Download run as JSON" and the `mlds` command write): a
//! file input (`data-open-run`) and a file dropped on the panel around it. The file is read and
//! checked with core's reader in a worker; what to do with the run is the caller's. Where the caller
//! takes a report's runs (the report page), the report's own HTML download opens too.

use std::cell::RefCell;
use std::rc::Rc;

use mlds_core::run_file::{Opened, RunFile};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, Element, File, HtmlInputElement};
use yew::prelude::*;

use crate::datasets::{dropped_files, read_run_file, selected_files};
use crate::workers::read_file;

/// A run file by its name or type. A dataset's files (IDX, `.gz`, `.bin`, `.tar.gz`) never are
/// JSON: this is how a drop on a panel is told apart from a dataset's files.
pub fn is_run_file(file: &File) -> bool {
    let name = file.name().to_ascii_lowercase();
    [".json", ".html", ".htm"]
        .iter()
        .any(|end| name.ends_with(end))
        || ["application/json", "text/html"].contains(&file.type_().as_str())
}

#[derive(Properties, PartialEq)]
pub struct OpenRunProps {
    /// A run file was read: its name and its run.
    pub on_open: Callback<(String, RunFile)>,
    /// A report's file was read: its name and, per section that ran, its run or why it is not
    /// one (where a report's runs can be shown: the report page).
    #[prop_or_default]
    pub on_report: Option<Callback<(String, Vec<SectionRead>)>>,
    /// It could not be: what to tell the user.
    pub on_error: Callback<String>,
    /// A run is going: opening another would mix their events.
    #[prop_or_default]
    pub disabled: bool,
}

/// A report file's section: its run, or why it is not one (the others still open).
pub type SectionRead = Result<RunFile, String>;

/// Read and parse one file, off the page's thread (`workers::read_file`); the error names the
/// file and says what is wrong with it.
async fn read(file: File) -> Result<(String, Opened), String> {
    let name = file.name();
    let bytes = read_run_file(&file).await.map_err(|e| format!("{e}."))?;
    Ok((name.clone(), read_file(&name, bytes).await?))
}

/// What the listeners on the panel see of the latest props (they are installed once).
struct Latest {
    on_open: Callback<(String, RunFile)>,
    on_report: Option<Callback<(String, Vec<SectionRead>)>>,
    on_error: Callback<String>,
    disabled: bool,
}

impl Latest {
    fn open(&self, file: File) {
        if self.disabled {
            self.on_error.emit(format!(
                "{} was not opened: a run is going here; stop it first.",
                file.name()
            ));
            return;
        }
        let (on_open, on_error) = (self.on_open.clone(), self.on_error.clone());
        let on_report = self.on_report.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match (read(file).await, on_report) {
                (Ok((name, Opened::Run(run))), _) => on_open.emit((name, run)),
                (Ok((name, Opened::Report(runs))), Some(on_report)) => on_report.emit((name, runs)),
                (Ok((name, Opened::Report(_))), None) => on_error.emit(format!(
                    "{name} is a report, not one run: open it on the report page (#exp=report)."
                )),
                (Err(message), _) => on_error.emit(message),
            }
        });
    }
}

/// The native listeners that make the whole panel a drop target for run files. Native, on the
/// panel's element, because the panel's markup is each experiment's own; a drop of other files
/// (a dataset's) is left to the panel's own handler.
fn listen_for_drops(panel: &Element, latest: Rc<RefCell<Latest>>) -> impl FnOnce() {
    let over = {
        let panel = panel.clone();
        Closure::<dyn Fn(DragEvent)>::new(move |e: DragEvent| {
            // Without this a dropped file replaces the page (the browser opens it).
            e.prevent_default();
            let _ = panel.class_list().add_1("dropping");
        })
    };
    let leave = {
        let panel = panel.clone();
        Closure::<dyn Fn(DragEvent)>::new(move |_: DragEvent| {
            let _ = panel.class_list().remove_1("dropping");
        })
    };
    let drop = {
        let panel = panel.clone();
        Closure::<dyn Fn(DragEvent)>::new(move |e: DragEvent| {
            e.prevent_default();
            let _ = panel.class_list().remove_1("dropping");
            if let Some(file) = dropped_files(&e).into_iter().find(is_run_file) {
                latest.borrow().open(file);
            }
        })
    };
    let listeners = [("dragover", over), ("dragleave", leave), ("drop", drop)];
    for (name, listener) in &listeners {
        let _ = panel.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
    }
    let panel = panel.clone();
    move || {
        for (name, listener) in &listeners {
            let _ =
                panel.remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        }
    }
}

/// "Open a run file": the input, and drops on the enclosing `.panel`.
#[function_component]
pub fn OpenRun(props: &OpenRunProps) -> Html {
    let node = use_node_ref();
    let now = || Latest {
        on_open: props.on_open.clone(),
        on_report: props.on_report.clone(),
        on_error: props.on_error.clone(),
        disabled: props.disabled,
    };
    let latest = use_mut_ref(now);
    *latest.borrow_mut() = now();
    {
        let (node, latest) = (node.clone(), latest.clone());
        use_effect_with((), move |_| {
            let panel = node
                .cast::<Element>()
                .and_then(|own| own.closest(".panel").ok().flatten().or(Some(own)));
            let remove = panel.map(|panel| listen_for_drops(&panel, latest));
            move || remove.into_iter().for_each(|remove| remove())
        });
    }
    let onchange = {
        let latest = latest.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let file = selected_files(&input).into_iter().next();
            // Cleared, so that choosing the same file again opens it again.
            input.set_value("");
            if let Some(file) = file {
                latest.borrow().open(file);
            }
        })
    };
    html! {
        <div class="open-run" ref={node}>
            <label title="A run file: what 'Download run as JSON' or the mlds command writes">
                { "Open a run file (or drop it on this panel): " }
                <input type="file" accept={props.on_report.as_ref().map_or(".json,application/json", |_| ".json,application/json,.html,text/html")} data-open-run=""
                       {onchange} disabled={props.disabled} />
            </label>
        </div>
    }
}
