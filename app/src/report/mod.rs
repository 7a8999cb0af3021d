//! The report (`#exp=report`): the homework's three parts and their sections in order, each
//! with its live figures and a finding computed from its data. "Run the whole report" runs the
//! sections one after another; finished sections are kept in IndexedDB, so a reload resumes.

mod export;
pub mod guard;
mod open;
mod section;
mod store;

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use mlds_core::report::{parts, Mode, SECTIONS};
use mlds_core::run_file::RunFile;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::backends::Backends;
use crate::components::{OpenRun, SectionRead};
use crate::run_view::RunState;
use crate::url;
use section::{ReportSection, SectionNews};
use store::{Kept, Loaded};

/// The page's side of the report: what is kept, each section's progress, and the whole-report
/// run (a queue of sections, one at a time).
#[derive(Clone, Debug)]
struct Report {
    mode: Mode,
    saved: HashMap<String, Kept>,
    /// Kept sections shown when the page last panicked: set aside, not shown, until the user
    /// clears them or asks for them again (see [`guard`]).
    aside: Vec<Kept>,
    loaded: bool,
    /// Per section: its state and fraction done.
    progress: Vec<(RunState, f64)>,
    /// Per section: bumped to start it.
    starts: Vec<u32>,
    stop: u32,
    paused: bool,
    queue: VecDeque<usize>,
    current: Option<usize>,
    /// When the whole-report run started (ms since the epoch) and how much was done then.
    started: Option<(f64, f64)>,
    /// Bumped by Clear: the sections start afresh.
    generation: u32,
    message: Option<String>,
    /// The latest run file opened here, and its section.
    opened: Option<String>,
}

enum Action {
    Loaded(Result<Loaded, String>),
    /// Show the sections set aside after a panic again.
    ShowAside,
    News(SectionNews),
    RunAll,
    Pause(bool),
    Stop,
    Cleared(Result<(), String>),
    /// Something went wrong that the user should know (a section that could not be kept for a
    /// reload, a run file that could not be opened).
    Message(String),
    /// A run file was opened as a section's run: what to say.
    Opened(String),
}

impl Report {
    fn new(mode: Mode) -> Self {
        Self {
            mode,
            saved: HashMap::new(),
            aside: Vec::new(),
            loaded: false,
            progress: vec![(RunState::Idle, 0.0); SECTIONS.len()],
            starts: vec![0; SECTIONS.len()],
            stop: 0,
            paused: false,
            queue: VecDeque::new(),
            current: None,
            started: None,
            generation: 0,
            message: None,
            opened: None,
        }
    }

    fn is_kept(&self, i: usize) -> bool {
        self.saved.contains_key(self.mode.query(&SECTIONS[i]))
    }

    /// Fraction of the report done, each section weighted by its expected time.
    fn done(&self) -> f64 {
        let total: f64 = SECTIONS.iter().map(|s| s.seconds as f64).sum();
        let done: f64 = SECTIONS
            .iter()
            .zip(&self.progress)
            .enumerate()
            .map(|(i, (s, (_, f)))| {
                let f = if self.is_kept(i) { 1.0 } else { *f };
                s.seconds as f64 * f
            })
            .sum();
        done / total
    }

    /// Start the next queued section, or end the whole-report run.
    fn advance(&mut self) {
        self.current = self.queue.pop_front();
        match self.current {
            Some(i) => self.starts[i] += 1,
            None => {
                self.started = None;
                self.paused = false;
            }
        }
    }

    fn state(&self) -> &'static str {
        let states = || self.progress.iter().map(|(s, _)| *s);
        if let Some(i) = self.current {
            // Paused once the running section's run holds (see `RunState::Pausing`).
            return match (self.paused, self.progress[i].0) {
                (true, RunState::Paused) => "paused",
                (true, _) => "pausing",
                (false, _) => "running",
            };
        }
        if states().any(|s| s == RunState::Stopping) {
            "stopping"
        } else if states().any(RunState::is_active) {
            "running"
        } else if (0..SECTIONS.len()).all(|i| self.is_kept(i)) {
            "done"
        } else {
            "idle"
        }
    }
}

impl Reducible for Report {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut r = Rc::unwrap_or_clone(self);
        match action {
            Action::Loaded(Ok(Loaded {
                mut kept,
                set_aside,
            })) => {
                let mut notes = set_aside;
                r.aside = guard::set_aside()
                    .iter()
                    .filter_map(|query| kept.remove(query))
                    .collect();
                if !r.aside.is_empty() {
                    let names: Vec<String> =
                        r.aside.iter().map(|k| open::name_of(&k.query)).collect();
                    notes.push(format!(
                        "The page stopped with an error last time while it showed the kept sections {}: they are set aside, so that this visit does not stop again. Clear them, or show them again.",
                        names.join(", ")
                    ));
                }
                r.message = (!notes.is_empty()).then(|| notes.join(" "));
                r.saved = kept;
                r.loaded = true;
            }
            Action::ShowAside => {
                guard::forget();
                for kept in std::mem::take(&mut r.aside) {
                    r.saved.insert(kept.query.clone(), kept);
                }
                r.message = None;
            }
            Action::Loaded(Err(e)) => {
                r.loaded = true;
                r.message = Some(e);
            }
            Action::News(SectionNews::Progress {
                index,
                state,
                fraction,
            }) => {
                r.progress[index] = (state, fraction);
                let ended = matches!(state, RunState::Done | RunState::Error);
                if ended && r.current == Some(index) {
                    r.advance();
                }
            }
            Action::News(SectionNews::Finished { saved, .. }) => {
                r.saved.insert(saved.query.clone(), Kept(Rc::new(saved)));
            }
            Action::RunAll if r.current.is_none() => {
                r.queue = (0..SECTIONS.len()).filter(|&i| !r.is_kept(i)).collect();
                r.paused = false;
                r.started = Some((js_sys::Date::now(), r.done()));
                r.advance();
            }
            Action::RunAll => {}
            Action::Pause(paused) => r.paused = paused && r.current.is_some(),
            Action::Stop => {
                r.queue.clear();
                r.current = None;
                r.started = None;
                r.paused = false;
                r.stop += 1;
            }
            Action::Message(e) => r.message = Some(e),
            Action::Opened(note) => {
                r.opened = Some(note);
                r.message = None;
            }
            Action::Cleared(result) => {
                let (mode, generation) = (r.mode, r.generation + 1);
                r = Report {
                    generation,
                    loaded: true,
                    message: result.err(),
                    ..Report::new(mode)
                };
            }
        }
        Rc::new(r)
    }
}

fn mode_in_url() -> (Mode, bool) {
    let mut p = url::params();
    let mode = match p.get("mode").as_deref() {
        Some("full") => Mode::Full,
        _ => Mode::Quick,
    };
    (mode, p.flag("autorun"))
}

fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[derive(Properties, PartialEq)]
pub struct ReportPageProps {
    pub backends: Backends,
}

#[function_component]
pub fn ReportPage(props: &ReportPageProps) -> Html {
    let (mode, autorun) = *use_memo((), |_| mode_in_url());
    let report = use_reducer(|| Report::new(mode));
    {
        let report = report.clone();
        use_effect_with((), move |_| {
            url::write_hash([("exp", "report".to_string()), ("mode", mode.id().into())]);
            spawn_local(async move {
                report.dispatch(Action::Loaded(store::load_all().await));
            });
        });
    }
    // Gone from the page, the report shows nothing the panic hook should name.
    use_effect_with((), |_| || guard::showing(Vec::new()));
    {
        // `autorun=1`: run the whole report once what is kept is known.
        let report = report.clone();
        use_effect_with(report.loaded, move |loaded| {
            if *loaded && autorun {
                report.dispatch(Action::RunAll);
            }
        });
    }
    let on_news = {
        let report = report.dispatcher();
        Callback::from(move |news: SectionNews| {
            if let SectionNews::Finished { saved, .. } = &news {
                let (saved, report) = (saved.clone(), report.clone());
                spawn_local(async move {
                    if let Err(e) = store::save(&saved).await {
                        report.dispatch(Action::Message(format!(
                            "{e} The section is shown, but a reload will run it again."
                        )));
                    }
                });
            }
            report.dispatch(Action::News(news));
        })
    };
    let on_clear = {
        let report = report.clone();
        Callback::from(move |_: MouseEvent| {
            report.dispatch(Action::Stop);
            let report = report.clone();
            spawn_local(async move { report.dispatch(Action::Cleared(store::clear().await)) });
        })
    };
    let on_export = {
        let report = report.clone();
        Callback::from(move |_: MouseEvent| export::download(&report.saved, report.mode))
    };
    // Run files opened here (one run, or a report's own download with one run per section):
    // each run of a section of this mode is kept as if it had run here (kept, shown,
    // exported); what does not belong is said.
    let on_runs = {
        let (report, on_news) = (report.dispatcher(), on_news.clone());
        // `one`: a run file, not a report's.
        Callback::from(move |(name, runs, one): (String, Vec<SectionRead>, bool)| {
            let mut shown = Vec::new();
            let mut refused = Vec::new();
            let mut broken = Vec::new();
            for run in runs {
                let run = match run {
                    Ok(run) => run,
                    Err(why) => {
                        broken.push(format!("{why}; it was set aside."));
                        continue;
                    }
                };
                match open::section_of(mode, &name, run) {
                    Ok((index, saved)) => {
                        shown.push(&SECTIONS[index]);
                        on_news.emit(SectionNews::Finished { index, saved });
                    }
                    Err(message) => refused.push(message),
                }
            }
            let message = match (one, &shown[..]) {
                (true, [s]) => Action::Opened(format!(
                    "Showing {name} as {} · {} (opened from its file, not run here).",
                    s.label, s.title
                )),
                (true, _) => Action::Message(refused.join(" ")),
                (false, []) => Action::Message(format!(
                    "{name} holds no run of this report's {} mode. {}",
                    mode.id(),
                    refused.join(" ")
                )),
                (false, _) => Action::Opened(format!(
                    "Showing {name}: {} (opened from the report's file, not run here).{}",
                    shown.iter().map(|s| s.label).collect::<Vec<_>>().join(", "),
                    match refused.len() {
                        0 => String::new(),
                        n => format!(" {n} of its runs are not this mode's and were left out."),
                    }
                )),
            };
            report.dispatch(message);
            if !broken.is_empty() {
                let rest = match shown.len() {
                    0 => "Nothing else of it opened.",
                    _ => "The rest of the report opened.",
                };
                report.dispatch(Action::Message(format!(
                    "In {name}, {} {rest}",
                    broken.join(" ")
                )));
            }
        })
    };
    let on_open = on_runs.reform(|(name, file): (String, RunFile)| (name, vec![Ok(file)], true));
    let on_report = on_runs.reform(|(name, runs): (String, Vec<SectionRead>)| (name, runs, false));
    let on_open_error = {
        let report = report.dispatcher();
        Callback::from(move |message: String| report.dispatch(Action::Message(message)))
    };
    let dispatch = |action: fn() -> Action| {
        let report = report.dispatcher();
        Callback::from(move |_: MouseEvent| report.dispatch(action()))
    };

    let state = report.state();
    let whole = report.current.is_some();
    let busy = matches!(state, "running" | "pausing" | "paused" | "stopping");
    let done = report.done();
    let eta = report.started.and_then(|(at, before)| {
        let elapsed = (js_sys::Date::now() - at) / 1e3;
        let rate = (done - before) / elapsed.max(1e-3);
        (rate > 0.0).then(|| (elapsed, (1.0 - done) / rate))
    });
    let kept = (0..SECTIONS.len()).filter(|&i| report.is_kept(i)).count();
    let other_mode = match mode {
        Mode::Quick => ("full", "Switch to the homework's scale (full)"),
        Mode::Full => ("quick", "Switch to the quick presets"),
    };
    // What the panic hook names if the page stops while these are shown.
    guard::showing(
        report
            .saved
            .values()
            .map(|k| (k.query.clone(), open::name_of(&k.query)))
            .collect(),
    );
    let show_aside = {
        let report = report.dispatcher();
        Callback::from(move |_: MouseEvent| report.dispatch(Action::ShowAside))
    };
    let mut index = 0;
    html! {
        <section class="panel report" data-experiment="report" data-state={state} data-mode={mode.id()}>
            <h2>{ "The report" }</h2>
            <p class="lede">
                { "The homework's ten questions, answered by this playground: each section runs its experiment, draws its figures and states a finding computed from the data, marked by whether it agrees with the reference result. " }
                { match mode {
                    Mode::Quick => "Quick presets: the whole report takes a few minutes on a CPU.",
                    Mode::Full => "Full mode: the homework's scale, which takes much longer.",
                } }
                { " " }
                <a href={format!("#exp=report&mode={}", other_mode.0)}>{ other_mode.1 }</a>
            </p>
            <div class="report-controls">
                <button type="button" class="run-all" onclick={dispatch(|| Action::RunAll)} disabled={busy || !report.loaded}>
                    { if kept > 0 && kept < SECTIONS.len() { "Resume the whole report" } else { "Run the whole report" } }
                </button>
                if whole {
                    <button type="button" onclick={let p = report.paused; let d = report.dispatcher(); Callback::from(move |_| d.dispatch(Action::Pause(!p)))}>
                        { match state { "paused" => "Resume", "pausing" => "Pausing…", _ => "Pause" } }
                    </button>
                    <button type="button" onclick={dispatch(|| Action::Stop)}>{ "Stop" }</button>
                }
                <button type="button" onclick={on_clear} disabled={busy}>{ "Clear" }</button>
                <button type="button" class="export" onclick={on_export} disabled={kept == 0}>{ "Download report as HTML" }</button>
                <OpenRun {on_open} on_report={Some(on_report)} on_error={on_open_error} disabled={busy} />
            </div>
            <div class="progress report-progress">
                <progress max="1" value={done.to_string()}></progress>
                <span>{ format!("{:.0} % of the report · {kept} of {} sections kept", done * 100.0, SECTIONS.len()) }</span>
                if let Some((elapsed, left)) = eta {
                    <span>{ format!(" · {} elapsed, about {} left", duration(elapsed), duration(left)) }</span>
                }
            </div>
            if let Some(message) = &report.message {
                <div class="error" role="alert">{ message }</div>
            }
            if !report.aside.is_empty() {
                <p class="set-aside">
                    <button type="button" class="show-aside" onclick={show_aside} disabled={busy}>{ "Show the sections set aside again" }</button>
                </p>
            }
            if let Some(note) = &report.opened {
                <p class="opened-run" role="status">{ note }</p>
            }
            { for parts().into_iter().map(|(title, sections)| html! {
                <div class="report-part">
                    <h2>{ title }</h2>
                    { for sections.iter().map(|section| {
                        let i = index;
                        index += 1;
                        let query = mode.query(section);
                        html! {
                            <ReportSection key={format!("{}-{}", section.id, report.generation)} index={i} {section}
                                query={AttrValue::from(query)} backends={props.backends.clone()}
                                saved={report.saved.get(query).cloned()} start={report.starts[i]} stop={report.stop}
                                paused={report.paused} busy={busy && report.current != Some(i)} on_news={on_news.clone()} />
                        }
                    }) }
                </div>
            }) }
        </section>
    }
}
