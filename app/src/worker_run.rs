//! A run in a dedicated Web Worker (`mlds-worker`, built by trunk from `src/bin/mlds-worker.rs`):
//! the page sends the job's query (and the dataset's bytes), pause, resume and stop, and renders
//! the events the worker posts back. The main thread does no training at all.

use std::rc::Rc;

use js_sys::{Object, Reflect, Uint8Array};
use mlds_core::data::{ImageDataset, ImageSet};
use mlds_core::experiments::job::Job;
use mlds_core::Event;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};
use yew::Callback;

/// The worker's loader script (trunk's `data-loader-shim`), next to the page.
const LOADER: &str = "./mlds-worker_loader.js";

fn set(target: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &key.into(), value);
}

fn set_js(s: &ImageSet) -> Object {
    let o = Object::new();
    set(&o, "channels", &(s.shape.channels as f64).into());
    set(&o, "height", &(s.shape.height as f64).into());
    set(&o, "width", &(s.shape.width as f64).into());
    set(&o, "images", &Uint8Array::from(s.images.as_slice()));
    set(&o, "labels", &Uint8Array::from(s.labels.as_slice()));
    o
}

fn start_message(job: &Job, images: Option<&ImageDataset>) -> Object {
    let message = Object::new();
    set(&message, "type", &"start".into());
    set(&message, "query", &job.query().into());
    if let Some(d) = images {
        let dataset = Object::new();
        set(&dataset, "name", &d.name.as_str().into());
        set(&dataset, "train", &set_js(&d.train));
        set(&dataset, "test", &set_js(&d.test));
        set(&message, "dataset", &dataset);
    }
    message
}

fn command(kind: &str) -> Object {
    let message = Object::new();
    set(&message, "type", &kind.into());
    message
}

/// A worker running one job; dropping it ends the worker (and its handlers first, so no
/// message reaches a dropped closure).
pub struct WorkerRun {
    worker: Worker,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

impl WorkerRun {
    /// Start `job` in a new worker; its events go to `deliver`.
    pub fn start(
        job: &Job,
        images: Option<Rc<ImageDataset>>,
        deliver: Callback<Vec<Event>>,
    ) -> Result<Self, String> {
        let worker = Worker::new(LOADER)
            .map_err(|e| format!("The training worker could not be created: {e:?}"))?;
        let start = start_message(job, images.as_deref());
        let on_message = {
            let (worker, deliver) = (worker.clone(), deliver.clone());
            Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
                let data = e.data();
                let kind = Reflect::get(&data, &"type".into())
                    .ok()
                    .and_then(|t| t.as_string());
                match kind.as_deref() {
                    // Messages sent before the worker's wasm is up are lost: start on "ready".
                    Some("ready") => {
                        let _ = worker.post_message(&start);
                    }
                    Some("events") => {
                        let events = Reflect::get(&data, &"events".into()).unwrap_or_default();
                        match serde_wasm_bindgen::from_value::<Vec<Event>>(events) {
                            Ok(events) => deliver.emit(events),
                            Err(e) => deliver.emit(vec![Event::Error {
                                message: format!(
                                    "The training worker sent unreadable events ({e})."
                                ),
                            }]),
                        }
                    }
                    Some("failed") => {
                        let message = Reflect::get(&data, &"message".into())
                            .ok()
                            .and_then(|m| m.as_string())
                            .unwrap_or_default();
                        deliver.emit(vec![Event::Error {
                            message: format!("The training worker failed: {message}"),
                        }]);
                    }
                    Some("finished") => worker.terminate(),
                    _ => {}
                }
            })
        };
        // An `ErrorEvent` when the worker's code fails, a plain `Event` when its script cannot
        // be loaded: read the message only where there is one.
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
            let reason = Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "its script could not be loaded".into());
            deliver.emit(vec![Event::Error {
                message: format!(
                    "The training worker stopped with an error ({reason}); this run is lost. Start it again, or run it on the page (workers=0 in the link)."
                ),
            }]);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    pub fn pause(&self, paused: bool) {
        let _ = self
            .worker
            .post_message(&command(if paused { "pause" } else { "resume" }));
    }

    /// Ask the worker to stop: it reports `Stopped` and finishes.
    pub fn stop(&self) {
        let _ = self.worker.post_message(&command("stop"));
    }
}

impl Drop for WorkerRun {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
