//! What `mlds` refuses, so that a mistyped flag or a crafted file does no harm: `--out` writes
//! only to a new path or over a regular file, `--page` takes http(s) URLs only, and what a file
//! says reaches the terminal with its control characters escaped.

use std::path::Path;
use std::process::Command;

use crate::common;
use common::{fails, folder, mlds};

/// A run file of a one-unit run, made by hand (as anyone could), whose `build` and error
/// message are given.
fn crafted(dir: &Path, name: &str, build: &str, message: &str) {
    let file = serde_json::json!({
        "format": "mlds-run",
        "version": 1,
        "experiment": "gradnorm",
        "query": "exp=gradnorm&epochs=3",
        "link": "#exp=gradnorm&epochs=3",
        "hash": "#exp=gradnorm&epochs=3",
        "build": build,
        "backend": "cpu",
        "events": [{ "type": "error", "message": message }],
    });
    std::fs::write(dir.join(name), file.to_string()).unwrap();
}

/// `mlds merge run.json --out <out>` with extra arguments: its output.
fn merge_to(dir: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["merge", "run.json", "--out", out];
    args.extend_from_slice(extra);
    mlds(&args, dir)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The merged run was written to `path` (a failed run exits 1, but its file is written).
fn holds_the_run(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.contains("\"format\": \"mlds-run\""))
}

#[test]
fn out_writes_a_new_path_or_over_a_regular_file_and_stdout_for_a_dash() {
    let dir = folder("out-regular");
    crafted(&dir, "run.json", "b1", "it broke");
    merge_to(&dir, "new.json", &[]);
    assert!(holds_the_run(&dir.join("new.json")));
    std::fs::write(dir.join("old.json"), "old").unwrap();
    merge_to(&dir, "old.json", &[]);
    assert!(holds_the_run(&dir.join("old.json")));
    let out = merge_to(&dir, "-", &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"format\": \"mlds-run\""));
    assert!(!dir.join("-").exists());
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(left.is_empty(), "no .partial is left: {left:?}");
}

#[test]
fn out_refuses_a_directory_in_words_and_leaves_it() {
    let dir = folder("out-directory");
    crafted(&dir, "run.json", "b1", "it broke");
    std::fs::create_dir(dir.join("folder")).unwrap();
    let out = merge_to(&dir, "folder", &[]);
    assert!(
        stderr(&out).contains(
            "folder: it is a directory; --out writes only to a new path or over a regular file"
        ),
        "{}",
        stderr(&out)
    );
    assert!(dir.join("folder").is_dir());
    assert!(!dir.join("folder.partial").exists());
}

#[cfg(unix)]
#[test]
fn out_refuses_a_fifo_and_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = folder("out-fifo");
    crafted(&dir, "run.json", "b1", "it broke");
    assert!(Command::new("mkfifo")
        .arg(dir.join("pipe"))
        .status()
        .unwrap()
        .success());
    let out = merge_to(&dir, "pipe", &[]);
    assert!(
        stderr(&out).contains("pipe: it is a FIFO; --out writes only"),
        "{}",
        stderr(&out)
    );
    assert!(std::fs::symlink_metadata(dir.join("pipe"))
        .unwrap()
        .file_type()
        .is_fifo());
    // A device node of our own where this machine lets us make one (as root): never /dev's.
    let made = Command::new("mknod")
        .arg(dir.join("null"))
        .args(["c", "1", "3"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if made {
        let out = merge_to(&dir, "null", &[]);
        assert!(
            stderr(&out).contains("null: it is a device; --out writes only"),
            "{}",
            stderr(&out)
        );
        let kind = std::fs::symlink_metadata(dir.join("null"))
            .unwrap()
            .file_type();
        assert!(kind.is_char_device(), "the device is still there");
    } else {
        eprintln!("mknod is not allowed here: the device case is left to out.rs's unit test");
    }
}

#[cfg(unix)]
#[test]
fn out_refuses_a_symlink_unless_told_to_follow_it_to_a_regular_file() {
    use std::os::unix::fs::symlink;
    let dir = folder("out-symlink");
    crafted(&dir, "run.json", "b1", "it broke");
    std::fs::write(dir.join("target.json"), "old").unwrap();
    symlink("target.json", dir.join("link.json")).unwrap();
    let out = merge_to(&dir, "link.json", &[]);
    assert!(
        stderr(&out).contains("link.json: it is a symlink; --out writes only to a new path or over a regular file (--follow-symlinks"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("target.json")).unwrap(),
        "old"
    );

    // Told to follow it: the file it names is written, and the symlink stays.
    merge_to(&dir, "link.json", &["--follow-symlinks"]);
    assert!(holds_the_run(&dir.join("target.json")));
    assert!(std::fs::symlink_metadata(dir.join("link.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    // A dangling one names a new file.
    symlink("fresh.json", dir.join("dangling.json")).unwrap();
    merge_to(&dir, "dangling.json", &["--follow-symlinks"]);
    assert!(holds_the_run(&dir.join("fresh.json")));
    // One that leads to a directory is still refused.
    std::fs::create_dir(dir.join("folder")).unwrap();
    symlink("folder", dir.join("to-folder")).unwrap();
    let out = merge_to(&dir, "to-folder", &["--follow-symlinks"]);
    assert!(
        stderr(&out).contains("to-folder: it is a directory (what the symlink names)"),
        "{}",
        stderr(&out)
    );
    // A symlink planted at the `.partial` path is never written through.
    std::fs::write(dir.join("victim"), "keep").unwrap();
    symlink("victim", dir.join("out.json.partial")).unwrap();
    let out = merge_to(&dir, "out.json", &[]);
    assert!(
        stderr(&out).contains("is not a regular file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(dir.join("victim")).unwrap(), "keep");
    assert!(!dir.join("out.json").exists());
}

#[test]
fn page_must_be_an_http_url() {
    let dir = folder("page-url");
    crafted(&dir, "run.json", "b1", "it broke");
    for page in [
        "javascript:alert(1)//",
        "JavaScript://%0aalert(1)",
        "data:text/html,x",
        " https://x.org/",
        "https://x.org/ a",
    ] {
        let err = fails(
            &["merge", "run.json", "--out", "m.json", "--page", page],
            &dir,
        );
        assert!(
            err.contains("must start with http:// or https://"),
            "{page}: {err}"
        );
        let err = fails(
            &["report", "--only", "fit", "--page", page, "--out", "r.html"],
            &dir,
        );
        assert!(
            err.contains("must start with http:// or https://"),
            "{page}: {err}"
        );
        let err = fails(&["run", "exp=gradnorm&epochs=3", "--page", page], &dir);
        assert!(
            err.contains("must start with http:// or https://"),
            "{page}: {err}"
        );
    }
    assert!(!dir.join("m.json").exists() && !dir.join("r.html").exists());
    merge_to(&dir, "m.json", &["--page", "HTTPS://example.org/play/"]);
    let text = std::fs::read_to_string(dir.join("m.json")).unwrap();
    assert!(
        text.contains("\"link\": \"HTTPS://example.org/play/#exp=gradnorm"),
        "{text}"
    );
}

#[test]
fn merge_escapes_control_characters_from_a_file_in_its_messages() {
    let dir = folder("merge-terminal");
    let evil = "\u{1b}]0;owned\u{7}\u{1b}[2J\r\u{202e}";
    crafted(&dir, "run.json", "b1", &format!("broke{evil}"));
    let out = merge_to(&dir, "m.json", &[]);
    let said = stderr(&out);
    assert!(
        said.contains("the run failed: broke\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\r\\u{202e}"),
        "{said}"
    );
    // A second unit file of another build: refused, its build quoted escaped.
    crafted(&dir, "a.json", &format!("b1{evil}"), "x");
    crafted(&dir, "b.json", "b2", "x");
    let said = fails(&["merge", "a.json", "b.json", "--out", "m2.json"], &dir);
    for said in [said, stderr(&out)] {
        assert!(
            !said
                .chars()
                .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
            "{said:?}"
        );
    }
}

/// What a query asks for is checked when it is parsed, in words: an architecture that leaves no
/// pixel (burn would panic on it), and a run over `mlds`'s budget (16 GiB of training state),
/// which is larger than a tab's (1 GiB).
#[test]
fn queries_over_the_budget_or_with_no_pixel_left_get_notices_not_panics() {
    let dir = folder("query-limits");
    let stderr = |query: &str| {
        let out = mlds(&["units", query], &dir);
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{query}: {text}");
        assert!(!text.contains("panicked"), "{text}");
        text
    };
    let pools = stderr("exp=gradnorm&task=images&convs=8-8-8-8-8&hidden=16");
    assert!(
        pools.contains("notice: convs=8-8-8-8-8: 5 conv blocks halve a 28×28 image 5 times, leaving no pixel; at most 4 fit"),
        "{pools}"
    );
    // 23 hidden layers of 4096 (6.2 GiB): over a tab's budget, within mlds's.
    let deep = format!("1-{}-1", vec!["4096"; 23].join("-"));
    assert_eq!(stderr(&format!("exp=fit&shapes={deep}")), "");
    // Three of them side by side: 18.5 GiB, over mlds's too.
    let three = stderr(&format!("exp=fit&shapes={deep},{deep},{deep}"));
    assert!(three.contains("over mlds's budget of 16.0 GiB"), "{three}");
    assert!(
        three.contains("using the default shapes, samples, batch"),
        "{three}"
    );
}

/// A file larger than any run file is refused by its size, with its name, before it is read
/// (a sparse file: nothing is written, and `mlds` must not read 64 MB of it to find out).
#[test]
fn merge_refuses_a_file_over_the_size_limit_by_its_size() {
    let dir = folder("huge-run-file");
    let huge = dir.join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(mlds_core::run_file::MAX_BYTES + 1)
        .unwrap();
    let err = fails(&["merge", "huge.json", "--out", "merged.json"], &dir);
    assert!(
        err.contains("huge.json: it is 67.1 MB, more than the 64 MB a run or report file may be"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!dir.join("merged.json").exists());
}

/// The largest amount of memory `mlds args…` held (its maximum resident set, from
/// `/usr/bin/time -v`), in bytes, and its output.
fn peak_memory(args: &[&str], dir: &Path) -> (u64, std::process::Output) {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_mlds"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("/usr/bin/time runs (scripts/setup.sh installs it)");
    let report = String::from_utf8_lossy(&out.stderr);
    let kib: u64 = report
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no maximum resident set size in {report}"));
    (kib * 1024, out)
}

/// `peak` bytes held for `size` bytes of files are within the stated bound: what the process
/// needs anyway (the binary, its allocator), 64 MB, plus 8 × the files (their text, their
/// parsed events and what is written out).
fn held_within_bound(what: &str, peak: u64, size: u64) {
    let bound = 64 * 1024 * 1024 + 8 * size;
    assert!(
        peak <= bound,
        "{what}: {peak} bytes held for {size} bytes of files (bound {bound})"
    );
    eprintln!(
        "{what}: {} MB held for {} MB of files",
        peak >> 20,
        size >> 20
    );
}

/// A run file of E1's `query` with `events`, as the page and `mlds run` write it.
fn fit_run_file(query: &str, events: Vec<serde_json::Value>) -> String {
    serde_json::json!({
        "format": "mlds-run", "version": 1, "experiment": "fit", "query": query,
        "link": format!("#{query}"), "hash": format!("#{query}"), "build": "test", "backend": "cpu",
        "events": events,
    })
    .to_string()
}

/// An honest run of E1 with two models over 100,000 epochs, a loss point each, as its two
/// units' files (what `mlds run --unit i` would write, minus the training): large files that
/// every check accepts. Their total size.
fn large_honest_units(dir: &Path) -> u64 {
    let mut size = 0;
    for unit in 0..2 {
        let query =
            format!("exp=fit&samples=8&shapes=1-4-1%2C1-4-1&epochs=100000&backend=cpu&unit={unit}");
        let model = serde_json::json!({ "name": "1-4-1", "shape": "1-4-1", "params": 13 });
        let mut events = vec![
            serde_json::json!({ "type": "started", "models": [model], "total_epochs": 100_000 }),
        ];
        for epoch in 1..=100_000u32 {
            let loss = 1.0 / f64::from(epoch + unit);
            events.push(serde_json::json!({ "type": "losses", "epoch": epoch, "elapsed_ms": f64::from(epoch), "losses": [loss] }));
        }
        events.push(serde_json::json!({ "type": "done", "epoch": 100_000, "elapsed_ms": 1e5 }));
        let text = fit_run_file(&query, events);
        std::fs::write(dir.join(format!("unit-{unit}.json")), &text).unwrap();
        size += text.len() as u64;
    }
    size
}

/// Issue 33: merging large files holds a bounded multiple of their size, and a file over the
/// limit is refused before it is read, holding next to nothing.
#[test]
fn merge_holds_a_bounded_multiple_of_a_large_file_and_nothing_of_one_over_the_limit() {
    let dir = folder("memory-bound");
    let size = large_honest_units(&dir);
    let (peak, out) = peak_memory(
        &[
            "merge",
            "unit-0.json",
            "unit-1.json",
            "--out",
            "merged.json",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(holds_the_run(&dir.join("merged.json")));
    held_within_bound("mlds merge", peak, size);

    std::fs::File::create(dir.join("huge.json"))
        .unwrap()
        .set_len(mlds_core::run_file::MAX_BYTES + 1)
        .unwrap();
    let (peak, out) = peak_memory(&["merge", "huge.json", "--out", "huge-merged.json"], &dir);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("huge.json: it is 67.1 MB"),
        "{}",
        stderr(&out)
    );
    assert!(
        peak < 64 * 1024 * 1024,
        "{peak} bytes held to refuse a file by its size"
    );
}

/// Issue 33: `mlds report --use` with a large honest run of the full report's E1 section (its
/// models over its seeds, 20,000 epochs, predictions on its 512 points every 20 epochs) holds
/// a bounded multiple of the file, and draws it into the report.
#[test]
fn report_use_holds_a_bounded_multiple_of_a_large_file() {
    let dir = folder("report-memory-bound");
    let query = mlds_core::report::section("fit").unwrap().full;
    let Ok((mlds_core::job::Job::Fit(config), _)) = mlds_core::job::Job::parse(query) else {
        panic!("the E1 section runs E1");
    };
    let names = config.unit_names();
    let n = names.len() as u32;
    let models: Vec<_> = names
        .iter()
        .zip(config.unit_configs())
        .map(|(name, c)| serde_json::json!({ "name": name, "shape": c.shape(), "params": 100 }))
        .collect();
    let epochs = config.train.epochs as u32;
    let mut events =
        vec![serde_json::json!({ "type": "started", "models": models, "total_epochs": epochs })];
    for epoch in 1..=epochs {
        let losses: Vec<f64> = (1..=n).map(|m| f64::from(m) / f64::from(epoch)).collect();
        events.push(serde_json::json!({ "type": "losses", "epoch": epoch, "elapsed_ms": f64::from(epoch), "losses": losses }));
        if epoch % 20 == 0 {
            let ys: Vec<Vec<f32>> = (0..n)
                .map(|m| (0..512).map(|i| (i * m) as f32 / 512.0).collect())
                .collect();
            events.push(serde_json::json!({ "type": "predictions", "epoch": epoch, "ys": ys }));
        }
    }
    events.push(serde_json::json!({ "type": "done", "epoch": epochs, "elapsed_ms": 2e4 }));
    let text = fit_run_file(query, events);
    std::fs::write(dir.join("fit.json"), &text).unwrap();
    let size = text.len() as u64;
    assert!(size > 8 << 20, "{size} bytes");
    let args = [
        "report",
        "--mode",
        "full",
        "--only",
        "fit",
        "--use",
        "fit.json",
        "--out",
        "report.html",
        "--quiet",
    ];
    let (peak, out) = peak_memory(&args, &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(report.contains("<svg"), "the section is drawn");
    held_within_bound("mlds report --use", peak, size);
}
