//! The browser's [`Host`] for runs on the page (`workers=0`): cuts training into slices that
//! yield to the event loop, waits while paused, and hands events to the UI in batches a few
//! times a second. Pause is a handshake, as in a worker: at its next checkpoint the run hands
//! over what it computed, then says it holds (`on_paused`).

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
    paused: Cell<bool>,
    /// The latest pause's number (a pause, resume and pause within one wait is acknowledged
    /// twice).
    pause_seq: Cell<u32>,
    pub stopped: Cell<bool>,
}

impl RunControl {
    pub fn pause(&self, paused: bool) {
        if paused {
            self.pause_seq.set(self.pause_seq.get().wrapping_add(1));
        }
        self.paused.set(paused);
    }
}

pub struct BrowserHost {
    control: Rc<RunControl>,
    deliver: Callback<Vec<Event>>,
    on_paused: Callback<()>,
    /// The pause last acknowledged.
    acknowledged: Option<u32>,
    batch: EventBatch,
    slice_start: Instant,
}

impl BrowserHost {
    pub fn new(
        control: Rc<RunControl>,
        deliver: Callback<Vec<Event>>,
        on_paused: Callback<()>,
    ) -> Self {
        Self {
            control,
            deliver,
            on_paused,
            acknowledged: None,
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
            let seq = self.control.pause_seq.get();
            if self.acknowledged.replace(seq) != Some(seq) {
                // What was computed before the pause first, then the acknowledgement.
                self.flush();
                self.on_paused.emit(());
            }
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
