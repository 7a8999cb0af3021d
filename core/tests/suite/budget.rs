//! A link cannot ask for more than a tab holds (issue 34): every query `Job::parse` accepts,
//! for every experiment, stays within the tab's budget and re-reads as itself; every image
//! architecture a query can name either is refused in words or runs a forward pass.

use burn::tensor::{Device, Tensor};
use mlds_core::budget::{Budget, Footprint};
use mlds_core::experiments::subject::Subject;
use mlds_core::job::{Job, IDS};
use proptest::prelude::*;

/// Values of every kind a hostile or careless link might carry, within and beyond the ranges.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![0u64, 1, 2, 3, 5, 8, 64, 512, 1024, 4096, 8192, 60_000]),
        any::<u64>(),
    ]
    .prop_map(|n| n.to_string())
}

/// `a-b-c` lists of widths, as `shape`, `convs` and `hidden` take them.
fn widths() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![0usize, 1, 4, 16, 256, 1024, 2048, 4096]),
        0..26,
    )
    .prop_map(|w| w.iter().map(usize::to_string).collect::<Vec<_>>().join("-"))
}

fn pair() -> impl Strategy<Value = (String, String)> {
    let list_keys = prop::sample::select(vec!["shape", "convs", "hidden"]);
    let number_keys = prop::sample::select(vec![
        "samples",
        "batch",
        "batch2",
        "runs",
        "every",
        "epochs",
        "train_size",
        "lanczos_steps",
        "grid",
        "eval_size",
    ]);
    let comma_keys = prop::sample::select(vec!["widths", "batches"]);
    prop_oneof![
        (list_keys, widths()).prop_map(|(k, v)| (k.to_string(), v)),
        (number_keys, number()).prop_map(|(k, v)| (k.to_string(), v)),
        (comma_keys, prop::collection::vec(number(), 1..6))
            .prop_map(|(k, v)| (k.to_string(), v.join(","))),
        // E1's shapes: up to 8 models of up to 24 layers of 4096.
        (prop::collection::vec(widths(), 1..9)).prop_map(|v| (
            "shapes".to_string(),
            v.iter()
                .map(|w| format!("1-{w}-1"))
                .collect::<Vec<_>>()
                .join(",")
        )),
        prop::sample::select(vec![
            "task=images",
            "task=function",
            "dataset=cifar10",
            "models=cnn1,cnn2,cnn3,dnn",
            "batch=full",
            "train_size=all"
        ])
        .prop_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        }),
    ]
}

fn query(exp: &str, pairs: &[(String, String)]) -> String {
    std::iter::once(format!("exp={exp}"))
        .chain(pairs.iter().map(|(k, v)| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join("&")
}

/// The image subject a job trains, where it has one.
fn subject(job: &Job) -> Option<&Subject> {
    match job {
        Job::Trajectory(c) => Some(&c.subject),
        Job::GradNorm(c) => Some(&c.subject),
        Job::Surface(c) => Some(&c.subject),
        Job::RandomLabels(c) => Some(&c.subject),
        Job::Params(c) => Some(&c.subject),
        Job::Interpolate(c) => Some(&c.subject),
        Job::Sensitivity(c) => Some(&c.sweep.subject),
        Job::Sharpness(c) => Some(&c.sweep.subject),
        Job::Fit(_) | Job::Tasks(_) | Job::MinRatio(_) => None,
    }
}

/// Small models run a forward pass on two inputs (burn panics on a stack that leaves no pixel).
fn forward_runs(subject: &Subject) {
    if subject.parameters() > 200_000 {
        return;
    }
    let device = Device::flex();
    match subject {
        Subject::Images { model, .. } => {
            let [c, h, w] = model.input;
            let logits = model
                .init(&device)
                .forward(Tensor::zeros([2, c, h, w], &device));
            assert_eq!(logits.dims(), [2, 10], "{model:?}");
        }
        Subject::Function { model, .. } => {
            let y = model.init(&device).forward(Tensor::zeros([2, 1], &device));
            assert_eq!(y.dims(), [2, 1], "{model:?}");
        }
    }
}

proptest! {
    #![proptest_config(crate::common::fuzz_config(384))]

    #[test]
    fn every_accepted_query_stays_within_the_tabs_budget(
        exp in prop::sample::select(IDS.to_vec()),
        pairs in prop::collection::vec(pair(), 0..6),
    ) {
        let q = query(exp, &pairs);
        let (job, notices) = Job::parse(&q).unwrap();
        let footprint = job.footprint();
        prop_assert!(Budget::TAB.admits(&footprint), "{q}: {footprint} ({notices:?})");
        // A run is its query: what it became re-reads as itself, with nothing to clamp.
        let (again, renotices) = Job::parse(&job.query()).unwrap();
        prop_assert_eq!(again.query(), job.query(), "{}", q);
        prop_assert!(renotices.is_empty(), "{}: {:?}", job.query(), renotices);
        if let Some(s) = subject(&job) {
            forward_runs(s);
        }
    }
}

#[test]
fn a_link_over_the_tabs_budget_falls_back_with_a_notice_that_says_so() {
    // 23 hidden layers of 4096: ~369 M parameters, within every number's own range.
    let deep = format!("1-{}-1", vec!["4096"; 23].join("-"));
    let (job, notices) = Job::parse(&format!("exp=fit&shapes={deep}")).unwrap();
    let Job::Fit(fit) = &job else { panic!() };
    assert_eq!(
        fit.shapes,
        mlds_core::experiments::fit::FitConfig::default().shapes
    );
    let notice = notices
        .iter()
        .find(|n| n.contains("budget"))
        .expect("a budget notice");
    assert!(
        notice.contains("369.2 M parameters") && notice.contains("GiB"),
        "{notice}"
    );
    assert!(
        notice.contains("a browser tab's budget of 1.0 GiB"),
        "{notice}"
    );
    assert!(
        notice.contains("using the default shapes, samples, batch"),
        "{notice}"
    );
    // mlds has room for what a tab has not (1-4096-4096-4096-1 at 512 samples: ~34 M).
    let wide = "exp=fit&shapes=1-4096-4096-4096-1,1-4096-4096-4096-1,1-4096-4096-4096-1,1-4096-4096-4096-1";
    let (tab, tab_notices) = Job::parse(wide).unwrap();
    assert!(
        tab_notices.iter().any(|n| n.contains("budget")),
        "{tab_notices:?}"
    );
    let (native, native_notices) = Job::parse_within(wide, Budget::NATIVE).unwrap();
    assert!(native_notices.is_empty(), "{native_notices:?}");
    assert_ne!(tab, native);
    assert!(native.footprint().bytes > Budget::TAB.bytes);
    assert!(Budget::NATIVE.admits(&native.footprint()));
}

#[test]
fn footprints_grow_with_what_the_run_holds() {
    let bytes = |q: &str| Job::parse_within(q, Budget::NATIVE).unwrap().0.footprint();
    let small = bytes("exp=fit&shapes=1-10-1");
    let wide = bytes("exp=fit&shapes=1-1000-1");
    let two = bytes("exp=fit&shapes=1-1000-1,1-1000-1");
    assert_eq!(small.parameters, 31);
    assert_eq!(wide.parameters, 3001);
    assert_eq!(
        two,
        Footprint::sum([wide, wide]),
        "E1's models train side by side"
    );
    // A sweep's units train one at a time: its largest width counts, not their sum.
    let one = bytes("exp=params&widths=512,8");
    let sweep = bytes("exp=params&widths=8,512,64");
    assert_eq!(one, sweep);
    // A larger batch keeps more activations.
    assert!(
        bytes("exp=gradnorm&task=images&batch=1024").bytes
            > bytes("exp=gradnorm&task=images&batch=16").bytes
    );
}

#[test]
fn a_conv_stack_that_leaves_no_pixel_is_refused_in_words() {
    // Five 2×2 poolings of a 28-pixel image leave nothing: burn would panic on it.
    let (job, notices) = Job::parse("exp=gradnorm&task=images&convs=8-8-8-8-8&hidden=16").unwrap();
    let notice = notices
        .iter()
        .find(|n| n.starts_with("convs=8-8-8-8-8"))
        .expect("a notice");
    assert!(
        notice.contains("leaving no pixel; at most 4 fit"),
        "{notice}"
    );
    let s = subject(&job).unwrap();
    forward_runs(s);
    // Four fit, and run.
    let (job, notices) = Job::parse("exp=gradnorm&task=images&convs=8-8-8-8&hidden=16").unwrap();
    assert!(notices.is_empty(), "{notices:?}");
    let Some(Subject::Images { model, .. }) = subject(&job) else {
        panic!()
    };
    assert_eq!(model.convs, vec![8, 8, 8, 8]);
    forward_runs(subject(&job).unwrap());
}

/// E3 on fewer epochs than its snapshot interval's default (3 on images, 15 on a function):
/// the default fell outside `1..=epochs`, so the query a run wrote re-read as another (found by
/// the property test above; its regression file keeps the case too).
#[test]
fn a_short_trajectory_reproduces_its_query() {
    for q in [
        "exp=trajectory&epochs=1",
        "exp=trajectory&task=function&epochs=2",
    ] {
        let (job, _) = Job::parse(q).unwrap();
        let (again, notices) = Job::parse(&job.query()).unwrap();
        assert_eq!(again.query(), job.query(), "{q}");
        assert!(notices.is_empty(), "{q}: {notices:?}");
    }
}
