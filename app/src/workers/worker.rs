//! One training worker (`src/bin/mlds-worker.rs`) as the page sees it, and the page's idle
//! workers, kept between runs so that each is created and loaded once.
//!
//! The worker protocol. Page → worker: `{type: "load", module, build}` (to the loader script),
//! then `{type: "start", query, dataset?}`, `{type: "pause", seq}`, `{type: "resume" | "stop"}`;
//! to a worker that combines a run's merged stream (E3's projections), `{type: "combine",
//! query, events, seq, fresh}`. Worker → page: `{type: "ready", build}`, `{type: "events",
//! events}` a few times a second, `{type: "paused", seq}` once it has sent every event computed
//! before pause `seq` and holds, `{type: "combined", events, seq}`, `{type: "failed", message}`,
//! `{type: "finished"}` once a job has ended.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Object, Reflect};
use mlds_core::Event;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use super::code::{self, BUILD_ID};

/// What a worker tells the run it works for.
pub enum Message {
    Events(Vec<Event>),
    /// The job could not go on; the worker still reports `Finished`.
    Failed(String),
    /// The worker has sent every event computed before pause `seq`, and holds.
    Paused(u32),
    /// The combined stream of combine request `seq`.
    Combined(u32, Vec<Event>),
    /// The job has ended: the worker can take another.
    Finished,
    /// The worker is gone (it did not start, crashed or ran out of memory) and its job with it.
    Lost(String),
}

type Handler = Rc<dyn Fn(Message)>;

pub fn set(target: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &key.into(), value);
}

pub fn message(kind: &str) -> Object {
    let message = Object::new();
    set(&message, "type", &kind.into());
    message
}

fn text(data: &JsValue, key: &str) -> Option<String> {
    Reflect::get(data, &key.into()).ok()?.as_string()
}

fn seq(data: &JsValue) -> u32 {
    Reflect::get(data, &"seq".into())
        .ok()
        .and_then(|v| v.as_f64())
        .map_or(0, |n| n as u32)
}

fn events(data: &JsValue) -> Result<Vec<Event>, String> {
    let events = Reflect::get(data, &"events".into()).unwrap_or_default();
    serde_wasm_bindgen::from_value::<Vec<Event>>(events)
        .map_err(|e| format!("The training worker sent unreadable events ({e})."))
}

pub struct TrainingWorker {
    worker: Worker,
    ready: Cell<bool>,
    dead: Cell<bool>,
    /// Messages for a worker still loading (it would drop them): sent once it is ready.
    waiting: RefCell<Vec<JsValue>>,
    handler: RefCell<Option<Handler>>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

impl TrainingWorker {
    /// Create a worker and load the shared compiled code into it.
    fn spawn() -> Result<Rc<Self>, String> {
        let worker = Worker::new(&code::loader_url())
            .map_err(|e| format!("The training worker could not be created: {e:?}"))?;
        let this = Rc::new_cyclic(|weak: &Weak<Self>| {
            let on_message = {
                let weak = weak.clone();
                Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
                    if let Some(this) = weak.upgrade() {
                        this.receive(&e.data());
                    }
                })
            };
            // An `ErrorEvent` when the worker's code fails, a plain `Event` when its script
            // cannot be loaded: read the message only where there is one.
            let on_error = {
                let weak = weak.clone();
                Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
                    let reason = text(&e, "message")
                        .unwrap_or_else(|| "its script could not be loaded".into());
                    if let Some(this) = weak.upgrade() {
                        this.lose(format!(
                            "The training worker stopped with an error ({reason})"
                        ));
                    }
                })
            };
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            Self {
                worker,
                ready: Cell::new(false),
                dead: Cell::new(false),
                waiting: RefCell::new(Vec::new()),
                handler: RefCell::new(None),
                _on_message: on_message,
                _on_error: on_error,
            }
        });
        let weak = Rc::downgrade(&this);
        wasm_bindgen_futures::spawn_local(async move {
            let module = code::module().await;
            let Some(this) = weak.upgrade() else { return };
            match module {
                Ok(module) => {
                    let load = message("load");
                    set(&load, "module", &module);
                    set(&load, "build", &BUILD_ID.into());
                    if let Err(e) = this.worker.post_message(&load) {
                        this.lose(format!("The training worker could not be loaded: {e:?}"));
                    }
                }
                Err(why) => this.lose(format!("The training worker could not be loaded: {why}")),
            }
        });
        Ok(this)
    }

    /// Whom this worker's messages go to from now on.
    pub fn lease(&self, handler: Handler) {
        *self.handler.borrow_mut() = Some(handler);
    }

    pub fn is_dead(&self) -> bool {
        self.dead.get()
    }

    /// Send a message, at once or once the worker is ready.
    pub fn send(&self, message: &JsValue) {
        if self.dead.get() {
            return;
        }
        if self.ready.get() {
            let _ = self.worker.post_message(message);
        } else {
            self.waiting.borrow_mut().push(message.clone());
        }
    }

    fn tell(&self, message: Message) {
        // Cloned out first: the handler may lease this worker to someone else.
        let handler = self.handler.borrow().clone();
        if let Some(handler) = handler {
            handler(message);
        }
    }

    fn receive(&self, data: &JsValue) {
        match text(data, "type").as_deref() {
            Some("ready") => match text(data, "build") {
                Some(build) if build == BUILD_ID => {
                    self.ready.set(true);
                    for message in self.waiting.take() {
                        let _ = self.worker.post_message(&message);
                    }
                }
                other => self.lose(format!(
                    "The page and its training worker come from different builds (page {BUILD_ID}, worker {}): reload the page",
                    other.unwrap_or_else(|| "unknown".into())
                )),
            },
            Some("events") => self.tell(match events(data) {
                Ok(events) => Message::Events(events),
                Err(why) => Message::Failed(why),
            }),
            Some("combined") => self.tell(match events(data) {
                Ok(events) => Message::Combined(seq(data), events),
                Err(why) => Message::Combined(seq(data), vec![Event::Error { message: why }]),
            }),
            Some("paused") => self.tell(Message::Paused(seq(data))),
            Some("failed") => self.tell(Message::Failed(format!(
                "The training worker failed: {}",
                text(data, "message").unwrap_or_default()
            ))),
            Some("finished") => self.tell(Message::Finished),
            _ => {}
        }
    }

    fn lose(&self, reason: String) {
        if self.dead.replace(true) {
            return;
        }
        self.worker.terminate();
        self.tell(Message::Lost(reason));
    }
}

impl Drop for TrainingWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

thread_local! {
    /// Loaded workers with no job, kept for the next run.
    static IDLE: RefCell<Vec<Rc<TrainingWorker>>> = const { RefCell::new(Vec::new()) };
}

/// A worker for a new job: an idle one, or a new one.
pub fn acquire() -> Result<Rc<TrainingWorker>, String> {
    let idle = IDLE.with(|idle| {
        let mut idle = idle.borrow_mut();
        idle.retain(|w| !w.is_dead());
        idle.pop()
    });
    match idle {
        Some(worker) => Ok(worker),
        None => TrainingWorker::spawn(),
    }
}

/// Give back a worker whose job has ended: kept while there are fewer idle workers than
/// cores, ended otherwise.
pub fn release(worker: Rc<TrainingWorker>) {
    *worker.handler.borrow_mut() = None;
    if worker.is_dead() {
        return;
    }
    IDLE.with(|idle| {
        let mut idle = idle.borrow_mut();
        if idle.len() < super::cores() {
            idle.push(worker);
        }
    });
}
