//! The findings of Part 2's optimisation experiments (E3, E4, E5), each with a stated measure
//! and a margin, so that a run that does not show the claim is marked ✗.

use super::findings::{num, pct, Events, Finding};
use super::stats::{spearman, spread};
use crate::events::Event;
use crate::experiments::gradnorm;

/// E3: the runs must spread out (their last snapshots at least [`E3_SPREAD`] × farther from
/// their centroid than their first, on the whole model's PCA plane) and in different
/// directions (the mean resultant length R of the runs' unit displacement vectors, first →
/// last snapshot, at most [`E3_ALIGNED`]: 1 when all move the same way, ~0 when they fan out).
pub(super) fn trajectory(run: &Events) -> Option<Finding> {
    let runs: Vec<usize> = run
        .0
        .iter()
        .filter_map(|e| match e {
            Event::Snapshot { run, .. } => Some(*run),
            _ => None,
        })
        .collect();
    let points = run.0.iter().rev().find_map(|e| match e {
        Event::Projection { space, points, .. } if space == "model" => Some(points),
        _ => None,
    })?;
    let count = runs.iter().max()? + 1;
    let (mut first, mut last) = (Vec::new(), Vec::new());
    for r in 0..count {
        let mine: Vec<usize> = (0..points.len().min(runs.len()))
            .filter(|&i| runs[i] == r)
            .collect();
        if let (Some(&a), Some(&b)) = (mine.first(), mine.last()) {
            first.push(points[a]);
            last.push(points[b]);
        }
    }
    if first.len() < 2 {
        return None;
    }
    let (s0, s1) = (spread(&first), spread(&last));
    let growth = s1 / s0.max(f64::MIN_POSITIVE);
    let (mut sx, mut sy) = (0.0, 0.0);
    for (a, b) in first.iter().zip(&last) {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len = (dx * dx + dy * dy).sqrt().max(f64::MIN_POSITIVE);
        (sx, sy) = (sx + dx / len, sy + dy / len);
    }
    let aligned = (sx * sx + sy * sy).sqrt() / first.len() as f64;
    let agrees = growth >= E3_SPREAD && aligned <= E3_ALIGNED;
    Some(Finding {
        text: format!(
            "{} runs: mean distance from their centre {} at the first snapshot, {} at the last ({}×, needs ≥ {E3_SPREAD}); alignment of their directions R = {aligned:.2} (needs ≤ {E3_ALIGNED}): they {}",
            first.len(),
            num(s0),
            num(s1),
            num(growth),
            if agrees { "leave a common centre in different directions" } else { "do not fan out from a common centre" }
        ),
        agrees,
    })
}

const E3_SPREAD: f64 = 2.0;
const E3_ALIGNED: f64 = 0.5;

/// E4 on a function task (full batch, MSE, the homework's setting): the loss and ‖∇L‖ must
/// both fall by this factor between the first and the last window.
const E4_FIT_FALL: f64 = 10.0;
/// E4 on a classifier (mini-batches): the loss must fall by this factor…
const E4_LOSS_FALL: f64 = 2.0;
/// … while the mini-batch norm ends within this factor of where it started (either way).
const E4_BAND: f64 = 3.0;

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// E4: median loss and gradient norm over the first and the last 5 % of the iterations
/// ([`gradnorm::window`]). On a function task (MSE, the homework's full-batch setting) every
/// example's gradient vanishes as the fit does: the finding agrees when both fell at least 10×.
/// On a classifier (an image task) the mini-batch norm keeps a noise floor tr(Σ)/B (*Deep
/// Learning* §8.2.1): it agrees when the loss fell at least 2× while the mini-batch norm ended
/// within 3× of its start; the full-batch norm and the noise floor are reported, as
/// measurements. A non-finite value in the last window means the run diverged.
pub(super) fn gradnorm(run: &Events) -> Option<Finding> {
    let (mut losses, mut norms, mut full) = (Vec::new(), Vec::new(), None);
    let mut classifier = false;
    for e in run.0 {
        match e {
            Event::Iterations {
                losses: l,
                grad_norms: g,
                ..
            } => {
                losses.extend_from_slice(l);
                norms.extend_from_slice(g);
            }
            Event::FullGradient {
                step,
                grad_norm,
                examples,
                batch,
                train,
            } => full
                .get_or_insert_with(|| gradnorm::FullBatchNorms::new(*examples, *batch, *train))
                .points
                .push((*step, *grad_norm)),
            Event::Dataset { .. } => classifier = true,
            _ => {}
        }
    }
    let n = losses.len().min(norms.len());
    if n < 2 {
        return None;
    }
    let w = gradnorm::window(n);
    let (l0, g0) = (median(&losses[..w]), median(&norms[..w]));
    let tail = n - w..n;
    if losses[tail.clone()]
        .iter()
        .chain(&norms[tail.clone()])
        .any(|x| !x.is_finite())
    {
        return Some(Finding {
            text: format!(
                "the run diverged: its last {w} iterations have a non-finite loss or gradient norm"
            ),
            agrees: false,
        });
    }
    let (l1, g1) = (median(&losses[tail.clone()]), median(&norms[tail]));
    let head = format!(
        "median over the first and the last {w} of {n} iterations ({})",
        pct(gradnorm::WINDOW)
    );
    if !classifier {
        let agrees = l1 * E4_FIT_FALL <= l0 && g1 * E4_FIT_FALL <= g0;
        return Some(Finding {
            text: format!(
                "{head}: loss {} → {} ({}×), gradient norm {} → {} ({}×): {}",
                num(l0),
                num(l1),
                num(l0 / l1),
                num(g0),
                num(g1),
                num(g0 / g1),
                if agrees {
                    "both fell at least 10×"
                } else {
                    "they did not both fall by 10×"
                }
            ),
            agrees,
        });
    }
    let ratio = g1 / g0;
    let falls = l1 * E4_LOSS_FALL <= l0;
    let steady = (1.0 / E4_BAND..=E4_BAND).contains(&ratio);
    let agrees = falls && steady;
    let probed = full
        .as_ref()
        .map(|f| (f, f.points.first(), f.points.last()));
    let measured = match probed {
        Some((full, Some(first), Some(last))) => {
            let its: Vec<(f64, f64)> = losses.iter().copied().zip(norms).collect();
            let floor = full.noise_floor(&its);
            format!(
                "; full-batch ‖∇L‖ on the probe set {} → {}, noise floor tr(Σ)/B ≈ {} over the last window",
                num(first.1),
                num(last.1),
                floor.map_or("— (not measured there)".into(), num)
            )
        }
        _ => String::new(),
    };
    Some(Finding {
        text: format!(
            "{head}: loss {} → {} ({}×, needs ≥ {E4_LOSS_FALL}×), mini-batch norm ‖g_B‖ {} → {} (×{}, needs within {E4_BAND}×){measured}: {}",
            num(l0),
            num(l1),
            num(l0 / l1),
            num(g0),
            num(g1),
            num(ratio),
            match (falls, steady) {
                (true, true) => "the loss falls while the mini-batch norm stays within a small factor",
                (false, _) => "the loss did not fall 2×",
                (true, false) => "the mini-batch norm did not stay within 3× of its start",
            }
        ),
        agrees,
    })
}

/// E5: Spearman's ρ of loss and minimal ratio over the converged runs only; the finding
/// agrees when ρ is negative and significant at 5 % (ρ ≤ −1.96/√(n − 1), n ≥ 10 points).
pub(super) fn minratio(run: &Events) -> Option<Finding> {
    let mut all = 0;
    let (mut losses, mut ratios) = (Vec::new(), Vec::new());
    for e in run.0 {
        if let Event::CriticalPoint {
            loss,
            ratio,
            converged,
            ..
        } = e
        {
            all += 1;
            if *converged {
                losses.push(*loss);
                ratios.push(*ratio);
            }
        }
    }
    if all == 0 {
        return None;
    }
    let n = losses.len();
    let share = n as f64 / all as f64;
    let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let head = format!(
        "{n} of {all} runs reached a critical point ({})",
        pct(share)
    );
    let Some(rho) = spearman(&losses, &ratios).filter(|_| n >= 10) else {
        return Some(Finding {
            text: if n == 0 {
                format!("{head}: nothing to correlate")
            } else {
                format!("{head}, minimal ratios {lo:.2} to {hi:.2}: too few points or a constant ratio, no rank correlation (needs n ≥ 10)")
            },
            agrees: false,
        });
    };
    let bound = -1.96 / ((n - 1) as f64).sqrt();
    let agrees = rho <= bound;
    Some(Finding {
        text: format!(
            "{head}, minimal ratios {lo:.2} to {hi:.2}; over them Spearman ρ(loss, ratio) = {rho:.2}, n = {n} (significant below {bound:.2}): {}",
            if agrees { "lower loss goes with a higher ratio" } else { "lower loss does not go with a higher ratio" }
        ),
        agrees,
    })
}
