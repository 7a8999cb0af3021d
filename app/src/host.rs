//! The browser's [`Host`]: cuts training into slices that yield to the event loop, waits while
//! paused, and hands events to the UI in batches a few times a second.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use mlds_core::{Event, Flow, Host};
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
    pending: Vec<Event>,
    slice_start: Instant,
    last_delivery: Option<Instant>,
}

impl BrowserHost {
    pub fn new(control: Rc<RunControl>, deliver: Callback<Vec<Event>>) -> Self {
        Self {
            control,
            deliver,
            pending: Vec::new(),
            slice_start: Instant::now(),
            last_delivery: None,
        }
    }

    pub fn flush(&mut self) {
        if !self.pending.is_empty() {
            self.deliver.emit(std::mem::take(&mut self.pending));
        }
        self.last_delivery = Some(Instant::now());
    }
}

/// A macrotask boundary: the browser can paint and handle input before the run goes on.
async fn yield_to_page() {
    TimeoutFuture::new(0).await;
}

impl Host for BrowserHost {
    fn emit(&mut self, event: Event) {
        let urgent = !matches!(
            event,
            Event::Losses { .. } | Event::Predictions { .. } | Event::TrainMetrics { .. }
        );
        self.pending.push(event);
        // The first points and every terminal event show at once; the rest are batched.
        if urgent
            || self
                .last_delivery
                .is_none_or(|t| t.elapsed().as_millis() >= DELIVER_MS)
        {
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
