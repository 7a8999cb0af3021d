//! E1 end to end on the CPU backend (flex), with fixed seeds.

use burn::tensor::Device;
use mlds_core::engine::{FromParams, Outcome};
use mlds_core::events::CollectingHost;
use mlds_core::experiments::fit::{self, FitConfig};
use mlds_core::params::Params;
use mlds_core::Event;

fn config(query: &str) -> FitConfig {
    let mut params = Params::parse(query);
    let config = FitConfig::from_params(&mut params);
    assert!(params.finish().is_empty(), "test queries are valid");
    config
}

fn run(config: &FitConfig) -> (Outcome, CollectingHost) {
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(fit::run(config, &Device::flex(), &mut host));
    (outcome, host)
}

#[test]
fn every_model_learns_sinc5() {
    let (outcome, host) = run(&config("epochs=200&samples=128&seed=3"));
    assert_eq!(outcome, Outcome::Done);
    let history = host.loss_history();
    let (first_epoch, first) = &history[0];
    let (last_epoch, last) = history.last().unwrap();
    assert_eq!((*first_epoch, *last_epoch), (1, 200));
    // Measured: first ≈ 0.04–0.2, after 200 epochs ≈ 0.004 (deep) to 0.03 (shallow).
    for (i, (a, b)) in first.iter().zip(last).enumerate() {
        assert!(b < &(a * 0.5), "model {i}: loss went from {a} to {b}");
    }
    assert!(
        last[0] < 0.02 && last[1] < 0.02,
        "deep models fit: {last:?}"
    );
}

#[test]
fn started_event_counts_parameters_from_the_models() {
    let (_, host) = run(&config("epochs=1&samples=16"));
    let Event::Started {
        models,
        total_epochs,
    } = &host.events[0]
    else {
        panic!("first event is Started: {:?}", host.events[0]);
    };
    assert_eq!(*total_epochs, 1);
    let params: Vec<usize> = models.iter().map(|m| m.params).collect();
    assert_eq!(params, vec![571, 572, 571]);
    assert_eq!(models[2].name, "1-190-1");
}

#[test]
fn predictions_cover_the_reference_grid() {
    let (_, host) = run(&config("epochs=3&samples=16"));
    let grid = host.events.iter().find_map(|e| match e {
        Event::Reference { xs, ys } => Some((xs.clone(), ys.clone())),
        _ => None,
    });
    let (xs, ys) = grid.expect("a reference curve");
    assert_eq!(xs.len(), ys.len());
    assert_eq!(ys[0], 1.0, "sinc5(0) = 1");
    let mut predictions = host.events.iter().filter_map(|e| match e {
        Event::Predictions { ys, .. } => Some(ys),
        _ => None,
    });
    let last = predictions.next_back().expect("a final snapshot");
    assert_eq!(last.len(), 3);
    assert!(last
        .iter()
        .all(|p| p.len() == xs.len() && p.iter().all(|v| v.is_finite())));
    assert!(matches!(
        host.events.last(),
        Some(Event::Done { epoch: 3, .. })
    ));
}

#[test]
fn same_seed_same_losses_other_seed_other_losses() {
    let a = run(&config("epochs=20&samples=64&seed=5&batch=16"))
        .1
        .loss_history();
    let b = run(&config("epochs=20&samples=64&seed=5&batch=16"))
        .1
        .loss_history();
    let c = run(&config("epochs=20&samples=64&seed=6&batch=16"))
        .1
        .loss_history();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn a_host_can_stop_a_run() {
    let mut host = CollectingHost::stopping_after(4);
    let outcome = pollster::block_on(fit::run(
        &config("epochs=100&samples=16"),
        &Device::flex(),
        &mut host,
    ));
    assert_eq!(outcome, Outcome::Stopped);
    assert!(matches!(
        host.events.last(),
        Some(Event::Stopped { epoch: 4, .. })
    ));
}

#[test]
fn a_diverging_run_reports_an_error_instead_of_nan_charts() {
    let (outcome, host) = run(&config(
        "opt=sgd&lr=1&xmin=-10&xmax=10&fn=damped_cos&epochs=50&samples=64",
    ));
    let Outcome::Failed(message) = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert!(message.contains("diverged"), "{message}");
    assert!(matches!(host.events.last(), Some(Event::Error { .. })));
}

#[test]
fn url_params_round_trip_and_clamp() {
    let custom = config("fn=sgn5&shapes=1-8-1,1-4-4-1&act=relu&lr=0.02&epochs=10&batch=8&seed=9&backend=cpu&samples=32");
    let query = mlds_core::params::to_query(custom.to_params());
    assert_eq!(config(&query), custom);
    assert_eq!(custom.train.batch_size, Some(8));
    assert_eq!(custom.shapes, vec![vec![1, 8, 1], vec![1, 4, 4, 1]]);

    let mut params = Params::parse(
        "lr=7&epochs=0&batch=999&samples=16&shapes=2-3-1&xmin=1&xmax=0&act=swish&bogus=1",
    );
    let clamped = FitConfig::from_params(&mut params);
    let notices = params.finish();
    let defaults = FitConfig::default();
    assert_eq!(clamped.train.learning_rate, 1.0);
    assert_eq!(clamped.train.epochs, 1);
    assert_eq!(
        clamped.train.batch_size, None,
        "a batch as large as the data is full batch"
    );
    assert_eq!(clamped.shapes, defaults.shapes);
    assert_eq!((clamped.task.x_min, clamped.task.x_max), (0.0, 1.0));
    assert_eq!(clamped.activation, defaults.activation);
    assert_eq!(notices.len(), 7, "{notices:?}");
}
