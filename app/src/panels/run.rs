//! The run lifecycle every panel shares: start a core experiment on a backend, in workers or
//! (`workers=0`) in the training code loaded onto the page (the page's own wasm has none), pause,
//! resume, stop, reset, and the folded view of its events.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use mlds_core::data::ImageDataset;
use mlds_core::job::Job;
use mlds_core::{BackendKind, Event};
use yew::prelude::*;

use crate::backends::Backends;
use crate::datasets::{self, LoadError};
use crate::run_view::{RunAction, RunView, RunViewState};
use crate::workers::{Placement, WorkerRun};

/// Events folded per task when a finished run is replayed: 100,000 epochs' losses fold in a
/// few tens of milliseconds.
const REPLAY_SLICE: usize = 20_000;

#[derive(Clone)]
pub struct RunHandle {
    pub view: UseReducerHandle<RunViewState>,
    /// Bumped by every stop: a start still waiting for its dataset gives up when it changed.
    stops: Rc<Cell<u32>>,
    /// The run's workers (on the page: its port to the training code there).
    worker: Rc<RefCell<Option<WorkerRun>>>,
}

/// The same run: one panel's (its view as it is now, its controls).
impl PartialEq for RunHandle {
    fn eq(&self, other: &Self) -> bool {
        self.view == other.view && Rc::ptr_eq(&self.stops, &other.stops)
    }
}

impl RunHandle {
    /// Start `job` on the backend its config resolves to (getting its dataset first, from
    /// memory once a panel has loaded it): how every panel and the report start a run. A
    /// dataset that cannot be had ends the run with its reason.
    pub fn start_job(&self, job: Job, backends: &Backends) {
        let (workload, choice) = job.backend();
        let kind = choice.resolve(workload, backends.webgpu_available()).kind;
        let run = self.clone();
        let stops = self.stops.get();
        wasm_bindgen_futures::spawn_local(async move {
            let images = match job.image_task() {
                Some(task) => match datasets::obtain(task.dataset, task.source, |_| {}).await {
                    Ok(data) => Some(data),
                    Err(LoadError::Missing(why) | LoadError::Failed(why)) => {
                        run.view.dispatch(RunAction::Start(kind));
                        let error = Event::Error { message: why };
                        run.view.dispatch(RunAction::Events(vec![error]));
                        return;
                    }
                },
                None => None,
            };
            if run.stops.get() != stops {
                // Stopped while the dataset loaded: a Stop pressed then ends the run here.
                run.view.dispatch(RunAction::StoppedBeforeStart);
                return;
            }
            set_body_backend(kind.id());
            run.start_in_workers(kind, job, images, crate::workers::placement());
        });
    }

    /// Show a finished run's events (kept from an earlier visit, or a file's) as if it had
    /// just run, then `then` (what to say about it). They are folded a slice per task, off the
    /// panel's view, which shows the run once folded: a run of 100,000 epochs folded at once
    /// would hold the page. A start, stop or other replay meanwhile abandons it.
    pub fn replay(&self, backend: BackendKind, events: Vec<Event>, then: Option<RunAction>) {
        self.stop();
        let (run, stops) = (self.clone(), self.stops.get());
        wasm_bindgen_futures::spawn_local(async move {
            let mut view = RunView::default().reduce(RunAction::Start(backend));
            let mut events = events.into_iter();
            loop {
                let slice: Vec<Event> = events.by_ref().take(REPLAY_SLICE).collect();
                if slice.is_empty() {
                    break;
                }
                view = view.reduce(RunAction::Events(slice));
                gloo_timers::future::TimeoutFuture::new(0).await;
                if run.stops.get() != stops {
                    return;
                }
            }
            if let Some(then) = then {
                view = view.reduce(then);
            }
            run.view.dispatch(RunAction::Show(Box::new(view)));
        });
    }

    /// Run `job` on `kind` in workers (a CPU sweep's units over up to the placement's number
    /// of them), or whole in the training code on the page (`workers=0`): the page's own code
    /// only renders their events.
    fn start_in_workers(
        &self,
        kind: BackendKind,
        job: Job,
        images: Option<Rc<ImageDataset>>,
        placement: Placement,
    ) {
        self.stop();
        self.view.dispatch(RunAction::Start(kind));
        let (deliver, on_paused) = self.callbacks();
        // The previous run's workers finish stopping and go back to the pool.
        *self.worker.borrow_mut() = Some(WorkerRun::start(
            job, images, kind, placement, deliver, on_paused,
        ));
    }

    /// Where a run's events and its pause's acknowledgement go: this panel's view.
    fn callbacks(&self) -> (Callback<Vec<Event>>, Callback<()>) {
        let dispatcher = self.view.dispatcher();
        let deliver = Callback::from(move |events| dispatcher.dispatch(RunAction::Events(events)));
        let dispatcher = self.view.dispatcher();
        let on_paused = Callback::from(move |()| dispatcher.dispatch(RunAction::PauseHeld));
        (deliver, on_paused)
    }

    /// Pause (the view shows `pausing` until every part of the run holds) or resume.
    pub fn pause(&self, paused: bool) {
        let worker = self.worker.borrow();
        let Some(worker) = worker.as_ref() else {
            return;
        };
        // Asked first: the acknowledgement may come at once (nothing busy).
        self.view.dispatch(match paused {
            true => RunAction::Pause,
            false => RunAction::Resume,
        });
        worker.pause(paused);
    }

    /// The user's Stop: `stopping` until the run's end arrives.
    pub fn request_stop(&self) {
        self.view.dispatch(RunAction::Stop);
        self.stop();
    }

    /// Stop whatever runs (before a new start, on unmount, on reset).
    pub fn stop(&self) {
        self.stops.set(self.stops.get().wrapping_add(1));
        // The worker stays in its slot until the next start: it still reports `Stopped`.
        if let Some(worker) = self.worker.borrow().as_ref() {
            worker.stop();
        }
    }

    pub fn reset(&self) {
        self.stop();
        self.view.dispatch(RunAction::Reset);
    }
}

#[hook]
pub fn use_run() -> RunHandle {
    let view = use_reducer(RunViewState::default);
    let stops = (*use_memo((), |_| Rc::new(Cell::new(0u32)))).clone();
    let worker = use_mut_ref(|| None::<WorkerRun>);
    let run = RunHandle {
        view,
        stops,
        worker,
    };
    {
        // Unmounting a panel (another experiment picked) stops its run, or its start.
        let run = run.clone();
        use_effect_with((), move |_| move || run.stop());
    }
    run
}

/// `body[data-backend]`: the backend the latest run uses (browser tests read it).
pub fn set_body_backend(id: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-backend", id);
    }
}
