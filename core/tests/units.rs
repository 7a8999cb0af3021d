//! A sweep's units are independent: running each unit alone, in any order, gives exactly the
//! results the whole sweep gives (same seed, bit for bit), so a pool of workers can run them
//! anywhere and combine them by index.

mod common;

use burn::tensor::Device;
use mlds_core::experiments::job::Job;
use mlds_core::experiments::Outcome;
use mlds_core::{events::CollectingHost, Event};

fn events(job: &Job) -> Vec<Event> {
    let images = job.image_task().map(|_| common::subset());
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(job.run(images.as_ref(), &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done, "{}", job.query());
    host.events
}

/// The results of a run (`Result` and `CriticalPoint` events), by index.
fn results(events: &[Event]) -> Vec<(usize, String)> {
    let mut found: Vec<(usize, String)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Result { index, .. } => Some((*index, format!("{e:?}"))),
            Event::CriticalPoint { run, .. } => Some((*run, format!("{e:?}"))),
            _ => None,
        })
        .collect();
    found.sort_by_key(|(i, _)| *i);
    found
}

/// The whole sweep vs its units run alone in reverse order.
fn units_combine_to_the_whole(query: &str, count: usize) {
    let (job, notices) = Job::parse(query).unwrap();
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(job.units(), (count, None));
    let whole = results(&events(&job));
    assert_eq!(whole.len(), count, "{query}");
    let mut pieces = Vec::new();
    for i in (0..count).rev() {
        let unit = job.unit(i);
        assert_eq!(unit.units(), (count, Some(i)));
        // A unit's query names it, so a worker can be sent the query alone.
        assert_eq!(Job::parse(&unit.query()).unwrap().0, unit);
        let mine = results(&events(&unit));
        assert_eq!(mine.len(), 1, "unit {i} of {query}");
        assert_eq!(mine[0].0, i);
        pieces.extend(mine);
    }
    pieces.sort_by_key(|(i, _)| *i);
    assert_eq!(pieces, whole, "{query}");
}

#[test]
fn e5_runs_are_independent_units() {
    units_combine_to_the_whole("exp=minratio&runs=3&epochs=60&steps=5&samples=32", 3);
}

#[test]
fn e8_widths_are_independent_units() {
    units_combine_to_the_whole(
        "exp=params&widths=2,8,32&epochs=1&train_size=256&eval_size=100",
        3,
    );
}

#[test]
fn e9b_and_e10_batch_sizes_are_independent_units() {
    units_combine_to_the_whole(
        "exp=sensitivity&batches=32,128&epochs=1&train_size=256&eval_size=100&samples=20",
        2,
    );
    units_combine_to_the_whole(
        "exp=sharpness&batches=32,128&epochs=1&train_size=256&eval_size=100&samples=20&power_steps=3&ascent_steps=2",
        2,
    );
}

#[test]
fn a_job_that_is_no_sweep_is_its_own_unit_and_bad_units_are_refused() {
    let (job, _) = Job::parse("exp=fit&epochs=3").unwrap();
    assert_eq!(job.units(), (1, None));
    assert_eq!(job.unit(0), job);
    let (job, notices) = Job::parse("exp=params&widths=2,8&unit=5").unwrap();
    assert_eq!(job.units(), (2, None));
    assert_eq!(notices.len(), 1);
    assert_eq!(job.unit(9), job);
}
