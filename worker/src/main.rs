//! The training worker: runs jobs (experiment queries, see `mlds_core::job`) off
//! the page's main thread and posts their events back, so the page only renders. With
//! `workers=0` the page loads this same code onto itself, once, and talks to it over
//! `MessageChannel` ports with the same messages (`connect`): the page's own wasm then needs
//! no burn at all.
//!
//! The messages it takes and sends are `mlds_protocol`'s `ToWorker` and `ToPage` (see that
//! crate's `message` module for the conversation, pause's handshake included).

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::Device;

mod host;

use js_sys::Reflect;
use mlds_core::data::{dataset_from_files, DatasetKind, ImageDataset};
use mlds_core::engine::merge::Combine;
use mlds_core::job::Job;
use mlds_core::run_file::open;
use mlds_core::{Event, Host};
use mlds_protocol::channel::yield_by_message;
use mlds_protocol::dataset_js::{dataset_from_js, dataset_to_js, files_from_js};
use mlds_protocol::file_js::opened_to_js;
use mlds_protocol::js::text;
use mlds_protocol::{ToPage, ToWorker, BUILD_ID};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use host::{Outlet, RunControl, SlicedHost};

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
    fn post(&self, message: ToPage) {
        let sent = message.to_js().map(|m| self.endpoint.post_message(&m));
        if let Err(why) = sent {
            // Events that cannot be written as JS values (none known): the job fails in words.
            let failed = ToPage::Failed { message: why }.to_js();
            if let Ok(failed) = failed {
                let _ = self.endpoint.post_message(&failed);
            }
        }
    }
}

/// A job's events and pause acknowledgements, as messages to the page.
struct JobOutlet(Rc<Connection>);

impl Outlet for JobOutlet {
    /// Each delivery redraws the page's charts: a few times a second is enough.
    const DELIVER_MS: u128 = 150;
    const PAUSE_POLL_MS: u32 = 20;

    fn deliver(&mut self, events: Vec<Event>) {
        self.0.post(ToPage::Events(events));
    }

    fn paused(&mut self, seq: u32) {
        self.0.post(ToPage::Paused { seq });
    }

    /// A message to itself: in a worker the page's pause and stop arrive meanwhile; on the page
    /// the browser paints and handles input too (a task, not a microtask).
    async fn yield_now(&mut self) {
        yield_by_message().await;
    }
}

/// The dataset the page sent (`{name, train, test}`), if any.
fn dataset(dataset: Option<&JsValue>) -> Result<Option<ImageDataset>, String> {
    match dataset {
        None => Ok(None),
        Some(d) => dataset_from_js(d)
            .map(Some)
            .ok_or_else(|| "the page sent a malformed dataset to the training worker".into()),
    }
}

/// Parse the dataset files the page sent and answer with the dataset or the error, in words.
fn parse(connection: &Connection, kind: &str, title: &str, files: &JsValue) {
    let parsed = DatasetKind::parse(kind)
        .zip(files_from_js(files))
        .ok_or_else(|| "the page sent a malformed request to parse a dataset".to_string())
        .and_then(|(kind, files)| {
            let title = if title.is_empty() {
                kind.title()
            } else {
                title
            };
            dataset_from_files(kind, title, &files).map_err(|e| e.to_string())
        });
    connection.post(ToPage::Parsed(parsed.map(|d| dataset_to_js(&d))));
}

/// Read the run or report file the page sent and answer with its runs, in slices, or why it
/// cannot be opened, in words that name it.
fn read(connection: &Connection, name: &str, bytes: &JsValue) {
    let read = match bytes.dyn_ref::<js_sys::Uint8Array>() {
        Some(bytes) => open(name, bytes.to_vec()).map(|opened| opened_to_js(&opened)),
        None => Err("the page sent a malformed request to read a file".into()),
    };
    connection.post(ToPage::Read(read));
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

/// Run the job `query` on `backend` and say when it has finished.
async fn run(
    connection: Rc<Connection>,
    query: String,
    backend: String,
    images: Option<JsValue>,
    given: Vec<Event>,
) {
    let mut host = SlicedHost::new(connection.control.clone(), JobOutlet(connection.clone()));
    let device = match backend.as_str() {
        "webgpu" => webgpu().await,
        _ => Ok(Device::flex()),
    };
    let prepared = Job::parse(&query)
        .map(|(job, _)| job.given(&given))
        .and_then(|job| Ok((job, dataset(images.as_ref())?, device?)));
    match prepared {
        Ok((job, images, device)) => {
            job.run(images.as_ref(), &device, &mut host).await;
        }
        Err(message) => host.emit(Event::Error { message }),
    }
    host.flush();
    connection.post(ToPage::Finished);
}

/// Combine a part of a run's merged stream (the whole of it, over its messages, in order) and
/// send it back, with the request's `seq`.
fn combine(connection: &Connection, query: &str, events: Vec<Event>, seq: u32, fresh: bool) {
    let combined = {
        let mut c = connection.combine.borrow_mut();
        if fresh {
            *c = Job::parse(query)
                .ok()
                .and_then(|(job, _)| job.plan(usize::MAX)?.combine);
        }
        match c.as_mut() {
            Some(combine) => Ok(combine.absorb(events)),
            None => Err("this run has no combining step".to_string()),
        }
    };
    let events = combined.unwrap_or_else(|message| vec![Event::Error { message }]);
    connection.post(ToPage::Combined { seq, events });
}

/// A request the worker cannot read: the job it belongs to fails in words (a start that
/// cannot be read has also finished, so the page gives the worker its next job).
fn refuse(connection: &Connection, request: &JsValue, why: String) {
    let message = format!("the page sent the training worker {why}");
    connection.post(ToPage::Failed { message });
    if text(request, "type").as_deref() == Some("start") {
        connection.post(ToPage::Finished);
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
        match ToWorker::from_js(&e.data()) {
            Ok(ToWorker::Start {
                query,
                backend,
                dataset,
                given,
            }) => {
                this.control.reset();
                let run = run(this.clone(), query, backend, dataset, given);
                wasm_bindgen_futures::spawn_local(run);
            }
            Ok(ToWorker::Pause { seq }) => this.control.pause_numbered(seq),
            Ok(ToWorker::Resume) => this.control.pause(false),
            Ok(ToWorker::Stop) => this.control.stop(),
            Ok(ToWorker::Combine {
                query,
                events,
                seq,
                fresh,
            }) => combine(&this, &query, events, seq, fresh),
            Ok(ToWorker::Parse { kind, title, files }) => parse(&this, &kind, &title, &files),
            Ok(ToWorker::Read { name, bytes }) => read(&this, &name, &bytes),
            Err(why) => refuse(&this, &e.data(), why),
        }
    });
    connection
        .endpoint
        .set_onmessage(on_message.as_ref().unchecked_ref());
    // Lives as long as the worker, or on the page as long as the port (the page keeps its
    // ports for later runs, like its workers).
    on_message.forget();
    // The page checks that the worker is of its own build.
    connection.post(ToPage::Ready {
        build: BUILD_ID.into(),
    });
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
    mlds_protocol::run_constructors();
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
                    let message = message.clone();
                    connection.post(ToPage::Crashed { message });
                }
            }
        });
    }));
}
