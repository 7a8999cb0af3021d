//! A job run in workers. A sweep is cut into parts (`Job::plan`: a unit each, or E1's and
//! E2's models in at most one group per worker) queued over a pool of workers, each taking the
//! next part as it frees up, and their streams are merged into the sweep's; where the merged
//! stream needs computing (E3's projections), a worker of its own combines it, so the page only
//! renders. Any other job runs whole in one worker. With `workers=0` every job runs whole, on
//! the page, in the worker's code loaded there (`worker::acquire(true)`).
//!
//! Pause is a handshake: the run is paused once every busy worker has acknowledged (after
//! sending what it computed before) and every event sent to the combining worker is back;
//! until then the panel shows `pausing`. Stop reaches every worker; queued parts never start.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use mlds_core::data::ImageDataset;
use mlds_core::engine::merge::Given;
use mlds_core::engine::plan::Plan;
use mlds_core::job::Job;
use mlds_core::{BackendKind, Event};
use wasm_bindgen::JsValue;
use yew::Callback;

use mlds_protocol::dataset_js::dataset_to_js;
use mlds_protocol::ToWorker;

use super::worker::{acquire, release, Message, TrainingWorker};
use super::Placement;

/// How often the page takes a run's events, at most.
const DELIVER_MS: u32 = 100;

struct Run {
    job: Job,
    /// The job runs in the worker's code on the page (`workers=0`), not in workers.
    on_page: bool,
    backend: BackendKind,
    /// The dataset as the worker receives it, built once for all units.
    dataset: Option<JsValue>,
    /// Parts not started yet (just `0`, the whole job, when it is not cut).
    queue: VecDeque<usize>,
    /// The job's parts and the merge of their streams, where it is cut.
    plan: Option<Plan>,
    busy: Vec<(Rc<TrainingWorker>, usize)>,
    /// This run's workers waiting for `resume` (or for a part they can take).
    held: Vec<Rc<TrainingWorker>>,
    paused: bool,
    /// The latest pause's number, the busy workers that have not acknowledged it yet, and
    /// whether the page was told the run is paused.
    pause_seq: u32,
    unacknowledged: Vec<Rc<TrainingWorker>>,
    acknowledged: bool,
    on_paused: Callback<()>,
    stopped: bool,
    /// Some worker finished a job: the workers' code works, a lost worker may be replaced.
    worked: bool,
    /// The run was replaced or its panel closed: its workers finish, nothing is shown.
    detached: bool,
    /// The worker that combines the merged stream, and the requests sent to it and answered.
    combiner: Option<Rc<TrainingWorker>>,
    combines_sent: u32,
    combines_answered: u32,
    deliver: Callback<Vec<Event>>,
    /// Events not delivered yet, and the timer that delivers them.
    outbox: Vec<Event>,
    delivery: Option<Timeout>,
}

type Shared = Rc<RefCell<Run>>;

/// A job running in workers; dropping it stops the job.
pub struct WorkerRun(Shared);

impl WorkerRun {
    /// Start `job` on `backend`: a CPU sweep's parts over up to `workers` workers (E1's and
    /// E2's models in as many groups, side by side), anything else whole in one worker (a
    /// WebGPU run is bound to one device); on the page, whole. `on_paused` is told when a
    /// pause has taken hold.
    pub fn start(
        job: Job,
        images: Option<Rc<ImageDataset>>,
        backend: BackendKind,
        placement: Placement,
        deliver: Callback<Vec<Event>>,
        on_paused: Callback<()>,
    ) -> Self {
        let (on_page, workers) = match placement {
            Placement::Page => (true, 1),
            Placement::Workers(n) => (false, n),
        };
        let mut plan = job
            .plan(workers)
            .filter(|_| backend == BackendKind::Cpu && !on_page);
        let combine = plan.as_mut().and_then(|p| p.combine.take()).is_some();
        let queue = match &plan {
            // The costliest parts first (the merge shows their curves in that order too).
            Some(plan) => plan.order.iter().copied().collect(),
            None => [0].into(),
        };
        let run = Rc::new(RefCell::new(Run {
            job,
            on_page,
            backend,
            dataset: images.as_deref().map(dataset_to_js),
            queue,
            plan,
            busy: Vec::new(),
            held: Vec::new(),
            paused: false,
            pause_seq: 0,
            unacknowledged: Vec::new(),
            acknowledged: false,
            on_paused,
            stopped: false,
            worked: false,
            detached: false,
            combiner: None,
            combines_sent: 0,
            combines_answered: 0,
            deliver,
            outbox: Vec::new(),
            delivery: None,
        }));
        let parts = run.borrow().queue.len().max(1);
        let size = workers.clamp(1, parts);
        if combine {
            start_combiner(&run);
        }
        // The progress over all units from the start, so the page knows from the first event
        // that a lost unit leaves others to go on.
        let opening = run.borrow().plan.as_ref().map(|p| p.merge.opening());
        merged(&run, opening.unwrap_or_default());
        for _ in 0..size {
            match acquire(on_page) {
                Ok(worker) => next_unit(&run, worker),
                Err(why) => lose_queue(&run, &why),
            }
        }
        Self(run)
    }

    /// Pause (every busy worker acknowledges, see the module's doc) or resume.
    pub fn pause(&self, paused: bool) {
        let held = {
            let mut run = self.0.borrow_mut();
            run.paused = paused;
            run.acknowledged = false;
            if paused {
                run.pause_seq += 1;
                let command = ToWorker::Pause { seq: run.pause_seq };
                run.busy.iter().for_each(|(w, _)| w.send(&command));
                run.unacknowledged = run.busy.iter().map(|(w, _)| w.clone()).collect();
                Vec::new()
            } else {
                run.unacknowledged.clear();
                let command = ToWorker::Resume;
                run.busy.iter().for_each(|(w, _)| w.send(&command));
                std::mem::take(&mut run.held)
            }
        };
        check_paused(&self.0);
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
            let command = ToWorker::Stop;
            run.busy.iter().for_each(|(w, _)| w.send(&command));
            let mut events = Vec::new();
            for unit in std::mem::take(&mut run.queue) {
                if let Some(plan) = &mut run.plan {
                    events.extend(plan.merge.skip(unit, None));
                }
            }
            (events, std::mem::take(&mut run.held))
        };
        held.into_iter().for_each(release);
        merged(&self.0, events);
    }
}

impl Drop for WorkerRun {
    fn drop(&mut self) {
        self.0.borrow_mut().detached = true;
        self.stop();
    }
}

/// Once every busy worker has acknowledged the pause and every combine request is answered:
/// hand the page what came before, then tell it the run is paused.
fn check_paused(run: &Shared) {
    let ready = {
        let mut r = run.borrow_mut();
        let ready = r.paused
            && !r.acknowledged
            && r.unacknowledged.is_empty()
            && r.combines_answered == r.combines_sent;
        r.acknowledged |= ready;
        ready
    };
    if ready {
        deliver_now(run);
        let on_paused = run.borrow().on_paused.clone();
        if !run.borrow().detached {
            on_paused.emit(());
        }
    }
}

/// A worker that combines the run's merged stream (E3's projections).
fn start_combiner(run: &Shared) {
    let on_page = run.borrow().on_page;
    let worker = match acquire(on_page) {
        Ok(worker) => worker,
        Err(why) => {
            let message = format!("no worker could start to combine the runs ({why})");
            return deliver(run, vec![Event::Error { message }]);
        }
    };
    let weak_run = Rc::downgrade(run);
    worker.lease(Rc::new(move |m| {
        if let Some(run) = weak_run.upgrade() {
            on_combined(&run, m);
        }
    }));
    run.borrow_mut().combiner = Some(worker);
}

fn on_combined(run: &Shared, message: Message) {
    match message {
        Message::Combined(seq, events) => {
            run.borrow_mut().combines_answered = seq;
            deliver(run, events);
            release_combiner_when_done(run);
            check_paused(run);
        }
        Message::Lost(reason) | Message::Failed(reason) => {
            let worker = run.borrow_mut().combiner.take();
            if let Some(worker) = worker {
                release(worker);
            }
            {
                let mut r = run.borrow_mut();
                r.combines_answered = r.combines_sent;
            }
            let message = format!("the worker that combines the runs was lost ({reason})");
            deliver(run, vec![Event::Error { message }]);
            check_paused(run);
        }
        _ => {}
    }
}

/// Once the merge has ended and the combiner has answered everything, it goes back.
fn release_combiner_when_done(run: &Shared) {
    let worker = {
        let mut r = run.borrow_mut();
        let finished = r.plan.as_ref().is_some_and(|p| p.merge.is_finished());
        match finished && r.combines_answered == r.combines_sent {
            true => r.combiner.take(),
            false => None,
        }
    };
    if let Some(worker) = worker {
        release(worker);
    }
}

/// The merged stream's `events`: through the combining worker where there is one, else to
/// the page.
fn merged(run: &Shared, events: Vec<Event>) {
    if events.is_empty() {
        return;
    }
    let combiner = {
        let mut r = run.borrow_mut();
        let worker = r.combiner.clone();
        worker.map(|worker| {
            r.combines_sent += 1;
            (worker, r.combines_sent, r.job.query())
        })
    };
    match combiner {
        Some((worker, seq, query)) => worker.send(&ToWorker::Combine {
            query,
            events,
            seq,
            fresh: seq == 1,
        }),
        None => deliver(run, events),
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

/// Events of part `unit`, through the sweep's merge if there is one.
fn unit_events(run: &Shared, unit: usize, events: Vec<Event>) {
    let events = match &mut run.borrow_mut().plan {
        Some(plan) => plan.merge.push(unit, events),
        None => events,
    };
    merged(run, events);
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
        merged(run, lost);
        return next_unit(run, worker);
    }
    let Some(unit) = unit else {
        // Every queued unit waits for running ones (E9a's line): held until one ends.
        r.held.push(worker);
        return;
    };
    let job = match &r.plan {
        Some(plan) => plan.job(&r.job, unit),
        None => r.job.clone(),
    };
    let start = ToWorker::Start {
        query: job.query(),
        backend: r.backend.id().into(),
        dataset: r.dataset.clone(),
        given,
    };
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
    let Some(merge) = r.plan.as_mut().map(|p| &mut p.merge) else {
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

/// The worker is no longer this run's (it finished or was lost): nothing of it moves any more,
/// which answers a pause too.
fn unbusy(run: &Shared, worker: &Rc<TrainingWorker>) {
    {
        let mut r = run.borrow_mut();
        r.busy.retain(|(w, _)| !Rc::ptr_eq(w, worker));
        r.unacknowledged.retain(|w| !Rc::ptr_eq(w, worker));
    }
    check_paused(run);
}

fn on_message(run: &Shared, worker: Rc<TrainingWorker>, unit: usize, message: Message) {
    match message {
        Message::Events(events) => unit_events(run, unit, events),
        Message::Failed(message) => unit_events(run, unit, vec![Event::Error { message }]),
        Message::Paused(seq) => {
            let current = {
                let mut r = run.borrow_mut();
                let current = r.paused && seq == r.pause_seq;
                if current {
                    r.unacknowledged.retain(|w| !Rc::ptr_eq(w, &worker));
                }
                current
            };
            if current {
                check_paused(run);
            }
        }
        Message::Combined(..) | Message::Parsed(_) | Message::Read(_) => {}
        Message::Finished => {
            unbusy(run, &worker);
            run.borrow_mut().worked = true;
            next_unit(run, worker);
            retry_held(run);
        }
        Message::Lost(reason) => {
            unbusy(run, &worker);
            let message = match (&run.borrow().plan, run.borrow().on_page) {
                (Some(_), _) => reason,
                (None, true) => format!("{reason}; this run is lost."),
                (None, false) => format!(
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
    let (left, worked, pending, on_page) = {
        let r = run.borrow();
        (
            r.busy.len() + r.held.len(),
            r.worked,
            !r.queue.is_empty() && !r.stopped,
            r.on_page,
        )
    };
    if left > 0 || !pending {
        return;
    }
    match worked.then(|| acquire(on_page)) {
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
        match &mut r.plan {
            Some(plan) => queue
                .into_iter()
                .flat_map(|unit| plan.merge.skip(unit, Some(why)))
                .collect(),
            None => vec![Event::Error {
                message: why.to_string(),
            }],
        }
    };
    merged(run, events);
}
