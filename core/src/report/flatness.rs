//! The findings of the flatness experiments (E9a, E9b, E10), which compare minima: each reads
//! only models that reached the common training target (`reached_target`, or E9a's ends'
//! training loss against `target_loss`), and marks ✓ only when the run shows the reference's
//! claim with a stated margin.

use std::collections::BTreeMap;

use super::finding::{num, pct, Events, Finding};
use super::stats::spearman;

/// E9a's flatness probe: the loss rise at α ± δ around each end of the line (δ in units of
/// α, i.e. a tenth of the distance ‖θ₂ − θ₁‖, the same in parameter space for both ends).
pub const DELTA: f64 = 0.1;

/// E9a: one minimum must be flatter than the other by this factor (rise ratio) for the run to
/// say which is flatter.
pub const FLATTER_BY: f64 = 1.5;

/// E9b, E10: trends need at least this many models that reached the target…
pub const MIN_POINTS: usize = 5;
/// … and a rank correlation at least this strong (at n = 5, one swap of neighbours).
pub const MIN_RHO: f64 = 0.9;
/// E10's alternative, Keskar et al.'s effect size: the largest batch's sharpness at least this
/// multiple of the smallest's ("one to two orders of magnitude").
pub const KESKAR_RATIO: f64 = 10.0;

/// E9a: which end of the line is the flatter minimum (loss rise at ±δ), and does it
/// generalise better (smaller test − train loss)? Both ends must have reached the target.
pub fn interpolate(run: &Events) -> Option<Finding> {
    let (alphas, train, test) = (
        run.column("alpha")?,
        run.column("train_loss")?,
        run.column("test_loss")?,
    );
    let at = |values: &[f64], a: f64| -> Option<f64> {
        let i = (0..alphas.len())
            .min_by(|&i, &j| (alphas[i] - a).abs().total_cmp(&(alphas[j] - a).abs()))?;
        // The nearest point must be the one meant (the grid has ≥ 31 points on [−1, 2]).
        ((alphas[i] - a).abs() < 1e-6 + 0.5 * DELTA).then_some(values[i])
    };
    let rise = |end: f64| -> Option<f64> {
        let centre = at(&train, end)?;
        Some(0.5 * (at(&train, end - DELTA)? + at(&train, end + DELTA)?) - centre)
    };
    let (r1, r2) = (rise(0.0)?, rise(1.0)?);
    let (l1, l2) = (at(&train, 0.0)?, at(&train, 1.0)?);
    let (gap1, gap2) = (at(&test, 0.0)? - l1, at(&test, 1.0)? - l2);
    let target = run.column("target_loss").and_then(|t| t.first().copied());
    let missed: Vec<&str> = [("θ₁", l1), ("θ₂", l2)]
        .into_iter()
        .filter(|(_, l)| target.is_some_and(|t| *l > t))
        .map(|(name, _)| name)
        .collect();
    let flatter = if r2 >= FLATTER_BY * r1.max(0.0) && r2 > 0.0 {
        Some(1)
    } else if r1 >= FLATTER_BY * r2.max(0.0) && r1 > 0.0 {
        Some(2)
    } else {
        None
    };
    let better = if gap1 < gap2 { 1 } else { 2 };
    let verdict = match (missed.is_empty(), flatter) {
        (false, _) => format!(
            "{} missed the training target: no comparison of minima",
            missed.join(" and ")
        ),
        (true, None) => format!("neither minimum is {FLATTER_BY}× flatter than the other"),
        (true, Some(f)) if f == better => {
            format!("the flatter minimum (θ{}) generalises better", sub(f))
        }
        (true, Some(f)) => format!(
            "the flatter minimum (θ{}) does not generalise better",
            sub(f)
        ),
    };
    let agrees = missed.is_empty() && flatter == Some(better);
    Some(Finding {
        text: format!(
            "train loss {} at θ₁ (α = 0) and {} at θ₂ (α = 1){}; loss rise at ±{DELTA} in α: {} around θ₁, {} around θ₂; generalisation gap (test − train loss) {} vs {}: {verdict}",
            num(l1),
            num(l2),
            target.map(|t| format!(" (target {})", num(t))).unwrap_or_default(),
            num(r1),
            num(r2),
            num(gap1),
            num(gap2),
        ),
        agrees,
    })
}

fn sub(i: usize) -> &'static str {
    if i == 1 {
        "₁"
    } else {
        "₂"
    }
}

/// The results of a batch sweep that reached the target (all, where none says), and how many
/// there were in all.
fn reached<'a>(run: &'a Events) -> Option<(Vec<&'a BTreeMap<String, f64>>, usize)> {
    let rows = run.results();
    if rows.len() < 2 {
        return None;
    }
    let total = rows.len();
    let kept = rows
        .into_iter()
        .filter(|r| r.get("reached_target").is_none_or(|&v| v > 0.5))
        .collect();
    Some((kept, total))
}

fn values(rows: &[&BTreeMap<String, f64>], key: &str) -> Option<Vec<f64>> {
    rows.iter().map(|r| r.get(key).copied()).collect()
}

/// "n of m models reached the target" with the minimum a trend needs.
fn counted(n: usize, total: usize) -> String {
    format!("{n} of {total} batch sizes reached the training target")
}

/// E9b (Novak et al. 2018): sensitivity grows with the generalisation gap (test − train loss),
/// over models that reached the target: ρ(gap, sensitivity) ≥ [`MIN_RHO`] over at least
/// [`MIN_POINTS`] of them.
pub fn sensitivity(run: &Events) -> Option<Finding> {
    let (rows, total) = reached(run)?;
    let n = rows.len();
    if n < 2 {
        return Some(Finding {
            text: format!("{}: too few to compare", counted(n, total)),
            agrees: false,
        });
    }
    let (batch, sens) = (values(&rows, "batch")?, values(&rows, "sensitivity")?);
    let gap: Vec<f64> = values(&rows, "test_loss")?
        .iter()
        .zip(values(&rows, "train_loss")?)
        .map(|(test, train)| test - train)
        .collect();
    let rho = spearman(&gap, &sens);
    let rho_batch = spearman(&batch, &sens);
    let agrees = n >= MIN_POINTS && rho.is_some_and(|r| r >= MIN_RHO);
    let show = |r: Option<f64>| r.map_or("undefined".into(), |r| format!("{r:.2}"));
    Some(Finding {
        text: format!(
            "{}; rank correlation of sensitivity with the generalisation gap (test − train loss) {} (n = {n}; needs ≥ {MIN_RHO} over ≥ {MIN_POINTS}), with the batch size {}; sensitivity {} at batch {} vs {} at batch {}",
            counted(n, total),
            show(rho),
            show(rho_batch),
            num(sens[0]),
            batch[0],
            num(sens[n - 1]),
            batch[n - 1],
        ),
        agrees,
    })
}

/// E10 (Keskar et al. 2017): sharpness grows with the batch size, over models that reached the
/// target: ρ(batch, sharpness) ≥ [`MIN_RHO`] over at least [`MIN_POINTS`] of them, or the
/// largest batch's sharpness ≥ [`KESKAR_RATIO`]× the smallest's.
pub fn sharpness(run: &Events) -> Option<Finding> {
    let (rows, total) = reached(run)?;
    let n = rows.len();
    if n < 2 {
        return Some(Finding {
            text: format!("{}: too few to compare", counted(n, total)),
            agrees: false,
        });
    }
    let (batch, sharp) = (values(&rows, "batch")?, values(&rows, "sharpness")?);
    let top = values(&rows, "top_eigenvalue")?;
    let accuracy = values(&rows, "test_accuracy")?;
    let rho = spearman(&batch, &sharp);
    let rho_top = spearman(&batch, &top);
    let small = (0..n).min_by(|&a, &b| batch[a].total_cmp(&batch[b]))?;
    let large = (0..n).max_by(|&a, &b| batch[a].total_cmp(&batch[b]))?;
    let ratio = sharp[large] / sharp[small];
    let agrees = n >= MIN_POINTS && (rho.is_some_and(|r| r >= MIN_RHO) || ratio >= KESKAR_RATIO);
    let show = |r: Option<f64>| r.map_or("undefined".into(), |r| format!("{r:.2}"));
    Some(Finding {
        text: format!(
            "{}; sharpness (Keskar, ×100) {} at batch {} vs {} at batch {} ({}×; test accuracy {} vs {}); rank correlation with the batch size {} (needs ≥ {MIN_RHO} over ≥ {MIN_POINTS}, or ≥ {KESKAR_RATIO}×), largest Hessian eigenvalue's {}",
            counted(n, total),
            num(sharp[small]),
            batch[small],
            num(sharp[large]),
            batch[large],
            num(ratio),
            pct(accuracy[small]),
            pct(accuracy[large]),
            show(rho),
            show(rho_top),
        ),
        agrees,
    })
}
