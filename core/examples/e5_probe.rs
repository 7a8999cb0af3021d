//! Measures E5's critical-point search natively: trains runs as E5 does, then searches with
//! both step rules and prints, per run, the gradient's norm and its non-flat component
//! (several τ) at the start and at the end, the steps and gradients spent, and the time:
//! `cargo run --release -p mlds-core --example e5_probe -- "runs=20" [steps] [newton|lm]
//! [tolerance] [tau]`.

use std::time::Instant;

use burn::tensor::Device;
use mlds_core::analysis::critical::{projected_norm, Counts, Criterion, CriticalSearch, Method};
use mlds_core::analysis::{read_params, to_f64};
use mlds_core::engine::FromParams;
use mlds_core::events::CollectingHost;
use mlds_core::experiments::minratio::{mse_oracle, train_run, MinRatioConfig, HESSIAN_EPS};
use mlds_core::models::init_seeded;
use mlds_core::params::Params;
use mlds_core::train::Stopwatch;

const TAUS: [f64; 4] = [1e-8, 1e-6, 1e-4, 1e-3];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut params = Params::parse(args.get(1).map_or("", |s| s.as_str()));
    let config = MinRatioConfig::from_params(&mut params);
    let steps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(30);
    let method = match args.get(3).map(|s| s.as_str()) {
        Some("lm") => Method::LevenbergMarquardt,
        Some("sfn") => Method::SaddleFree,
        _ => Method::NewtonMr,
    };
    let mut criterion = Criterion::DEFAULT;
    if let Some(t) = args.get(4).and_then(|s| s.parse().ok()) {
        criterion.tolerance = t;
    }
    if let Some(t) = args.get(5).and_then(|s| s.parse().ok()) {
        criterion.tau = t;
    }
    let device = Device::flex();
    let train_device = device.clone().autodiff();
    let data = config.task.data(&train_device);
    let (mut train_s, mut search_s) = (0.0, 0.0);
    let mut converged = 0;
    for run in 0..config.runs {
        let t0 = Instant::now();
        let seed = config.train.seed + run as u64;
        let model = init_seeded(&device, seed, || vec![config.model.init(&train_device)]);
        let (mut host, mut clock) = (CollectingHost::default(), Stopwatch::default());
        let trained = train_run(&config, model, &data, seed, &mut host, &mut clock);
        let model = to_f64(pollster::block_on(trained).unwrap());
        let theta = pollster::block_on(read_params(&model)).unwrap();
        let oracle = mse_oracle(model, &data);
        let t1 = Instant::now();
        let mut search = CriticalSearch::new(
            |t: &[f64]| oracle.value_and_gradient(t),
            theta,
            criterion,
            HESSIAN_EPS,
        )
        .unwrap()
        .with_method(method);
        let rel = |s: &CriticalSearch<_>| {
            let (g, l, v) = s.state();
            TAUS.map(|tau| projected_norm(g, l, v, tau) / s.start_grad_norm())
        };
        let start = rel(&search);
        for _ in 0..steps {
            if !search.step().unwrap() {
                break;
            }
        }
        let end = rel(&search);
        let (_, l, _) = search.state();
        let flat = l
            .iter()
            .filter(|x| x.abs() <= criterion.tau * l.iter().fold(0.0f64, |m, v| m.max(v.abs())))
            .count();
        let lmax = l.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let counts = Counts::of(l, criterion.tau);
        let loss = oracle.value(search.theta());
        let t2 = Instant::now();
        train_s += (t1 - t0).as_secs_f64();
        search_s += (t2 - t1).as_secs_f64();
        converged += search.converged() as usize;
        println!(
            "run {run:>3}: |g| {:.2e} -> {:.2e}  P/start τ=1e-8,1e-6,1e-4,1e-3: {:.1e} {:.1e} {:.1e} {:.1e} -> {:.1e} {:.1e} {:.1e} {:.1e}  loss {loss:.3e} ratio {:.3} ({}+ {}-) steps {} grads {} flat {flat} λmax {lmax:.2e} conv {} {:.2}s",
            search.start_grad_norm(),
            search.grad_norm(),
            start[0], start[1], start[2], start[3],
            end[0], end[1], end[2], end[3],
            counts.ratio(),
            counts.positive,
            counts.negative,
            search.steps,
            search.gradients,
            search.converged(),
            (t2 - t1).as_secs_f64()
        );
    }
    println!(
        "{converged}/{} converged; training {train_s:.1} s, search {search_s:.1} s",
        config.runs
    );
}
