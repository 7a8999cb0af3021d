//! The training worker: runs jobs (experiment queries, see `mlds_core::job`) off
//! the page's main thread and posts their events back, so the page only renders. With
//! `workers=0` the page loads this same code onto itself, once, and talks to it over
//! `MessageChannel` ports with the same messages (`connect`): the page's own wasm then needs
//! no burn at all.
//!
//! In: `{type: "start", query, backend, dataset?, given?}` (`backend`: `cpu` or `webgpu`;
//! `given`: events of the units the job waits for), `{type: "pause", seq}`, `{type: "resume"}`,
//! `{type: "stop"}`, `{type: "combine", query, events, seq, fresh}` (a run's merged stream
//! to combine: E3's projections, computed here so the page only renders), and `{type:
//! "parse", kind, title, files}` (dataset files to parse off the page's thread; answered by
//! `{type: "parsed", dataset | error}`). Out: `{type:
//! "ready", build}` once loaded (messages sent before are lost), `{type: "events", events}` a
//! few times a second, `{type: "paused", seq}`, `{type: "combined", events, seq}`,
//! `{type: "finished"}`; on the page also `{type: "crashed", message}` when this code panicked
//! (in a worker, the worker's `error` event says it).
//!
//! Pause is a handshake: at its next checkpoint the job sends every event it computed before
//! the pause, then `paused` with the pause's `seq`, and computes nothing until `resume` or
//! `stop`. So once the page has every worker's `paused`, nothing of the run moves.

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::Device;

use js_sys::{Object, Reflect};
use mlds_app::host::{yield_by_message, Outlet, RunControl, SlicedHost};
use mlds_app::workers::dataset_js::{dataset_from_js, dataset_to_js, files_from_js};
use mlds_core::data::{dataset_from_files, DatasetKind, ImageDataset};
use mlds_core::engine::merge::Combine;
use mlds_core::job::Job;
use mlds_core::{Event, Host};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

#[wasm_bindgen]
extern "C" {
    /// Where a connection's messages come from and go to: the worker's own scope, or on the
    /// page a `MessagePort` (both have `onmessage` and `postMessage(message)`).
    type PageLink;
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &PageLink, handler: &js_sys::Function);
    #[wasm_bindgen(method, catch, js_name = postMessage)]
    fn post_message(this: &PageLink, message: &JsValue) -> Result<(), JsValue>;
}

/// One page-side "worker": in a worker, the worker itself; on the page, one port. Each has its
/// own run (pause, stop) and combining step.
struct Connection {
    endpoint: PageLink,
    /// The page's pause and stop for the job this connection runs.
    control: Rc<RunControl>,
    /// The combining step of the run this connection combines for.
    combine: RefCell<Option<Box<dyn Combine>>>,
}

thread_local! {
    /// This instance's WebGPU device (one per worker, or one for the page), or why there is none.
    static WEBGPU: RefCell<Option<Result<Device, String>>> = const { RefCell::new(None) };
    /// Every connection, so that a panic on the page can tell each (see `main`).
    static CONNECTIONS: RefCell<Vec<Rc<Connection>>> = const { RefCell::new(Vec::new()) };
}

/// Whether this code runs in a dedicated worker (otherwise: on the page, for `workers=0`).
fn in_worker() -> bool {
    js_sys::global().has_type::<DedicatedWorkerGlobalScope>()
}

impl Connection {
    fn post(&self, kind: &str, field: Option<(&str, JsValue)>) {
        let message = Object::new();
        let _ = Reflect::set(&message, &"type".into(), &kind.into());
        if let Some((key, value)) = field {
            let _ = Reflect::set(&message, &key.into(), &value);
        }
        let _ = self.endpoint.post_message(&message);
    }
}

/// A job's events and pause acknowledgements, as messages to the page.
struct ToPage(Rc<Connection>);

impl Outlet for ToPage {
    /// Each delivery redraws the page's charts: a few times a second is enough.
    const DELIVER_MS: u128 = 150;
    const PAUSE_POLL_MS: u32 = 20;

    fn deliver(&mut self, events: Vec<Event>) {
        match to_js(&events) {
            Ok(events) => self.0.post("events", Some(("events", events))),
            Err(e) => self.0.post("failed", Some(("message", e.into()))),
        }
    }

    fn paused(&mut self, seq: u32) {
        self.0.post("paused", Some(("seq", seq.into())));
    }

    /// A message to itself: in a worker the page's pause and stop arrive meanwhile; on the page
    /// the browser paints and handles input too (a task, not a microtask).
    async fn yield_now(&mut self) {
        yield_by_message().await;
    }
}

fn field(value: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(value, &key.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// The dataset the page sent (`{name, train, test}`), if any.
fn dataset(message: &JsValue) -> Result<Option<ImageDataset>, String> {
    match field(message, "dataset") {
        None => Ok(None),
        Some(d) => dataset_from_js(&d)
            .map(Some)
            .ok_or_else(|| "the page sent a malformed dataset to the training worker".into()),
    }
}

/// Parse the dataset files the page sent (`{kind, title, files}`) and answer `parsed` with the
/// dataset or the error, in words.
fn parse(connection: &Connection, message: &JsValue) {
    let text = |key| field(message, key).and_then(|v| v.as_string());
    let parsed = text("kind")
        .as_deref()
        .and_then(DatasetKind::parse)
        .zip(field(message, "files").as_ref().and_then(files_from_js))
        .ok_or_else(|| "the page sent a malformed request to parse a dataset".to_string())
        .and_then(|(kind, files)| {
            let title = text("title").unwrap_or_else(|| kind.title().into());
            dataset_from_files(kind, &title, &files).map_err(|e| e.to_string())
        });
    match parsed {
        Ok(d) => connection.post("parsed", Some(("dataset", dataset_to_js(&d)))),
        Err(e) => connection.post("parsed", Some(("error", e.as_str().into()))),
    }
}

/// The events of the units this job waits for, as the page sent them (E9a's line: the trained
/// models' weights), if any.
fn given(message: &JsValue) -> Result<Vec<Event>, String> {
    match field(message, "given") {
        None => Ok(Vec::new()),
        Some(events) => serde_wasm_bindgen::from_value(events)
            .map_err(|e| format!("the page sent malformed input to the training worker: {e}")),
    }
}

/// This instance's WebGPU device, initialised on its first WebGPU job (each worker needs its
/// own adapter and device; on the page, one for every run), or why there is none.
async fn webgpu() -> Result<Device, String> {
    if let Some(known) = WEBGPU.with(|w| w.borrow().clone()) {
        return known;
    }
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).unwrap_or_default();
    let exposed = Reflect::has(&navigator, &"gpu".into()).unwrap_or(false);
    let (missing, place) = match in_worker() {
        true => ("this browser does not offer WebGPU to workers (navigator.gpu is missing there); run it on the page with workers=0 in the link", "the training worker"),
        false => ("this browser does not expose WebGPU (navigator.gpu is missing)", "the page"),
    };
    let device = match exposed {
        false => Err(missing.to_string()),
        true => Device::wgpu_options()
            .init_async()
            .await
            .map_err(|e| format!("WebGPU could not start in {place}: {e}")),
    };
    WEBGPU.with(|w| *w.borrow_mut() = Some(device.clone()));
    device
}

async fn run(connection: Rc<Connection>, message: JsValue) {
    let mut host = SlicedHost::new(connection.control.clone(), ToPage(connection.clone()));
    let query = field(&message, "query")
        .and_then(|q| q.as_string())
        .unwrap_or_default();
    let device = match field(&message, "backend")
        .and_then(|b| b.as_string())
        .as_deref()
    {
        Some("webgpu") => webgpu().await,
        _ => Ok(Device::flex()),
    };
    let prepared = Job::parse(&query)
        .and_then(|(job, _)| Ok(job.given(&given(&message)?)))
        .and_then(|job| Ok((job, dataset(&message)?, device?)));
    match prepared {
        Ok((job, images, device)) => {
            job.run(images.as_ref(), &device, &mut host).await;
        }
        Err(message) => host.emit(Event::Error { message }),
    }
    host.flush();
    connection.post("finished", None);
}

/// Events as the page reads them.
fn to_js(events: &[Event]) -> Result<JsValue, String> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    events.serialize(&serializer).map_err(|e| e.to_string())
}

/// Combine a part of a run's merged stream (the whole of it, over its messages, in order) and
/// send it back, with the request's `seq`.
fn combine(connection: &Connection, message: &JsValue) {
    let seq = field(message, "seq")
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0);
    let fresh = field(message, "fresh").and_then(|f| f.as_bool()) == Some(true);
    let events: Result<Vec<Event>, String> = match field(message, "events") {
        Some(events) => serde_wasm_bindgen::from_value(events).map_err(|e| e.to_string()),
        None => Ok(Vec::new()),
    };
    let combined = {
        let mut c = connection.combine.borrow_mut();
        if fresh {
            let query = field(message, "query").and_then(|q| q.as_string());
            *c = query
                .and_then(|q| Job::parse(&q).ok())
                .and_then(|(job, _)| job.plan(usize::MAX)?.combine);
        }
        events
            .map_err(|e| format!("the page sent unreadable events to combine ({e})"))
            .and_then(|events| match c.as_mut() {
                Some(combine) => Ok(combine.absorb(events)),
                None => Err("this run has no combining step".to_string()),
            })
    };
    let events = combined.unwrap_or_else(|message| vec![Event::Error { message }]);
    let reply = Object::new();
    let _ = Reflect::set(&reply, &"type".into(), &"combined".into());
    let _ = Reflect::set(&reply, &"seq".into(), &seq.into());
    match to_js(&events) {
        Ok(events) => {
            let _ = Reflect::set(&reply, &"events".into(), &events);
            let _ = connection.endpoint.post_message(&reply);
        }
        Err(e) => connection.post("failed", Some(("message", e.into()))),
    }
}

/// Take the page's messages from `endpoint` and answer there, then say "ready".
fn serve(endpoint: PageLink) {
    let connection = Rc::new(Connection {
        endpoint,
        control: Rc::default(),
        combine: RefCell::new(None),
    });
    let this = connection.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        let message = e.data();
        match field(&message, "type")
            .and_then(|t| t.as_string())
            .as_deref()
        {
            Some("start") => {
                this.control.reset();
                wasm_bindgen_futures::spawn_local(run(this.clone(), message));
            }
            Some("pause") => {
                let seq = field(&message, "seq").and_then(|s| s.as_f64());
                this.control.pause_numbered(seq.unwrap_or(0.0) as u32);
            }
            Some("combine") => combine(&this, &message),
            Some("parse") => parse(&this, &message),
            Some("resume") => this.control.pause(false),
            Some("stop") => this.control.stop(),
            _ => {}
        }
    });
    connection
        .endpoint
        .set_onmessage(on_message.as_ref().unchecked_ref());
    // Lives as long as the worker, or on the page as long as the port (the page keeps its
    // ports for later runs, like its workers).
    on_message.forget();
    // The page checks that the worker is of its own build.
    connection.post("ready", Some(("build", mlds_app::workers::BUILD_ID.into())));
    CONNECTIONS.with(|c| c.borrow_mut().push(connection));
}

/// On the page (`workers=0`): serve the page over `port` (one end of a `MessageChannel`), as a
/// worker serves it over its own scope.
#[wasm_bindgen]
pub fn connect(port: JsValue) {
    serve(port.unchecked_into());
}

/// Panic here, as a defect in the training code would: how the browser tests check that a
/// panic on the page (`workers=0`) is reported in the page and refuses later runs there (the
/// page never calls it).
#[doc(hidden)]
#[wasm_bindgen]
pub fn panic_for_tests(reason: &str) {
    panic!("{reason}");
}

fn main() {
    mlds_app::run_constructors();
    if in_worker() {
        console_error_panic_hook::set_once();
        serve(js_sys::global().unchecked_into());
        return;
    }
    // On the page a panic here aborts this instance only: the page's runs on it are lost, and
    // say so (in a worker, the worker's `error` event tells the page).
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        // One line: "panicked at file:line:" and the panic's message.
        let what = info.to_string().replace('\n', " ");
        let message = format!("the training code on the page stopped with an error ({what}); reload the page to train again");
        CONNECTIONS.with(|c| {
            if let Ok(connections) = c.try_borrow() {
                for connection in connections.iter() {
                    connection.post("crashed", Some(("message", message.as_str().into())));
                }
            }
        });
    }));
}
