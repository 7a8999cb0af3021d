//! The training worker: runs jobs (experiment queries, see `mlds_core::job`) off
//! the page's main thread and posts their events back, so the page only renders.
//!
//! In: `{type: "start", query, backend, dataset?, given?}` (`backend`: `cpu` or `webgpu`;
//! `given`: events of the units the job waits for), `{type: "pause", seq}`, `{type: "resume"}`,
//! `{type: "stop"}`, and `{type: "combine", query, events, seq, fresh}` (a run's merged stream
//! to combine: E3's projections, computed here so the page only renders). Out: `{type:
//! "ready", build}` once loaded (messages sent before are lost), `{type: "events", events}` a
//! few times a second, `{type: "paused", seq}`, `{type: "combined", events, seq}`,
//! `{type: "finished"}`.
//!
//! Pause is a handshake: at its next checkpoint the job sends every event it computed before
//! the pause, then `paused` with the pause's `seq`, and computes nothing until `resume` or
//! `stop`. So once the page has every worker's `paused`, nothing of the run moves.

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::Device;

use js_sys::{Object, Reflect, Uint8Array};
use mlds_app::host::{yield_by_message, Outlet, RunControl, SlicedHost};
use mlds_core::data::{ImageDataset, ImageSet, ImageShape};
use mlds_core::engine::merge::Combine;
use mlds_core::job::Job;
use mlds_core::{Event, Host};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    static WEBGPU: RefCell<Option<Result<Device, String>>> = const { RefCell::new(None) };
    /// The page's pause and stop for the job this worker runs.
    static CONTROL: Rc<RunControl> = Rc::default();
    /// The combining step of the run this worker combines for.
    static COMBINE: RefCell<Option<Box<dyn Combine>>> = RefCell::new(None);
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(kind: &str, field: Option<(&str, JsValue)>) {
    let message = Object::new();
    let _ = Reflect::set(&message, &"type".into(), &kind.into());
    if let Some((key, value)) = field {
        let _ = Reflect::set(&message, &key.into(), &value);
    }
    let _ = scope().post_message(&message);
}

/// A job's events and pause acknowledgements, as messages to the page.
struct ToPage;

impl Outlet for ToPage {
    /// Each delivery redraws the page's charts: a few times a second is enough.
    const DELIVER_MS: u128 = 150;
    const PAUSE_POLL_MS: u32 = 20;

    fn deliver(&mut self, events: Vec<Event>) {
        match to_js(&events) {
            Ok(events) => post("events", Some(("events", events))),
            Err(e) => post("failed", Some(("message", e.into()))),
        }
    }

    fn paused(&mut self, seq: u32) {
        post("paused", Some(("seq", seq.into())));
    }

    async fn yield_now(&mut self) {
        yield_by_message().await;
    }
}

fn field(value: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(value, &key.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn image_set(value: &JsValue) -> Option<ImageSet> {
    let number = |key| field(value, key)?.as_f64().map(|n| n as usize);
    let bytes = |key| Some(field(value, key)?.dyn_into::<Uint8Array>().ok()?.to_vec());
    let shape = ImageShape {
        channels: number("channels")?,
        height: number("height")?,
        width: number("width")?,
    };
    ImageSet::new(shape, bytes("images")?, bytes("labels")?).ok()
}

/// The dataset the page sent (`{name, train, test}`), if any.
fn dataset(message: &JsValue) -> Result<Option<ImageDataset>, String> {
    let Some(d) = field(message, "dataset") else {
        return Ok(None);
    };
    let set = |key| field(&d, key).as_ref().and_then(image_set);
    match (
        field(&d, "name").and_then(|n| n.as_string()),
        set("train"),
        set("test"),
    ) {
        (Some(name), Some(train), Some(test)) => Ok(Some(ImageDataset { name, train, test })),
        _ => Err("the page sent a malformed dataset to the training worker".into()),
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

/// This worker's WebGPU device, initialised on its first WebGPU job (each worker needs its own
/// adapter and device), or why there is none.
async fn webgpu() -> Result<Device, String> {
    if let Some(known) = WEBGPU.with(|w| w.borrow().clone()) {
        return known;
    }
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).unwrap_or_default();
    let exposed = Reflect::has(&navigator, &"gpu".into()).unwrap_or(false);
    let device = match exposed {
        false => Err("this browser does not offer WebGPU to workers (navigator.gpu is missing there); run it on the page with workers=0 in the link".to_string()),
        true => Device::wgpu_options()
            .init_async()
            .await
            .map_err(|e| format!("WebGPU could not start in the training worker: {e}")),
    };
    WEBGPU.with(|w| *w.borrow_mut() = Some(device.clone()));
    device
}

async fn run(message: JsValue) {
    let mut host = SlicedHost::new(CONTROL.with(Rc::clone), ToPage);
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
    post("finished", None);
}

/// Events as the page reads them.
fn to_js(events: &[Event]) -> Result<JsValue, String> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    events.serialize(&serializer).map_err(|e| e.to_string())
}

/// Combine a part of a run's merged stream (the whole of it, over its messages, in order) and
/// send it back, with the request's `seq`.
fn combine(message: &JsValue) {
    let seq = field(message, "seq")
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0);
    let fresh = field(message, "fresh").and_then(|f| f.as_bool()) == Some(true);
    let events: Result<Vec<Event>, String> = match field(message, "events") {
        Some(events) => serde_wasm_bindgen::from_value(events).map_err(|e| e.to_string()),
        None => Ok(Vec::new()),
    };
    let combined = COMBINE.with(|c| {
        let mut c = c.borrow_mut();
        if fresh {
            let query = field(message, "query").and_then(|q| q.as_string());
            *c = query
                .and_then(|q| Job::parse(&q).ok())
                .and_then(|(job, _)| job.plan(usize::MAX)?.combine);
        }
        let events =
            events.map_err(|e| format!("the page sent unreadable events to combine ({e})"))?;
        match c.as_mut() {
            Some(combine) => Ok(combine.absorb(events)),
            None => Err("this run has no combining step".to_string()),
        }
    });
    let events = combined.unwrap_or_else(|message| vec![Event::Error { message }]);
    let reply = Object::new();
    let _ = Reflect::set(&reply, &"type".into(), &"combined".into());
    let _ = Reflect::set(&reply, &"seq".into(), &seq.into());
    match to_js(&events) {
        Ok(events) => {
            let _ = Reflect::set(&reply, &"events".into(), &events);
            let _ = scope().post_message(&reply);
        }
        Err(e) => post("failed", Some(("message", e.into()))),
    }
}

fn main() {
    mlds_app::run_constructors();
    console_error_panic_hook::set_once();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(|e: MessageEvent| {
        let message = e.data();
        match field(&message, "type")
            .and_then(|t| t.as_string())
            .as_deref()
        {
            Some("start") => {
                CONTROL.with(|c| c.reset());
                wasm_bindgen_futures::spawn_local(run(message));
            }
            Some("pause") => {
                let seq = field(&message, "seq").and_then(|s| s.as_f64());
                CONTROL.with(|c| c.pause_numbered(seq.unwrap_or(0.0) as u32));
            }
            Some("combine") => combine(&message),
            Some("resume") => CONTROL.with(|c| c.pause(false)),
            Some("stop") => CONTROL.with(|c| c.stop()),
            _ => {}
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The page checks that the worker is of its own build.
    post("ready", Some(("build", env!("MLDS_BUILD_ID").into())));
}
