//! The frame every experiment panel stands in, and the run it frames. A panel file holds only
//! what is its experiment's own (controls, figures, `data-metrics` keys, presets, lede); the
//! section around them — heading, lede, presets, controls with the backend choice, dataset box,
//! backend line, notices, run buttons, progress, exports, "Open a run file", then the figures
//! and the metrics — is [`PanelFrame`], and the config and its run are [`use_panel`].

use mlds_core::backend::{BackendChoice, Resolution, Workload};
use mlds_core::data::{DataSource, DatasetKind};
use mlds_core::experiments::Experiment;
use mlds_core::job::Job;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::config::{use_autorun, use_url_config, UrlConfig};
use super::controls::run_controls;
use super::image_data::{use_image_data, ImageData};
use super::run::{use_run, RunHandle};
use crate::backends::Backends;
use crate::components::{
    backend_options, backend_title, is_run_file, BackendLine, Notices, ParamField, ParamOptions,
    Preset, Presets, RunsList, WorkersNotice,
};
use crate::datasets::dropped_files;
use crate::run_view::RunView;
use crate::runs::{use_kept_runs, Comparison};

/// Every panel's props: the backends the page found.
#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub backends: Backends,
}

/// Where a panel's run gets its backend.
#[derive(Clone, PartialEq)]
pub enum BackendSetting {
    /// The config's choice (the Backend control, after the panel's own) and what it resolves to
    /// for the workload (the backend line says which, and why).
    Choice {
        choice: BackendChoice,
        resolution: Resolution,
        workload: Workload,
    },
    /// One backend, no choice: the line says which (E5's Hessians need the CPU's f64).
    Fixed(&'static str),
}

/// A panel's run bound to its URL config: what the frame shows and what Start does.
#[derive(Clone, PartialEq)]
pub struct PanelRun {
    pub run: RunHandle,
    /// The config as the job Start runs: its id is the panel's `data-experiment`, its query
    /// marks the preset in use.
    pub job: Job,
    pub backend: BackendSetting,
    /// The dataset of the job's image task (the box shows only when it has one).
    pub data: ImageData,
    pub on_start: Callback<()>,
    /// The config's notices (rejected values, the backend's fallback), and how to add one.
    pub notices: Vec<String>,
    pub notify: Callback<String>,
    /// A control committed a value (the backend choice is the frame's control).
    pub on_param: Callback<(&'static str, String)>,
}

impl PanelRun {
    /// Whether a run is going (controls are disabled then).
    pub fn busy(&self) -> bool {
        self.run.view.state.is_active()
    }

    /// The run's events so far, folded: what the figures and metrics draw from.
    pub fn view(&self) -> &RunView {
        &self.run.view
    }
}

/// The config of experiment `C` bound to the URL (under its id, `C::ID`), and its run: Start gets the image task's
/// dataset (if any; the dataset box shows the loading and says what is missing), then runs the
/// job on the backend its config resolves to; `autorun=1` starts it on load. A dataset the
/// user gives switches the config to it.
#[hook]
pub fn use_panel<C>(backends: &Backends) -> (UrlConfig<C>, PanelRun)
where
    C: Experiment + Into<Job>,
{
    let url = use_url_config::<C>(C::ID);
    let run = use_run();
    let job: Job = (*url.config).clone().into();
    let (workload, choice) = job.backend();
    let resolution = choice.resolve(workload, backends.webgpu_available());
    let on_adopt = {
        let on_params = url.on_params.clone();
        Callback::from(move |kind: DatasetKind| {
            on_params.emit(vec![
                ("dataset", kind.id().to_string()),
                ("source", DataSource::Full.id().to_string()),
            ])
        })
    };
    let data = use_image_data(job.image_task().cloned(), on_adopt);
    let on_start = {
        let (run, job, data, backends) = (run.clone(), job.clone(), data.clone(), backends.clone());
        let (notice, notify) = (resolution.notice.clone(), url.notifier());
        Callback::from(move |()| {
            if let Some(n) = &notice {
                notify.emit(n.clone());
            }
            let (run, job, data, backends) =
                (run.clone(), job.clone(), data.clone(), backends.clone());
            spawn_local(async move {
                if let Some(task) = job.image_task().cloned() {
                    if data.obtain(task).await.is_none() {
                        return;
                    }
                }
                run.start_job(job, &backends);
            });
        })
    };
    use_autorun(url.autorun, on_start.clone());
    let panel = PanelRun {
        run,
        job,
        backend: BackendSetting::Choice {
            choice,
            resolution,
            workload,
        },
        data,
        on_start,
        notices: (*url.notices).clone(),
        notify: url.notifier(),
        on_param: url.on_param.clone(),
    };
    (url, panel)
}

#[derive(Properties, PartialEq)]
pub struct PanelFrameProps {
    /// The run (from [`use_panel`]).
    pub run: PanelRun,
    /// The heading: "E4 · Gradient norm during training".
    pub title: &'static str,
    /// What the experiment shows, in a sentence or a few (the `lede` paragraph's content).
    pub lede: Html,
    /// Paragraphs between the lede and the presets (E5's criterion).
    #[prop_or_default]
    pub intro: Html,
    pub presets: Vec<Preset>,
    /// The experiment's controls (the backend choice follows them).
    pub controls: Html,
    /// The schedule's epochs: the progress bar's total until the run reports its own.
    pub epochs: usize,
    /// The `data-metrics` JSON, the panel's keys over the common ones.
    pub metrics: String,
    /// Files dropped on the panel that are not a run file become its dataset (E2; a run file
    /// is "Open a run file"'s on every panel).
    #[prop_or_default]
    pub drop_datasets: bool,
    /// The figures, tables and notes, between the run controls and the metrics.
    #[prop_or_default]
    pub children: Html,
}

/// An experiment panel: its `section` (`data-experiment`, `data-state` and `data-run-backend`
/// are the browser tests' contract), the frame around the panel's controls and children.
#[function_component]
pub fn PanelFrame(props: &PanelFrameProps) -> Html {
    let panel = &props.run;
    let view = &panel.run.view;
    let busy = panel.busy();
    let dropping = use_state(|| false);
    let runs = use_kept_runs(&panel.job, view);
    let comparison = (*runs.comparison).clone();
    let metrics = with_compared(&props.metrics, &comparison.queries);
    let (ondragover, ondragleave, ondrop) = match props.drop_datasets {
        true => {
            let (over, leave, drop) = dataset_drops(&panel.data, &dropping);
            (Some(over), Some(leave), Some(drop))
        }
        false => (None, None, None),
    };
    let (backend_control, backend_line) = match &panel.backend {
        BackendSetting::Choice {
            choice,
            resolution,
            workload,
        } => (
            html! {
                <ParamField name="backend" label="Backend" value={choice.id()} options={ParamOptions::Choice(backend_options())}
                    title={backend_title(*choice, *workload)} disabled={busy} onchange={panel.on_param.clone()} />
            },
            html! { <BackendLine choice={*choice} resolution={resolution.clone()} workload={*workload} /> },
        ),
        BackendSetting::Fixed(line) => (
            html! {},
            html! { <p class="backend-line">{ *line }<WorkersNotice /></p> },
        ),
    };
    html! {
        <section class={classes!("panel", dropping.then_some("dropping"))} data-experiment={panel.job.id()}
                 data-state={view.state.id()} data-run-backend={view.backend.map(|b| b.id()).unwrap_or("none")}
                 {ondragover} {ondragleave} {ondrop}>
            <h2>{ props.title }</h2>
            <p class="lede">{ props.lede.clone() }</p>
            { props.intro.clone() }
            <Presets presets={props.presets.clone()} current={panel.job.query()} />
            <div class="controls">
                { props.controls.clone() }
                { backend_control }
            </div>
            if panel.job.image_task().is_some() { { panel.data.view(busy) } }
            { backend_line }
            <Notices notices={panel.notices.clone()} />
            { run_controls(&panel.run, panel.on_start.clone(), props.epochs, panel.notify.clone()) }
            <ContextProvider<Comparison> context={comparison}>
                { props.children.clone() }
            </ContextProvider<Comparison>>
            <RunsList runs={runs} current={panel.job.query()} />
            <pre class="metrics" data-metrics="">{ metrics }</pre>
        </section>
    }
}

/// A panel's `data-metrics` JSON object with `compared` (the ticked runs' queries) first.
fn with_compared(metrics: &str, queries: &[String]) -> String {
    let compared = serde_json::to_string(queries).unwrap_or_else(|_| "[]".into());
    match metrics.trim_start().strip_prefix('{') {
        Some(rest) if rest.trim_start().starts_with('}') => format!("{{\"compared\":{compared}}}"),
        Some(rest) => format!("{{\"compared\":{compared},{rest}"),
        None => metrics.to_owned(),
    }
}

/// The panel's drag-over, drag-leave and drop handlers for dataset files: the panel shows it
/// is a drop target, and what is dropped (but a run file) goes to the dataset box.
fn dataset_drops(
    data: &ImageData,
    dropping: &UseStateHandle<bool>,
) -> (
    Callback<DragEvent>,
    Callback<DragEvent>,
    Callback<DragEvent>,
) {
    let drag = |over: bool| {
        let dropping = dropping.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dropping.set(over);
        })
    };
    let drop = {
        let (on_files, dropping) = (data.on_files.clone(), dropping.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dropping.set(false);
            // A run file dropped here is "Open a run file"'s (it listens on the panel too).
            let files: Vec<_> = dropped_files(&e)
                .into_iter()
                .filter(|f| !is_run_file(f))
                .collect();
            if !files.is_empty() {
                on_files.emit(files);
            }
        })
    };
    (drag(true), drag(false), drop)
}
