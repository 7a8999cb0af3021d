//! A panel's kept runs (its Runs list) and the runs ticked to compare with the run on show.
//!
//! Every run that ends in the panel (done, stopped, or opened from a file) is kept
//! ([`store`]); up to [`MAX_COMPARED`] kept runs can be ticked, and the panel's figures then
//! draw them over its own ([`mlds_figures::charts::overlay`]) through [`Comparison`], a context
//! the frame provides to every figure list in the panel.

pub mod store;

use std::rc::Rc;

use mlds_core::job::Job;
use mlds_core::run_file::compare::{differing_settings, headline};
use mlds_core::run_file::RunFile;
use mlds_core::view::{EventLog, RunState, RunView};
use mlds_core::BackendKind;
use mlds_figures::charts::{overlay, Compared};
use mlds_figures::{figures_of, Figure};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::workers::BUILD_ID;

pub use store::KeptRun;

/// At most this many runs overlaid on a panel's charts (more would not read).
pub const MAX_COMPARED: usize = 4;

/// The URL key that holds the ticked runs' queries, `|` between them (a query's own `|` is
/// percent-encoded), so that a link reproduces the comparison.
pub const URL_KEY: &str = "compare";

/// The compared queries a link asks for, each written out as its run's query is (every key,
/// in order), so that a short hand-written one finds its kept run.
fn linked_queries() -> Vec<String> {
    let written = |q: &str| Job::parse(q).map_or_else(|_| q.to_owned(), |(job, _)| job.query());
    crate::url::params()
        .get(URL_KEY)
        .map(|v| {
            // At most MAX_COMPARED parsed: a link's length is its sender's to choose.
            let mut queries = Vec::new();
            for q in v.split('|').filter(|q| !q.is_empty()).take(MAX_COMPARED) {
                let q = written(q);
                if !queries.contains(&q) {
                    queries.push(q);
                }
            }
            queries
        })
        .unwrap_or_default()
}

/// `queries` as the `compare` key's value.
fn compare_value(queries: &[String]) -> String {
    form_urlencoded::byte_serialize(queries.join("|").as_bytes()).collect()
}

/// Put the compared queries in the link (none: the key goes).
fn link_queries(queries: &[String]) {
    let value = compare_value(queries);
    crate::url::set_param(URL_KEY, Some(value.as_str()).filter(|v| !v.is_empty()));
}

/// `first`, then those of `then` not in it.
fn union(first: &[String], then: &[String]) -> Vec<String> {
    let mut all = first.to_vec();
    all.extend(then.iter().filter(|q| !first.contains(q)).cloned());
    all
}

/// The runs compared with the run on show, as every figure list of the panel reads them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    /// The ticked runs' figures, each named by its label.
    pub runs: Rc<Vec<Compared>>,
    /// The ticked runs' queries (`data-metrics`' `compared`).
    pub queries: Vec<String>,
    /// Ticked runs whose file could not be read back, and why.
    pub unreadable: Vec<String>,
}

impl Comparison {
    /// The ticked runs of `kept` against the run of `current` (a query).
    pub fn of(kept: &[KeptRun], ticked: &[String], current: &str) -> Self {
        let chosen: Vec<&KeptRun> = ticked
            .iter()
            .filter_map(|id| kept.iter().find(|k| &k.id == id))
            .collect();
        let (mut runs, mut unreadable) = (Vec::new(), Vec::new());
        for k in &chosen {
            let read = k.run_file().and_then(|file| {
                let (job, _) = Job::parse(&file.query)?;
                Ok((job, RunView::of_events(file.events)))
            });
            match read {
                Ok((job, view)) => runs.push(Compared {
                    label: label(k, current),
                    figures: figures_of(&job, &view),
                }),
                Err(why) => unreadable.push(format!(
                    "The kept run \"{}\" cannot be compared: {why}.",
                    label(k, current)
                )),
            }
        }
        Self {
            runs: Rc::new(runs),
            queries: chosen.iter().map(|k| k.query.clone()).collect(),
            unreadable,
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
    match differing_settings(&kept.query, current) {
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

/// A kept run of `file` with its `headline` (read from the panel's folded view, not folded
/// again), or why its file is too large to keep. Its id is the time it was kept, a counter
/// and a random part.
pub fn keep(file: RunFile, headline: String) -> Result<KeptRun, String> {
    let text = file.to_json();
    if let Some(why) = store::too_large(file.events.len(), text.len()) {
        return Err(why);
    }
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
    Ok(KeptRun {
        id,
        experiment: file.experiment,
        name: String::new(),
        saved_ms,
        query: file.query,
        backend: file.backend,
        headline,
        file: Rc::new(text),
    })
}

/// A panel's kept runs and the ones ticked, with what changes them.
#[derive(Clone, PartialEq)]
pub struct KeptRuns {
    pub kept: UseStateHandle<Vec<KeptRun>>,
    /// Ids of the ticked runs, in the order ticked.
    pub ticked: UseStateHandle<Vec<String>>,
    /// What went wrong with the storage, in words (the list works without it).
    pub message: UseStateHandle<Option<String>>,
    /// Queries the link compares that no kept run has: run them to compare.
    pub missing: UseStateHandle<Vec<String>>,
    pub comparison: Rc<Comparison>,
}

impl KeptRuns {
    /// The link that opens `query` (a run the comparison asks for and this browser has not
    /// kept) to run it, comparing it with the rest of this comparison: the run on show
    /// (`current`) and the other compared runs, each ticked there once it is kept.
    pub fn link_to_run(&self, query: &str, current: &str) -> String {
        let rest: Vec<String> = union(&[current.to_owned()], &self.compared())
            .into_iter()
            .filter(|q| q != query)
            .take(MAX_COMPARED)
            .collect();
        match rest.is_empty() {
            true => format!("#{query}"),
            false => format!("#{query}&{URL_KEY}={}", compare_value(&rest)),
        }
    }

    /// What the link compares: the ticked runs, then the ones still to run.
    fn compared(&self) -> Vec<String> {
        union(&self.comparison.queries, &self.missing)
    }

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
    let missing = use_state(Vec::<String>::new);
    {
        let (kept, message, exp) = (kept.clone(), message.clone(), job.id());
        let (ticked, missing, current) = (ticked.clone(), missing.clone(), job.query());
        use_effect_with(exp, move |exp| {
            let exp = exp.to_string();
            spawn_local(async move {
                match store::load(&exp).await {
                    Ok((runs, set_aside)) => {
                        // The link's compared queries: tick the newest kept run of each.
                        let linked = linked_queries();
                        let found: Vec<String> = linked
                            .iter()
                            .filter_map(|q| runs.iter().find(|k| &k.query == q))
                            .map(|k| k.id.clone())
                            .collect();
                        // Not the run on show: it is run here, with Start.
                        missing.set(
                            linked
                                .into_iter()
                                .filter(|q| *q != current && runs.iter().all(|k| &k.query != q))
                                .collect(),
                        );
                        ticked.set(found);
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
        // Read here, not a copy of the whole view: this runs on every render of the panel.
        let started = !view.models.is_empty();
        let numbers = if ended { headline(view) } else { String::new() };
        use_effect_with((ended, log.clone()), move |_| {
            // A run that started (it has models), once, whatever re-renders it.
            if ended && started && last_kept.borrow().as_ref() != Some(&log) {
                *last_kept.borrow_mut() = Some(log.clone());
                // Checked before copying a single event: a file near the size limit is not kept.
                if let Some(why) = store::too_large(log.len(), 0) {
                    message.set(Some(format!(
                        "This run is not kept in the Runs list: {why}. Download it to keep it."
                    )));
                    return;
                }
                let events = log.events();
                let page = web_sys::window()
                    .and_then(|w| w.location().href().ok())
                    .unwrap_or_default();
                let page = page.split('#').next().unwrap_or_default();
                let backend = backend.unwrap_or(BackendKind::Cpu).id();
                let build = build.as_deref().unwrap_or(BUILD_ID);
                let run = match keep(RunFile::new(&job, page, build, backend, events), numbers) {
                    Ok(run) => run,
                    Err(why) => {
                        message.set(Some(format!(
                            "This run is not kept in the Runs list: {why}. Download it to keep it."
                        )));
                        return;
                    }
                };
                // The oldest go beyond the limit.
                let mut runs = [vec![run.clone()], (*kept).clone()].concat();
                let gone: Vec<String> = runs
                    .drain(runs.len().min(store::MAX_RUNS)..)
                    .map(|k| k.id)
                    .collect();
                kept.set(runs);
                spawn_local(async move {
                    let saved = store::save(&run).await;
                    let forgot = match gone.is_empty() {
                        true => Ok(()),
                        false => store::delete(&gone).await,
                    };
                    if let Err(e) = saved.and(forgot) {
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
    {
        // The link follows the ticks (once the list has loaded: until then it keeps the link's),
        // and keeps the runs it asks for that are not kept here, so that it still asks for them.
        let compared = union(&comparison.queries, &missing);
        let loaded = use_mut_ref(|| false);
        use_effect_with(compared, move |compared| {
            if *loaded.borrow() {
                link_queries(compared);
            }
            *loaded.borrow_mut() = true;
        });
    }
    KeptRuns {
        kept,
        ticked,
        message,
        missing,
        comparison,
    }
}
