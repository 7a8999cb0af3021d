//! E9a's finding and what the page reads of its line: each seed's line through two minima,
//! each end's rise in training loss at ±[`DELTA`], and the verdict of Keskar et al.'s claim.

use std::collections::BTreeMap;

use super::super::finding::{num, pct, spread, Events, Finding, SEEDS_AGREE};
use crate::engine::seeds::mean_std;

/// E9a's flatness probe: the rise in training loss at α ± δ around each end of the line (δ
/// in units of α, i.e. an eighth of the distance ‖θ₂ − θ₁‖, the same in parameter space for
/// both ends): Keskar et al.'s grid step.
pub const DELTA: f64 = 0.125;

/// E9a: one minimum must be flatter than the other by this factor (rise ratio) for the run to
/// say which is flatter.
pub const FLATTER_BY: f64 = 1.5;

/// `values` (over the ascending `alphas`) at `a`, linearly interpolated between the nearest
/// points; `None` outside the line or where a value is not finite.
pub fn value_at(alphas: &[f64], values: &[f64], a: f64) -> Option<f64> {
    let i = alphas.iter().position(|&x| x >= a)?;
    let v = if alphas[i] == a {
        values.get(i).copied()?
    } else {
        let (x0, x1) = (*alphas.get(i.checked_sub(1)?)?, alphas[i]);
        let (v0, v1) = (values.get(i - 1).copied()?, values.get(i).copied()?);
        v0 + (v1 - v0) * (a - x0) / (x1 - x0)
    };
    v.is_finite().then_some(v)
}

/// The rise of `values` at `end` ± `delta`: the mean of the two sides less the value at `end`.
pub fn rise(alphas: &[f64], values: &[f64], end: f64, delta: f64) -> Option<f64> {
    let at = |a| value_at(alphas, values, a);
    Some(0.5 * (at(end - delta)? + at(end + delta)?) - at(end)?)
}

/// Whether an end of E9a's line reached its minimum: it stopped before the epoch cap (at the
/// target loss, or no longer improving), or its evaluated training loss is within the target
/// (where the run says neither, it counts).
pub fn minimum_reached(stopped: bool, train_loss: f64, target: Option<f64>) -> bool {
    stopped || target.is_none_or(|t| train_loss <= t)
}

/// One end of an E9a line as evaluated (α = 0: θ₁, α = 1: θ₂), with its training.
#[derive(Clone, Debug, PartialEq)]
pub struct LineEnd {
    pub alpha: f64,
    pub train_loss: f64,
    pub train_accuracy: Option<f64>,
    pub test_loss: Option<f64>,
    pub test_accuracy: f64,
    /// The rise in training loss at α ± [`DELTA`], once the line has reached both sides.
    pub rise: Option<f64>,
    pub epochs: Option<f64>,
    /// Reached the target loss, or stopped improving before the cap.
    pub reached_target: bool,
}

/// One seed's line (E9a trains a pair per seed): its ends as far as evaluated, and
/// ‖θ₁ − θ₀‖ / ‖θ₂ − θ₀‖.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedLine {
    pub seed: usize,
    pub ends: Vec<LineEnd>,
    pub distance_ratio: Option<f64>,
}

/// E9a's results (each α of each seed's line, in any order) → one line per seed, in seed
/// order; the page and the finding read the same ends.
pub fn seed_lines<'a>(
    results: impl IntoIterator<Item = &'a BTreeMap<String, f64>>,
) -> Vec<SeedLine> {
    let mut by_seed: BTreeMap<usize, Vec<&BTreeMap<String, f64>>> = BTreeMap::new();
    for r in results {
        let seed = r.get("seed").map_or(0, |&s| s.max(0.0) as usize);
        by_seed.entry(seed).or_default().push(r);
    }
    by_seed
        .into_iter()
        .filter_map(|(seed, mut points)| {
            points.retain(|r| r.contains_key("alpha") && r.contains_key("train_loss"));
            points.sort_by(|a, b| a["alpha"].total_cmp(&b["alpha"]));
            let alphas: Vec<f64> = points.iter().map(|r| r["alpha"]).collect();
            let train: Vec<f64> = points.iter().map(|r| r["train_loss"]).collect();
            let first = *points.first()?;
            let ends = [0.0, 1.0]
                .into_iter()
                .enumerate()
                .filter_map(|(i, alpha): (usize, f64)| {
                    let r = points.iter().find(|r| (r["alpha"] - alpha).abs() < 1e-9)?;
                    let train_loss = r["train_loss"];
                    let stopped = r
                        .get(["stopped_1", "stopped_2"][i])
                        .is_some_and(|&s| s > 0.5);
                    Some(LineEnd {
                        alpha,
                        train_loss,
                        train_accuracy: r.get("accuracy").copied(),
                        test_loss: r.get("test_loss").copied(),
                        test_accuracy: *r.get("test_accuracy")?,
                        rise: rise(&alphas, &train, alpha, DELTA),
                        epochs: r.get(["epochs_1", "epochs_2"][i]).copied(),
                        reached_target: minimum_reached(
                            stopped,
                            train_loss,
                            r.get("target_loss").copied(),
                        ),
                    })
                })
                .collect();
            Some(SeedLine {
                seed,
                ends,
                distance_ratio: first.get("distance_ratio").copied(),
            })
        })
        .collect()
}

/// What one seed's line says: which end is [`FLATTER_BY`]× flatter (1 or 2, if either), which
/// has the lower test error, and which ends missed the target.
struct Verdict {
    rises: [f64; 2],
    errors: [f64; 2],
    flatter: Option<usize>,
    better: usize,
    missed: Vec<&'static str>,
}

impl Verdict {
    fn of(rises: [f64; 2], errors: [f64; 2], missed: Vec<&'static str>) -> Self {
        let [r1, r2] = rises;
        let flatter = if r2 >= FLATTER_BY * r1.max(0.0) && r2 > 0.0 {
            Some(1)
        } else if r1 >= FLATTER_BY * r2.max(0.0) && r1 > 0.0 {
            Some(2)
        } else {
            None
        };
        let better = if errors[0] <= errors[1] { 1 } else { 2 };
        Self {
            rises,
            errors,
            flatter,
            better,
            missed,
        }
    }

    /// A complete line's verdict (`None` while an end or a rise is missing).
    fn of_line(line: &SeedLine) -> Option<Self> {
        let [e1, e2] = [line.ends.first()?, line.ends.get(1)?];
        let missed = [("θ₁", e1), ("θ₂", e2)]
            .into_iter()
            .filter(|(_, e)| !e.reached_target)
            .map(|(name, _)| name)
            .collect();
        Some(Self::of(
            [e1.rise?, e2.rise?],
            [1.0 - e1.test_accuracy, 1.0 - e2.test_accuracy],
            missed,
        ))
    }

    /// Keskar et al.'s claim: both minima reached, one clearly flatter, and it the better.
    fn holds(&self) -> bool {
        self.missed.is_empty() && self.flatter == Some(self.better)
    }

    fn text(&self) -> String {
        match (self.missed.is_empty(), self.flatter) {
            (false, _) => format!(
                "{} missed the training target: no comparison of minima",
                self.missed.join(" and ")
            ),
            (true, None) => format!("neither minimum is {FLATTER_BY}× flatter than the other"),
            (true, Some(f)) if f == self.better => {
                format!("the flatter minimum (θ{}) generalises better", sub(f))
            }
            (true, Some(f)) => format!(
                "the flatter minimum (θ{}) does not generalise better",
                sub(f)
            ),
        }
    }
}

/// E9a (Keskar et al. 2017): which end of the line is the flatter minimum (rise in training
/// loss at ±[`DELTA`]), and does it generalise better (lower test error)? Both ends must have
/// reached their minimum: the target loss, or the loss no longer improving before the cap
/// (`stopped_1`, `stopped_2`). Over seeds (a pair and a line each): the claim on the means of
/// the rises and errors, and in at least [`SEEDS_AGREE`] of the seeds.
pub(in crate::report) fn interpolate(run: &Events) -> Option<Finding> {
    let results = run.results();
    let lines = seed_lines(results.iter().copied());
    let verdicts: Vec<Verdict> = lines.iter().map(Verdict::of_line).collect::<Option<_>>()?;
    let k = verdicts.len();
    if k == 0 {
        return None;
    }
    let column = |f: &dyn Fn(&SeedLine, &Verdict) -> Option<f64>| -> Option<Vec<f64>> {
        lines.iter().zip(&verdicts).map(|(l, v)| f(l, v)).collect()
    };
    let (r1, r2) = (
        column(&|_, v| Some(v.rises[0]))?,
        column(&|_, v| Some(v.rises[1]))?,
    );
    let (err1, err2) = (
        column(&|_, v| Some(v.errors[0]))?,
        column(&|_, v| Some(v.errors[1]))?,
    );
    let (l1, l2) = (
        column(&|l, _| Some(l.ends[0].train_loss))?,
        column(&|l, _| Some(l.ends[1].train_loss))?,
    );
    // On the means over seeds (the one seed's values where one).
    let mean = |v: &[f64]| mean_std(v).0;
    // Which ends missed the target in any seed (θ₁ before θ₂).
    let missed: Vec<&str> = ["θ₁", "θ₂"]
        .into_iter()
        .filter(|end| verdicts.iter().any(|v| v.missed.contains(end)))
        .collect();
    let pooled = Verdict::of([mean(&r1), mean(&r2)], [mean(&err1), mean(&err2)], missed);
    // A seed whose end missed the target does not hold (with one seed: the run's verdict).
    let holding = verdicts.iter().filter(|v| v.holds()).count();
    let agrees = pooled.flatter == Some(pooled.better) && holding as f64 >= SEEDS_AGREE * k as f64;
    let first = |key: &str| results.first().and_then(|r| r.get(key).copied());
    let epochs = |i: usize| {
        column(&|l, _| l.ends[i].epochs)
            .map(|e| match k {
                1 => format!(", {} epochs", e[0]),
                _ => format!(", {} epochs", spread(&e, num)),
            })
            .unwrap_or_default()
    };
    let ratios: Vec<f64> = r1
        .iter()
        .zip(&r2)
        .filter(|(a, b)| **a > 0.0 && **b > 0.0)
        .map(|(a, b)| b / a)
        .collect();
    let ratio = match ratios.len() == k {
        true => format!(" (×{} around θ₂)", spread(&ratios, num)),
        false => String::new(),
    };
    let distance = column(&|l, _| l.distance_ratio)
        .map(|d| format!("; ‖θ₁ − θ₀‖ / ‖θ₂ − θ₀‖ = {}", spread(&d, num)))
        .unwrap_or_default();
    let (intro, verdict) = match k {
        1 => (String::new(), pooled.text()),
        _ => (
            format!("over {k} seeds (mean ± std): "),
            format!(
                "on the means, {}; the claim holds in {holding} of {k} seeds",
                Verdict {
                    missed: Vec::new(),
                    ..pooled
                }
                .text()
            ),
        ),
    };
    let missed_seeds = verdicts.iter().filter(|v| !v.missed.is_empty()).count();
    let missed_note = match (k, missed_seeds) {
        (1, _) | (_, 0) => String::new(),
        (_, m) => format!(" ({m} of them with an end that missed the training target)"),
    };
    Some(Finding {
        text: format!(
            "{intro}train loss {} at θ₁ (α = 0{}) and {} at θ₂ (α = 1{}){}; rise in train loss at ±{DELTA} in α: {} around θ₁, {} around θ₂{ratio}; test error {} vs {}{distance}: {verdict}{missed_note}",
            spread(&l1, num),
            epochs(0),
            spread(&l2, num),
            epochs(1),
            first("target_loss").map(|t| format!(" (target {})", num(t))).unwrap_or_default(),
            spread(&r1, num),
            spread(&r2, num),
            spread(&err1, pct),
            spread(&err2, pct),
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
