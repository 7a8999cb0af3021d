//! The messages between the page and a training worker, one enum each way. Both sides write
//! and read them here only ([`ToWorker::to_js`], [`ToWorker::from_js`] and the same for
//! [`ToPage`]), as plain JS objects `{type, …}` that `postMessage` clones: a dataset's bytes
//! cross as `Uint8Array`s, events as JS values (NaN and ±∞ survive, which JSON would lose).
//!
//! A job's conversation: the worker says [`ToPage::Ready`] once loaded (with its build's id,
//! which the page checks); the page sends [`ToWorker::Start`]; the worker answers with
//! [`ToPage::Events`] a few times a second and [`ToPage::Finished`] at the end. Pause is a
//! handshake: after [`ToWorker::Pause`] the worker sends every event it computed before the
//! pause, then [`ToPage::Paused`] with the pause's number, and computes nothing until
//! [`ToWorker::Resume`] or [`ToWorker::Stop`]. Outside a job, a worker answers
//! [`ToWorker::Parse`] (dataset files) with [`ToPage::Parsed`] and [`ToWorker::Read`] (a run or
//! report file) with [`ToPage::Read`], each once. Before all that, the loader script
//! (`static/worker-loader.js`) takes one `{type: "load", module, build}` with the compiled
//! module; it is the loader's, not the training code's.

use js_sys::Object;
use mlds_core::Event;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::js::{field, number, set, text};

/// The loader script's one message (`static/worker-loader.js`, before the training code runs):
/// the compiled worker `module` and this build's id.
pub fn load_message(module: &JsValue) -> JsValue {
    let m = message("load");
    set(&m, "module", module);
    set(&m, "build", &crate::BUILD_ID.into());
    m.into()
}

/// The page's requests to a training worker.
#[derive(Clone, Debug)]
pub enum ToWorker {
    /// Run the job `query` on `backend` (`cpu` or `webgpu`), with its dataset (as
    /// [`crate::dataset_js::dataset_to_js`] wrote it, shared by every unit of a run) and the
    /// events of the units it waits for (E9a's line: the trained models' weights).
    Start {
        query: String,
        backend: String,
        dataset: Option<JsValue>,
        given: Vec<Event>,
    },
    /// Pause number `seq`: acknowledged by [`ToPage::Paused`] with the same number.
    Pause {
        seq: u32,
    },
    Resume,
    Stop,
    /// Combine a run's merged stream (E3's projections): the events since the last request,
    /// `fresh` for the first of a run (which names the run by its `query`). Answered by
    /// [`ToPage::Combined`] with the same `seq`.
    Combine {
        query: String,
        events: Vec<Event>,
        seq: u32,
        fresh: bool,
    },
    /// Parse dataset files (`kind`: a `DatasetKind` id) off the page's thread, answered by
    /// [`ToPage::Parsed`]. `files` as [`crate::dataset_js::files_to_js`] wrote them.
    Parse {
        kind: String,
        title: String,
        files: JsValue,
    },
    /// Read a run or report file the user gave (`name`, its `bytes` as a `Uint8Array`) off the
    /// page's thread, answered by [`ToPage::Read`].
    Read {
        name: String,
        bytes: JsValue,
    },
}

/// What a training worker tells the page.
#[derive(Clone, Debug)]
pub enum ToPage {
    /// Loaded, of build `build`: messages sent before this are lost.
    Ready { build: String },
    /// Events of the job, in order.
    Events(Vec<Event>),
    /// Every event computed before pause `seq` has been sent; the job holds.
    Paused { seq: u32 },
    /// What a [`ToWorker::Combine`] came to.
    Combined { seq: u32, events: Vec<Event> },
    /// The job could not go on (its events could not be sent).
    Failed { message: String },
    /// The job has ended: the worker can take another.
    Finished,
    /// A parsed dataset (as [`crate::dataset_js::dataset_to_js`] writes it) or why not.
    Parsed(Result<JsValue, String>),
    /// A file read (as [`crate::file_js::opened_to_js`] writes it) or why it cannot be opened,
    /// in words that name it.
    Read(Result<JsValue, String>),
    /// On the page only (`workers=0`): the training code panicked and its instance is gone.
    Crashed { message: String },
}

fn message(kind: &str) -> Object {
    let message = Object::new();
    set(&message, "type", &kind.into());
    message
}

/// Events as JS values: maps as plain objects, as the page and the worker read them.
pub fn events_to_js(events: &[Event]) -> Result<JsValue, String> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    events.serialize(&serializer).map_err(|e| e.to_string())
}

/// The events in `value[key]` (none when it is missing).
fn events_at(value: &JsValue, key: &str) -> Result<Vec<Event>, String> {
    match field(value, key) {
        None => Ok(Vec::new()),
        Some(events) => serde_wasm_bindgen::from_value(events).map_err(|e| e.to_string()),
    }
}

fn seq(value: &JsValue) -> u32 {
    number(value, "seq").map_or(0, |n| n as u32)
}

/// The message's `type`, and a reader of its fields that names what is missing.
fn kind(value: &JsValue) -> Result<String, String> {
    text(value, "type").ok_or_else(|| "a message without a type".into())
}

fn required(value: &JsValue, key: &str, kind: &str) -> Result<String, String> {
    text(value, key).ok_or_else(|| format!("a '{kind}' message without its '{key}'"))
}

impl ToWorker {
    pub fn to_js(&self) -> Result<JsValue, String> {
        let m = match self {
            Self::Start {
                query,
                backend,
                dataset,
                given,
            } => {
                let m = message("start");
                set(&m, "query", &query.as_str().into());
                set(&m, "backend", &backend.as_str().into());
                if let Some(dataset) = dataset {
                    set(&m, "dataset", dataset);
                }
                if !given.is_empty() {
                    set(&m, "given", &events_to_js(given)?);
                }
                m
            }
            Self::Pause { seq } => {
                let m = message("pause");
                set(&m, "seq", &(*seq).into());
                m
            }
            Self::Resume => message("resume"),
            Self::Stop => message("stop"),
            Self::Combine {
                query,
                events,
                seq,
                fresh,
            } => {
                let m = message("combine");
                set(&m, "query", &query.as_str().into());
                set(&m, "events", &events_to_js(events)?);
                set(&m, "seq", &(*seq).into());
                set(&m, "fresh", &(*fresh).into());
                m
            }
            Self::Parse { kind, title, files } => {
                let m = message("parse");
                set(&m, "kind", &kind.as_str().into());
                set(&m, "title", &title.as_str().into());
                set(&m, "files", files);
                m
            }
            Self::Read { name, bytes } => {
                let m = message("read");
                set(&m, "name", &name.as_str().into());
                set(&m, "bytes", bytes);
                m
            }
        };
        Ok(m.into())
    }

    /// The request in `value`, or what is wrong with it, in words.
    pub fn from_js(value: &JsValue) -> Result<Self, String> {
        let kind = kind(value)?;
        Ok(match kind.as_str() {
            "start" => Self::Start {
                query: required(value, "query", &kind)?,
                backend: text(value, "backend").unwrap_or_else(|| "cpu".into()),
                dataset: field(value, "dataset"),
                given: events_at(value, "given")
                    .map_err(|e| format!("malformed events of the units waited for ({e})"))?,
            },
            "pause" => Self::Pause { seq: seq(value) },
            "resume" => Self::Resume,
            "stop" => Self::Stop,
            "combine" => Self::Combine {
                query: text(value, "query").unwrap_or_default(),
                events: events_at(value, "events")
                    .map_err(|e| format!("unreadable events to combine ({e})"))?,
                seq: seq(value),
                fresh: field(value, "fresh").and_then(|f| f.as_bool()) == Some(true),
            },
            "parse" => Self::Parse {
                kind: required(value, "kind", &kind)?,
                title: text(value, "title").unwrap_or_default(),
                files: field(value, "files").ok_or("a 'parse' message without its 'files'")?,
            },
            "read" => Self::Read {
                name: text(value, "name").unwrap_or_default(),
                bytes: field(value, "bytes").ok_or("a 'read' message without its 'bytes'")?,
            },
            other => return Err(format!("an unknown request '{other}'")),
        })
    }
}

impl ToPage {
    pub fn to_js(&self) -> Result<JsValue, String> {
        let m = match self {
            Self::Ready { build } => {
                let m = message("ready");
                set(&m, "build", &build.as_str().into());
                m
            }
            Self::Events(events) => {
                let m = message("events");
                set(&m, "events", &events_to_js(events)?);
                m
            }
            Self::Paused { seq } => {
                let m = message("paused");
                set(&m, "seq", &(*seq).into());
                m
            }
            Self::Combined { seq, events } => {
                let m = message("combined");
                set(&m, "seq", &(*seq).into());
                set(&m, "events", &events_to_js(events)?);
                m
            }
            Self::Failed { message: why } => {
                let m = message("failed");
                set(&m, "message", &why.as_str().into());
                m
            }
            Self::Finished => message("finished"),
            Self::Parsed(parsed) => {
                let m = message("parsed");
                match parsed {
                    Ok(dataset) => set(&m, "dataset", dataset),
                    Err(why) => set(&m, "error", &why.as_str().into()),
                }
                m
            }
            Self::Read(read) => {
                let m = message("read");
                match read {
                    Ok(file) => set(&m, "file", file),
                    Err(why) => set(&m, "error", &why.as_str().into()),
                }
                m
            }
            Self::Crashed { message: why } => {
                let m = message("crashed");
                set(&m, "message", &why.as_str().into());
                m
            }
        };
        Ok(m.into())
    }

    /// The message in `value`, or what is wrong with it, in words.
    pub fn from_js(value: &JsValue) -> Result<Self, String> {
        let kind = kind(value)?;
        let events = || events_at(value, "events").map_err(|e| format!("unreadable events ({e})"));
        Ok(match kind.as_str() {
            "ready" => Self::Ready {
                build: text(value, "build").unwrap_or_else(|| "unknown".into()),
            },
            "events" => Self::Events(events()?),
            "paused" => Self::Paused { seq: seq(value) },
            "combined" => Self::Combined {
                seq: seq(value),
                events: events()?,
            },
            "failed" => Self::Failed {
                message: text(value, "message").unwrap_or_default(),
            },
            "finished" => Self::Finished,
            "parsed" => Self::Parsed(match (field(value, "dataset"), text(value, "error")) {
                (_, Some(error)) => Err(error),
                (Some(dataset), None) => Ok(dataset),
                (None, None) => Err("the worker sent neither a dataset nor an error".into()),
            }),
            "read" => Self::Read(match (field(value, "file"), text(value, "error")) {
                (_, Some(error)) => Err(error),
                (Some(file), None) => Ok(file),
                (None, None) => Err("the worker sent neither a file nor an error".into()),
            }),
            "crashed" => Self::Crashed {
                message: text(value, "message").unwrap_or_else(|| {
                    "the training code on the page stopped with an error".into()
                }),
            },
            other => return Err(format!("an unknown message '{other}'")),
        })
    }
}
