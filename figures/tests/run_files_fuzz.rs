//! A run file from anyone is opened safely (issue 33): real runs of every experiment
//! (`tests/runs/*.json`, tiny presets written by `mlds run`) with their numbers replaced by
//! extremes, their fields dropped or retyped, are read (`RunFile::parse`), folded (`RunView`)
//! and drawn (`figures_of`, each figure to SVG) as the page and `mlds report` do; so are report
//! files written with those runs (`mlds_figures::report::html`), changed the same way or cut. Every case
//! must end in `Ok` or a refusal in words: never a panic, and within a bounded time and memory
//! (this binary counts its allocations: the peak must stay within a multiple of the file).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mlds_core::report::{Mode, SECTIONS};
use mlds_core::run_file::report::DATA_ID;
use mlds_core::run_file::{open, Opened, RunFile};
use mlds_core::view::RunView;
use mlds_core::{BackendKind, Event};
use mlds_figures::figures_of;
use mlds_figures::report::{self, SectionRun};
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngSeed, TestRunner};
use serde_json::Value;

/// Counts live heap bytes and their peak, for the memory bound.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Cases whose file opened and drew, and all cases: a fuzz that only meets refusals would test
/// the reader's first check and nothing after it.
static OPENED: AtomicUsize = AtomicUsize::new(0);
static CASES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests of this binary take turns, so that one's allocations are not counted in another's.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

macro_rules! runs {
    ($($name:literal),+) => { [$(($name, include_str!(concat!("runs/", $name, ".json")))),+] };
}

const RUNS: [(&str, &str); 11] = runs!(
    "fit",
    "tasks",
    "trajectory",
    "gradnorm",
    "minratio",
    "surface",
    "random-labels",
    "params",
    "interpolate",
    "sensitivity",
    "sharpness"
);

/// What a hostile or careless sender puts where a number was.
fn extreme() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        serde_json::json!(0),
        serde_json::json!(1),
        serde_json::json!(-1),
        serde_json::json!(2),
        serde_json::json!(1e300),
        serde_json::json!(-1e300),
        serde_json::json!(1e-300),
        serde_json::json!(u64::MAX),
        serde_json::json!(i64::MIN),
        serde_json::json!(u32::MAX),
        serde_json::json!(9007199254740993u64),
        serde_json::json!(4_000_000_000u64),
        serde_json::json!(1e15),
        serde_json::json!(123456789),
        serde_json::json!(0.5),
        serde_json::json!(null),
        serde_json::json!("NaN"),
        serde_json::json!([]),
    ])
}

/// One change to the file: the `at`-th number (counted in document order, modulo their count)
/// becomes `to`, or the `at`-th array is cut to `keep` items, or repeated `times` times.
#[derive(Clone, Debug)]
enum Change {
    Number { at: usize, to: Value },
    Cut { at: usize, keep: usize },
    Repeat { at: usize, times: usize },
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        6 => (any::<usize>(), extreme()).prop_map(|(at, to)| Change::Number { at, to }),
        1 => (any::<usize>(), 0usize..4).prop_map(|(at, keep)| Change::Cut { at, keep }),
        1 => (any::<usize>(), 2usize..6).prop_map(|(at, times)| Change::Repeat { at, times }),
    ]
}

/// Visit every value in document order.
fn walk(value: &mut Value, visit: &mut impl FnMut(&mut Value)) {
    visit(value);
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| walk(v, visit)),
        Value::Object(fields) => fields.values_mut().for_each(|v| walk(v, visit)),
        _ => {}
    }
}

fn apply(file: &mut Value, change: &Change) {
    let count = |is: fn(&Value) -> bool, file: &mut Value| {
        let mut n = 0;
        walk(file, &mut |v| n += usize::from(is(v)));
        n
    };
    let (is, at): (fn(&Value) -> bool, usize) = match change {
        Change::Number { at, .. } => (Value::is_number, *at),
        Change::Cut { at, .. } | Change::Repeat { at, .. } => (Value::is_array, *at),
    };
    let n = count(is, file);
    if n == 0 {
        return;
    }
    let target = at % n;
    let mut i = 0;
    walk(file, &mut |v| {
        if !is(v) {
            return;
        }
        if i == target {
            match (change, &mut *v) {
                (Change::Number { to, .. }, v) => *v = to.clone(),
                (Change::Cut { keep, .. }, Value::Array(items)) => items.truncate(*keep),
                (Change::Repeat { times, .. }, Value::Array(items)) => {
                    let once = items.clone();
                    for _ in 1..*times {
                        items.extend(once.iter().cloned());
                    }
                }
                _ => {}
            }
        }
        i += 1;
    });
}

/// Read, fold and draw `text` as the page does; `Err` is a refusal in words.
fn open_and_draw(text: &str) -> Result<usize, String> {
    let file = RunFile::parse(text)?;
    let job = file.job();
    let view = RunView::of_events(file.events.clone());
    let mut drawn = 0;
    for figure in figures_of(&job, &view) {
        drawn += figure.svg().map_err(|e| e.to_string())?.len();
        drawn += figure.csv().len() + figure.description().len();
    }
    Ok(drawn)
}

/// Most a case may take: generous for a debug build on a busy 2-core machine.
const TIME: Duration = Duration::from_secs(20);
/// Most a case's heap may grow beyond what it started with: a multiple of the file's size
/// plus what drawing a figure needs.
fn memory_bound(file_len: usize) -> usize {
    64 * file_len + (64 << 20)
}

/// `cases` cases (`FUZZ_CASES` for the run files, a quarter for report files), and a failure's
/// seed kept in `tests/run_files_fuzz.proptest-regressions` (proptest finds no `lib.rs` for a
/// test file of its own to keep it beside), which runs first ever after: a crash the fuzz
/// finds becomes a regression case.
///
/// The cases come from a fixed seed, so the test command is deterministic: a landing cannot
/// fail on a case no earlier run met. `FUZZ_SEED=random` (or a number) explores further, as
/// `FUZZ_CASES=5000 FUZZ_SEED=random` does before a change to the reader, the fold or a chart.
fn config(share: u32) -> ProptestConfig {
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200u32);
    let rng_seed = match std::env::var("FUZZ_SEED").as_deref() {
        Ok("random") => RngSeed::Random,
        Ok(n) => RngSeed::Fixed(n.parse().expect("FUZZ_SEED is a number or `random`")),
        Err(_) => RngSeed::Fixed(33),
    };
    ProptestConfig {
        cases: cases / share,
        rng_seed,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/run_files_fuzz.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(1))]

    #[test]
    fn a_run_file_with_any_numbers_opens_or_is_refused_in_words(
        run in 0..RUNS.len(),
        changes in prop::collection::vec(change(), 1..6),
    ) {
        let (name, text) = RUNS[run];
        let mut file: Value = serde_json::from_str(text).unwrap();
        for c in &changes {
            apply(&mut file, c);
        }
        let text = serde_json::to_string(&file).unwrap();
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let started = Instant::now();
        let result = open_and_draw(&text);
        let (took, peak) = (started.elapsed(), PEAK.load(Ordering::Relaxed).saturating_sub(base));
        prop_assert!(took < TIME, "{name} {changes:?}: {took:?}");
        prop_assert!(peak < memory_bound(text.len()), "{name} {changes:?}: {peak} bytes for a {}-byte file", text.len());
        CASES.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(_) => _ = OPENED.fetch_add(1, Ordering::Relaxed),
            Err(why) => prop_assert!(!why.is_empty() && !why.contains("panicked"), "{name}: {why}"),
        }
    }
}

/// The report file the page or `mlds report` writes with the fuzzed runs' events in the
/// sections of their experiments, for `apply` to change as a run file is changed.
fn report_of(runs: &[usize]) -> String {
    let mode = Mode::Quick;
    let sections: Vec<(String, Vec<Event>)> = runs
        .iter()
        .filter_map(|&r| {
            let file = RunFile::parse(RUNS[r].1).ok()?;
            let section = SECTIONS.iter().find(|s| s.id == file.experiment)?;
            Some((mode.query(section).to_string(), file.events))
        })
        .collect();
    report::html(mode, "", |query| {
        let (_, events) = sections.iter().find(|(q, _)| q == query)?;
        Some(SectionRun {
            events,
            backend: BackendKind::Cpu,
            build: "fuzz",
        })
    })
}

/// Open `text` as the report page does (`run_file::open`), and draw every section that opens;
/// `Ok` with the number of sections that opened.
fn open_report_and_draw(text: String) -> Result<usize, String> {
    let Opened::Report(sections) = open("report.html", text.into_bytes())? else {
        return Err("read as a run, not a report".into());
    };
    let mut opened = 0;
    for file in sections.into_iter().flatten() {
        let view = RunView::of_events(file.events.clone());
        for figure in figures_of(&file.job(), &view) {
            figure.svg().map_err(|e| e.to_string())?;
        }
        opened += 1;
    }
    Ok(opened)
}

/// `text` (a report file) with its data block changed as run files are above, and cut short
/// at `cut` (a fraction of its length) where given.
fn changed_report(text: &str, changes: &[Change], cut: Option<f64>) -> String {
    let open_tag = format!("id=\"{DATA_ID}\">");
    let start = text.find(&open_tag).unwrap() + open_tag.len();
    let end = start + text[start..].find("</script>").unwrap();
    let mut data: Value = serde_json::from_str(&text[start..end]).unwrap();
    for c in changes {
        apply(&mut data, c);
    }
    let data = report::script_data(&serde_json::to_string(&data).unwrap());
    let mut text = format!("{}{data}{}", &text[..start], &text[end..]);
    if let Some(cut) = cut {
        let mut at = (text.len() as f64 * cut) as usize;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.truncate(at);
    }
    text
}

/// A report file whose data block is changed as run files are above (numbers made extreme,
/// arrays cut or repeated), or cut short anywhere: it opens, section by section, or is refused
/// in words; never a panic, within the time and memory bounds. Enough sections must open for
/// the fuzz to reach past the reader's first checks.
#[test]
fn report_files_with_any_numbers_open_or_are_refused_in_words() {
    let config = config(4);
    let cases = config.cases;
    let mut runner = TestRunner::new(config);
    let opened = AtomicUsize::new(0);
    let case = (
        prop::collection::vec(0..RUNS.len(), 1..4),
        prop::collection::vec(change(), 0..4),
        prop::option::weighted(0.2, 0.0f64..1.0),
    );
    let result = runner.run(&case, |(runs, changes, cut)| {
        let text = changed_report(&report_of(&runs), &changes, cut);
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let len = text.len();
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let started = Instant::now();
        let result = open_report_and_draw(text);
        let (took, peak) = (
            started.elapsed(),
            PEAK.load(Ordering::Relaxed).saturating_sub(base),
        );
        prop_assert!(took < TIME, "{runs:?} {changes:?}: {took:?}");
        prop_assert!(
            peak < memory_bound(len),
            "{runs:?} {changes:?}: {peak} bytes for a {len}-byte file"
        );
        match result {
            Ok(n) => _ = opened.fetch_add(n, Ordering::Relaxed),
            Err(why) => prop_assert!(
                !why.is_empty() && !why.contains("panicked"),
                "{runs:?}: {why}"
            ),
        }
        Ok(())
    });
    result.unwrap();
    let opened = opened.load(Ordering::Relaxed);
    eprintln!("{opened} sections of {cases} fuzzed report files opened and drew");
    assert!(
        opened as u32 >= cases / 4,
        "only {opened} sections opened in {cases} report files"
    );
}

/// Runs after the fuzz (the two share [`ONE_AT_A_TIME`], and this one waits for cases).
#[test]
fn most_fuzzed_files_get_past_the_reader() {
    let deadline = Instant::now() + Duration::from_secs(300);
    while CASES.load(Ordering::Relaxed) < 100 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let (opened, cases) = (
        OPENED.load(Ordering::Relaxed),
        CASES.load(Ordering::Relaxed),
    );
    eprintln!("{opened} of {cases} fuzzed files opened and drew");
    assert!(
        opened * 4 >= cases,
        "only {opened} of {cases} fuzzed files opened"
    );
}

#[test]
fn every_fixture_opens_and_draws() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for (name, text) in RUNS {
        let drawn = open_and_draw(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(drawn > 1000, "{name}: {drawn} bytes of SVG");
    }
}
