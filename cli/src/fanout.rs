//! A sweep's units on every core: each unit in a process of its own (this binary, `mlds run
//! <unit's query> --out FILE`), up to `jobs` at once, the costliest first (`Job::schedule`), and
//! their run files merged as `mlds merge` does. Processes, not threads: burn's CPU backend
//! draws random numbers from one generator per process, so units sharing a process would not
//! be deterministic. It is the path a cluster's job array takes, on one machine.
//!
//! Each unit's process reports `progress <fraction>` lines on its stdout, and stops (keeping
//! what it finished) when its stdin closes: how a stop reaches it, and why it never outlives
//! this process.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;

use mlds_core::engine::merge::Given;
use mlds_core::job::Job;
use mlds_core::run_file::{RunFile, RunMerge};

use crate::progress;
use crate::run::{Settings, StopFlag, BUILD};

struct Running {
    unit: usize,
    child: Child,
    out: PathBuf,
}

/// Run `job`'s units as processes, at most `jobs` at once: the merged run file.
pub fn fan_out(
    job: &Job,
    jobs: usize,
    settings: &Settings,
    stop: &StopFlag,
) -> Result<RunFile, String> {
    let dir = scratch_dir()?;
    let result = run_units(job, jobs, settings, stop, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_units(
    job: &Job,
    jobs: usize,
    settings: &Settings,
    stop: &StopFlag,
    dir: &Path,
) -> Result<RunFile, String> {
    let mut merge = RunMerge::new(job, BUILD);
    let mut queue: VecDeque<usize> = job.schedule().into();
    let mut running: Vec<Running> = Vec::new();
    let mut shares = vec![0.0; merge.count()];
    let bar = progress::bar(settings.quiet);
    let (tx, rx) = mpsc::channel::<(usize, f64)>();
    let mut stopping = false;
    // Models side by side join step by step: their files are merged together at the end.
    let mut finished = Vec::new();
    loop {
        if stop.load(Ordering::Relaxed) && !stopping {
            stopping = true;
            for unit in queue.drain(..) {
                merge.skip(unit, None);
            }
            for r in &mut running {
                drop(r.child.stdin.take()); // the unit stops at its next checkpoint
            }
        }
        while running.len() < jobs.max(1) && !stopping {
            let Some(at) = queue.iter().position(|&u| merge.given(u) != Given::Wait) else {
                break;
            };
            let unit = queue.remove(at).unwrap_or_default();
            match merge.given(unit) {
                Given::Never(why) => merge.skip(unit, Some(why.as_str())),
                Given::Ready(given) => {
                    let given_file = (!given.is_empty())
                        .then(|| write_given(job, unit, given, dir))
                        .transpose()?;
                    let out = dir.join(format!("unit-{unit}.json"));
                    let child = spawn(job, unit, &out, given_file.as_deref(), settings)?;
                    running.push(watch(Running { unit, child, out }, tx.clone()));
                }
                Given::Wait => unreachable!("picked a unit that can start"),
            }
        }
        if running.is_empty() {
            // Units still waiting can never start: what they wait for is over.
            for unit in queue.drain(..) {
                merge.skip(unit, Some("the units it needs did not finish"));
            }
            break;
        }
        for (unit, share) in rx.try_iter() {
            shares[unit] = share;
        }
        let mut i = 0;
        while i < running.len() {
            match running[i].child.try_wait() {
                Ok(Some(status)) => {
                    let r = running.swap_remove(i);
                    shares[r.unit] = 1.0;
                    match read_unit(r.unit, &r.out, status.code()) {
                        Ok(file) if merge.side_by_side() => finished.push((r.unit, file)),
                        Ok(file) => {
                            lose_on_error(&mut merge, r.unit, |m| m.add(&name(r.unit), file))
                        }
                        Err(why) => merge.skip(r.unit, Some(why.as_str())),
                    }
                }
                Ok(None) => i += 1,
                Err(e) => return Err(format!("waiting for unit {}: {e}", running[i].unit)),
            }
        }
        let done = shares.iter().sum::<f64>() / shares.len().max(1) as f64;
        let ended = merge.count() - merge.missing().len();
        progress::show(
            &bar,
            done,
            &format!("{ended} of {} units done", merge.count()),
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    bar.finish_and_clear();
    if !finished.is_empty() {
        let units: Vec<usize> = finished.iter().map(|(unit, _)| *unit).collect();
        let files = finished.into_iter().map(|(u, f)| (name(u), f)).collect();
        if let Err(why) = merge.add_together(files) {
            for unit in units {
                merge.skip(unit, Some(why.as_str()));
            }
        }
    }
    merge.finish(&settings.page)
}

/// How a unit's file is named in messages.
fn name(unit: usize) -> String {
    format!("unit {unit}'s file")
}

/// The run file unit `unit`'s process wrote to `out`, or why there is none.
fn read_unit(unit: usize, out: &Path, code: Option<i32>) -> Result<RunFile, String> {
    let text = std::fs::read_to_string(out).map_err(|e| {
        format!(
            "its process exited ({}) without a run file: {e}",
            exit(code)
        )
    })?;
    RunFile::parse(&text).map_err(|e| format!("{}: {e}", name(unit)))
}

/// `add` the unit to the merge; if that fails, the unit is lost, with why.
fn lose_on_error(
    merge: &mut RunMerge,
    unit: usize,
    add: impl FnOnce(&mut RunMerge) -> Result<(), String>,
) {
    if let Err(why) = add(merge) {
        merge.skip(unit, Some(why.as_str()));
    }
}

fn exit(code: Option<i32>) -> String {
    code.map_or("killed by a signal".into(), |c| format!("code {c}"))
}

/// `mlds run <unit's query> --out FILE …` for unit `unit`, stdin and stdout piped.
fn spawn(
    job: &Job,
    unit: usize,
    out: &Path,
    given: Option<&Path>,
    settings: &Settings,
) -> Result<Child, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut command = Command::new(exe);
    command
        .arg("run")
        .arg(job.unit(unit).query())
        .arg("--out")
        .arg(out)
        .arg("--jobs=1")
        .arg("--progress-lines")
        .arg("--page")
        .arg(&settings.page);
    if let Some(backend) = settings.backend {
        command.arg("--backend").arg(backend.id());
    }
    if let Some(data) = &settings.data {
        command.arg("--data").arg(data);
    }
    if let Some(given) = given {
        command.arg("--given").arg(given);
    }
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start unit {unit}'s process: {e}"))
}

/// Forward the unit's progress lines to `tx` from a thread of its own.
fn watch(mut running: Running, tx: mpsc::Sender<(usize, f64)>) -> Running {
    if let Some(stdout) = running.child.stdout.take() {
        let unit = running.unit;
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let share = line.strip_prefix("progress ").and_then(|f| f.parse().ok());
                if let Some(share) = share {
                    let _ = tx.send((unit, share));
                }
            }
        });
    }
    running
}

/// The events a unit waits for (E9a's line: the trainings' weights), as a run file it reads.
fn write_given(
    job: &Job,
    unit: usize,
    given: Vec<mlds_core::Event>,
    dir: &Path,
) -> Result<PathBuf, String> {
    let path = dir.join(format!("given-{unit}.json"));
    let file = RunFile::new(job, "", BUILD, "", given);
    std::fs::write(&path, file.to_json()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// A fresh folder for the units' files, removed afterwards.
fn scratch_dir() -> Result<PathBuf, String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("mlds-{}-{nanos:x}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}
