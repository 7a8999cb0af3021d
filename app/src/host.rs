//! The browser's [`Host`]: cuts training into slices that yield to the event loop, waits while
//! paused, and hands events to the UI in batches a few times a second.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use mlds_core::{Event, EventBatch, Flow, Host};
use web_time::Instant;
use yew::Callback;

/// Longest stretch of work between two yields, so clicks and repaints stay prompt.
const SLICE_MS: u128 = 30;
/// How often batched events reach the UI (charts redraw on each delivery).
const DELIVER_MS: u128 = 120;

/// Buttons' side of a run.
#[derive(Default, Debug)]
pub struct RunControl {
    pub paused: Cell<bool>,
    pub stopped: Cell<bool>,
}

pub struct BrowserHost {
    control: Rc<RunControl>,
    deliver: Callback<Vec<Event>>,
    batch: EventBatch,
    slice_start: Instant,
}

impl BrowserHost {
    pub fn new(control: Rc<RunControl>, deliver: Callback<Vec<Event>>) -> Self {
        Self {
            control,
            deliver,
            batch: EventBatch::new(DELIVER_MS),
            slice_start: Instant::now(),
        }
    }

    pub fn flush(&mut self) {
        let events = self.batch.take();
        if !events.is_empty() {
            self.deliver.emit(events);
        }
    }
}

/// A macrotask boundary: the browser can paint and handle input before the run goes on.
async fn yield_to_page() {
    TimeoutFuture::new(0).await;
}

impl Host for BrowserHost {
    fn emit(&mut self, event: Event) {
        if self.batch.push(event) {
            self.flush();
        }
    }

    async fn checkpoint(&mut self) -> Flow {
        if self.slice_start.elapsed().as_millis() >= SLICE_MS {
            self.flush();
            yield_to_page().await;
            self.slice_start = Instant::now();
        }
        while self.control.paused.get() && !self.control.stopped.get() {
            self.flush();
            TimeoutFuture::new(50).await;
            self.slice_start = Instant::now();
        }
        if self.control.stopped.get() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }
}
