//! E3–E6 end to end on the CPU backend (flex) with fixed seeds and short schedules.

use crate::common;

use burn::nn::loss::{MseLoss, Reduction};
use burn::tensor::Device;
use common::{config, round_trips, subset};
use mlds_core::analysis::critical::Target;
use mlds_core::analysis::{read_params, LossOracle};
use mlds_core::engine::{FromParams, Outcome};
use mlds_core::events::CollectingHost;
use mlds_core::events::SearchProtocol;
use mlds_core::experiments::gradnorm::{probe_every, GradNormConfig};
use mlds_core::experiments::minratio::MinRatioConfig;
use mlds_core::experiments::subject::Subject;
use mlds_core::experiments::surface::SurfaceConfig;
use mlds_core::experiments::trajectory::TrajectoryConfig;
use mlds_core::experiments::Experiment;
use mlds_core::models::{init_seeded, Mlp};
use mlds_core::params::Params;
use mlds_core::view::RunView;
use mlds_core::Event;

#[test]
fn configs_round_trip_through_the_url() {
    round_trips::<GradNormConfig>("task=function&fn=sgn5&shape=1-4-4-1&act=relu&lr=0.01&epochs=10&batch=16&seed=3&backend=cpu");
    round_trips::<GradNormConfig>(
        "task=images&dataset=mnist&train_size=500&convs=4&hidden=8&batch=32",
    );
    round_trips::<TrajectoryConfig>("task=images&hidden=12&runs=3&every=2&layer=2&epochs=6");
    round_trips::<SurfaceConfig>("task=function&dirs=pca&grid=11&span=0.5&line=9");
    round_trips::<MinRatioConfig>("runs=7&steps=5&ratio=sampling&shape=1-4-1&samples=64");
}

#[test]
fn bad_values_are_clamped_with_notices() {
    let mut p = Params::parse("task=nope&runs=0&layer=99&every=0&hidden=0-5&task=images");
    let c = TrajectoryConfig::from_params(&mut p);
    let notices = p.finish();
    assert_eq!(c.runs, 1);
    assert_eq!(c.every, 1);
    assert_eq!(c.layer, c.subject.layer_count());
    let Subject::Images { model, .. } = &c.subject else {
        panic!("the last task wins");
    };
    assert_eq!(model.hidden, vec![16], "invalid widths fall back");
    assert_eq!(notices.len(), 4, "{notices:?}");
    let mut p = Params::parse("shape=1-64-64-1&grid=1");
    let m = MinRatioConfig::from_params(&mut p);
    assert_eq!(
        m.model.shape(),
        MinRatioConfig::DEFAULT_SHAPE,
        "too big for a full Hessian"
    );
    let s = SurfaceConfig::from_params(&mut p);
    assert_eq!(s.grid, 3);
    assert!(p.finish().len() >= 2);
}

fn iterations(host: &CollectingHost) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for e in &host.events {
        if let Event::Iterations {
            first,
            losses,
            grad_norms,
        } = e
        {
            assert_eq!(
                *first,
                out.len(),
                "iterations arrive in order, none missing"
            );
            out.extend(losses.iter().copied().zip(grad_norms.iter().copied()));
        }
    }
    out
}

#[test]
fn gradnorm_records_every_iteration_of_the_function_task() {
    let c: GradNormConfig = config("task=function&epochs=150&samples=64&seed=2");
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(None, &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let its = iterations(&host);
    assert_eq!(its.len(), 150, "one full-batch step per epoch");
    assert!(its
        .iter()
        .all(|(l, g)| l.is_finite() && g.is_finite() && *g > 0.0));
    assert!(
        its[149].0 < its[0].0 * 0.5,
        "loss falls: {:?} -> {:?}",
        its[0],
        its[149]
    );

    // The first step's norm is the gradient norm at the seeded initial weights, which an
    // independent oracle computes from the same model and data.
    let norm = initial_gradient_norm(&c);
    let relative = (its[0].1 - norm).abs() / norm;
    assert!(
        relative < 1e-4,
        "step's norm {} vs oracle's {norm}",
        its[0].1
    );
}

/// The full-batch loss gradient's norm at a function task's seeded initial weights, from an
/// independent oracle (`LossOracle`) over the same model and data: what the run's first step
/// or probe must report.
fn initial_gradient_norm(c: &GradNormConfig) -> f64 {
    let Subject::Function { task, model } = &c.subject else {
        unreachable!("a function task")
    };
    let device = Device::flex().autodiff();
    let m: Mlp = init_seeded(&Device::flex(), c.train.seed, || vec![model.init(&device)]).remove(0);
    let theta = pollster::block_on(read_params(&m)).unwrap();
    let data = task.data(&device);
    let oracle = LossOracle::new(m, move |m: &Mlp| {
        MseLoss::new().forward(m.forward(data.x.clone()), data.y.clone(), Reduction::Mean)
    });
    let g = oracle.gradient(&theta);
    g.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Every full-batch measurement of a run: (step, norm, probe size).
fn full_gradients(host: &CollectingHost) -> Vec<(usize, f64, usize)> {
    host.events
        .iter()
        .filter_map(|e| match e {
            Event::FullGradient {
                step,
                grad_norm,
                examples,
                ..
            } => Some((*step, *grad_norm, *examples)),
            _ => None,
        })
        .collect()
}

#[test]
fn gradnorm_on_mnist_counts_mini_batch_steps_and_probes_the_full_batch() {
    let c: GradNormConfig = config("task=images&epochs=2&train_size=256&batch=32&seed=1");
    let data = subset();
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(Some(&data), &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let its = iterations(&host);
    assert_eq!(its.len(), 16, "2 epochs of 256/32 batches");
    assert!(its.iter().all(|(l, g)| l.is_finite() && *g > 0.0));
    // 16 steps: a full-batch measurement before every one, on all 256 training images.
    let full = full_gradients(&host);
    assert_eq!(
        full.iter().map(|f| f.0).collect::<Vec<_>>(),
        (0..16).collect::<Vec<_>>()
    );
    assert!(full.iter().all(|f| f.1 > 0.0 && f.2 == 256), "{full:?}");
    // The full-batch gradient is the mean of the batch gradients of one epoch (at one θ), so
    // its norm is below their root mean square wherever examples disagree: the noise floor is
    // positive.
    let v = view(&host);
    let full = v.sweep.full_batch.as_ref().expect("measured");
    assert_eq!((full.examples, full.batch, full.train), (256, 32, 256));
    let floor = full.noise_floor(&v.sweep.iterations).unwrap();
    assert!(floor > 0.0, "{floor}");
}

/// A function task in mini-batches: the full-batch norm before the first step is the gradient
/// norm at the seeded initial weights on every point, which an independent oracle (f64, one
/// pass) computes; a full-batch run measures none (its steps' norms are full-batch already).
#[test]
fn gradnorm_probes_the_full_batch_of_a_mini_batch_function_task() {
    let c: GradNormConfig = config("task=function&epochs=30&samples=64&batch=16&seed=2");
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(None, &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    assert_eq!(iterations(&host).len(), 120, "30 epochs of 4 batches");
    let full = full_gradients(&host);
    let steps: Vec<usize> = full.iter().map(|f| f.0).collect();
    let expected: Vec<usize> = (0..120).step_by(3).chain([119]).collect();
    assert_eq!(
        steps,
        expected,
        "every {} steps and the last",
        probe_every(120)
    );
    assert!(full.iter().all(|f| f.2 == 64));

    let norm = initial_gradient_norm(&c);
    let relative = (full[0].1 - norm).abs() / norm;
    assert!(
        relative < 1e-4,
        "probe's norm {} vs oracle's {norm}",
        full[0].1
    );

    let c: GradNormConfig = config("task=function&epochs=30&samples=64&seed=2");
    let mut host = CollectingHost::default();
    pollster::block_on(c.run(None, &Device::flex(), &mut host));
    assert!(full_gradients(&host).is_empty());
    assert_eq!(view(&host).sweep.full_batch, None);
}

#[test]
fn gradnorm_without_its_dataset_fails_with_a_message() {
    let c: GradNormConfig = config("task=images");
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(None, &Device::flex(), &mut host));
    assert!(matches!(outcome, Outcome::Failed(m) if m.contains("not loaded")));
}

/// What the page folds from a run's events (`RunView`), which these tests read as it does.
fn view(host: &CollectingHost) -> RunView {
    RunView::of_events(host.events.clone())
}

fn snapshots(host: &CollectingHost) -> Vec<(usize, usize, f64, Option<f64>)> {
    view(host)
        .sweep
        .snapshots
        .iter()
        .map(|s| (s.run, s.epoch, s.loss, s.accuracy))
        .collect()
}

fn last_projection(host: &CollectingHost, space: &str) -> (Vec<[f64; 2]>, [f64; 2]) {
    let view = view(host);
    let projection = view.sweep.projections.get(space).expect("a projection");
    (projection.points.clone(), projection.explained)
}

#[test]
fn trajectory_collects_snapshots_of_every_run_and_projects_them() {
    let c: TrajectoryConfig = config("task=function&epochs=40&every=10&runs=3&samples=64&layer=2");
    assert_eq!(
        c.snapshots_per_run(),
        5,
        "the initial weights, then epochs 10, 20, 30, 40"
    );
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(None, &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let snaps = snapshots(&host);
    assert_eq!(snaps.len(), 15);
    let runs: Vec<usize> = snaps.iter().map(|s| s.0).collect();
    assert_eq!(runs, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    let epochs: Vec<usize> = snaps.iter().take(5).map(|s| s.1).collect();
    assert_eq!(epochs, [0, 10, 20, 30, 40]);
    assert!(snaps.iter().all(|s| s.3.is_none()));
    assert!(snaps.iter().filter(|s| s.1 > 0).all(|s| s.2.is_finite()));
    for space in ["layer", "model"] {
        let (points, explained) = last_projection(&host, space);
        assert_eq!(points.len(), 15, "{space}: every snapshot projected");
        assert!(
            explained[0] >= explained[1] && explained[1] >= 0.0,
            "{explained:?}"
        );
        assert!(explained[0] + explained[1] <= 1.0 + 1e-9);
        // Different seeds start in different places: the runs spread out in the plane.
        let spread = points
            .iter()
            .map(|p| p[0].abs() + p[1].abs())
            .fold(0.0, f64::max);
        assert!(spread > 0.0);
    }
}

#[test]
fn trajectory_on_mnist_labels_snapshots_with_test_accuracy() {
    let c: TrajectoryConfig = config("task=images&train_size=300&epochs=2&every=1&runs=2&batch=50");
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(Some(&subset()), &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let snaps = snapshots(&host);
    assert_eq!(snaps.len(), 6, "2 runs × (initial weights + 2 epochs)");
    let trained: Vec<_> = snaps.iter().filter(|s| s.1 > 0).collect();
    assert!(trained
        .iter()
        .all(|s| s.3.is_some_and(|a| (0.0..=1.0).contains(&a))));
    // 784-16-10 learns something from 300 images in 2 epochs (chance: 10 %).
    assert!(trained[1].3.unwrap() > 0.3, "{snaps:?}");
}

#[test]
fn trajectory_stops_when_asked() {
    let c: TrajectoryConfig = config("task=function&epochs=40&every=10&runs=3&samples=32");
    let mut host = CollectingHost::stopping_after(50);
    let outcome = pollster::block_on(c.run(None, &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Stopped);
    assert!(matches!(host.events.last(), Some(Event::Stopped { .. })));
}

#[test]
fn minratio_follows_both_protocols_and_counts_as_each_says() {
    let c: MinRatioConfig = config("runs=3&epochs=300&samples=64");
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(None, &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    // Read as the page reads them (its folding of the events): run 0's two, run 1's two, …
    let points = view(&host).sweep.critical_points;
    let order: Vec<_> = points.iter().map(|p| (p.run, p.protocol)).collect();
    let both = [SearchProtocol::Homework, SearchProtocol::Strict];
    assert_eq!(
        order,
        (0..3)
            .flat_map(|r| both.map(|p| (r, p)))
            .collect::<Vec<_>>()
    );
    for p in &points {
        assert!(p.loss.is_finite() && p.loss >= 0.0);
        let eigenvalues = &p.eigenvalues;
        assert_eq!(
            eigenvalues.len(),
            c.model.expected_params(),
            "one per parameter"
        );
        assert!(eigenvalues.windows(2).all(|w| w[0] <= w[1]), "sorted");
        // Counted against ±1e-5 (absolute) for both protocols.
        let neg = eigenvalues.iter().filter(|&&e| e < -1e-5).count();
        let pos = eigenvalues.iter().filter(|&&e| e > 1e-5).count();
        assert_eq!(
            (p.negative, p.positive, p.flat),
            (neg, pos, eigenvalues.len() - neg - pos)
        );
        assert_eq!(p.index, neg as f64 / eigenvalues.len() as f64);
        assert!((0.0..=1.0).contains(&p.flatness), "{p:?}");
        match p.protocol {
            SearchProtocol::Homework => {
                // The homework's ratio: all eigenvalues > 0, flat ones included.
                let above = eigenvalues.iter().filter(|&&e| e > 0.0).count();
                assert_eq!(p.ratio, above as f64 / eigenvalues.len() as f64);
                // Its modest criterion: the stiff directions' part of ∇L, far below the
                // trained end's norm (an idle search would keep a large part of it).
                let criterion = c.criterion(SearchProtocol::Homework);
                let Target::Projected(tolerance) = criterion.target else {
                    panic!("{criterion:?}")
                };
                assert!(p.converged, "{p:?}");
                assert!(p.projected_grad_norm <= tolerance * p.start_grad_norm);
                assert!(
                    p.start_grad_norm < p.init_grad_norm * 1e-1,
                    "training lowered the norm"
                );
            }
            SearchProtocol::Strict => {
                assert_eq!(p.ratio, 1.0 - p.index);
                // Critical only with the whole gradient below 1e-5.
                assert_eq!(p.converged, p.grad_norm.powi(2) < 1e-10, "{p:?}");
                assert!(p.start_loss.is_finite());
            }
        }
    }
}

fn surface_run(query: &str) -> (Vec<f64>, Vec<Vec<f64>>, Vec<f64>, Vec<f64>) {
    let c: SurfaceConfig = config(query);
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(c.run(None, &Device::flex(), &mut host));
    assert_eq!(outcome, Outcome::Done);
    let mut xs = Vec::new();
    let mut rows = Vec::new();
    let mut line = (Vec::new(), Vec::new());
    for e in &host.events {
        match e {
            Event::SurfaceGrid { xs: x, .. } => xs = x.clone(),
            Event::SurfaceRow { row, losses } => {
                assert_eq!(*row, rows.len(), "rows in order");
                rows.push(losses.clone());
            }
            Event::LineLosses { alphas, losses } => line = (alphas.clone(), losses.clone()),
            _ => {}
        }
    }
    (xs, rows, line.0, line.1)
}

#[test]
fn surface_centre_is_the_trained_model_and_the_line_ends_there() {
    for dirs in ["random", "pca"] {
        let (xs, rows, alphas, line) = surface_run(&format!(
            "task=function&epochs=100&samples=64&grid=5&line=5&dirs={dirs}"
        ));
        assert_eq!((xs.len(), rows.len()), (5, 5), "{dirs}");
        assert!(rows
            .iter()
            .all(|r| r.len() == 5 && r.iter().all(|l| l.is_finite())));
        assert_eq!(alphas, [-0.5, 0.0, 0.5, 1.0, 1.5]);
        let centre = rows[2][2];
        // α = 1 is the trained model itself, as is the grid's centre.
        assert!(
            (centre - line[3]).abs() <= 1e-6 * centre.max(1e-12),
            "{dirs}: {centre} vs {}",
            line[3]
        );
        assert!(
            line[1] > line[3],
            "{dirs}: training lowered the loss: {line:?}"
        );
        let min = rows.iter().flatten().copied().fold(f64::MAX, f64::min);
        assert!(
            min <= centre * 1.5,
            "{dirs}: the trained model sits low on its surface"
        );
    }
}
