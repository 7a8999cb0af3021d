//! The findings of the flatness experiments (E9a, E9b, E10), which compare minima: each reads
//! only models that reached the common training target (`reached_target`, or E9a's ends'
//! training loss against `target_loss`), and marks ✓ only when the run shows the reference's
//! claim with a stated margin.

use std::collections::BTreeMap;

use super::finding::{num, paired_seeds, pct, with_spread, Events, Finding, SEEDS_AGREE};
use super::stats::{spearman, spearman_test, RankCorrelation};
use crate::engine::seeds::{mean_std, pool, Pooled};

mod line;

pub(in crate::report) use line::interpolate;
pub use line::{minimum_reached, rise, seed_lines, value_at, LineEnd, SeedLine, DELTA, FLATTER_BY};

/// E9b, E10: trends need at least this many models that reached the target…
pub const MIN_POINTS: usize = 5;
/// … and a rank correlation at least this strong (at n = 5, one swap of neighbours).
pub const MIN_RHO: f64 = 0.9;
/// E10's effect size besides the trend, Keskar et al.'s: the largest batch's sharpness at least
/// this multiple of the smallest's ("one to two orders of magnitude").
pub const KESKAR_RATIO: f64 = 10.0;

/// The points of a batch sweep (pooled over their seeds, see `engine::seeds`) that reached the
/// target (all, where none says; over seeds, those every seed of which reached it), and how
/// many there were in all.
fn reached(run: &Events) -> Option<(Vec<Pooled>, usize)> {
    let points = pool(run.indexed_results());
    if points.len() < 2 {
        return None;
    }
    let total = points.len();
    let kept = points
        .into_iter()
        .filter(|p| at_target(&p.values))
        .collect();
    Some((kept, total))
}

fn values(points: &[Pooled], key: &str) -> Option<Vec<f64>> {
    points.iter().map(|p| p.values.get(key).copied()).collect()
}

/// "n of m batch sizes (or models) reached the target", and over how many seeds.
fn counted(points: &[Pooled], total: usize) -> String {
    let seeds = points.iter().map(|p| p.seeds.len()).max().unwrap_or(1);
    let over = match seeds {
        1 => String::new(),
        k => format!(" (means over {k} seeds)"),
    };
    // Over several factors the models are more than their batch sizes.
    let factors = points.iter().any(|p| p.values.contains_key("label_noise"));
    let what = if factors { "models" } else { "batch sizes" };
    format!(
        "{} of {total} {what} reached the training target{over}",
        points.len()
    )
}

/// `key` at the `large` point over the `small` one, seed by seed: the ratios' mean and
/// spread, and in how many seeds it is above 1. `None` with one seed.
fn ratio_over_seeds(small: &Pooled, large: &Pooled, key: &str) -> Option<(f64, f64, usize, usize)> {
    let ratios: Vec<f64> = paired_seeds(small, large)
        .into_iter()
        .filter_map(|(s, l)| Some(l.get(key)? / s.get(key)?))
        .filter(|r| r.is_finite())
        .collect();
    if small.seeds.len() < 2 || ratios.len() < 2 {
        return None;
    }
    let (mean, std) = mean_std(&ratios);
    let above = ratios.iter().filter(|&&r| r > 1.0).count();
    Some((mean, std, above, ratios.len()))
}

/// E9b: the one-sided p-value below which sensitivity is said to grow with the gap (Novak et
/// al. correlated over thousands of models; five batch sizes reach it only in perfect order,
/// p = 1/120).
pub const SIGNIFICANCE: f64 = 0.01;

/// Whether a (pooled) result reached the training target (all do where none says).
fn at_target(row: &BTreeMap<String, f64>) -> bool {
    row.get("reached_target").is_none_or(|&v| v > 0.5)
}

/// How many of `rows` (results, pooled over seeds) reached the training target.
pub fn reached_count(rows: &[&BTreeMap<String, f64>]) -> usize {
    rows.iter().filter(|r| at_target(r)).count()
}

/// E9b's test: Spearman's ρ of sensitivity with the generalisation gap (test − train loss)
/// over the `rows` that reached the target, with its one-sided p-values; `None` where they
/// are too few for any ordering to reach p < [`SIGNIFICANCE`] (n! · 0.01 ≤ 1: fewer than 5).
pub fn sensitivity_test(rows: &[&BTreeMap<String, f64>]) -> Option<RankCorrelation> {
    let kept: Vec<_> = rows.iter().filter(|r| at_target(r)).collect();
    let n = kept.len();
    let possible = (1..=n).map(|k| k as f64).product::<f64>() * SIGNIFICANCE > 1.0;
    let value = |r: &&&BTreeMap<String, f64>, k: &str| r.get(k).copied();
    let gap: Option<Vec<f64>> = kept
        .iter()
        .map(|r| Some(value(r, "test_loss")? - value(r, "train_loss")?))
        .collect();
    let sens: Option<Vec<f64>> = kept.iter().map(|r| value(r, "sensitivity")).collect();
    spearman_test(&gap?, &sens?).filter(|_| possible)
}

/// E9b (Novak et al. 2018): sensitivity grows with the generalisation gap (test − train loss)
/// over the models that reached the target: [`sensitivity_test`], ✓ only at one-sided
/// p < [`SIGNIFICANCE`] over a sweep of several factors (`sweep=factors`; a batch-size
/// sweep is descriptive); over seeds, of the means; "cannot tell" where too few models.
pub(super) fn sensitivity(run: &Events) -> Option<Finding> {
    let (rows, total) = reached(run)?;
    let n = rows.len();
    let values_of: Vec<&BTreeMap<String, f64>> = rows.iter().map(|p| &p.values).collect();
    let Some(test) = sensitivity_test(&values_of) else {
        return Some(Finding {
            text: format!(
                "{}: cannot tell (n = {n}; p < {SIGNIFICANCE} needs at least 5 models, in perfect order at 5)",
                counted(&rows, total)
            ),
            agrees: false,
        });
    };
    let (batch, sens) = (values(&rows, "batch")?, values(&rows, "sensitivity")?);
    // Novak et al.'s claim is over models that differ in many ways: models that differ in
    // their batch size alone describe, they do not test it.
    let factors = rows.iter().any(|p| p.values.contains_key("label_noise"));
    let agrees = factors && test.p_positive < SIGNIFICANCE;
    let descriptive = match factors {
        true => "",
        false => "; batch sizes alone describe, they do not test Novak et al.'s claim (sweep=factors does)",
    };
    let rho_batch = spearman(&batch, &sens).map_or("undefined".into(), |r| format!("{r:.2}"));
    let (low, high) = ends(&sens);
    Some(Finding {
        text: format!(
            "{}; Spearman ρ of sensitivity with the generalisation gap (test − train loss) {:.2}, n = {n}, one-sided p = {:.4} (needs p < {SIGNIFICANCE}); with the batch size {rho_batch}; sensitivity {} at batch {} vs {} at batch {}{descriptive}",
            counted(&rows, total),
            test.rho,
            test.p_positive,
            with_spread(&rows[low], "sensitivity", num),
            batch[low],
            with_spread(&rows[high], "sensitivity", num),
            batch[high],
        ),
        agrees,
    })
}

/// The least and the most sensitive model.
fn ends(values: &[f64]) -> (usize, usize) {
    let by = |a: &usize, b: &usize| values[*a].total_cmp(&values[*b]);
    let low = (0..values.len()).min_by(by).unwrap_or(0);
    let high = (0..values.len()).max_by(by).unwrap_or(0);
    (low, high)
}

/// E10 (Keskar et al. 2017): sharpness grows with the batch size, over models that reached the
/// target: ρ(batch, sharpness) ≥ [`MIN_RHO`] over at least [`MIN_POINTS`] of them, and the
/// largest batch's sharpness at least [`KESKAR_RATIO`]× the smallest's; over seeds, of their
/// means, and larger in at least [`SEEDS_AGREE`] of the seeds.
pub(super) fn sharpness(run: &Events) -> Option<Finding> {
    let (rows, total) = reached(run)?;
    let n = rows.len();
    if n < 2 {
        return Some(Finding {
            text: format!("{}: too few to compare", counted(&rows, total)),
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
    let seeds = ratio_over_seeds(&rows[small], &rows[large], "sharpness");
    let in_seeds = seeds.is_none_or(|(_, _, above, k)| above as f64 >= SEEDS_AGREE * k as f64);
    let agrees =
        n >= MIN_POINTS && rho.is_some_and(|r| r >= MIN_RHO) && ratio >= KESKAR_RATIO && in_seeds;
    let show = |r: Option<f64>| r.map_or("undefined".into(), |r| format!("{r:.2}"));
    let over_seeds = seeds.map_or(String::new(), |(mean, std, above, k)| {
        format!(
            ", ×{} ± {} seed by seed; larger in {above} of {k} seeds",
            num(mean),
            num(std)
        )
    });
    Some(Finding {
        text: format!(
            "{}; sharpness (Keskar, ×100) {} at batch {} vs {} at batch {} (×{}{over_seeds}; test accuracy {} vs {}); rank correlation with the batch size {} (needs ≥ {MIN_RHO} over ≥ {MIN_POINTS}, and ≥ {KESKAR_RATIO}× as Keskar et al. report), largest Hessian eigenvalue's {}",
            counted(&rows, total),
            with_spread(&rows[small], "sharpness", num),
            batch[small],
            with_spread(&rows[large], "sharpness", num),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rise_around_an_end_is_read_off_the_line() {
        // |α| on E9a's grids: the rise at ±δ around 0 is δ, whether ±δ are grid points
        // (25 points, step 0.125) or fall between them (31 points, step 0.1).
        for points in [25, 31] {
            let alphas = crate::data::linspace(-1.0, 2.0, points);
            let v: Vec<f64> = alphas.iter().map(|a| a.abs()).collect();
            let r = rise(&alphas, &v, 0.0, DELTA).unwrap();
            assert!((r - DELTA).abs() < 1e-12, "{points}: {r}");
        }
        // α² on the 25-point grid: (δ² + δ²) / 2 around 0, and around 1 too.
        let alphas = crate::data::linspace(-1.0, 2.0, 25);
        let v: Vec<f64> = alphas.iter().map(|a| a * a).collect();
        for end in [0.0, 1.0] {
            let r = rise(&alphas, &v, end, DELTA).unwrap();
            assert!((r - DELTA * DELTA).abs() < 1e-12, "{end}: {r}");
        }
        // Between grid points the value is interpolated; outside the line there is none.
        assert_eq!(value_at(&[0.0, 1.0], &[2.0, 4.0], 0.25), Some(2.5));
        assert_eq!(value_at(&[0.0, 1.0], &[2.0, 4.0], 1.5), None);
        assert_eq!(value_at(&[0.0, 1.0], &[2.0, 4.0], -0.5), None);
        assert_eq!(value_at(&[0.0, 1.0], &[2.0, f64::NAN], 0.5), None);
    }
}
