//! The page's folding of a run's events, tested natively: what a panel shows is this.

use std::collections::BTreeMap;

use super::*;
use crate::events::CollectingHost;
use crate::job::Job;

fn model(name: &str, params: usize) -> ModelInfo {
    ModelInfo {
        name: name.into(),
        shape: String::new(),
        params,
    }
}

fn losses(epoch: usize, losses: Vec<f64>) -> Event {
    Event::Losses {
        epoch,
        elapsed_ms: epoch as f64,
        losses,
    }
}

fn result(index: usize, value: f64) -> Event {
    Event::Result {
        index,
        label: format!("unit {index}"),
        values: BTreeMap::from([("value".to_string(), value)]),
    }
}

fn started(models: usize, total_epochs: usize) -> Event {
    Event::Started {
        models: (0..models)
            .map(|i| model(&format!("m{i}"), 10 * i))
            .collect(),
        total_epochs,
    }
}

#[test]
fn curves_gather_per_model_and_a_lost_models_nan_is_no_point() {
    let view = RunView::of_events(vec![
        started(2, 3),
        losses(1, vec![1.0, 2.0]),
        losses(2, vec![0.5, f64::NAN]),
        losses(3, vec![0.25, 1.5]),
    ]);
    assert_eq!(view.losses[0], [(1.0, 1.0), (2.0, 0.5), (3.0, 0.25)]);
    assert_eq!(
        view.losses[1],
        [(1.0, 2.0), (3.0, 1.5)],
        "the NaN is skipped"
    );
    assert_eq!((view.epoch, view.total_epochs), (3, 3));
    assert_eq!(view.state, RunState::Idle, "no end yet");
    let metrics = view.metrics();
    assert_eq!(metrics["models"]["m0"]["loss"], 0.25);
    assert_eq!(metrics["models"]["m0"]["first_loss"], 1.0);
    assert_eq!(metrics["models"]["m1"]["params"], 10);
}

#[test]
fn a_units_curves_start_over_and_progress_counts_every_unit() {
    let unit = |index| Event::Unit {
        index,
        count: 3,
        label: format!("run {index}"),
    };
    let view = RunView::of_events(vec![
        unit(0),
        started(1, 10),
        losses(10, vec![0.1]),
        unit(1),
        started(1, 10),
        losses(4, vec![0.7]),
    ]);
    assert_eq!(view.losses[0], [(4.0, 0.7)], "unit 1's curve alone");
    assert_eq!(view.overall_progress(), (14.0, 30));
    assert_eq!(view.units_done(), 1);
    let done = view.reduce(RunAction::Events(vec![Event::Done {
        epoch: 10,
        elapsed_ms: 5.0,
    }]));
    assert_eq!(done.units_done(), 3, "a finished sweep has done every unit");
}

#[test]
fn results_and_critical_points_keep_index_order_whatever_order_they_come_in() {
    let view = RunView::of_events(vec![result(2, 2.0), result(0, 0.0), result(1, 1.0)]);
    let order: Vec<usize> = view.sweep.results.iter().map(|r| r.index).collect();
    assert_eq!(order, [0, 1, 2]);
    assert_eq!(view.sweep.result_points("value", "value")[2], (2.0, 2.0));
    assert!(view.sweep.results[0].get("absent").is_nan());
}

#[test]
fn pause_is_a_handshake_and_stop_waits_for_the_runs_end() {
    let mut view = RunView::default().reduce(RunAction::Start(BackendKind::Cpu));
    assert_eq!(view.state, RunState::Running);
    view = view.reduce(RunAction::Pause);
    assert_eq!(view.state, RunState::Pausing, "asked, not yet held");
    view = view.reduce(RunAction::Events(vec![losses(1, vec![1.0])]));
    assert_eq!(view.state, RunState::Pausing, "events may still come");
    view = view.reduce(RunAction::PauseHeld);
    assert_eq!(view.state, RunState::Paused);
    view = view.reduce(RunAction::PauseHeld);
    assert_eq!(
        view.state,
        RunState::Paused,
        "a second acknowledgement changes nothing"
    );
    view = view.reduce(RunAction::Resume);
    assert_eq!(view.state, RunState::Running);
    view = view.reduce(RunAction::Stop);
    assert_eq!(view.state, RunState::Stopping);
    view = view.reduce(RunAction::Events(vec![Event::Stopped {
        epoch: 1,
        elapsed_ms: 2.0,
    }]));
    assert_eq!(view.state, RunState::Done);
    assert!(view.stopped);
    assert_eq!(
        view.reduce(RunAction::Pause).state,
        RunState::Done,
        "nothing to pause"
    );
}

#[test]
fn an_error_ends_the_run_and_a_lost_unit_only_says_so() {
    let lost = RunView::of_events(vec![Event::UnitLost {
        message: "run 2 was lost".into(),
    }]);
    assert_eq!(lost.state, RunState::Idle);
    assert_eq!(lost.error.as_deref(), Some("run 2 was lost"));
    let failed = RunView::of_events(vec![Event::Error {
        message: "NaN loss".into(),
    }]);
    assert_eq!(failed.state, RunState::Error);
    assert_eq!(failed.metrics()["state"], "error");
}

#[test]
fn a_new_start_forgets_the_last_run_but_its_log_keeps_every_event() {
    let events = vec![started(1, 2), losses(1, vec![1.0])];
    let view = RunView::default()
        .reduce(RunAction::Start(BackendKind::Cpu))
        .reduce(RunAction::Events(events.clone()));
    assert_eq!(view.log.events(), events);
    let again = view.reduce(RunAction::Start(BackendKind::WebGpu));
    assert!(again.losses.is_empty() && again.log.events().is_empty());
    assert_eq!(again.backend, Some(BackendKind::WebGpu));
}

/// A real sweep, its units run apart and merged as the page's pool merges them: the view
/// holds every unit's result in order and ends done, as the whole run's view does.
#[test]
fn a_merged_sweep_folds_to_the_same_results_as_the_whole_run() {
    let (job, _) = Job::parse("exp=minratio&runs=3&epochs=30&steps=5").unwrap();
    let run = |job: &Job| {
        let mut host = CollectingHost::default();
        pollster::block_on(job.run(None, &burn::tensor::Device::flex(), &mut host));
        host.events
    };
    let whole = RunView::of_events(run(&job));
    let mut merge = job.merge().expect("a sweep");
    let mut merged = merge.opening();
    for unit in [2, 0, 1] {
        merged.extend(merge.push(unit, run(&job.unit(unit))));
    }
    let apart = RunView::of_events(merged);
    assert_eq!(whole.state, RunState::Done);
    assert_eq!(apart.state, RunState::Done);
    let runs = |v: &RunView| {
        v.sweep
            .critical_points
            .iter()
            .map(|p| (p.run, p.loss))
            .collect::<Vec<_>>()
    };
    assert_eq!(runs(&whole).len(), 2 * 3, "two protocols per run");
    assert_eq!(runs(&apart), runs(&whole));
    assert_eq!(apart.units_done(), 3);
}

#[test]
fn an_opened_run_keeps_the_build_that_computed_it_until_a_new_start() {
    let opened = RunView::default()
        .reduce(RunAction::Start(BackendKind::Cpu))
        .reduce(RunAction::Events(vec![started(1, 1), losses(1, vec![0.5])]))
        .reduce(RunAction::Opened {
            note: "Showing fit-run.json".into(),
            build: "mlds 0.1.0".into(),
        });
    assert_eq!(opened.opened_build.as_deref(), Some("mlds 0.1.0"));
    assert_eq!(opened.losses[0], [(1.0, 0.5)]);
    let ran_here = opened.reduce(RunAction::Start(BackendKind::Cpu));
    assert_eq!(
        ran_here.opened_build, None,
        "a run of this page is this build's"
    );
    assert_eq!(ran_here.opened, None);
}

/// What the page's replay does (`RunHandle::replay`): a run folded a slice at a time, then
/// shown whole, is the view of its events folded at once, log included.
#[test]
fn a_run_folded_in_slices_and_shown_is_the_run_folded_at_once() {
    let mut events = vec![started(2, 50)];
    events.extend((1..=50).map(|e| losses(e, vec![1.0 / e as f64, 2.0 / e as f64])));
    events.push(Event::Done {
        epoch: 50,
        elapsed_ms: 9.0,
    });
    let start = || RunView::default().reduce(RunAction::Start(BackendKind::Cpu));
    let whole = start().reduce(RunAction::Events(events.clone()));
    let mut sliced = start();
    for slice in events.chunks(7) {
        sliced = sliced.reduce(RunAction::Events(slice.to_vec()));
    }
    let shown = RunView::default()
        .reduce(RunAction::Start(BackendKind::Cpu))
        .reduce(RunAction::Events(vec![started(1, 3)]))
        .reduce(RunAction::Show(Box::new(sliced)));
    assert_eq!(shown.state, RunState::Done);
    assert_eq!(shown.losses, whole.losses);
    assert_eq!(shown.epoch, 50);
    assert_eq!(shown.metrics_json(), whole.metrics_json());
    assert_eq!(shown.log.events(), events);
}
