//! `mlds report`: the report's sections run one after another (each as `mlds run` runs it, a
//! sweep on every core), or taken from run files made elsewhere (a cluster's merged runs), and
//! written as the self-contained HTML report the page downloads — the same figures, drawn by
//! the same code (`mlds_figures`), and the same `report-data` block, so the report page opens
//! it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use mlds_core::budget::Budget;
use mlds_core::job::Job;
use mlds_core::params::Params;
use mlds_core::report::{Mode, SECTIONS};
use mlds_core::run_file::RunFile;
use mlds_core::{BackendKind, Event};
use mlds_figures::report::{html, SectionRun};

use crate::run::{RunOptions, StopFlag};
use crate::terminal::say;

#[derive(Args)]
pub struct ReportArgs {
    /// The presets: `quick` (minutes on a CPU) or `full` (the homework's scale).
    #[arg(long, default_value = "quick", value_parser = ["quick", "full"])]
    mode: String,
    /// The report's file (`-`: stdout): a new path or a regular file; a directory, FIFO,
    /// device or symlink is refused.
    #[arg(long, short, default_value = "mlds-report.html")]
    out: PathBuf,
    /// Only these sections (their ids, `fit,minratio`); the others say "not run yet".
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    only: Vec<String>,
    /// Run files to use for the sections whose query they ran (e.g. merged from a cluster's
    /// job array) instead of running those here.
    #[arg(long = "use", value_name = "FILE")]
    runs: Vec<PathBuf>,
    #[command(flatten)]
    options: RunOptions,
}

/// A section's run as the report keeps it: its events, backend and build.
struct Kept {
    events: Vec<Event>,
    backend: BackendKind,
    build: String,
}

impl Kept {
    /// A run that ended by itself (a stopped or failed one has no finding to report).
    fn of(file: RunFile) -> Result<Kept, String> {
        match file.end() {
            Some(Event::Done { .. }) => Ok(Kept {
                backend: file.backend_kind(),
                events: file.events,
                build: file.build,
            }),
            Some(Event::Error { message }) => Err(format!("the run failed: {message}")),
            Some(Event::Stopped { .. }) => Err("stopped before its end".into()),
            _ => Err("the run ended without saying how".into()),
        }
    }
}

pub fn report(args: ReportArgs, follow_symlinks: bool) -> Result<ExitCode, String> {
    let mode = Mode::parse(&args.mode).ok_or("--mode: quick or full")?;
    for id in &args.only {
        if !SECTIONS.iter().any(|s| s.id == id) {
            let ids: Vec<&str> = SECTIONS.iter().map(|s| s.id).collect();
            return Err(format!("--only {id}: no such section ({})", ids.join(", ")));
        }
    }
    let mut kept: HashMap<&str, Kept> = HashMap::new();
    for path in &args.runs {
        let file = crate::read_run(path)?;
        let section = mode
            .section_of(&file.query)
            .map(|i| &SECTIONS[i])
            .ok_or_else(|| {
                format!(
                    "{}: its query `{}` is no section's in {} mode",
                    path.display(),
                    file.query,
                    mode.id()
                )
            })?;
        if let Some(unit) = Params::parse(&file.query).get("unit") {
            return Err(format!(
                "{}: it is one unit (unit={unit}) of a sweep: merge the units with `mlds merge` first",
                path.display()
            ));
        }
        let run = Kept::of(file).map_err(|e| format!("{}: {e}", path.display()))?;
        kept.insert(mode.query(section), run);
    }
    let (options, quiet) = (&args.options, args.options.quiet);
    let settings = options.settings(false);
    let stop = crate::stop_flag(false)?;
    let mut failed = 0;
    for section in &SECTIONS {
        let query = mode.query(section);
        let wanted = args.only.is_empty() || args.only.iter().any(|id| id == section.id);
        if !wanted || kept.contains_key(query) || stopped(&stop) {
            continue;
        }
        if !quiet {
            eprintln!("{} · {}: {query}", section.label, section.title);
        }
        let started = Instant::now();
        let run = Job::parse_within(query, Budget::NATIVE)
            .and_then(|(job, _)| crate::run_job(&job, &[], &settings, options.jobs, &stop))
            .and_then(Kept::of);
        match run {
            Ok(run) => {
                if !quiet {
                    let seconds = started.elapsed().as_secs_f64();
                    eprintln!("{}: done in {seconds:.1} s", section.label);
                }
                kept.insert(query, run);
            }
            Err(e) => {
                failed += 1;
                say!("mlds: {}: {e}", section.label);
            }
        }
    }
    let text = html(mode, &options.page, |query| {
        kept.get(query).map(|k| SectionRun {
            events: &k.events,
            backend: k.backend,
            build: &k.build,
        })
    });
    crate::out::write_whole(&text, &args.out, follow_symlinks)?;
    if !quiet && args.out.as_os_str() != "-" {
        eprintln!(
            "mlds: the report ({} of {} sections) is in {}",
            kept.len(),
            SECTIONS.len(),
            args.out.display()
        );
    }
    Ok(match (stopped(&stop), failed) {
        (true, _) => ExitCode::from(130),
        (false, 0) => ExitCode::SUCCESS,
        (false, _) => ExitCode::FAILURE,
    })
}

fn stopped(stop: &StopFlag) -> bool {
    stop.load(std::sync::atomic::Ordering::Relaxed)
}
