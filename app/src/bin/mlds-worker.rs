//! The training worker: runs jobs (experiment queries, see `mlds_core::experiments::job`) off
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

use std::cell::{Cell, RefCell};

use burn::tensor::Device;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Object, Reflect, Uint8Array};
use mlds_core::data::{ImageDataset, ImageSet, ImageShape};
use mlds_core::experiments::job::Job;
use mlds_core::experiments::merge::Combine;
use mlds_core::{Event, EventBatch, Flow, Host};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};
use web_time::Instant;

#[cfg(target_family = "wasm")]
unsafe extern "C" {
    fn __wasm_call_ctors();
}

thread_local! {
    static WEBGPU: RefCell<Option<Result<Device, String>>> = const { RefCell::new(None) };
    static PAUSED: Cell<bool> = const { Cell::new(false) };
    /// The latest pause's number, and the latest one acknowledged.
    static PAUSE_SEQ: Cell<u32> = const { Cell::new(0) };
    static ACKNOWLEDGED: Cell<Option<u32>> = const { Cell::new(None) };
    static STOPPED: Cell<bool> = const { Cell::new(false) };
    /// The combining step of the run this worker combines for.
    static COMBINE: RefCell<Option<Box<dyn Combine>>> = RefCell::new(None);
}

const SLICE_MS: u128 = 30;
/// How often events go to the page: each delivery redraws its charts, a few times a second is
/// enough.
const POST_MS: u128 = 150;

#[wasm_bindgen]
extern "C" {
    /// The platform's `MessageChannel`, declared here rather than through web-sys features
    /// (which would rebuild burn's wgpu).
    type MessageChannel;
    #[wasm_bindgen(constructor)]
    fn new() -> MessageChannel;
    #[wasm_bindgen(method, getter)]
    fn port1(this: &MessageChannel) -> Port;
    #[wasm_bindgen(method, getter)]
    fn port2(this: &MessageChannel) -> Port;

    type Port;
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &Port, handler: &js_sys::Function);
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post_message(this: &Port, message: &JsValue);
}

/// Let the worker's event loop run (the page's pause and stop arrive as messages): a message
/// to itself, a task that runs at once, where a `setTimeout(0)` from within a timer's task
/// waits at least 4 ms (browsers clamp nested timers), an eighth of a 30 ms slice.
async fn yield_to_event_loop() {
    let channel = MessageChannel::new();
    let arrived = js_sys::Promise::new(&mut |resolve, _| channel.port1().set_onmessage(&resolve));
    channel.port2().post_message(&JsValue::NULL);
    let _ = wasm_bindgen_futures::JsFuture::from(arrived).await;
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

/// Events to the page, in batches; pause and stop from the page's messages.
struct WorkerHost {
    batch: EventBatch,
    slice_start: Instant,
}

impl WorkerHost {
    fn flush(&mut self) {
        let events = self.batch.take();
        if !events.is_empty() {
            match to_js(&events) {
                Ok(events) => post("events", Some(("events", events))),
                Err(e) => post("failed", Some(("message", e.into()))),
            }
        }
    }
}

impl Host for WorkerHost {
    fn emit(&mut self, event: Event) {
        if self.batch.push(event) {
            self.flush();
        }
    }

    async fn checkpoint(&mut self) -> Flow {
        // Yield to the worker's event loop now and then, so pause and stop arrive.
        if self.slice_start.elapsed().as_millis() >= SLICE_MS {
            yield_to_event_loop().await;
            self.slice_start = Instant::now();
        }
        while PAUSED.get() && !STOPPED.get() {
            let seq = PAUSE_SEQ.get();
            if ACKNOWLEDGED.replace(Some(seq)) != Some(seq) {
                // Everything computed before the pause goes first, then the acknowledgement.
                self.flush();
                post("paused", Some(("seq", seq.into())));
            }
            TimeoutFuture::new(20).await;
            self.slice_start = Instant::now();
        }
        if STOPPED.get() {
            Flow::Stop
        } else {
            Flow::Continue
        }
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
    let mut host = WorkerHost {
        batch: EventBatch::new(POST_MS),
        slice_start: Instant::now(),
    };
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
    // SAFETY: as in the page's main: the constructor runner, once, before anything else.
    #[cfg(target_family = "wasm")]
    unsafe {
        __wasm_call_ctors();
    }
    console_error_panic_hook::set_once();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(|e: MessageEvent| {
        let message = e.data();
        match field(&message, "type")
            .and_then(|t| t.as_string())
            .as_deref()
        {
            Some("start") => {
                PAUSED.set(false);
                ACKNOWLEDGED.set(None);
                STOPPED.set(false);
                wasm_bindgen_futures::spawn_local(run(message));
            }
            Some("pause") => {
                let seq = field(&message, "seq").and_then(|s| s.as_f64());
                PAUSE_SEQ.set(seq.unwrap_or(0.0) as u32);
                PAUSED.set(true);
            }
            Some("combine") => combine(&message),
            Some("resume") => PAUSED.set(false),
            Some("stop") => STOPPED.set(true),
            _ => {}
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The page checks that the worker is of its own build.
    post("ready", Some(("build", env!("MLDS_BUILD_ID").into())));
}
