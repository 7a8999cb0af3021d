//! One training worker (`worker/src/main.rs`) as the page sees it, and the page's idle
//! workers, kept between runs so that each is created and loaded once. With `workers=0` a
//! "worker" is a port to the worker's code loaded onto the page itself (`code::connect_on_page`):
//! the same messages, the same handling here, only no thread of its own.
//!
//! The messages are `mlds_protocol`'s ([`ToWorker`] to the worker, [`ToPage`] back), written and
//! read there; before them, the loader script (`static/worker-loader.js`) takes one `{type:
//! "load", module, build}` with the compiled code.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use mlds_core::Event;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use mlds_protocol::channel::MessageChannel;
use mlds_protocol::js::{number, text};
use mlds_protocol::message::load_message;
use mlds_protocol::{ToPage, ToWorker, BUILD_ID};

use super::code;

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
    /// What a `parse` request came to: the dataset as JS, or why not (see
    /// [`super::ask::parse_dataset`]).
    Parsed(Result<JsValue, String>),
    /// What a `read` request came to: the file's runs as JS, or why not (see
    /// [`super::ask::read_file`]).
    Read(Result<JsValue, String>),
    /// The worker is gone (it did not start, crashed or ran out of memory) and its job with it.
    Lost(String),
}

type Handler = Rc<dyn Fn(Message)>;

#[wasm_bindgen]
extern "C" {
    /// What the page talks to: a `Worker`, or one end of a `MessageChannel` whose other end the
    /// worker's code on the page serves (both have `onmessage` and `postMessage(message)`).
    type Endpoint;
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &Endpoint, handler: Option<&js_sys::Function>);
    #[wasm_bindgen(method, catch, js_name = postMessage)]
    fn post_message(this: &Endpoint, message: &JsValue) -> Result<(), JsValue>;
    /// A port's `close()`.
    #[wasm_bindgen(method)]
    fn close(this: &Endpoint);
}

pub struct TrainingWorker {
    endpoint: Endpoint,
    /// The dedicated worker; `None` for the worker's code on the page (`endpoint` is a port).
    worker: Option<Worker>,
    ready: Cell<bool>,
    dead: Cell<bool>,
    /// Messages for a worker still loading (it would drop them): sent once it is ready.
    waiting: RefCell<Vec<JsValue>>,
    handler: RefCell<Option<Handler>>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Option<Closure<dyn Fn(web_sys::Event)>>,
}

impl TrainingWorker {
    /// Create a worker and load the shared compiled code into it; or, `on_page`, a port to
    /// the worker's code loaded onto the page (loaded with the first).
    fn spawn(on_page: bool) -> Result<Rc<Self>, String> {
        let (worker, endpoint, port) = match on_page {
            true => {
                let channel = MessageChannel::new();
                (
                    None,
                    channel.port1().into(),
                    Some(JsValue::from(channel.port2())),
                )
            }
            false => {
                let worker = Worker::new(&code::loader_url())
                    .map_err(|e| format!("The training worker could not be created: {e:?}"))?;
                let endpoint = JsValue::from(worker.clone());
                (Some(worker), endpoint, None)
            }
        };
        let endpoint: Endpoint = endpoint.unchecked_into();
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
            endpoint.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            if let Some(worker) = &worker {
                worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            }
            Self {
                endpoint,
                _on_error: worker.is_some().then_some(on_error),
                worker,
                ready: Cell::new(false),
                dead: Cell::new(false),
                waiting: RefCell::new(Vec::new()),
                handler: RefCell::new(None),
                _on_message: on_message,
            }
        });
        let weak = Rc::downgrade(&this);
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(port) = port {
                let connected = code::connect_on_page(&port).await;
                if let (Err(why), Some(this)) = (connected, weak.upgrade()) {
                    this.lose(format!(
                        "The training code could not be loaded on the page: {why}"
                    ));
                }
                return;
            }
            let module = code::module().await;
            let Some(this) = weak.upgrade() else { return };
            match module {
                Ok(module) => {
                    let load = load_message(&module);
                    if let Err(e) = this.endpoint.post_message(&load) {
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
    pub fn send(&self, message: &ToWorker) {
        if self.dead.get() {
            return;
        }
        let message = match message.to_js() {
            Ok(message) => message,
            Err(why) => {
                return self.lose(format!(
                    "A message to the training worker could not be written ({why})"
                ));
            }
        };
        if self.ready.get() {
            let _ = self.endpoint.post_message(&message);
        } else {
            self.waiting.borrow_mut().push(message);
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
        let message = match ToPage::from_js(data) {
            Ok(message) => message,
            // Unreadable combined events still answer their request (the run waits for it).
            Err(why) if text(data, "type").as_deref() == Some("combined") => {
                let seq = number(data, "seq");
                let error = Event::Error {
                    message: format!("The training worker sent {why}."),
                };
                return self.tell(Message::Combined(seq.map_or(0, |s| s as u32), vec![error]));
            }
            Err(why) => {
                return self.tell(Message::Failed(format!("The training worker sent {why}.")))
            }
        };
        match message {
            ToPage::Ready { build } if build == BUILD_ID => {
                self.ready.set(true);
                for message in self.waiting.take() {
                    let _ = self.endpoint.post_message(&message);
                }
            }
            ToPage::Ready { build } => self.lose(format!(
                "The page and its training worker come from different builds (page {BUILD_ID}, worker {build}): reload the page"
            )),
            ToPage::Events(events) => self.tell(Message::Events(events)),
            ToPage::Combined { seq, events } => self.tell(Message::Combined(seq, events)),
            ToPage::Paused { seq } => self.tell(Message::Paused(seq)),
            ToPage::Failed { message } => {
                self.tell(Message::Failed(format!("The training worker failed: {message}")))
            }
            ToPage::Finished => self.tell(Message::Finished),
            ToPage::Parsed(parsed) => self.tell(Message::Parsed(parsed)),
            ToPage::Read(read) => self.tell(Message::Read(read)),
            ToPage::Crashed { message } => {
                code::crashed_on_page();
                self.lose(message);
            }
        }
    }

    fn lose(&self, reason: String) {
        if self.dead.replace(true) {
            return;
        }
        self.end();
        self.tell(Message::Lost(reason));
    }
}

impl TrainingWorker {
    pub fn on_page(&self) -> bool {
        self.worker.is_none()
    }

    /// Terminate the worker, or close the port.
    fn end(&self) {
        match &self.worker {
            Some(worker) => worker.terminate(),
            None => self.endpoint.close(),
        }
    }
}

impl Drop for TrainingWorker {
    fn drop(&mut self) {
        self.endpoint.set_onmessage(None);
        if let Some(worker) = &self.worker {
            worker.set_onerror(None);
        }
        self.end();
    }
}

thread_local! {
    /// Loaded workers with no job, kept for the next run.
    static IDLE: RefCell<Vec<Rc<TrainingWorker>>> = const { RefCell::new(Vec::new()) };
}

/// A worker for a new job (`on_page`: a port to the worker's code on the page): an idle one,
/// or a new one.
pub fn acquire(on_page: bool) -> Result<Rc<TrainingWorker>, String> {
    let idle = IDLE.with(|idle| {
        let mut idle = idle.borrow_mut();
        idle.retain(|w| !w.is_dead());
        let found = idle.iter().rposition(|w| w.on_page() == on_page)?;
        Some(idle.remove(found))
    });
    match idle {
        Some(worker) => Ok(worker),
        None => TrainingWorker::spawn(on_page),
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
