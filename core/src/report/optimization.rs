//! The findings of Part 2's optimisation experiments (E3, E4, E5), each with a stated measure
//! and a margin, so that a run that does not show the claim is marked ✗.

use super::finding::{num, pct, Events, Finding};
use super::stats::{spearman_test, spread};
use crate::events::{CriticalPoint, Event, SearchProtocol};
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

/// Significance of E5's rank correlations (one-sided).
const E5_ALPHA: f64 = 0.05;
/// Fewer counted points than this cannot reach [`E5_ALPHA`] (4 points: p ≥ 1/24).
const E5_MIN_POINTS: usize = 4;
/// Sorted losses within this relative step of each other form one cluster (the strict
/// protocol's points pile up at the constant-mean output's loss, Var(y)).
const E5_CLUSTER_GAP: f64 = 0.01;

/// What the strict protocol's critical points say of the homework trend.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Verdict {
    Confirms,
    Refutes,
    /// Why not: too few points, one cluster, or no significant ρ.
    CannotTell(String),
}

/// How many clusters sorted `losses` form: a new one where a loss exceeds the previous by
/// more than [`E5_CLUSTER_GAP`] (relative).
pub(super) fn loss_clusters(losses: &[f64]) -> usize {
    let mut sorted = losses.to_vec();
    sorted.sort_by(f64::total_cmp);
    let gaps = sorted
        .windows(2)
        .filter(|w| w[1] > w[0] * (1.0 + E5_CLUSTER_GAP) + f64::MIN_POSITIVE)
        .count();
    if sorted.is_empty() {
        0
    } else {
        gaps + 1
    }
}

/// The strict protocol's verdict over its counted points' (loss, index): confirms when
/// ρ(loss, index) > 0 at p < 5 % over ≥ 2 loss clusters, refutes when ρ < 0 at p < 5 % over
/// ≥ 2 clusters, cannot tell otherwise.
pub(super) fn strict_verdict(losses: &[f64], indices: &[f64]) -> Verdict {
    let n = losses.len();
    if n < E5_MIN_POINTS {
        return Verdict::CannotTell(format!(
            "too few true critical points ({n}, needs ≥ {E5_MIN_POINTS})"
        ));
    }
    let clusters = loss_clusters(losses);
    if clusters < 2 {
        return Verdict::CannotTell(format!(
            "all {n} sit at one loss ({}): no spread to correlate",
            num(losses[0])
        ));
    }
    let Some(t) = spearman_test(losses, indices) else {
        return Verdict::CannotTell(format!(
            "the index is the same at all {n} points ({clusters} loss clusters)"
        ));
    };
    if t.p_positive < E5_ALPHA {
        Verdict::Confirms
    } else if t.p_negative < E5_ALPHA {
        Verdict::Refutes
    } else {
        Verdict::CannotTell(format!(
            "over {clusters} loss clusters ρ(loss, index) is not significant (p = {:.2})",
            t.p_positive
        ))
    }
}

/// E5: what each protocol shows. The homework protocol's trend is Spearman's ρ(loss, ratio)
/// over its converged points, negative at p < 5 % (n ≥ 4); the strict protocol's points that
/// met its criterion and are not gradient-flat then confirm it, refute it or cannot tell
/// ([`strict_verdict`]). ✓ only when the trend shows and the strict points confirm it.
pub(super) fn minratio(run: &Events) -> Option<Finding> {
    let points: Vec<&CriticalPoint> = run
        .0
        .iter()
        .filter_map(|e| match e {
            Event::CriticalPoint(p) => Some(p),
            _ => None,
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let of = |protocol| points.iter().filter(move |p| p.protocol == protocol);
    let all = |protocol| of(protocol).count();
    let (homework_all, strict_all) = (all(SearchProtocol::Homework), all(SearchProtocol::Strict));

    let (losses, ratios): (Vec<f64>, Vec<f64>) = of(SearchProtocol::Homework)
        .filter(|p| p.converged)
        .map(|p| (p.loss, p.ratio))
        .unzip();
    let trend = spearman_test(&losses, &ratios).filter(|t| t.n >= E5_MIN_POINTS);
    let shows = trend.is_some_and(|t| t.p_negative < E5_ALPHA);
    let homework = match (homework_all, trend) {
        (0, _) => "homework protocol: not run".to_string(),
        (_, None) => format!(
            "homework protocol: {} of {homework_all} runs converged, too few or a constant ratio to correlate",
            losses.len()
        ),
        (_, Some(t)) => format!(
            "homework protocol: ρ(loss, ratio) = {:.2} over {} converged of {homework_all} runs (p = {:.3}): {}",
            t.rho,
            t.n,
            t.p_negative,
            if shows { "lower loss goes with a higher ratio" } else { "no significant trend" }
        ),
    };

    let counted: Vec<&&CriticalPoint> = of(SearchProtocol::Strict).filter(|p| p.counts()).collect();
    let converged = of(SearchProtocol::Strict).filter(|p| p.converged).count();
    let (losses, indices): (Vec<f64>, Vec<f64>) = counted.iter().map(|p| (p.loss, p.index)).unzip();
    let verdict = strict_verdict(&losses, &indices);
    let strict = if strict_all == 0 {
        "strict protocol: not run, so it cannot tell".to_string()
    } else {
        let head = format!(
            "strict protocol: {converged} of {strict_all} runs reached ‖∇L‖² < 1e-10 ({}), {} of them not gradient-flat",
            pct(converged as f64 / strict_all as f64),
            counted.len()
        );
        let rho = spearman_test(&losses, &indices)
            .map(|t| format!(" (ρ(loss, index) = {:.2}, n = {})", t.rho, t.n))
            .unwrap_or_default();
        match &verdict {
            Verdict::Confirms => format!("{head}; they confirm it{rho}"),
            Verdict::Refutes => format!("{head}; they refute it{rho}"),
            Verdict::CannotTell(why) => format!("{head}; they cannot tell: {why}"),
        }
    };
    Some(Finding {
        text: format!("{homework}. {strict}."),
        agrees: shows && verdict == Verdict::Confirms,
    })
}
