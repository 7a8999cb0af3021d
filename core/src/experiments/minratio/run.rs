//! One E5 unit: train once (keeping the trajectory), then search by each protocol from its
//! start and emit each end point.

use burn::nn::loss::{MseLoss, Reduction};
use burn::tensor::{Device, FloatDType};

use super::starts::{strict_start, Trajectory};
use super::{MinRatioConfig, RatioDefinition, HESSIAN_EPS, INDEX_THRESHOLD};
use crate::analysis::critical::{Counts, CriticalSearch};
use crate::analysis::{minimal_ratio, read_params, sampled_ratio, to_f64, LossOracle};
use crate::engine::units;
use crate::engine::{fail, stopped, Outcome};
use crate::events::{CriticalPoint, Event, Flow, Host, ModelInfo, SearchProtocol};
use crate::models::{init_seeded, Mlp};
use crate::train::{fit_function, Halt, Regression, Stopwatch, Trainer};

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Train a run's `model` (seeded with `seed`) on the task's points as E5 does: where its
/// searches start. `trajectory` keeps points along the way.
#[allow(clippy::too_many_arguments)]
pub async fn train_run(
    config: &MinRatioConfig,
    model: Vec<Mlp>,
    data: &Regression,
    seed: u64,
    trajectory: &mut Trajectory,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> Result<Mlp, Halt> {
    let mut trainers: Vec<Trainer<Mlp>> = model
        .into_iter()
        .map(|m| Trainer::new(m, config.train.optimizer, config.train.learning_rate))
        .collect();
    let names = ["model".to_string()];
    let (epochs, batch) = (config.train.epochs, config.train.batch_size);
    fit_function(
        &mut trainers,
        &names,
        data,
        epochs,
        batch,
        seed,
        trajectory,
        host,
        clock,
    )
    .await?;
    Ok(trainers.remove(0).into_model())
}

/// The mean squared error of an f64 `model` on the task's points, with its gradient: what the
/// search and the Hessian are computed from.
pub fn mse_oracle(model: Mlp, data: &Regression) -> LossOracle<Mlp> {
    let x = data.x.clone().cast(FloatDType::F64).detach();
    let y = data.y.clone().cast(FloatDType::F64).detach();
    LossOracle::new(model, move |m: &Mlp| {
        MseLoss::new().forward(m.forward(x.clone()), y.clone(), Reduction::Mean)
    })
}

/// Run E5 on the CPU backend (f64 analysis), reporting to `host`.
pub async fn run<H: Host>(config: &MinRatioConfig, host: &mut H) -> Outcome {
    let device = Device::flex();
    let train_device = device.clone().autodiff();
    host.emit(Event::Started {
        models: vec![ModelInfo {
            name: "model".into(),
            shape: format!(
                "{} ({})",
                config.model.shape(),
                config.model.activation.id()
            ),
            params: config.model.expected_params(),
        }],
        total_epochs: config.train.epochs,
    });
    let data = config.task.data(&train_device);
    let mut clock = Stopwatch::default();
    for run in config.units.each(config.runs) {
        let label = format!("run {} of {}", run + 1, config.runs);
        units::begin(host, run, config.runs, label);
        match one_run(config, run, &device, &data, host, &mut clock).await {
            Ok(()) => {}
            Err(Halt::Stopped { epoch }) => return stopped(host, epoch, &clock),
            Err(Halt::Failed(e)) => return fail(host, format!("run {}: {e}", run + 1)),
        }
    }
    host.emit(Event::Done {
        epoch: config.train.epochs,
        elapsed_ms: clock.elapsed_ms(),
    });
    Outcome::Done
}

/// One unit: train once, then search by each protocol and emit each end point.
async fn one_run<H: Host>(
    config: &MinRatioConfig,
    run: usize,
    device: &Device,
    data: &Regression,
    host: &mut H,
    clock: &mut Stopwatch,
) -> Result<(), Halt> {
    let train_device = device.clone().autodiff();
    let seed = config.train.seed + run as u64;
    let model = init_seeded(device, seed, || vec![config.model.init(&train_device)]);
    let initial = read_params(&model[0]).await.map_err(Halt::Failed)?;
    let mut trajectory = Trajectory::every(config.snapshot_every());
    let model = train_run(config, model, data, seed, &mut trajectory, host, clock).await?;
    clock.start();
    // The trained parameters keep `require_grad`: the f64 copy stays trainable (autodiff).
    let model = to_f64(model);
    let trained = read_params(&model).await.map_err(Halt::Failed)?;
    let oracle = mse_oracle(model, data);
    let init_grad_norm = norm(&oracle.gradient(&initial));
    for &protocol in config.protocol.each() {
        let (start, start_loss) = match protocol {
            SearchProtocol::Homework => (trained.clone(), oracle.value(&trained)),
            SearchProtocol::Strict => {
                let losses: Vec<f64> = trajectory.points.iter().map(|t| oracle.value(t)).collect();
                let noise = if run % 2 == 1 { config.noise } else { 0.0 };
                let start = strict_start(&trajectory.points, &losses, noise, seed);
                let loss = oracle.value(&start);
                (start, loss)
            }
        };
        let point = search(config, protocol, &oracle, start, seed, host, clock).await?;
        host.emit(Event::CriticalPoint(CriticalPoint {
            run,
            start_loss,
            init_grad_norm,
            ..point
        }));
        clock.stop();
        if host.checkpoint().await == Flow::Stop {
            return Err(Halt::Stopped {
                epoch: config.train.epochs,
            });
        }
        clock.start();
    }
    clock.stop();
    Ok(())
}

/// One protocol's search from `start`, and its end point counted as that protocol counts.
async fn search<H: Host>(
    config: &MinRatioConfig,
    protocol: SearchProtocol,
    oracle: &LossOracle<Mlp>,
    start: Vec<f64>,
    seed: u64,
    host: &mut H,
    clock: &mut Stopwatch,
) -> Result<CriticalPoint, Halt> {
    let criterion = config.criterion(protocol);
    let mut search = CriticalSearch::new(
        |t: &[f64]| oracle.value_and_gradient(t),
        start,
        criterion,
        HESSIAN_EPS,
    )
    .map_err(Halt::Failed)?;
    for _ in 0..config.steps {
        if !search.step().map_err(Halt::Failed)? {
            break;
        }
        clock.stop();
        if host.checkpoint().await == Flow::Stop {
            return Err(Halt::Stopped {
                epoch: config.train.epochs,
            });
        }
        clock.start();
    }
    let reached = search.finish();
    let counts = Counts::absolute(&reached.eigenvalues, INDEX_THRESHOLD);
    let ratio = match (protocol, config.ratio) {
        (SearchProtocol::Strict, _) => 1.0 - counts.index(),
        (SearchProtocol::Homework, RatioDefinition::Hessian) => minimal_ratio(&reached.eigenvalues),
        (SearchProtocol::Homework, RatioDefinition::Sampling) => {
            let theta = &reached.theta;
            let radius = 1e-3 * (1.0 + norm(theta) / (theta.len() as f64).sqrt());
            sampled_ratio(&mut |t: &[f64]| oracle.value(t), theta, radius, 1000, seed)
        }
    };
    Ok(CriticalPoint {
        run: 0,
        protocol,
        loss: reached.loss,
        start_loss: f64::NAN,
        ratio,
        index: counts.index(),
        negative: counts.negative,
        positive: counts.positive,
        flat: counts.flat,
        grad_norm: reached.grad_norm,
        projected_grad_norm: reached.projected_grad_norm,
        start_grad_norm: reached.start_grad_norm,
        init_grad_norm: f64::NAN,
        flatness: reached.flatness,
        converged: reached.converged,
        eigenvalues: reached.eigenvalues,
    })
}
