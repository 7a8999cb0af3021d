//! The one [`Host`] of every run in the browser, in a training worker or in the training code
//! loaded onto the page (`workers=0`): it cuts training into slices that yield to the event
//! loop, waits while paused, and hands events on in batches a few times a second, through an
//! [`Outlet`] (the training code's: messages to the page).
//!
//! Pause is a handshake: at its next checkpoint the run hands over everything it computed
//! before the pause, then acknowledges the pause by its number, and computes nothing until
//! resumed or stopped. So once everything that computes a run has acknowledged, nothing moves.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use mlds_core::{Event, EventBatch, Flow, Host};
use web_time::Instant;

/// Longest stretch of work between two yields, so pause, stop, clicks and repaints stay prompt.
const SLICE_MS: u128 = 30;

/// Where a run's events and pause acknowledgements go, and how it lets its event loop run.
#[allow(async_fn_in_trait)] // used generically, never as a trait object
pub trait Outlet {
    /// How often batched events go out: each delivery redraws the page's charts.
    const DELIVER_MS: u128;
    /// How often a paused run looks whether it may go on.
    const PAUSE_POLL_MS: u32;
    fn deliver(&mut self, events: Vec<Event>);
    /// Everything computed before pause `seq` has been delivered; nothing moves now.
    fn paused(&mut self, seq: u32);
    /// Let the event loop run (messages arrive, the page paints).
    async fn yield_now(&mut self);
}

/// The buttons' side of a run: pause, resume and stop, read at every checkpoint.
#[derive(Default, Debug)]
pub struct RunControl {
    paused: Cell<bool>,
    /// The latest pause's number (a pause, resume and pause within one wait is acknowledged
    /// twice).
    pause_seq: Cell<u32>,
    stopped: Cell<bool>,
}

impl RunControl {
    /// The page's Pause and Resume: each pause gets the next number.
    pub fn pause(&self, paused: bool) {
        if paused {
            self.pause_seq.set(self.pause_seq.get().wrapping_add(1));
        }
        self.paused.set(paused);
    }

    /// A pause numbered by whoever asked (a worker acknowledges the page's number).
    pub fn pause_numbered(&self, seq: u32) {
        self.pause_seq.set(seq);
        self.paused.set(true);
    }

    pub fn stop(&self) {
        self.stopped.set(true);
    }

    /// Neither paused nor stopped: a new run starts.
    pub fn reset(&self) {
        self.paused.set(false);
        self.stopped.set(false);
    }
}

/// The [`Host`] of a browser run, delivering through `O`.
pub struct SlicedHost<O: Outlet> {
    control: Rc<RunControl>,
    outlet: O,
    /// The pause last acknowledged.
    acknowledged: Option<u32>,
    batch: EventBatch,
    slice_start: Instant,
}

impl<O: Outlet> SlicedHost<O> {
    pub fn new(control: Rc<RunControl>, outlet: O) -> Self {
        Self {
            control,
            outlet,
            acknowledged: None,
            batch: EventBatch::new(O::DELIVER_MS),
            slice_start: Instant::now(),
        }
    }

    /// Deliver whatever waits in the batch (at the end of a run, before a pause's answer).
    pub fn flush(&mut self) {
        let events = self.batch.take();
        if !events.is_empty() {
            self.outlet.deliver(events);
        }
    }
}

impl<O: Outlet> Host for SlicedHost<O> {
    fn emit(&mut self, event: Event) {
        if self.batch.push(event) {
            self.flush();
        }
    }

    async fn checkpoint(&mut self) -> Flow {
        if self.slice_start.elapsed().as_millis() >= SLICE_MS {
            self.outlet.yield_now().await;
            self.slice_start = Instant::now();
        }
        while self.control.paused.get() && !self.control.stopped.get() {
            let seq = self.control.pause_seq.get();
            if self.acknowledged.replace(seq) != Some(seq) {
                // What was computed before the pause first, then the acknowledgement.
                self.flush();
                self.outlet.paused(seq);
            }
            TimeoutFuture::new(O::PAUSE_POLL_MS).await;
            self.slice_start = Instant::now();
        }
        match self.control.stopped.get() {
            true => Flow::Stop,
            false => Flow::Continue,
        }
    }
}
