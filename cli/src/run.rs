//! A run in this process: the job on its device, with a host that keeps every event, shows
//! progress and stops at the next checkpoint once asked (Ctrl-C, or the parent that started
//! this process as one unit of a sweep), so what finished is kept.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Args;
use indicatif::ProgressBar;
use mlds_core::job::Job;
use mlds_core::run_file::RunFile;
use mlds_core::{Event, Flow, Host};

use crate::backend::{self, BackendArg};
use crate::data;
use crate::progress::{self, Tracker};

/// The build every run file of this binary carries (`build.rs`).
pub const BUILD: &str = env!("MLDS_BUILD");

/// How a run is computed and shown, whatever its job.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub backend: Option<BackendArg>,
    pub data: Option<PathBuf>,
    /// The page's URL the run file's link starts with (empty: `#` + query).
    pub page: String,
    /// No progress bar.
    pub quiet: bool,
    /// Report progress as `progress <fraction>` lines on stdout, for a parent process.
    pub progress_lines: bool,
}

/// How runs are computed and shown, as `mlds run` and `mlds report` take it.
#[derive(Args, Clone, Debug)]
pub struct RunOptions {
    /// A sweep's units at most N at once, each in a process (default: every core).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// The backend (default: the query's `backend=`, `auto` unless it says).
    #[arg(long, value_enum)]
    pub backend: Option<BackendArg>,
    /// A folder with the official MNIST or CIFAR-10 files (for `source=full`).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The page's URL, which links start with (default: `#` + query); http:// or https://
    /// only.
    #[arg(long, default_value = "", value_parser = page_url)]
    pub page: String,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `--page`: empty, or an http(s) URL. Links in run files and reports start with it, so a
/// `javascript:` one would run script when clicked.
pub fn page_url(text: &str) -> Result<String, String> {
    let scheme = text.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    let web = matches!(scheme.as_deref(), Some("http" | "https"));
    if text.is_empty() || web && !text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(text.to_string())
    } else {
        Err("the page's URL must start with http:// or https:// (no spaces)".into())
    }
}

impl RunOptions {
    /// The settings of a run; `progress_lines`: for a parent process, as lines on stdout.
    pub fn settings(&self, progress_lines: bool) -> Settings {
        Settings {
            backend: self.backend,
            data: self.data.clone(),
            page: self.page.clone(),
            quiet: self.quiet || progress_lines,
            progress_lines,
        }
    }
}

/// Set once the run is asked to stop.
pub type StopFlag = Arc<AtomicBool>;

/// Where progress goes.
enum Report {
    Bar(ProgressBar),
    /// To a parent process: the last per-mille written.
    Lines(i64),
}

struct CliHost<'a> {
    events: Vec<Event>,
    stop: &'a AtomicBool,
    tracker: Tracker,
    report: Report,
}

impl Host for CliHost<'_> {
    fn emit(&mut self, event: Event) {
        self.tracker.see(&event);
        let fraction = self.tracker.fraction();
        match &mut self.report {
            Report::Bar(bar) => progress::show(bar, fraction, &self.tracker.label),
            Report::Lines(last) => {
                let now = (fraction * 1000.0).round() as i64;
                if now != *last {
                    *last = now;
                    // A parent that went away is noticed through stdin; nothing to do here.
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "progress {fraction:.4}").and_then(|_| out.flush());
                }
            }
        }
        self.events.push(event);
    }

    async fn checkpoint(&mut self) -> Flow {
        match self.stop.load(Ordering::Relaxed) {
            true => Flow::Stop,
            false => Flow::Continue,
        }
    }
}

/// Run `job` here (given the events of the units it waits for, if any): its run file, or why
/// it could not start (a dataset or backend that cannot be had).
pub fn run_here(
    job: &Job,
    given: &[Event],
    settings: &Settings,
    stop: &StopFlag,
) -> Result<RunFile, String> {
    let job = job.clone().given(given);
    let images = job
        .image_task()
        .map(|task| data::obtain(task, settings.data.as_deref()))
        .transpose()?;
    let (device, kind) = backend::device(&job, settings.backend)?;
    let report = match settings.progress_lines {
        true => Report::Lines(-1),
        false => Report::Bar(progress::bar(settings.quiet)),
    };
    let mut host = CliHost {
        events: Vec::new(),
        stop,
        tracker: Tracker::new(job.units().1.is_some()),
        report,
    };
    pollster::block_on(job.run(images.as_ref(), &device, &mut host));
    if let Report::Bar(bar) = &host.report {
        bar.finish_and_clear();
    }
    Ok(RunFile::new(
        &job,
        &settings.page,
        BUILD,
        kind.id(),
        host.events,
    ))
}
