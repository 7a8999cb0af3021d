//! One section of the report: its question, its run (started by the page or by its own Run
//! button), the experiment's figures, and the finding computed from the run's events.

use mlds_core::job::Job;
use mlds_core::report::{finding, Finding, Section};
use mlds_core::BackendKind;
use yew::prelude::*;

use super::store::{Kept, SavedSection};
use crate::backends::Backends;
use crate::components::Progress;
use crate::panels::figures_of;
use crate::panels::run::use_run;
use crate::run_view::{RunState, RunView};

/// What a section tells the page.
#[derive(Clone, Debug, PartialEq)]
pub enum SectionNews {
    /// Its state and how much of its run is done (0–1).
    Progress {
        index: usize,
        state: RunState,
        fraction: f64,
    },
    /// It ran to its end here (not replayed from the store): keep it.
    Finished { index: usize, saved: SavedSection },
}

#[derive(Properties, PartialEq)]
pub struct ReportSectionProps {
    pub index: usize,
    pub section: &'static Section,
    /// The query this section runs (the quick or the full preset).
    pub query: AttrValue,
    pub backends: Backends,
    /// The section as kept from an earlier run of the same query.
    pub saved: Option<Kept>,
    /// Bumped by the page to start this section.
    pub start: u32,
    /// Bumped by the page to stop whatever runs.
    pub stop: u32,
    pub paused: bool,
    /// Another section (or the whole report) is running: no Run button then.
    pub busy: bool,
    pub on_news: Callback<SectionNews>,
}

/// The finding of a run that ended by itself; `None` before (or when stopped or failed).
fn finding_of(job: Option<&Job>, view: &RunView) -> Option<Finding> {
    (view.state == RunState::Done && !view.stopped)
        .then(|| finding(job?, &view.log.events()))
        .flatten()
}

#[function_component]
pub fn ReportSection(props: &ReportSectionProps) -> Html {
    let run = use_run();
    let view = run.view.clone();
    let job = use_memo(props.query.clone(), |q| Job::parse(q).map(|(job, _)| job));
    // Whether the run in the view ran here (and is to be kept), not replayed from the store.
    let live = use_mut_ref(|| false);

    let on_run = {
        let (run, job, backends, live) = (
            run.clone(),
            job.clone(),
            props.backends.clone(),
            live.clone(),
        );
        Callback::from(move |()| {
            if let Ok(job) = &*job {
                *live.borrow_mut() = true;
                run.start_job(job.clone(), &backends);
            }
        })
    };
    {
        let on_run = on_run.clone();
        use_effect_with(props.start, move |start| {
            if *start > 0 {
                on_run.emit(());
            }
        });
    }
    {
        let run = run.clone();
        use_effect_with(props.stop, move |stop| {
            if *stop > 0 {
                run.request_stop();
            }
        });
    }
    {
        let run = run.clone();
        use_effect_with(props.paused, move |paused| run.pause(*paused));
    }
    {
        // A kept section shows at once; one running here is left alone.
        let (run, live) = (run.clone(), live.clone());
        use_effect_with(props.saved.clone(), move |saved| {
            if let (Some(saved), false) = (saved, *live.borrow()) {
                run.replay(saved.backend, saved.events.clone(), None);
            }
        });
    }
    let (done, total) = view.overall_progress();
    let fraction = match view.state {
        RunState::Done | RunState::Error => 1.0,
        RunState::Idle => 0.0,
        _ => (done / total.max(1) as f64).clamp(0.0, 1.0),
    };
    {
        let (on_news, live) = (props.on_news.clone(), live.clone());
        let (index, state, query) = (props.index, view.state, props.query.to_string());
        let view = view.clone();
        use_effect_with((state, (fraction * 100.0).round() as u32), move |_| {
            on_news.emit(SectionNews::Progress {
                index,
                state,
                fraction,
            });
            if state == RunState::Done && !view.stopped && *live.borrow() {
                *live.borrow_mut() = false;
                on_news.emit(SectionNews::Finished {
                    index,
                    saved: SavedSection {
                        query,
                        backend: view.backend.unwrap_or(BackendKind::Cpu),
                        events: view.log.events(),
                    },
                });
            }
        });
    }

    let section = props.section;
    let found = use_memo((view.state, view.log.clone()), |(_, _)| {
        finding_of(job.as_ref().as_ref().ok(), &view)
    });
    let agrees = match &*found {
        Some(f) if f.agrees => "yes",
        Some(_) => "no",
        None => "pending",
    };
    let link = format!("#{}", props.query);
    html! {
        <section class="report-section" data-section={section.id} data-state={view.state.id()}
                 data-finding={(*found).as_ref().map(|f| f.text.clone()).unwrap_or_default()} data-agrees={agrees}>
            <h3>{ format!("{} · {}", section.label, section.title) }</h3>
            <p class="question">{ section.question }</p>
            <p class="reference">{ "Reference: " }{ section.reference }{ "." }</p>
            <div class="section-controls">
                <button type="button" onclick={on_run.reform(|_| ())}
                        disabled={props.busy || view.state.is_active() || job.is_err()}>
                    { if view.state == RunState::Idle { "Run" } else { "Run again" } }
                </button>
                <a href={link} class="section-link">{ "Open in its panel" }</a>
                if view.state.is_active() {
                    <Progress epoch={done} total={total.max(1)} elapsed_ms={view.elapsed_ms}
                              unit={view.sweep.unit.as_ref().map(|(_, _, label)| AttrValue::from(label.clone()))} />
                }
            </div>
            if let Err(e) = &*job {
                <div class="error" role="alert">{ e }</div>
            }
            if let Some(error) = &view.error {
                <div class="error" role="alert">{ error }</div>
            }
            <p class={classes!("finding", agrees)}>
                { match &*found {
                    Some(f) => html! { <>
                        <span class="mark">{ if f.agrees { "✓ agrees with the reference" } else { "✗ differs from the reference" } }</span>
                        { " " }{ &f.text }{ "." }
                    </> },
                    None if view.stopped => html! { "Stopped before its end: no finding." },
                    None => html! { "The finding appears when the section has run." },
                } }
            </p>
            if let (Ok(job), true) = (&*job, view.state != RunState::Idle) {
                { figures_of(job, &view) }
            }
        </section>
    }
}
