//! A sweep's units are independent: running each unit alone, in any order, gives exactly the
//! results the whole sweep gives (same seed, bit for bit), so a pool of workers can run them
//! anywhere and combine them by index.

use crate::common;

use burn::tensor::Device;
use mlds_core::engine::Outcome;
use mlds_core::job::Job;
use mlds_core::{events::CollectingHost, Event};

/// Held by every run of this file: burn's CPU backend draws random numbers from one global
/// generator, and `init_seeded` only serialises initialisations, so a run elsewhere drawing
/// (a random direction, a shuffle) while another initialises would change that run's weights.
/// Tests in one binary run on parallel threads; these compare runs bit for bit.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run(job: &Job) -> (Outcome, Vec<Event>) {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let images = job.image_task().map(|_| common::subset());
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(job.run(images.as_ref(), &Device::flex(), &mut host));
    (outcome, host.events)
}

fn events(job: &Job) -> Vec<Event> {
    let (outcome, events) = run(job);
    assert_eq!(outcome, Outcome::Done, "{}", job.query());
    events
}

/// The results of a run (`Result`, `CriticalPoint` and E10's `Density` events), by index (a
/// unit's events keep their order: the sort is stable).
fn results(events: &[Event]) -> Vec<(usize, String)> {
    let mut found: Vec<(usize, String)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Result { index, .. } => Some((*index, format!("{e:?}"))),
            Event::CriticalPoint(p) => Some((p.run, format!("{e:?}"))),
            Event::Density { index, .. } => Some((*index, format!("{e:?}"))),
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
    let indices = |r: &[(usize, String)]| {
        let mut i: Vec<usize> = r.iter().map(|(i, _)| *i).collect();
        i.dedup();
        i
    };
    assert_eq!(indices(&whole), (0..count).collect::<Vec<_>>(), "{query}");
    let mut pieces = Vec::new();
    for i in (0..count).rev() {
        let unit = job.unit(i);
        assert_eq!(unit.units(), (count, Some(i)));
        // A unit's query names it, so a worker can be sent the query alone.
        assert_eq!(Job::parse(&unit.query()).unwrap().0, unit);
        let mine = results(&events(&unit));
        assert_eq!(indices(&mine), [i], "unit {i} of {query}");
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
        "exp=sharpness&batches=32,128&epochs=1&train_size=256&eval_size=100&samples=20&lanczos_steps=3&slq_probes=2&trace_probes=2&ascent_steps=2",
        2,
    );
}

#[test]
fn a_job_that_is_no_sweep_is_its_own_unit_and_bad_units_are_refused() {
    let (job, _) = Job::parse("exp=gradnorm&epochs=3").unwrap();
    assert_eq!(job.units(), (1, None));
    assert_eq!(job.unit(0), job);
    assert!(job.merge().is_none());
    let (job, notices) = Job::parse("exp=params&widths=2,8&unit=5").unwrap();
    assert_eq!(job.units(), (2, None));
    assert_eq!(notices.len(), 1);
    assert_eq!(job.unit(9), job);
}

/// The results, curves and end of unit streams merged in `order` (chunks of `chunk` events,
/// taken round-robin from the units listed), vs each unit's own stream.
mod merged {
    use super::*;
    use mlds_core::engine::merge::{Merge, UnitMerge};

    fn unit_streams(query: &str) -> (Job, Vec<Event>, Vec<Vec<Event>>) {
        let (job, _) = Job::parse(query).unwrap();
        let count = job.units().0;
        let units = (0..count).map(|i| events(&job.unit(i))).collect();
        (job.clone(), events(&job), units)
    }

    fn is_result(e: &Event) -> bool {
        matches!(
            e,
            Event::Result { .. } | Event::CriticalPoint { .. } | Event::Density { .. }
        )
    }

    fn is_end(e: &Event) -> bool {
        matches!(e, Event::Done { .. } | Event::Stopped { .. })
    }

    /// Feed the units' streams to `job`'s merge, `chunk` events at a time, cycling over units
    /// in `order`.
    fn interleave(job: &Job, units: &[Vec<Event>], order: &[usize], chunk: usize) -> Vec<Event> {
        let mut merge = job.merge().expect("a sweep");
        let mut at = vec![0; units.len()];
        let mut out = Vec::new();
        while at.iter().zip(units).any(|(&a, u)| a < u.len()) {
            for &i in order {
                let end = (at[i] + chunk).min(units[i].len());
                out.extend(merge.push(i, units[i][at[i]..end].to_vec()));
                at[i] = end;
            }
        }
        assert!(merge.is_finished());
        out
    }

    #[test]
    fn a_merged_sweep_is_its_units_in_order_whatever_order_they_arrive_in() {
        let (job, whole, units) =
            unit_streams("exp=params&widths=2,8,4&epochs=1&train_size=256&eval_size=100");
        // The widest model first, as a pool starts them.
        assert_eq!(job.schedule(), [1, 2, 0]);
        for (order, chunk) in [(vec![2, 1, 0], 1), (vec![0, 1, 2], 3), (vec![1, 2, 0], 2)] {
            let merged = interleave(&job, &units, &order, chunk);
            // The results, in index order, are the whole sweep's.
            let mut found: Vec<String> = merged
                .iter()
                .filter(|e| is_result(e))
                .map(|e| format!("{e:?}"))
                .collect();
            found.sort();
            let mut expected: Vec<String> = whole
                .iter()
                .filter(|e| is_result(e))
                .map(|e| format!("{e:?}"))
                .collect();
            expected.sort();
            assert_eq!(found, expected);
            // The curves are every unit's, one unit after another in the schedule's order.
            let curves = |events: &[Event]| -> Vec<Event> {
                events
                    .iter()
                    .filter(|e| {
                        !is_result(e) && !is_end(e) && !matches!(e, Event::SweepProgress { .. })
                    })
                    .cloned()
                    .collect()
            };
            let expected: Vec<Event> = job
                .schedule()
                .iter()
                .flat_map(|&i| curves(&units[i]))
                .collect();
            assert_eq!(curves(&merged), expected, "order {order:?}");
            // One end, the last event but its progress, and progress reaches every epoch.
            let ends: Vec<&Event> = merged.iter().filter(|e| is_end(e)).collect();
            assert!(
                matches!(ends[..], [Event::Done { epoch: 1, .. }]),
                "{ends:?}"
            );
            assert!(is_end(&merged[merged.len() - 1]));
            let last_progress = merged.iter().rev().find_map(|e| match e {
                Event::SweepProgress {
                    epochs_done,
                    epochs_total,
                    units_ended,
                    units,
                } => Some((*epochs_done, *epochs_total, *units_ended, *units)),
                _ => None,
            });
            assert_eq!(last_progress, Some((3.0, 3.0, 3, 3)));
        }
    }

    #[test]
    fn a_lost_unit_is_reported_and_the_others_finish_a_stopped_sweep_ends_stopped() {
        let done = |epoch| Event::Done {
            epoch,
            elapsed_ms: 1.0,
        };
        let unit = |index, label: &str| Event::Unit {
            index,
            count: 3,
            label: label.into(),
        };
        let mut merge = UnitMerge::new(3);
        // Before any unit has sent anything: three units to do, none ended.
        assert!(matches!(
            merge.opening()[..],
            [Event::SweepProgress {
                units: 3,
                units_ended: 0,
                ..
            }]
        ));
        assert!(merge
            .push(0, vec![unit(0, "batch 32")])
            .iter()
            .any(|e| matches!(e, Event::Unit { .. })));
        // Unit 1 is not followed: its curves wait, its loss does not (the run goes on).
        let out = merge.push(
            1,
            vec![
                unit(1, "batch 64"),
                Event::Error {
                    message: "out of memory".into(),
                },
            ],
        );
        let errors: Vec<&Event> = out
            .iter()
            .filter(|e| matches!(e, Event::UnitLost { .. }))
            .collect();
        assert_eq!(errors.len(), 1);
        assert!(!out.iter().any(|e| matches!(e, Event::Error { .. })));
        assert!(
            format!("{errors:?}").contains("batch 64 was lost (out of memory)"),
            "{errors:?}"
        );
        assert!(!out.iter().any(|e| matches!(e, Event::Unit { .. })));
        assert!(!merge.push(0, vec![done(2)]).iter().any(is_end));
        let out = merge.push(2, vec![done(2)]);
        assert!(
            matches!(out.last(), Some(Event::Done { epoch: 2, .. })),
            "{out:?}"
        );
        assert!(
            merge.push(2, vec![done(2)]).is_empty(),
            "nothing after the end"
        );

        let mut merge = UnitMerge::new(2);
        merge.push(
            0,
            vec![Event::Stopped {
                epoch: 1,
                elapsed_ms: 1.0,
            }],
        );
        let out = merge.skip(1, None);
        assert!(matches!(out.last(), Some(Event::Stopped { .. })), "{out:?}");

        // Every unit lost: each reported, then the run's error, no `Done`.
        let mut merge = UnitMerge::new(2);
        merge.skip(0, Some("no worker"));
        let out = merge.skip(1, Some("no worker"));
        assert!(merge.is_finished() && !out.iter().any(is_end), "{out:?}");
        assert!(
            matches!(&out[..], [Event::UnitLost { .. }, .., Event::Error { message }]
                if message.contains("every part of it was lost (no worker)")),
            "{out:?}"
        );
    }
}

/// E3's runs as units: each sends its snapshots' weights; merged in any order and combined,
/// they give the whole sweep's snapshots and its final projections, bit for bit.
#[test]
fn e3_runs_as_units_combine_to_the_whole_sweeps_projections() {
    let query = "exp=trajectory&task=function&epochs=40&every=10&runs=3&samples=64&layer=2";
    let (job, _) = Job::parse(query).unwrap();
    assert_eq!(job.units(), (3, None));
    let whole = events(&job);
    let units: Vec<Vec<Event>> = (0..3).map(|i| events(&job.unit(i))).collect();
    assert!(units[1]
        .iter()
        .any(|e| matches!(e, Event::Weights { run: 1, .. })));
    assert!(!whole.iter().any(|e| matches!(e, Event::Weights { .. })));
    let mut merge = job.merge().expect("a sweep");
    let mut merged = Vec::new();
    // Unit 2 first, then 1, then 0: their snapshots still come in run order.
    for i in [2, 1, 0] {
        for chunk in units[i].chunks(3) {
            merged.extend(merge.push(i, chunk.to_vec()));
        }
    }
    assert!(merge.is_finished());
    assert!(
        !merged.iter().any(|e| matches!(e, Event::Weights { .. })),
        "weights are taken out"
    );
    // As text: the initial snapshot's loss is NaN, which equals nothing.
    let snapshots = |events: &[Event]| -> Vec<String> {
        events
            .iter()
            .filter(|e| matches!(e, Event::Snapshot { .. }))
            .map(|e| format!("{e:?}"))
            .collect()
    };
    assert_eq!(snapshots(&merged), snapshots(&whole));
    let last_projection = |events: &[Event], space: &str| -> Event {
        events
            .iter()
            .rev()
            .find(|e| matches!(e, Event::Projection { space: s, .. } if s == space))
            .cloned()
            .expect("a projection")
    };
    for space in ["layer", "model"] {
        assert_eq!(
            last_projection(&merged, space),
            last_projection(&whole, space),
            "{space}"
        );
    }
    assert!(matches!(merged.last(), Some(Event::Done { .. })));
}

/// `query`'s models, trained apart in `workers` parts (a model each, or groups of models: see
/// `Job::plan`) and merged side by side (part 1 running ahead, 0 and 2 a step at a time, the
/// others in turn): the whole run's events and the merged ones.
fn side_by_side(query: &str, count: usize, workers: usize) -> (Vec<Event>, Vec<Event>) {
    let (job, _) = Job::parse(query).unwrap();
    assert_eq!(job.units(), (count, None));
    let whole = events(&job);
    let plan = job.plan(workers).expect("side by side");
    assert!(plan.at_once());
    let parts = plan.len();
    assert_eq!(parts, count.min(workers));
    let units: Vec<Vec<Event>> = (0..parts).map(|i| events(&plan.job(&job, i))).collect();
    let mut merge = plan.whole();
    assert!(merge.side_by_side());
    let mut merged = Vec::new();
    let mut at = vec![0; parts];
    let step = |i: usize| [1, 5, 2][i % 3];
    while (0..parts).any(|i| at[i] < units[i].len()) {
        for i in (0..parts).rev() {
            let end = (at[i] + step(i)).min(units[i].len());
            merged.extend(merge.push(i, units[i][at[i]..end].to_vec()));
            at[i] = end;
        }
    }
    assert!(merge.is_finished());
    assert!(
        matches!(merged[0], Event::Started { .. } | Event::Dataset { .. }),
        "the stream starts with Started (or the dataset): {:?}",
        merged[0]
    );
    let started = |events: &[Event]| {
        events
            .iter()
            .find(|e| matches!(e, Event::Started { .. }))
            .cloned()
    };
    assert_eq!(started(&merged), started(&whole));
    (whole, merged)
}

/// How many of `events` `is` picks.
fn count(events: &[Event], is: impl Fn(&Event) -> bool) -> usize {
    events.iter().filter(|e| is(e)).count()
}

/// E1's models as units, trained apart and joined side by side: the whole run's models, losses
/// at every logged epoch and final predictions, bit for bit, however their events interleave.
#[test]
fn e1_models_as_units_join_to_the_whole_run() {
    // A worker each, and in two groups (the deep model alone, the two others together).
    for workers in [usize::MAX, 2] {
        e1_models_in_parts_join_to_the_whole_run(workers);
    }
}

fn e1_models_in_parts_join_to_the_whole_run(workers: usize) {
    let (whole, merged) = side_by_side("exp=fit&epochs=60&samples=32", 3, workers);
    let losses = |events: &[Event]| -> Vec<(usize, Vec<f64>)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Losses { epoch, losses, .. } => Some((*epoch, losses.clone())),
                _ => None,
            })
            .collect()
    };
    assert_eq!(losses(&merged), losses(&whole));
    assert_eq!(losses(&merged).last().map(|l| l.1.len()), Some(3));
    let last_predictions = |events: &[Event]| {
        events.iter().rev().find_map(|e| match e {
            Event::Predictions { epoch, ys } => Some((*epoch, ys.clone())),
            _ => None,
        })
    };
    assert_eq!(last_predictions(&merged), last_predictions(&whole));
    assert_eq!(count(&merged, |e| matches!(e, Event::Reference { .. })), 1);
    assert!(matches!(merged.last(), Some(Event::Done { epoch: 60, .. })));
}

/// E1 and E2 over two seeds: each model × seed a unit of its own (model m's seed s is unit
/// m·k + s), joined side by side into the whole run; seed 1's models are the run of one seed
/// `seed`'s, and seed 2 starts elsewhere.
#[test]
fn e1_and_e2_over_seeds_train_each_model_per_seed_side_by_side() {
    let names = |events: &[Event]| -> Vec<String> {
        events
            .iter()
            .find_map(|e| match e {
                Event::Started { models, .. } => {
                    Some(models.iter().map(|m| m.name.clone()).collect())
                }
                _ => None,
            })
            .unwrap()
    };
    let last_losses = |events: &[Event]| -> Vec<f64> {
        events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::Losses { losses, .. } => Some(losses.clone()),
                _ => None,
            })
            .unwrap()
    };
    let (whole, merged) = side_by_side(
        "exp=fit&shapes=1-8-1,1-3-3-1&epochs=40&samples=32&seeds=2",
        4,
        usize::MAX,
    );
    assert_eq!(
        names(&merged),
        [
            "1-8-1 · seed 1",
            "1-8-1 · seed 2",
            "1-3-3-1 · seed 1",
            "1-3-3-1 · seed 2"
        ]
    );
    assert_eq!(last_losses(&merged), last_losses(&whole));
    let one = events(
        &Job::parse("exp=fit&shapes=1-8-1,1-3-3-1&epochs=40&samples=32")
            .unwrap()
            .0,
    );
    let (four, two) = (last_losses(&whole), last_losses(&one));
    assert_eq!(
        [four[0], four[2]],
        [two[0], two[1]],
        "seed 1 is the one-seed run"
    );
    assert_ne!(four[0], four[1], "seed 2 starts from other weights");
    let (whole, merged) = side_by_side(
        "exp=tasks&models=cnn1,dnn&epochs=1&train_size=96&batch=16&backend=cpu&seeds=2",
        4,
        2,
    );
    assert_eq!(names(&merged)[1], "CNN, 1 conv · seed 2");
    assert_eq!(names(&merged), names(&whole));
}

/// E2's models as units: on the CPU their training points come on a schedule of steps, so they
/// join point by point into the whole run's, and so do the test metrics after every epoch.
#[test]
fn e2_models_as_units_join_to_the_whole_run() {
    for workers in [usize::MAX, 2] {
        e2_models_in_parts_join_to_the_whole_run(workers);
    }
}

fn e2_models_in_parts_join_to_the_whole_run(workers: usize) {
    let (whole, merged) = side_by_side(
        "exp=tasks&models=cnn1,dnn,cnn2&epochs=2&train_size=160&batch=16&backend=cpu",
        3,
        workers,
    );
    let train = common::train_points;
    // 10 batches an epoch: points after batches 4, 8 and 10 of each.
    assert_eq!(train(&whole).len(), 6);
    assert_eq!(train(&merged), train(&whole));
    let test = |events: &[Event]| -> Vec<(usize, Vec<f64>, Vec<f64>)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::TestMetrics {
                    epoch,
                    accuracies,
                    losses,
                    ..
                } => Some((*epoch, accuracies.clone(), losses.clone())),
                _ => None,
            })
            .collect()
    };
    assert_eq!(test(&merged), test(&whole));
    assert_eq!(test(&merged).last().map(|t| t.1.len()), Some(3));
    assert_eq!(count(&merged, |e| matches!(e, Event::Dataset { .. })), 1);
    assert!(matches!(merged.last(), Some(Event::Done { epoch: 2, .. })));
}

/// E9a's trainings as units send their trained weights; the line's unit starts once both have
/// ended, given them, and gives the whole run's points bit for bit.
#[test]
fn e9a_line_runs_after_its_trainings_given_their_weights() {
    use mlds_core::engine::merge::Given;
    let query = "exp=interpolate&hidden=16&epochs=1&train_size=256&batch=32&batch2=128&eval_size=100&points=31";
    let (job, _) = Job::parse(query).unwrap();
    assert_eq!(job.units(), (3, None));
    let whole = results(&events(&job));
    assert_eq!(whole.len(), 31);
    let mut merge = job.merge().expect("units");
    assert_eq!(merge.given(0), Given::Ready(Vec::new()));
    assert_eq!(merge.given(2), Given::Wait);
    let mut merged = Vec::new();
    for i in [1, 0] {
        merged.extend(merge.push(i, events(&job.unit(i))));
    }
    let Given::Ready(given) = merge.given(2) else {
        panic!("the line can start once both trainings have ended")
    };
    assert_eq!(count(&given, |e| matches!(e, Event::Weights { .. })), 2);
    // Not given them (a link with unit=2 alone), the line says what it needs.
    let (outcome, _) = run(&job.unit(2));
    assert!(
        matches!(&outcome, Outcome::Failed(why) if why.contains("needs both trained models")),
        "{outcome:?}"
    );
    merged.extend(merge.push(2, events(&job.unit(2).given(&given))));
    assert!(merge.is_finished());
    assert_eq!(results(&merged), whole);
    assert_eq!(count(&merged, |e| matches!(e, Event::Weights { .. })), 0);
    assert!(matches!(merged.last(), Some(Event::Done { .. })));

    // A training lost: the line never starts.
    let mut merge = job.merge().expect("units");
    merge.skip(0, Some("out of memory"));
    assert!(matches!(merge.given(2), Given::Never(_)));
}

/// E9a over two seeds: two pairs of three units each, each line waiting for its own pair's
/// trainings; merged in any order, the units give the whole run's results, each α's results
/// side by side (index `i·k + s`).
#[test]
fn e9a_over_seeds_each_pair_is_three_units_and_each_line_waits_for_its_own_pair() {
    use mlds_core::engine::merge::Given;
    let query =
        "exp=interpolate&hidden=8&epochs=1&train_size=128&batch=32&batch2=64&eval_size=64&seeds=2";
    let (job, _) = Job::parse(query).unwrap();
    assert_eq!(job.units(), (6, None));
    let whole = results(&events(&job));
    assert_eq!(whole.len(), 50, "25 points per seed");
    assert!(whole[0].1.contains("\"seed\": 0.0") && whole[1].1.contains("\"seed\": 1.0"));
    let mut merge = job.merge().expect("units");
    let mut merged = Vec::new();
    // The second pair first: its line is ready once units 3 and 4 have ended, not before.
    for i in [4, 3] {
        assert_eq!(merge.given(5), Given::Wait);
        merged.extend(merge.push(i, events(&job.unit(i))));
    }
    assert_eq!(merge.given(2), Given::Wait, "line 0 waits for its own pair");
    for line in [5, 2] {
        if line == 2 {
            for i in [0, 1] {
                merged.extend(merge.push(i, events(&job.unit(i))));
            }
        }
        let Given::Ready(given) = merge.given(line) else {
            panic!("line {line} can start once its pair has ended")
        };
        assert_eq!(count(&given, |e| matches!(e, Event::Weights { .. })), 2);
        merged.extend(merge.push(line, events(&job.unit(line).given(&given))));
    }
    assert!(merge.is_finished());
    assert_eq!(results(&merged), whole);
}

/// A model lost while E2's others train on: its loss is reported, no point waits for it (its
/// slot is NaN), the others' points go on and the run ends done.
#[test]
fn a_lost_model_side_by_side_holds_nothing_up() {
    let (job, _) =
        Job::parse("exp=tasks&models=cnn1,dnn&epochs=1&train_size=96&batch=16&backend=cpu")
            .unwrap();
    let units: Vec<Vec<Event>> = (0..2).map(|i| events(&job.unit(i))).collect();
    let mut merge = job.merge().expect("side by side");
    let started = units[0]
        .iter()
        .position(|e| matches!(e, Event::Started { .. }))
        .expect("Started");
    // Model 1 starts, then its worker is lost; model 0 trains on to the end.
    let mut out = merge.push(1, units[1][..=started].to_vec());
    out.extend(merge.skip(1, Some("out of memory")));
    out.extend(merge.push(0, units[0].clone()));
    assert!(merge.is_finished());
    assert_eq!(count(&out, |e| matches!(e, Event::UnitLost { .. })), 1);
    assert!(
        format!("{out:?}").contains("DNN, 1 hidden was lost (out of memory)"),
        "{out:?}"
    );
    let points: Vec<&Vec<f64>> = out
        .iter()
        .filter_map(|e| match e {
            Event::TrainMetrics { losses, .. } => Some(losses),
            _ => None,
        })
        .collect();
    assert_eq!(points.len(), 2, "after batches 4 and 6: {out:?}");
    for losses in points {
        assert!(losses[0].is_finite() && losses[1].is_nan(), "{losses:?}");
    }
    assert_eq!(count(&out, |e| matches!(e, Event::TestMetrics { .. })), 1);
    assert!(matches!(out.last(), Some(Event::Done { epoch: 1, .. })));
}
