//! `mlds`: the playground's experiments from a native command. A run is named by the page's own
//! URL query and written as the page's run file, so a run made here opens in the page and the
//! other way round; a sweep's units run on every core, or one at a time on a cluster's job
//! array, and merge into the same run. See docs/cli.md.

mod backend;
mod data;
mod fanout;
mod out;
mod progress;
mod report;
mod run;
mod terminal;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use mlds_core::budget::Budget;
use mlds_core::job::Job;
use mlds_core::run_file::{merge_files, RunFile};
use mlds_core::Event;

use run::{page_url, RunOptions, Settings, StopFlag};
use terminal::say;

#[derive(Parser)]
#[command(
    name = "mlds",
    version,
    about = "The MLDS Playground's experiments, natively"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// `--out` may be a symlink: the file it names is written (it must be new or a regular
    /// file). Without it a symlink is refused.
    #[arg(long, global = true)]
    follow_symlinks: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run the experiment a URL query names (`exp=minratio&runs=500`, or the page's link).
    Run(RunArgs),
    /// Print how many units the run has (the number alone).
    Units {
        /// The page's URL query (or its whole link).
        query: String,
    },
    /// Print each key an experiment's query accepts, its values and its default (every
    /// experiment without EXP), as a Markdown table: the same definitions `run` parses.
    Params {
        /// The experiment's id (`fit`, `minratio`, …).
        exp: Option<String>,
    },
    /// Run the report's sections and write it as the page's self-contained HTML report.
    Report(report::ReportArgs),
    /// Write several runs of one experiment as one HTML page, their figures overlaid (the
    /// page's Runs list draws the same): the first run is drawn solid, the others over it.
    Compare {
        /// The runs' files (at least one; at most 16).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The HTML file (`-`: stdout): a new path or a regular file.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Merge units' run files, in any order, into their run.
    Merge {
        /// The units' run files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The merged run's file (`-`: stdout): a new path or a regular file; a directory, FIFO,
        /// device or symlink is refused.
        #[arg(long, short)]
        out: PathBuf,
        /// Report missing units as lost in the run instead of refusing to merge.
        #[arg(long)]
        allow_missing: bool,
        /// The page's URL, which the run file's link starts with (default: `#` + query);
        /// http:// or https:// only.
        #[arg(long, default_value = "", value_parser = page_url)]
        page: String,
    },
}

#[derive(Args)]
struct RunArgs {
    /// The page's URL query (or its whole link): `exp=…&…`, a preset's, `unit=i` for one unit.
    query: String,
    /// Run only unit I (0-based) of a sweep: what one task of a job array runs.
    #[arg(long, value_name = "I")]
    unit: Option<usize>,
    /// The run file (`-`: stdout). Default: `<exp>-run.json`, `<exp>-unit-<I>.json` for a unit.
    /// A new path or a regular file; a directory, FIFO, device or symlink is refused.
    #[arg(long, short)]
    out: Option<PathBuf>,
    #[command(flatten)]
    options: RunOptions,
    /// Run files of the units this unit needs (E9a's line, unit 2: units 0 and 1's files).
    #[arg(long, value_name = "FILE")]
    given: Vec<PathBuf>,
    /// Progress as lines on stdout, and stop when stdin closes: a unit started by `mlds run`.
    #[arg(long, hide = true)]
    progress_lines: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let follow_symlinks = cli.follow_symlinks;
    let result = match cli.command {
        Command::Run(args) => run(args, follow_symlinks),
        Command::Units { query } => parse(&query).map(|job| {
            println!("{}", job.units().0);
            ExitCode::SUCCESS
        }),
        Command::Params { exp } => params(exp.as_deref()),
        Command::Report(args) => report::report(args, follow_symlinks),
        Command::Compare { files, out } => compare(&files, &out, follow_symlinks),
        Command::Merge {
            files,
            out,
            allow_missing,
            page,
        } => merge(&files, &out, allow_missing, &page, follow_symlinks),
    };
    result.unwrap_or_else(|message| {
        say!("mlds: {message}");
        ExitCode::FAILURE
    })
}

/// `mlds params [EXP]`: each experiment's keys, as `docs/experiments.md` shows them.
fn params(exp: Option<&str>) -> Result<ExitCode, String> {
    let ids = match exp {
        Some(id) => vec![id],
        None => mlds_core::job::IDS.to_vec(),
    };
    for (i, id) in ids.iter().enumerate() {
        let specs = mlds_core::job::specs(id).ok_or_else(|| {
            format!(
                "there is no experiment '{id}' (one of {})",
                mlds_core::job::IDS.join(", ")
            )
        })?;
        if ids.len() > 1 {
            println!("{}## {id}\n", if i > 0 { "\n" } else { "" });
        }
        print!("{}", mlds_core::params::markdown(&specs));
    }
    Ok(ExitCode::SUCCESS)
}

/// The job a query (or a link, whose hash holds the query) names; notices go to stderr.
fn parse(query: &str) -> Result<Job, String> {
    let query = query.rsplit_once('#').map_or(query, |(_, hash)| hash);
    let (job, notices) = Job::parse_within(query, Budget::NATIVE)?;
    for notice in notices {
        say!("notice: {notice}");
    }
    Ok(job)
}

fn run(args: RunArgs, follow_symlinks: bool) -> Result<ExitCode, String> {
    let mut job = parse(&args.query)?;
    if let Some(i) = args.unit {
        let count = job.units().0;
        if i >= count {
            return Err(format!(
                "--unit {i}: this run has {count} unit(s), 0 to {}",
                count - 1
            ));
        }
        job = job.unit(i);
    }
    let mut given = Vec::new();
    for path in &args.given {
        given.extend(read_run(path)?.events);
    }
    let settings = args.options.settings(args.progress_lines);
    let stop = stop_flag(args.progress_lines)?;
    let file = run_job(&job, &given, &settings, args.options.jobs, &stop)?;
    let out = args.out.unwrap_or_else(|| {
        PathBuf::from(match job.units().1 {
            Some(i) => format!("{}-unit-{i}.json", job.id()),
            None => format!("{}-run.json", job.id()),
        })
    });
    write_run(&file, &out, follow_symlinks)?;
    // A unit's process leaves the word to its parent, which reports its end or its loss.
    Ok(ended(&file, &out, !args.progress_lines))
}

/// Run `job` whole: a sweep's units in processes on up to `jobs` cores (default: every core),
/// anything else (or a GPU run) in this process.
pub(crate) fn run_job(
    job: &Job,
    given: &[Event],
    settings: &Settings,
    jobs: Option<usize>,
    stop: &StopFlag,
) -> Result<RunFile, String> {
    let jobs = jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let sweep = job.units().0 > 1 && job.units().1.is_none();
    if sweep && jobs > 1 && !backend::may_use_gpu(job, settings.backend) {
        // Fail here, once, rather than in every unit's process.
        if let Some(task) = job.image_task() {
            data::obtain(task, settings.data.as_deref())?;
        }
        fanout::fan_out(job, jobs, settings, stop)
    } else {
        run::run_here(job, given, settings, stop)
    }
}

fn merge(
    files: &[PathBuf],
    out: &Path,
    allow_missing: bool,
    page: &str,
    follow_symlinks: bool,
) -> Result<ExitCode, String> {
    let read = files
        .iter()
        .map(|path| Ok((path.display().to_string(), read_run(path)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let run = merge_files(read, page, allow_missing)?;
    write_run(&run, out, follow_symlinks)?;
    Ok(ended(&run, out, true))
}

/// Runs compared on one page: at most this many files (each up to a run file's size limit).
const COMPARE_MAX_FILES: usize = 16;

fn compare(files: &[PathBuf], out: &Path, follow_symlinks: bool) -> Result<ExitCode, String> {
    if files.len() > COMPARE_MAX_FILES {
        return Err(format!(
            "{} runs given; at most {COMPARE_MAX_FILES} can be compared",
            files.len()
        ));
    }
    let runs = files
        .iter()
        .map(|path| read_run(path))
        .collect::<Result<Vec<_>, String>>()?;
    let html = mlds_figures::compare::compare_html(&runs)?;
    out::write_whole(&html, out, follow_symlinks)?;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C asks the run to stop (a second one quits at once); a unit's process also stops when
/// its parent closes its stdin.
pub(crate) fn stop_flag(watch_stdin: bool) -> Result<StopFlag, String> {
    let stop: StopFlag = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
        // A unit's process leaves the word to its parent, which the same Ctrl-C reaches.
        if !watch_stdin {
            eprintln!("\nmlds: stopping after the current step (Ctrl-C again to quit at once)…");
        }
    })
    .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    if watch_stdin {
        let flag = stop.clone();
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            flag.store(true, Ordering::Relaxed);
        });
    }
    Ok(stop)
}

/// A run file (or a report's), refused by its size before it is read (`run_file::MAX_BYTES`).
pub(crate) fn read_run(path: &Path) -> Result<RunFile, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    mlds_core::run_file::check_size(size).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    RunFile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Write the run file whole or not at all (a merge never reads half a file).
fn write_run(file: &RunFile, out: &Path, follow_symlinks: bool) -> Result<(), String> {
    out::write_whole(&(file.to_json() + "\n"), out, follow_symlinks)
}

/// The exit code of a written run: 0 done, 130 stopped, 1 failed; lost units and the end are
/// reported on stderr where `say`.
fn ended(file: &RunFile, out: &Path, say: bool) -> ExitCode {
    let say = |message: String| {
        // The messages quote the run's own events, which a crafted file may fill.
        if say {
            say!("mlds: {message}");
        }
    };
    for event in &file.events {
        if let Event::UnitLost { message } = event {
            say(message.clone());
        }
    }
    match file.end() {
        Some(Event::Done { .. }) => ExitCode::SUCCESS,
        Some(Event::Stopped { .. }) => {
            say(format!("stopped; what finished is in {}", out.display()));
            ExitCode::from(130)
        }
        Some(Event::Error { message }) => {
            say(format!("the run failed: {message}"));
            ExitCode::FAILURE
        }
        _ => {
            say("the run ended without saying how".into());
            ExitCode::FAILURE
        }
    }
}
