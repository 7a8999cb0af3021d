//! The `mlds` command as a cluster uses it: a sweep's units as separate processes (as a job
//! array runs them), merged, equal the whole run bit for bit; and files that do not belong are
//! refused with a message that names them.

use std::path::Path;
use std::process::Command;

use mlds_core::run_file::RunFile;
use mlds_core::Event;

use crate::common;
use common::{fails, folder, mlds, ok};

/// A tiny E5 preset: three runs of a few epochs and search steps (a second or so each).
const E5: &str = "exp=minratio&runs=3&epochs=60&steps=5&samples=32";

fn read(path: &Path) -> RunFile {
    RunFile::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The numbers a run computed, timings aside: its results by index, and its training curves
/// in order. Debug text of an f64 is its shortest exact form, so equal text is equal bits.
fn numbers(file: &RunFile) -> (Vec<String>, Vec<String>) {
    let mut results: Vec<(usize, String)> = file
        .events
        .iter()
        .filter_map(|e| match e {
            Event::CriticalPoint(p) => Some((p.run, format!("{e:?}"))),
            Event::Result { index, .. } => Some((*index, format!("{e:?}"))),
            _ => None,
        })
        .collect();
    results.sort_by_key(|(i, _)| *i);
    let curves = file
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Losses { epoch, losses, .. } => Some(format!("{epoch} {losses:?}")),
            _ => None,
        })
        .collect();
    (results.into_iter().map(|(_, r)| r).collect(), curves)
}

/// Unit files of E5 in `dir`, each from its own process, all at once (as a job array).
fn job_array(dir: &Path) -> Vec<String> {
    let children: Vec<_> = (0..3)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_mlds"))
                .args(["run", E5, "--unit", &i.to_string()])
                .args(["--out", &format!("unit-{i}.json")])
                .current_dir(dir)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    (0..3).map(|i| format!("unit-{i}.json")).collect()
}

#[test]
fn units_are_counted_on_stdout_alone() {
    let dir = folder("units");
    assert_eq!(ok(&["units", E5], &dir), "3\n");
    assert_eq!(ok(&["units", "exp=gradnorm&epochs=3"], &dir), "1\n");
    // A page's link works as well as its query.
    assert_eq!(
        ok(&["units", &format!("http://h/#{E5}&autorun=1")], &dir),
        "3\n"
    );
    assert!(fails(&["units", "exp=nothing"], &dir).contains("no experiment 'nothing'"));
    assert!(fails(&["run", E5, "--unit", "3"], &dir).contains("0 to 2"));
}

#[test]
fn a_job_array_merged_equals_the_whole_run_and_the_fan_out() {
    let dir = folder("array");
    ok(&["run", E5, "--jobs", "1", "--out", "whole.json"], &dir);
    let units = job_array(&dir);
    // In another order than the units' own: the merge puts them in unit order.
    ok(
        &[
            "merge",
            &units[2],
            &units[0],
            &units[1],
            "--out",
            "merged.json",
        ],
        &dir,
    );
    ok(&["run", E5, "--jobs", "3", "--out", "fanned.json"], &dir);
    let whole = read(&dir.join("whole.json"));
    let expected = numbers(&whole);
    assert_eq!(
        expected.0.len(),
        2 * 3,
        "three runs' critical points, two protocols each"
    );
    assert!(!expected.1.is_empty(), "training curves");
    for name in ["merged.json", "fanned.json"] {
        let file = read(&dir.join(name));
        assert_eq!(numbers(&file), expected, "{name}");
        assert_eq!(file.query, whole.query, "{name}");
        assert!(matches!(file.end(), Some(Event::Done { .. })), "{name}");
    }
    // A unit's file names its unit; the merged file names the whole run, whose link is the page's.
    assert!(read(&dir.join(&units[1])).query.ends_with("unit=1"));
    assert_eq!(whole.link, format!("#{}", whole.query));
}

#[test]
fn files_that_do_not_belong_are_refused_by_name() {
    let dir = folder("refusals");
    let units = job_array(&dir);
    // A lost unit: the merge names it (and the query that computes it).
    let err = fails(&["merge", &units[0], &units[2], "--out", "m.json"], &dir);
    assert!(err.contains("unit 1") && err.contains("unit=1"), "{err}");
    // …unless told to go on without it: the run reports it lost.
    ok(
        &[
            "merge",
            &units[0],
            &units[2],
            "--allow-missing",
            "--out",
            "m.json",
        ],
        &dir,
    );
    let partial = read(&dir.join("m.json"));
    assert_eq!(numbers(&partial).0.len(), 2 * 2);
    assert!(partial.events.iter().any(
        |e| matches!(e, Event::UnitLost { message } if message.contains("no file of unit 1"))
    ));
    // A unit of another run (another seed).
    let other = E5.replace("samples=32", "samples=32&seed=7");
    ok(&["run", &other, "--unit", "1", "--out", "other.json"], &dir);
    let err = fails(
        &[
            "merge",
            &units[0],
            "other.json",
            &units[2],
            "--out",
            "m.json",
        ],
        &dir,
    );
    assert!(err.contains("other.json is part of another run"), "{err}");
    // The same unit twice.
    let err = fails(&["merge", &units[0], &units[0], "--out", "m.json"], &dir);
    assert!(err.contains("given twice"), "{err}");
    // Another build.
    let text = std::fs::read_to_string(dir.join(&units[1])).unwrap();
    let build = read(&dir.join(&units[1])).build;
    std::fs::write(dir.join("rebuilt.json"), text.replace(&build, "mlds 0.0.9")).unwrap();
    let err = fails(
        &[
            "merge",
            &units[0],
            "rebuilt.json",
            &units[2],
            "--out",
            "m.json",
        ],
        &dir,
    );
    assert!(
        err.contains("rebuilt.json was computed by another build"),
        "{err}"
    );
    // Corrupt files: cut short, or not a run file at all.
    std::fs::write(dir.join("cut.json"), &text[..text.len() / 2]).unwrap();
    let err = fails(
        &["merge", &units[0], "cut.json", &units[2], "--out", "m.json"],
        &dir,
    );
    assert!(err.contains("cut.json: it is not JSON"), "{err}");
    std::fs::write(dir.join("list.json"), "[1, 2, 3]").unwrap();
    let err = fails(&["merge", "list.json", "--out", "m.json"], &dir);
    assert!(err.contains("list.json: it is not a run file"), "{err}");
    let err = fails(&["merge", "absent.json", "--out", "m.json"], &dir);
    assert!(err.contains("absent.json"), "{err}");
}

#[test]
fn datasets_missing_or_corrupt_are_explained() {
    let dir = folder("data");
    let full = "exp=tasks&source=full&models=dnn&epochs=1&train_size=64";
    let err = fails(&["run", full], &dir);
    assert!(err.contains("pass --data DIR"), "{err}");
    let err = fails(&["run", full, "--data", "nowhere"], &dir);
    assert!(err.contains("nowhere"), "{err}");
    let empty = folder("data-empty");
    let err = fails(&["run", full, "--data", empty.to_str().unwrap()], &dir);
    assert!(err.contains("has no MNIST files"), "{err}");
    let junk = folder("data-junk");
    for name in [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ] {
        std::fs::write(junk.join(name), b"not an idx file").unwrap();
    }
    let err = fails(&["run", full, "--data", junk.to_str().unwrap()], &dir);
    assert!(err.contains("train-images-idx3-ubyte"), "{err}");
    // CIFAR-10 has no subset: the query says so, and the full dataset is asked for.
    let err = fails(&["run", "exp=tasks&dataset=cifar10&source=subset"], &dir);
    assert!(
        err.contains("no built-in subset") && err.contains("pass --data DIR"),
        "{err}"
    );
}

/// `mlds run` with `args`, interrupted as Ctrl-C would once it is under way: its exit code and
/// the run file it wrote.
fn interrupted(dir: &Path, args: &[&str]) -> (Option<i32>, RunFile) {
    // Long enough not to end before the signal: thousands of epochs per run.
    let slow = "exp=minratio&runs=4&epochs=20000&steps=50&samples=64";
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlds"))
        .args(["run", slow, "--out", "stopped.json"])
        .args(args)
        .current_dir(dir)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // SIGINT to this process alone (a terminal's Ctrl-C reaches its whole group).
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let code = child.wait().unwrap().code();
    (code, read(&dir.join("stopped.json")))
}

#[test]
fn ctrl_c_stops_cleanly_and_keeps_what_finished() {
    let dir = folder("ctrl-c-here");
    let (code, file) = interrupted(&dir, &["--jobs", "1"]);
    assert_eq!(code, Some(130));
    assert!(
        matches!(file.end(), Some(Event::Stopped { .. })),
        "{:?}",
        file.end()
    );
    // The units' own processes stop too, and the merge keeps what they finished.
    let dir = folder("ctrl-c-units");
    let (code, file) = interrupted(&dir, &["--jobs", "2"]);
    assert_eq!(code, Some(130));
    assert!(
        matches!(file.end(), Some(Event::Stopped { .. })),
        "{:?}",
        file.end()
    );
    assert!(file
        .events
        .iter()
        .any(|e| matches!(e, Event::SweepProgress { units: 4, .. })));
}

/// E9a's line (unit 2) needs both trainings' weights: given their files (`--given`), as a
/// cluster runs it after them, or by the fan-out itself, it gives the whole run's points.
#[test]
fn e9a_line_is_given_its_trainings() {
    let dir = folder("e9a");
    let query = "exp=interpolate&hidden=16&epochs=1&train_size=256&batch=32&batch2=128&eval_size=100&points=31";
    ok(&["run", query, "--jobs", "1", "--out", "whole.json"], &dir);
    ok(&["run", query, "--jobs", "3", "--out", "fanned.json"], &dir);
    for i in ["0", "1"] {
        ok(
            &["run", query, "--unit", i, "--out", &format!("u{i}.json")],
            &dir,
        );
    }
    let err = fails(&["run", query, "--unit", "2", "--out", "u2.json"], &dir);
    assert!(err.contains("needs both trained models"), "{err}");
    ok(
        &[
            "run", query, "--unit", "2", "--given", "u0.json", "--given", "u1.json", "--out",
            "u2.json",
        ],
        &dir,
    );
    ok(
        &[
            "merge",
            "u2.json",
            "u1.json",
            "u0.json",
            "--out",
            "merged.json",
        ],
        &dir,
    );
    let whole = numbers(&read(&dir.join("whole.json"))).0;
    assert_eq!(whole.len(), 31);
    for name in ["fanned.json", "merged.json"] {
        assert_eq!(numbers(&read(&dir.join(name))).0, whole, "{name}");
    }
}

/// E9a over two seeds: two pairs and two lines, fanned out as processes (each line after its
/// own pair), give the whole run's 2 × 25 points; pair 1's line (unit 5) given units 3 and 4.
#[test]
fn e9a_over_seeds_fans_out_each_line_after_its_own_pair() {
    let dir = folder("e9a-seeds");
    let query =
        "exp=interpolate&hidden=8&epochs=1&train_size=128&batch=32&batch2=64&eval_size=64&seeds=2";
    ok(&["run", query, "--jobs", "1", "--out", "whole.json"], &dir);
    ok(&["run", query, "--jobs", "2", "--out", "fanned.json"], &dir);
    let whole = numbers(&read(&dir.join("whole.json"))).0;
    assert_eq!(whole.len(), 50);
    assert_eq!(numbers(&read(&dir.join("fanned.json"))).0, whole);
    for i in ["3", "4"] {
        ok(
            &["run", query, "--unit", i, "--out", &format!("u{i}.json")],
            &dir,
        );
    }
    ok(
        &[
            "run", query, "--unit", "5", "--given", "u3.json", "--given", "u4.json", "--out",
            "u5.json",
        ],
        &dir,
    );
    let line = numbers(&read(&dir.join("u5.json"))).0;
    assert_eq!(line.len(), 25, "pair 1's line");
}

/// E1's models side by side, a process each, join step by step as in one process: the same
/// losses at every logged step, and predictions of every model at the same step.
#[test]
fn e1_models_side_by_side_join_step_by_step() {
    let dir = folder("e1");
    let query = "exp=fit&epochs=20&samples=64";
    ok(&["run", query, "--jobs", "1", "--out", "whole.json"], &dir);
    ok(&["run", query, "--jobs", "3", "--out", "fanned.json"], &dir);
    let predictions = |file: &RunFile| -> Vec<String> {
        let found = file.events.iter().filter_map(|e| match e {
            Event::Predictions { epoch, ys } => Some(format!("{epoch} {ys:?}")),
            _ => None,
        });
        found.collect()
    };
    let (whole, fanned) = (
        read(&dir.join("whole.json")),
        read(&dir.join("fanned.json")),
    );
    assert_eq!(numbers(&fanned).1, numbers(&whole).1);
    let (mine, theirs) = (predictions(&fanned), predictions(&whole));
    assert_eq!(theirs.len(), 2, "at the first and the last epoch");
    assert_eq!(mine.first(), theirs.first());
    assert_eq!(mine.last(), theirs.last());
}

/// `docs/experiments.md` holds each experiment's keys as `mlds params EXP` prints them, between
/// `<!-- mlds params EXP -->` and `<!-- /mlds params -->`: the docs cannot drift from the code.
/// `UPDATE_DOCS=1 cargo test -p mlds-cli --test suite docs_` rewrites the tables.
#[test]
fn docs_parameter_tables_are_what_mlds_params_prints() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/experiments.md");
    let mut docs = std::fs::read_to_string(&path).unwrap();
    let dir = folder("params-docs");
    let mut stale = Vec::new();
    for id in mlds_core::job::IDS {
        let table = ok(&["params", id], &dir);
        assert!(table.contains("| `seed` |"), "{id}: {table}");
        let open = format!("<!-- mlds params {id} -->\n");
        let start = docs
            .find(&open)
            .unwrap_or_else(|| panic!("docs/experiments.md has no {open}"))
            + open.len();
        let end = start
            + docs[start..]
                .find("<!-- /mlds params -->")
                .expect("a closing marker");
        if docs[start..end] != table {
            stale.push(*id);
            docs.replace_range(start..end, &table);
        }
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, docs).unwrap();
    } else {
        assert!(stale.is_empty(), "docs/experiments.md's tables differ from `mlds params` for {stale:?}: run UPDATE_DOCS=1 cargo test -p mlds-cli --test suite docs_");
    }
    assert!(fails(&["params", "nope"], &dir).contains("there is no experiment 'nope'"));
}

#[test]
fn a_typed_function_runs_natively_and_its_run_file_carries_it() {
    let dir = folder("typed-function");
    let query = "exp=fit&fn=expr%3Asin%283*x%29*exp%28-x*x%29&shapes=1-4-1&epochs=3&samples=16";
    ok(&["run", query, "--out", "typed.json"], &dir);
    let text = std::fs::read_to_string(dir.join("typed.json")).unwrap();
    let run: serde_json::Value = serde_json::from_str(&text).unwrap();
    let written = run["query"].as_str().unwrap();
    assert!(
        written.contains("fn=expr%3Asin%283*x%29*exp%28-x*x%29"),
        "{written}"
    );
    // The reference curve is the expression: sin(3)·e^-1 at x = 1.
    let ys = &run["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "reference")
        .expect("reference")["ys"];
    let last = ys.as_array().unwrap().last().unwrap().as_f64().unwrap();
    assert!((last - 3f64.sin() * (-1f64).exp()).abs() < 1e-6, "{last}");
    // A malformed one is refused with the reason, and the run fits the default.
    let out = mlds(
        &[
            "run",
            "exp=fit&fn=expr%3Asin%28x&shapes=1-4-1&epochs=1",
            "--out",
            "bad.json",
        ],
        &dir,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("cannot be read"),
        "{err}"
    );
    let bad = std::fs::read_to_string(dir.join("bad.json")).unwrap();
    assert!(bad.contains("fn=sinc5"), "the default function");
}

#[test]
fn compare_writes_the_runs_overlaid_and_refuses_runs_of_other_experiments() {
    let dir = folder("compare");
    let base = "exp=fit&shapes=1-4-1&epochs=3&samples=16";
    ok(&["run", base, "--out", "a.json"], &dir);
    ok(
        &["run", &format!("{base}&lr=0.02"), "--out", "b.json"],
        &dir,
    );
    ok(
        &["compare", "a.json", "b.json", "--out", "compare.html"],
        &dir,
    );
    let html = std::fs::read_to_string(dir.join("compare.html")).unwrap();
    assert_eq!(html.matches("<tr data-run=").count(), 2, "{html}");
    assert!(
        html.contains("<td>lr 0.02</td>"),
        "the second run named by its setting"
    );
    assert!(
        html.contains("Runs: run 1; lr 0.02."),
        "a chart names the runs it shows"
    );
    ok(&["run", "exp=gradnorm&epochs=3", "--out", "c.json"], &dir);
    let err = fails(&["compare", "a.json", "c.json", "--out", "x.html"], &dir);
    assert!(err.contains("different experiments"), "{err}");
    assert!(!dir.join("x.html").exists());
}
