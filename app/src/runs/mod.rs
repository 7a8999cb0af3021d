//! A panel's kept runs (its Runs list) and the runs ticked to compare with the run on show.
//!
//! Every run that ends in the panel (done, stopped, or opened from a file) is kept
//! ([`store`]); up to [`MAX_COMPARED`] kept runs can be ticked, and the panel's figures then
//! draw them over its own ([`mlds_figures::charts::overlay`]) through [`Comparison`], a context
//! the frame provides to every figure list in the panel.

pub mod store;

use std::rc::Rc;

use mlds_core::job::Job;
use mlds_core::run_file::compare::differing_settings;
use mlds_core::run_file::RunFile;
use mlds_core::view::{EventLog, RunState, RunView};
use mlds_core::{BackendKind, Event};
use mlds_figures::charts::{overlay, Compared};
use mlds_figures::{figures_of, Figure};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::workers::BUILD_ID;

pub use store::KeptRun;

/// At most this many runs overlaid on a panel's charts (more would not read).
pub const MAX_COMPARED: usize = 4;

/// The runs compared with the run on show, as every figure list of the panel reads them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    /// The ticked runs' figures, each named by its label.
    pub runs: Rc<Vec<Compared>>,
    /// The ticked runs' queries (`data-metrics`' `compared`).
    pub queries: Vec<String>,
}

impl Comparison {
    /// The ticked runs of `kept` against the run of `current` (a query).
    pub fn of(kept: &[KeptRun], ticked: &[String], current: &str) -> Self {
        let chosen: Vec<&KeptRun> = ticked
            .iter()
            .filter_map(|id| kept.iter().find(|k| &k.id == id))
            .collect();
        let runs = chosen
            .iter()
            .filter_map(|k| {
                let (job, _) = Job::parse(&k.file.query).ok()?;
                let view = RunView::of_events(k.file.events.clone());
                Some(Compared {
                    label: label(k, current),
                    figures: figures_of(&job, &view),
                })
            })
            .collect();
        Self {
            runs: Rc::new(runs),
            queries: chosen.iter().map(|k| k.file.query.clone()).collect(),
        }
    }

    /// `figures` of the run on show with the compared runs drawn over them.
    pub fn overlay(&self, figures: Vec<Figure>) -> Vec<Figure> {
        overlay(figures, "this run", &self.runs)
    }
}

/// A kept run's name in lists and legends: the user's name, else the settings in which it
/// differs from the run of `current`, else its time.
pub fn label(kept: &KeptRun, current: &str) -> String {
    if !kept.name.is_empty() {
        return kept.name.clone();
    }
    match differing_settings(&kept.file.query, current) {
        s if s.is_empty() => format!("same settings, {}", time_of(kept.saved_ms)),
        s => s,
    }
}

/// "14:03:27", local time.
pub fn time_of(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:02}:{:02}:{:02}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// A kept run of `file`, named by the time it was kept (unique within a tab: a counter).
pub fn keep(file: RunFile) -> KeptRun {
    thread_local!(static COUNT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
    let saved_ms = js_sys::Date::now();
    let n = COUNT.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let id = format!(
        "{saved_ms:.0}-{n}-{:08x}",
        (js_sys::Math::random() * 4e9) as u32
    );
    KeptRun::new(id, String::new(), saved_ms, file)
}

/// A panel's kept runs and the ones ticked, with what changes them.
#[derive(Clone, PartialEq)]
pub struct KeptRuns {
    pub kept: UseStateHandle<Vec<KeptRun>>,
    /// Ids of the ticked runs, in the order ticked.
    pub ticked: UseStateHandle<Vec<String>>,
    /// What went wrong with the storage, in words (the list works without it).
    pub message: UseStateHandle<Option<String>>,
    pub comparison: Rc<Comparison>,
}

impl KeptRuns {
    /// Tick or untick run `id` (at most [`MAX_COMPARED`] ticked).
    pub fn tick(&self, id: &str, on: bool) {
        let mut ticked: Vec<String> = self.ticked.iter().filter(|t| *t != id).cloned().collect();
        if on && ticked.len() < MAX_COMPARED {
            ticked.push(id.to_owned());
        }
        self.ticked.set(ticked);
    }

    pub fn rename(&self, id: &str, name: String) {
        let Some(mut run) = self.kept.iter().find(|k| k.id == id).cloned() else {
            return;
        };
        run.name = name.trim().to_owned();
        let kept = self
            .kept
            .iter()
            .map(|k| if k.id == id { run.clone() } else { k.clone() })
            .collect();
        self.kept.set(kept);
        let message = self.message.clone();
        spawn_local(async move {
            if let Err(e) = store::save(&run).await {
                message.set(Some(e));
            }
        });
    }

    /// Forget the runs of `ids` (all of them: "Clear all").
    pub fn delete(&self, ids: Vec<String>) {
        self.kept.set(
            self.kept
                .iter()
                .filter(|k| !ids.contains(&k.id))
                .cloned()
                .collect(),
        );
        self.ticked.set(
            self.ticked
                .iter()
                .filter(|t| !ids.contains(t))
                .cloned()
                .collect(),
        );
        let message = self.message.clone();
        spawn_local(async move {
            if let Err(e) = store::delete(&ids).await {
                message.set(Some(e));
            }
        });
    }
}

/// The kept runs of `job`'s experiment: loaded on mount, and the run shown in `view` kept once
/// it has ended (done, stopped, failed after it started, or opened from a file).
#[hook]
pub fn use_kept_runs(job: &Job, view: &RunView) -> KeptRuns {
    let kept = use_state(Vec::<KeptRun>::new);
    let ticked = use_state(Vec::<String>::new);
    let message = use_state(|| None::<String>);
    {
        let (kept, message, exp) = (kept.clone(), message.clone(), job.id());
        use_effect_with(exp, move |exp| {
            let exp = exp.to_string();
            spawn_local(async move {
                match store::load(&exp).await {
                    Ok((runs, set_aside)) => {
                        kept.set(runs);
                        if !set_aside.is_empty() {
                            message.set(Some(set_aside.join(" ")));
                        }
                    }
                    Err(e) => message.set(Some(e)),
                }
            });
        });
    }
    let last_kept = use_mut_ref(|| None::<EventLog>);
    {
        let (kept, message, last_kept) = (kept.clone(), message.clone(), last_kept.clone());
        let ended = view.state == RunState::Done;
        let (job, log, backend) = (job.clone(), view.log.clone(), view.backend);
        let build = view.opened_build.clone();
        use_effect_with((ended, view.log.clone()), move |_| {
            let events = log.events();
            let started = events.iter().any(|e| matches!(e, Event::Started { .. }));
            if ended && started && last_kept.borrow().as_ref() != Some(&log) {
                *last_kept.borrow_mut() = Some(log);
                let page = web_sys::window()
                    .and_then(|w| w.location().href().ok())
                    .unwrap_or_default();
                let page = page.split('#').next().unwrap_or_default();
                let backend = backend.unwrap_or(BackendKind::Cpu).id();
                let build = build.as_deref().unwrap_or(BUILD_ID);
                let run = keep(RunFile::new(&job, page, build, backend, events));
                kept.set([vec![run.clone()], (*kept).clone()].concat());
                spawn_local(async move {
                    if let Err(e) = store::save(&run).await {
                        message.set(Some(e));
                    }
                });
            }
        });
    }
    let current = job.query();
    let ids: Vec<(String, String)> = kept
        .iter()
        .map(|k| (k.id.clone(), k.name.clone()))
        .collect();
    let comparison = {
        let kept = kept.clone();
        use_memo(
            ((*ticked).clone(), ids, current),
            move |(ticked, _, current)| Comparison::of(&kept, ticked, current),
        )
    };
    KeptRuns {
        kept,
        ticked,
        message,
        comparison,
    }
}
