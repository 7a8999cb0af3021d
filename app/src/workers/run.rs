//! A job run in workers. A sweep (`Job::units`) is queued unit by unit over a pool of workers,
//! each taking the next unit as it frees up, and their streams are merged into the sweep's;
//! any other job runs whole in one worker. Pause and stop reach every worker of the run.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use js_sys::{Object, Uint8Array};
use mlds_core::data::{ImageDataset, ImageSet};
use mlds_core::experiments::job::Job;
use mlds_core::experiments::merge::{Given, Merge};
use mlds_core::{BackendKind, Event};
use wasm_bindgen::JsValue;
use yew::Callback;

use super::worker::{acquire, message, release, set, Message, TrainingWorker};

fn image_set(s: &ImageSet) -> Object {
    let o = Object::new();
    set(&o, "channels", &(s.shape.channels as f64).into());
    set(&o, "height", &(s.shape.height as f64).into());
    set(&o, "width", &(s.shape.width as f64).into());
    set(&o, "images", &Uint8Array::from(s.images.as_slice()));
    set(&o, "labels", &Uint8Array::from(s.labels.as_slice()));
    o
}

fn dataset(d: &ImageDataset) -> JsValue {
    let dataset = Object::new();
    set(&dataset, "name", &d.name.as_str().into());
    set(&dataset, "train", &image_set(&d.train));
    set(&dataset, "test", &image_set(&d.test));
    dataset.into()
}

/// How often the page takes a run's events, at most.
const DELIVER_MS: u32 = 100;

struct Run {
    job: Job,
    backend: BackendKind,
    /// The dataset as the worker receives it, built once for all units.
    dataset: Option<JsValue>,
    /// Units not started yet (just `0`, the whole job, when it is no sweep).
    queue: VecDeque<usize>,
    /// The merge of its units' streams, where it runs as units.
    merge: Option<Box<dyn Merge>>,
    busy: Vec<(Rc<TrainingWorker>, usize)>,
    /// This run's workers waiting for `resume` to take the next unit.
    held: Vec<Rc<TrainingWorker>>,
    paused: bool,
    stopped: bool,
    /// Some worker finished a job: the workers' code works, a lost worker may be replaced.
    worked: bool,
    /// The run was replaced or its panel closed: its workers finish, nothing is shown.
    detached: bool,
    deliver: Callback<Vec<Event>>,
    /// Events not delivered yet, and the timer that delivers them.
    outbox: Vec<Event>,
    delivery: Option<Timeout>,
}

type Shared = Rc<RefCell<Run>>;

/// A job running in workers; dropping it stops the job.
pub struct WorkerRun(Shared);

impl WorkerRun {
    /// Start `job` on `backend`: a CPU sweep's units over up to `workers` workers (E1's and
    /// E2's models each in a worker of its own, as they train side by side), anything else
    /// whole in one worker (a WebGPU run is bound to one device).
    pub fn start(
        job: Job,
        images: Option<Rc<ImageDataset>>,
        backend: BackendKind,
        workers: usize,
        deliver: Callback<Vec<Event>>,
    ) -> Self {
        // Side by side (E1's and E2's models), every unit runs at once: so on one worker, the
        // job runs whole.
        let merge = job
            .merge()
            .filter(|m| backend == BackendKind::Cpu && (workers > 1 || !m.side_by_side()));
        let side_by_side = merge.as_ref().is_some_and(|m| m.side_by_side());
        let queue = match merge {
            // The costliest units first (the merge shows their curves in that order too).
            Some(_) => job.schedule().into(),
            None => [0].into(),
        };
        let run = Rc::new(RefCell::new(Run {
            job,
            backend,
            dataset: images.as_deref().map(dataset),
            queue,
            merge,
            busy: Vec::new(),
            held: Vec::new(),
            paused: false,
            stopped: false,
            worked: false,
            detached: false,
            deliver,
            outbox: Vec::new(),
            delivery: None,
        }));
        let units = run.borrow().queue.len().max(1);
        let size = match side_by_side {
            true => units,
            false => workers.clamp(1, units),
        };
        // The progress over all units from the start, so the page knows from the first event
        // that a lost unit leaves others to go on.
        let opening = run.borrow().merge.as_ref().map(|m| m.opening());
        self::deliver(&run, opening.unwrap_or_default());
        for _ in 0..size {
            match acquire() {
                Ok(worker) => next_unit(&run, worker),
                Err(why) => lose_queue(&run, &why),
            }
        }
        Self(run)
    }

    pub fn pause(&self, paused: bool) {
        let held = {
            let mut run = self.0.borrow_mut();
            run.paused = paused;
            let command = message(if paused { "pause" } else { "resume" });
            run.busy.iter().for_each(|(w, _)| w.send(&command));
            if paused {
                Vec::new()
            } else {
                std::mem::take(&mut run.held)
            }
        };
        for worker in held {
            next_unit(&self.0, worker);
        }
    }

    /// Stop every unit: running ones report `Stopped`, queued ones never start.
    pub fn stop(&self) {
        let (events, held) = {
            let mut guard = self.0.borrow_mut();
            let run = &mut *guard;
            run.stopped = true;
            let command = message("stop");
            run.busy.iter().for_each(|(w, _)| w.send(&command));
            let mut events = Vec::new();
            for unit in std::mem::take(&mut run.queue) {
                if let Some(merge) = &mut run.merge {
                    events.extend(merge.skip(unit, None));
                }
            }
            (events, std::mem::take(&mut run.held))
        };
        held.into_iter().for_each(release);
        deliver(&self.0, events);
    }
}

impl Drop for WorkerRun {
    fn drop(&mut self) {
        self.0.borrow_mut().detached = true;
        self.stop();
    }
}

/// Hand `events` to the page, coalesced: every delivery re-renders the panel and its charts,
/// and a run's workers each post a few times a second, so the page takes what they sent at
/// most every [`DELIVER_MS`] (the main thread's rendering would otherwise take a share of the
/// cores the workers train on).
fn deliver(run: &Shared, events: Vec<Event>) {
    let mut r = run.borrow_mut();
    if events.is_empty() || r.detached {
        return;
    }
    r.outbox.extend(events);
    if r.delivery.is_none() {
        let weak = Rc::downgrade(run);
        r.delivery = Some(Timeout::new(DELIVER_MS, move || {
            if let Some(run) = weak.upgrade() {
                deliver_now(&run);
            }
        }));
    }
}

fn deliver_now(run: &Shared) {
    let (deliver, events) = {
        let mut r = run.borrow_mut();
        r.delivery = None;
        (r.deliver.clone(), std::mem::take(&mut r.outbox))
    };
    if !events.is_empty() && !run.borrow().detached {
        deliver.emit(events);
    }
}

/// Events of `unit`, through the sweep's merge if there is one.
fn unit_events(run: &Shared, unit: usize, events: Vec<Event>) {
    let events = match &mut run.borrow_mut().merge {
        Some(merge) => merge.push(unit, events),
        None => events,
    };
    deliver(run, events);
}

/// Give `worker` the next unit, hold it while paused, or give it back.
fn next_unit(run: &Shared, worker: Rc<TrainingWorker>) {
    let mut guard = run.borrow_mut();
    let r = &mut *guard;
    if r.stopped || r.queue.is_empty() {
        drop(guard);
        release(worker);
        return;
    }
    if r.paused {
        r.held.push(worker);
        return;
    }
    let (unit, given, lost) = pick_unit(r);
    if !lost.is_empty() {
        drop(guard);
        deliver(run, lost);
        return next_unit(run, worker);
    }
    let Some(unit) = unit else {
        // Every queued unit waits for running ones (E9a's line): held until one ends.
        r.held.push(worker);
        return;
    };
    let job = match r.merge {
        Some(_) => r.job.unit(unit),
        None => r.job.clone(),
    };
    let start = message("start");
    set(&start, "query", &job.query().into());
    set(&start, "backend", &r.backend.id().into());
    if let Some(dataset) = &r.dataset {
        set(&start, "dataset", dataset);
    }
    if !given.is_empty() {
        set(&start, "given", &to_js(&given));
    }
    let (weak_run, weak_worker) = (Rc::downgrade(run), Rc::downgrade(&worker));
    worker.lease(Rc::new(move |m| {
        if let (Some(run), Some(worker)) = (weak_run.upgrade(), weak_worker.upgrade()) {
            on_message(&run, worker, unit, m);
        }
    }));
    worker.send(&start);
    r.busy.push((worker, unit));
}

/// The first queued unit that can start, taken from the queue, with what it is given; and the
/// events of queued units that never can (a unit they wait for was lost), taken too.
fn pick_unit(r: &mut Run) -> (Option<usize>, Vec<Event>, Vec<Event>) {
    let Some(merge) = &mut r.merge else {
        return (r.queue.pop_front(), Vec::new(), Vec::new());
    };
    let mut lost = Vec::new();
    let mut picked = None;
    r.queue.retain(|&unit| {
        if picked.is_some() {
            return true;
        }
        match merge.given(unit) {
            Given::Ready(given) => {
                picked = Some((unit, given));
                false
            }
            Given::Wait => true,
            Given::Never(why) => {
                lost.extend(merge.skip(unit, Some(&why)));
                false
            }
        }
    });
    match picked {
        Some((unit, given)) => (Some(unit), given, lost),
        None => (None, Vec::new(), lost),
    }
}

/// Events as the worker reads them (as it posts its own).
fn to_js(events: &[Event]) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    serde::Serialize::serialize(events, &serializer).unwrap_or(JsValue::NULL)
}

/// Workers held while every queued unit waited for running ones: one has ended, so they try
/// again (unless the run is paused: then they wait for resume).
fn retry_held(run: &Shared) {
    let held = {
        let mut r = run.borrow_mut();
        match r.paused {
            true => Vec::new(),
            false => std::mem::take(&mut r.held),
        }
    };
    for worker in held {
        next_unit(run, worker);
    }
}

/// The worker is no longer this run's (it finished or was lost).
fn unbusy(run: &Shared, worker: &Rc<TrainingWorker>) {
    run.borrow_mut()
        .busy
        .retain(|(w, _)| !Rc::ptr_eq(w, worker));
}

fn on_message(run: &Shared, worker: Rc<TrainingWorker>, unit: usize, message: Message) {
    match message {
        Message::Events(events) => unit_events(run, unit, events),
        Message::Failed(message) => unit_events(run, unit, vec![Event::Error { message }]),
        Message::Finished => {
            unbusy(run, &worker);
            run.borrow_mut().worked = true;
            next_unit(run, worker);
            retry_held(run);
        }
        Message::Lost(reason) => {
            unbusy(run, &worker);
            let message = match run.borrow().merge {
                Some(_) => reason,
                None => format!(
                    "{reason}; this run is lost. Start it again, or run it on the page (workers=0 in the link)."
                ),
            };
            unit_events(run, unit, vec![Event::Error { message }]);
            retry_held(run);
            replace_lost(run);
        }
    }
}

/// After a lost worker: the run's other workers take the queue; if none is left, a new worker
/// does — when workers have run jobs before (a worker that cannot start would fail again,
/// and then the queued units are reported lost).
fn replace_lost(run: &Shared) {
    let (left, worked, pending) = {
        let r = run.borrow();
        (
            r.busy.len() + r.held.len(),
            r.worked,
            !r.queue.is_empty() && !r.stopped,
        )
    };
    if left > 0 || !pending {
        return;
    }
    match worked.then(acquire) {
        Some(Ok(worker)) => next_unit(run, worker),
        Some(Err(why)) => lose_queue(run, &why),
        None => lose_queue(run, "no training worker could start to run it"),
    }
}

/// Report every queued unit lost, for `why`.
fn lose_queue(run: &Shared, why: &str) {
    let events = {
        let mut guard = run.borrow_mut();
        let r = &mut *guard;
        let queue = std::mem::take(&mut r.queue);
        match &mut r.merge {
            Some(merge) => queue
                .into_iter()
                .flat_map(|unit| merge.skip(unit, Some(why)))
                .collect(),
            None => vec![Event::Error {
                message: why.to_string(),
            }],
        }
    };
    deliver(run, events);
}
