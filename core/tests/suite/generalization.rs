//! E7–E10 end to end on the CPU backend (flex) with the shipped MNIST subset, fixed seeds and
//! short schedules.

use crate::common;

use std::collections::BTreeMap;

use burn::tensor::Device;
use common::{config, round_trips, subset};
use mlds_core::analysis::read_params;
use mlds_core::engine::{FromParams, Outcome};
use mlds_core::events::CollectingHost;
use mlds_core::experiments::generalization::Evaluator;
use mlds_core::experiments::interpolate::{initial_params, InterpolateConfig};
use mlds_core::experiments::params_sweep::ParamsConfig;
use mlds_core::experiments::random_labels::RandomLabelsConfig;
use mlds_core::experiments::sensitivity::SensitivityConfig;
use mlds_core::experiments::sharpness::SharpnessConfig;
use mlds_core::experiments::subject::{train_classifier, SubjectData};
use mlds_core::experiments::Experiment;
use mlds_core::params::Params;
use mlds_core::train::Stopwatch;
use mlds_core::Event;

fn results(host: &CollectingHost) -> Vec<BTreeMap<String, f64>> {
    host.events
        .iter()
        .filter_map(|e| match e {
            Event::Result { values, .. } => Some(values.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn configs_round_trip_and_clamp() {
    round_trips::<RandomLabelsConfig>(
        "labels=true&train_size=300&hidden=64-64&epochs=7&test_size=200",
    );
    round_trips::<ParamsConfig>("widths=1,4,16&epochs=2&eval_size=100");
    round_trips::<InterpolateConfig>(
        "batch2=512&lr2=0.01&same_init=0&points=41&hidden=32&target=0.01&patience=5",
    );
    round_trips::<SensitivityConfig>("batches=8,64,512&samples=40");
    round_trips::<SharpnessConfig>(
        "batches=16,256&epsilon=0.0005&lanczos_steps=7&slq_probes=3&trace_probes=4&ascent_steps=3&target=0.2",
    );
    let mut p = Params::parse("widths=5&points=3&batches=0,9999999&labels=maybe&task=function");
    let widths = ParamsConfig::from_params(&mut p).widths;
    let points = InterpolateConfig::from_params(&mut p).points;
    let batches = SensitivityConfig::from_params(&mut p).sweep.batches;
    let random = RandomLabelsConfig::from_params(&mut p).random;
    assert_eq!(
        widths,
        mlds_core::experiments::params_sweep::DEFAULT_WIDTHS,
        "one width is no sweep"
    );
    assert_eq!(points, 25, "at least 25 points");
    assert_eq!(batches.len(), 5);
    assert!(random);
    let notices = p.finish();
    assert!(notices.len() >= 5, "{notices:?}");
    assert!(
        notices.iter().any(|n| n.contains("'task'")),
        "E7–E10 have no task choice"
    );
}

#[test]
fn random_labels_are_memorised_while_test_accuracy_stays_near_chance() {
    let c: RandomLabelsConfig =
        config("train_size=200&hidden=256-256&epochs=40&batch=50&test_size=500&seed=3");
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(Some(&subset()), &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let train: Vec<f64> = host
        .events
        .iter()
        .filter_map(|e| match e {
            Event::TrainMetrics { losses, .. } => Some(losses[0]),
            _ => None,
        })
        .collect();
    let test: Vec<(f64, f64)> = host
        .events
        .iter()
        .filter_map(|e| match e {
            Event::TestMetrics {
                losses, accuracies, ..
            } => Some((losses[0], accuracies[0])),
            _ => None,
        })
        .collect();
    assert_eq!(test.len(), 40);
    let (first, last) = (train[0], *train.last().unwrap());
    assert!(last < first * 0.5, "training loss falls: {first} -> {last}");
    let (first_test, last_test) = (test[0].0, test[39].0);
    assert!(
        last_test > first_test,
        "test loss rises: {first_test} -> {last_test}"
    );
    assert!(
        test[39].1 < 0.2,
        "test accuracy near chance: {}",
        test[39].1
    );
}

#[test]
fn the_params_sweep_reports_one_point_per_width_with_counted_parameters() {
    let c: ParamsConfig = config("widths=2,8,32&epochs=2&train_size=300&eval_size=300");
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(Some(&subset()), &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let points = results(&host);
    let params: Vec<f64> = points.iter().map(|p| p["params"]).collect();
    assert_eq!(params, [1600.0, 6370.0, 25450.0], "784·w + w + 10·w + 10");
    for p in &points {
        for key in ["accuracy", "test_accuracy"] {
            assert!((0.0..=1.0).contains(&p[key]), "{key} {p:?}");
        }
        assert!(p["train_loss"] > 0.0 && p["test_loss"] > 0.0);
    }
    assert!(
        points[2]["accuracy"] > points[0]["accuracy"],
        "wider fits better: {points:?}"
    );
}

#[test]
fn the_params_sweep_over_seeds_trains_each_width_once_per_seed_and_a_unit_alone_gives_its_result() {
    let query = "widths=2,8&seeds=2&epochs=1&train_size=200&eval_size=200&seed=4";
    let c: ParamsConfig = config(query);
    round_trips::<ParamsConfig>(query);
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(Some(&subset()), &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let points = results(&host);
    let of = |key: &str| points.iter().map(|p| p[key]).collect::<Vec<_>>();
    assert_eq!(
        of("width"),
        [2.0, 2.0, 8.0, 8.0],
        "unit u: width u / 2, seed u % 2"
    );
    assert_eq!(of("seed"), [0.0, 1.0, 0.0, 1.0]);
    assert_eq!(of("seeds"), [2.0; 4]);
    assert_ne!(
        points[2]["train_loss"], points[3]["train_loss"],
        "seeds differ"
    );
    // Seed index 0 trains with the run's seed: the run of one seed, unchanged.
    let single: ParamsConfig = config("widths=2,8&epochs=1&train_size=200&eval_size=200&seed=4");
    let mut one_seed = CollectingHost::default();
    pollster::block_on(single.run(Some(&subset()), &Device::flex(), &mut one_seed));
    let first = results(&one_seed);
    assert_eq!(first[1]["train_loss"], points[2]["train_loss"]);
    // One unit alone (a worker's, a job array's) gives that unit's result exactly.
    let unit: ParamsConfig = config(&format!("{query}&unit=3"));
    let mut alone = CollectingHost::default();
    pollster::block_on(unit.run(Some(&subset()), &Device::flex(), &mut alone));
    assert_eq!(results(&alone), [points[3].clone()]);
}

#[test]
fn interpolation_reproduces_both_models_at_alpha_zero_and_one() {
    let query = "hidden=16&train_size=300&epochs=2&batch=32&batch2=150&eval_size=200&seed=2";
    let c: InterpolateConfig = config(query);
    let data = subset();
    let device = Device::flex();
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(Some(&data), &device, &mut host));
    assert_eq!(outcome, Outcome::Done);
    let points = results(&host);
    assert_eq!(points.len(), 25);
    assert!((points[0]["alpha"] + 1.0).abs() < 1e-12 && (points[24]["alpha"] - 2.0).abs() < 1e-12);
    // Two epochs is the cap: neither end stopped before it.
    for p in &points {
        assert_eq!((p["epochs_1"], p["epochs_2"]), (2.0, 2.0), "{p:?}");
        assert_eq!((p["stopped_1"], p["stopped_2"]), (0.0, 0.0), "{p:?}");
        assert!(p["distance_ratio"] > 0.0 && p["distance_ratio"].is_finite());
    }

    // The same two trainings again (deterministic), evaluated directly.
    let mut quiet = CollectingHost::default();
    let prepared = SubjectData::prepare(&c.subject, Some(&data), &device, &mut quiet).unwrap();
    let mut travelled = Vec::new();
    for (at, (_, settings, seed)) in [8, 16].into_iter().zip(c.trainings()) {
        let mut clock = Stopwatch::default();
        let model = pollster::block_on(train_classifier(
            &c.subject, &prepared, &settings, seed, &device, &mut quiet, &mut clock,
        ))
        .expect("a trained classifier");
        // ‖θ − θ₀‖, θ₀ from the initialisation alone: the line's distance ratio is theirs.
        let theta = pollster::block_on(read_params(&model)).unwrap();
        let theta0 = pollster::block_on(initial_params(&c, seed, &device)).unwrap();
        let d2: f64 = theta
            .iter()
            .zip(&theta0)
            .map(|(a, b)| (a - b).powi(2))
            .sum();
        travelled.push(d2.sqrt());
        let evaluator = Evaluator::new(&c.subject, &prepared, c.eval_size, &device).unwrap();
        let eval =
            pollster::block_on(evaluator.evaluate(&[model], &device, &mut quiet, &mut clock))
                .unwrap()
                .unwrap()[0];
        let p = &points[at];
        assert!(
            p["alpha"].abs() < 1e-9 || (p["alpha"] - 1.0).abs() < 1e-9,
            "{p:?}"
        );
        for (key, value) in eval.values() {
            assert!(
                (p[key] - value).abs() <= 1e-6 * value.abs().max(1e-6),
                "α = {}: {key} {} vs {value}",
                p["alpha"],
                p[key]
            );
        }
    }
    assert!(points
        .iter()
        .all(|p| p["train_loss"].is_finite() && p["test_loss"].is_finite()));
    let ratio = travelled[0] / travelled[1];
    assert!(
        (points[0]["distance_ratio"] - ratio).abs() < 1e-9 * ratio,
        "{ratio}"
    );
}

/// θ₀ is the weights a training starts from: one Adam step at a learning rate of 1e-6 moves
/// no weight more than about 1e-6 from it, where another seed's initialisation is far off.
#[test]
fn the_initial_weights_are_those_the_training_starts_from() {
    let query = "hidden=16&train_size=64&epochs=1&batch=64&lr=1e-6&seed=5";
    let c: InterpolateConfig = config(query);
    let data = subset();
    let device = Device::flex();
    let mut quiet = CollectingHost::default();
    let prepared = SubjectData::prepare(&c.subject, Some(&data), &device, &mut quiet).unwrap();
    let (_, settings, seed) = c.trainings()[0].clone();
    let mut clock = Stopwatch::default();
    let model = pollster::block_on(train_classifier(
        &c.subject, &prepared, &settings, seed, &device, &mut quiet, &mut clock,
    ))
    .unwrap();
    let theta = pollster::block_on(read_params(&model)).unwrap();
    let far = |other: &[f64]| {
        theta
            .iter()
            .zip(other)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    };
    let theta0 = pollster::block_on(initial_params(&c, seed, &device)).unwrap();
    assert!(far(&theta0) < 1e-5, "{}", far(&theta0));
    let other = pollster::block_on(initial_params(&c, seed + 1, &device)).unwrap();
    assert!(far(&other) > 1e-2, "{}", far(&other));
}

#[test]
fn sensitivity_sweep_measures_every_batch_size() {
    let c: SensitivityConfig =
        config("batches=16,128&epochs=1&train_size=256&samples=50&eval_size=200");
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(Some(&subset()), &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let points = results(&host);
    assert_eq!(
        points.iter().map(|p| p["batch"]).collect::<Vec<_>>(),
        [16.0, 128.0]
    );
    for p in &points {
        assert!(
            p["sensitivity"] > 0.0 && p["sensitivity"].is_finite(),
            "{p:?}"
        );
        // Softmax outputs are bounded: their Jacobian is gentler than the loss's gradient.
        assert!(p["softmax_sensitivity"] > 0.0 && p["softmax_sensitivity"].is_finite());
    }
}

#[test]
fn sharpness_sweep_measures_every_batch_size() {
    let c: SharpnessConfig = config(
        "batches=32,256&epochs=1&train_size=256&samples=64&lanczos_steps=6&slq_probes=2&trace_probes=3&ascent_steps=3&hidden=8",
    );
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(Some(&subset()), &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let points = results(&host);
    assert_eq!(points.len(), 2);
    for p in &points {
        assert!(p["sharpness"] >= 0.0 && p["sharpness"].is_finite(), "{p:?}");
        assert!(
            p["top_eigenvalue"] > 0.0 && p["top_eigenvalue"].is_finite(),
            "{p:?}"
        );
        assert!(p["trace"].is_finite() && p["trace_error"] >= 0.0, "{p:?}");
        assert!(p["hvp_asymmetry"] >= 0.0 && p["hvp_step"] > 0.0, "{p:?}");
        // One epoch is the cap: the default target (0.05) is out of reach.
        assert_eq!((p["epochs"], p["reached_target"]), (1.0, 0.0), "{p:?}");
    }
    // One spectral density per model, a probability density on its grid.
    let densities: Vec<(usize, f64)> = host
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Density {
                index,
                grid,
                density,
            } => Some((*index, (grid[1] - grid[0]) * density.iter().sum::<f64>())),
            _ => None,
        })
        .collect();
    assert_eq!(densities.iter().map(|d| d.0).collect::<Vec<_>>(), [0, 1]);
    for (_, mass) in densities {
        assert!((mass - 1.0).abs() < 1e-2, "∫ρ = {mass}");
    }
}

#[test]
fn a_batch_sweep_over_seeds_trains_each_batch_size_once_per_seed_as_units_of_its_own() {
    let query = "batches=16,128&seeds=2&epochs=1&train_size=128&samples=20&eval_size=128&hidden=8";
    let c: SensitivityConfig = config(query);
    assert_eq!(c.sweep.units().0, 4, "two batch sizes × two seeds");
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(Some(&subset()), &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let points = results(&host);
    let of = |key: &str| points.iter().map(|p| p[key]).collect::<Vec<_>>();
    assert_eq!(of("batch"), [16.0, 16.0, 128.0, 128.0]);
    assert_eq!(of("seed"), [0.0, 1.0, 0.0, 1.0]);
    assert_eq!(of("seeds"), [2.0; 4]);
    // Seeds differ: another initialisation and order, another model.
    assert_ne!(points[0]["sensitivity"], points[1]["sensitivity"]);
    // One unit alone (a worker's, a job array's) gives that unit's result exactly.
    let one: SensitivityConfig = config(&format!("{query}&unit=3"));
    let mut alone = CollectingHost::default();
    let outcome = pollster::block_on(one.run(Some(&subset()), &Device::flex(), &mut alone));
    assert_eq!(outcome, Outcome::Done);
    assert_eq!(results(&alone), [points[3].clone()]);
    // The page's view pools them: the mean and spread of each batch size's two seeds.
    let mut view = mlds_core::view::SweepView::default();
    for e in &host.events {
        if let Event::Result {
            index,
            label,
            values,
        } = e
        {
            view.add_result(mlds_core::view::SweepResult {
                index: *index,
                label: label.clone(),
                values: values.clone(),
            });
        }
    }
    let pooled = view.pooled();
    assert_eq!(pooled.len(), 2);
    let (a, b) = (points[0]["sensitivity"], points[1]["sensitivity"]);
    assert!((pooled[0].get("sensitivity") - (a + b) / 2.0).abs() < 1e-12);
    let std = (a - b).abs() / 2f64.sqrt();
    assert!((pooled[0].get("sensitivity_std") - std).abs() < 1e-12);
    assert_eq!(pooled[1].get("seeds"), 2.0);
}

#[test]
fn a_factor_sweep_trains_every_combination_each_a_unit_with_its_factors_in_its_result() {
    // 2 batch sizes (one the full batch) × 1 width × 1 learning rate × 2 label noises.
    let query = "sweep=factors&batches=16,full&widths=8&lrs=0.003&label_noises=0,0.5&train_size=64&epochs=2&samples=20&eval_size=64";
    let c: SensitivityConfig = config(query);
    assert_eq!(c.sweep.units().0, 4);
    round_trips::<SensitivityConfig>(query);
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(Some(&subset()), &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let points = results(&host);
    let of = |key: &str| points.iter().map(|p| p[key]).collect::<Vec<_>>();
    // The full batch is the training set's 64 images: one step an epoch.
    assert_eq!(of("batch"), [16.0, 16.0, 64.0, 64.0]);
    assert_eq!(of("steps"), [8.0, 8.0, 2.0, 2.0]);
    assert_eq!(of("label_noise"), [0.0, 0.5, 0.0, 0.5]);
    // Same batch, width, learning rate and seed: only the wrong labels tell models 0 and 1
    // apart, so they would be the same model if the noise were not applied.
    assert_ne!(points[0]["train_loss"], points[1]["train_loss"]);
    assert_eq!(of("width"), [8.0; 4]);
    assert_eq!(of("lr"), [0.003; 4]);
    assert_eq!(of("train_size"), [64.0; 4]);
    assert!(points
        .iter()
        .all(|p| p["sensitivity"] > 0.0 && p["softmax_sensitivity"] > 0.0));
    let label = host.events.iter().find_map(|e| match e {
        Event::Unit {
            index: 3, label, ..
        } => Some(label.clone()),
        _ => None,
    });
    assert!(label
        .unwrap()
        .starts_with("batch 64 · width 8 · lr 0.003 · 50% wrong labels"));
    // Unit 3 alone gives that unit's result exactly (the same wrong labels, the same seed).
    let one: SensitivityConfig = config(&format!("{query}&unit=3"));
    let mut alone = CollectingHost::default();
    let outcome = pollster::block_on(one.run(Some(&subset()), &Device::flex(), &mut alone));
    assert_eq!(outcome, Outcome::Done);
    assert_eq!(results(&alone), [points[3].clone()]);
}

#[test]
fn a_batch_sweep_trains_each_model_to_the_target_or_to_the_cap() {
    // Target loss 0.2: batch 16 (16 steps an epoch) gets there within the 15-epoch cap and
    // stops; batch 256 (one step an epoch) cannot in 15 steps (~0.85 after 10, 0.17 after 25).
    let c: SensitivityConfig = config(
        "batches=16,256&epochs=15&target=0.2&train_size=256&samples=20&eval_size=256&hidden=32",
    );
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(Some(&subset()), &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let points = results(&host);
    for p in &points {
        assert_eq!(p["target_loss"], 0.2);
        assert_eq!(p["reached_target"] == 1.0, p["train_loss"] <= 0.2, "{p:?}");
    }
    let (small, large) = (&points[0], &points[1]);
    assert!(
        small["epochs"] < 15.0 && small["reached_target"] == 1.0,
        "{small:?}"
    );
    assert_eq!(small["steps"], small["epochs"] * 16.0);
    assert_eq!(
        (large["epochs"], large["reached_target"]),
        (15.0, 0.0),
        "{large:?}"
    );
}

#[test]
fn a_batch_size_sweep_with_patience_counts_a_settled_model_as_at_its_minimum_a_factor_sweep_does_not(
) {
    // A learning rate of 1e-6 leaves the loss flat: no epoch improves it by 1 %, so patience 2
    // stops every model after epoch 3, far above the target and before the 10-epoch cap.
    let flat = "epochs=10&patience=2&target=0.001&train_size=64&samples=20&eval_size=64";
    let keskar: SensitivityConfig = config(&format!("batches=16,32&lr=0.000001&hidden=8&{flat}"));
    round_trips::<SensitivityConfig>(&format!("batches=16,32&lr=0.000001&hidden=8&{flat}"));
    assert!(keskar.sweep.counts_settled());
    let novak: SensitivityConfig = config(&format!(
        "sweep=factors&batches=16,32&widths=8&lrs=0.000001&label_noises=0&{flat}"
    ));
    assert!(!novak.sweep.counts_settled());
    for (c, reached) in [(keskar, 1.0), (novak, 0.0)] {
        let mut host = CollectingHost::default();
        let outcome = pollster::block_on(c.run(Some(&subset()), &Device::flex(), &mut host));
        assert_eq!(outcome, Outcome::Done);
        for p in results(&host) {
            assert_eq!(p["epochs"], 3.0, "{p:?}");
            assert!(p["train_loss"] > 0.001, "{p:?}");
            assert_eq!(p["reached_target"], reached, "{p:?}");
        }
    }
    // Without patience the same model runs to the cap and misses the target.
    let capped: SensitivityConfig = config(
        "batches=16,32&lr=0.000001&hidden=8&epochs=4&target=0.001&train_size=64&samples=20&eval_size=64",
    );
    let mut host = CollectingHost::default();
    pollster::block_on(capped.run(Some(&subset()), &Device::flex(), &mut host));
    for p in results(&host) {
        assert_eq!((p["epochs"], p["reached_target"]), (4.0, 0.0), "{p:?}");
    }
}
