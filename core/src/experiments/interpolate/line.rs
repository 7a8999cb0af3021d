//! E9a's line: a pair's two trained ends (trained here, or rebuilt from the weights a line's
//! unit is given), and the loss and accuracy at every α of θ(α) = (1 − α)·θ₁ + α·θ₂, each
//! point a result.

use burn::module::Module;
use burn::tensor::Device;

use super::super::generalization::{emit_result, Evaluator};
use super::super::subject::SubjectData;
use super::{initial, initial_params, End, InterpolateConfig, ALPHAS};
use crate::analysis::random::norm;
use crate::analysis::{combine, load_params};
use crate::data::linspace;
use crate::events::{Flow, Host};
use crate::train::{Halt, Stopwatch};

/// The line's unit: both models rebuilt from the weights it was given.
pub(super) fn given_ends(config: &InterpolateConfig, device: &Device) -> Result<[End; 2], String> {
    // Any initial weights: every one is replaced by the given ones.
    let template = initial(config, 0, device)?;
    let expected = template.num_params();
    match &config.ends[..] {
        [a, b] if a.theta.len() == expected && b.theta.len() == expected => Ok([a, b].map(|end| End {
            model: load_params(template.clone(), &end.theta),
            trained: end.clone(),
        })),
        _ => Err(
            "a line needs both trained models' weights, from its pair's two training units; it runs after them".into(),
        ),
    }
}

/// What every point of the line reports besides its evaluation: the target, each end's epochs
/// and whether it stopped before the cap (reached the loss or stopped improving), and
/// ‖θ₁ − θ₀‖ / ‖θ₂ − θ₀‖ (each from its own θ₀ where the initialisations differ).
async fn line_constants(
    config: &InterpolateConfig,
    pair: usize,
    ends: &[End; 2],
    device: &Device,
) -> Result<Vec<(&'static str, f64)>, String> {
    let seeds = config.trainings_of(pair).map(|(_, _, seed)| seed);
    let mut travelled = [0.0; 2];
    for (i, end) in ends.iter().enumerate() {
        let theta0 = initial_params(config, seeds[i], device).await?;
        travelled[i] = norm(&combine(&end.trained.theta, &[(&theta0, -1.0)]));
    }
    let cap = config.train.epochs;
    let stopped = |i: usize| f64::from(u8::from(ends[i].trained.epochs < cap));
    Ok(vec![
        ("target_loss", config.target.loss),
        ("epochs_1", ends[0].trained.epochs as f64),
        ("epochs_2", ends[1].trained.epochs as f64),
        ("stopped_1", stopped(0)),
        ("stopped_2", stopped(1)),
        ("distance_ratio", travelled[0] / travelled[1]),
    ])
}

/// Evaluate pair `pair`'s θ(α) at every α, one point (and one result) at a time.
pub(super) async fn along_the_line(
    config: &InterpolateConfig,
    pair: usize,
    ends: &[End; 2],
    data: &SubjectData,
    device: &Device,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> Result<(), Halt> {
    let evaluator =
        Evaluator::new(&config.subject, data, config.eval_size, device).map_err(Halt::Failed)?;
    let mut constants = line_constants(config, pair, ends, device)
        .await
        .map_err(Halt::Failed)?;
    // Over seeds each pair's result says which seed it is (and results interleave by α).
    let k = config.seeds.0;
    if k > 1 {
        constants.extend([("seed", pair as f64), ("seeds", k as f64)]);
    }
    let (model, first) = (&ends[0].model, &ends[0].trained.theta);
    let step: Vec<f64> = (ends[1].trained.theta.iter())
        .zip(first)
        .map(|(b, a)| b - a)
        .collect();
    for (i, alpha) in linspace(ALPHAS.0, ALPHAS.1, config.points)
        .into_iter()
        .enumerate()
    {
        clock.start();
        let point = load_params(model.clone(), &combine(first, &[(&step, alpha)]));
        let eval = evaluator
            .evaluate(&[point], device, host, clock)
            .await
            .map_err(Halt::Failed)?;
        clock.stop();
        let Some(eval) = eval else {
            return Err(Halt::Stopped {
                epoch: config.train.epochs,
            });
        };
        let of_seed = match k {
            1 => String::new(),
            _ => format!(", seed {}", pair + 1),
        };
        emit_result(
            host,
            i * k + pair,
            format!("α = {alpha:.2}{of_seed}"),
            [("alpha", alpha)]
                .into_iter()
                .chain(constants.iter().copied())
                .chain(eval[0].values()),
        );
        if host.checkpoint().await == Flow::Stop {
            return Err(Halt::Stopped {
                epoch: config.train.epochs,
            });
        }
    }
    Ok(())
}
