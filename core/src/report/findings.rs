//! A section's finding: one line computed from its run's events, and whether it agrees with the
//! section's reference result. Each experiment reads only events it emits; a run without them
//! (stopped at once, failed) has no finding.

use std::collections::BTreeMap;

use super::finding::{num, paired_seeds, pct, with_spread, Events, Finding, SEEDS_AGREE};
use super::{flatness, optimization};
use crate::engine::seeds::{pool, Pooled};
use crate::events::{Event, ModelInfo};
use crate::job::Job;

/// The finding of `job`'s events; `None` while they do not hold what it needs. A match on
/// [`Job`], so that an experiment added to the registry is a compile error here until it says
/// what its finding is.
pub fn finding(job: &Job, events: &[Event]) -> Option<Finding> {
    let run = Events(events);
    match job {
        Job::Fit(_) => depth(&run),
        Job::Tasks(_) => conv_depth(&run),
        Job::Trajectory(_) => optimization::trajectory(&run),
        Job::GradNorm(_) => optimization::gradnorm(&run),
        Job::MinRatio(_) => optimization::minratio(&run),
        Job::Surface(_) => surface(&run),
        Job::RandomLabels(_) => random_labels(&run),
        Job::Params(_) => params(&run),
        Job::Interpolate(_) => flatness::interpolate(&run),
        Job::Sensitivity(_) => flatness::sensitivity(&run),
        Job::Sharpness(_) => flatness::sharpness(&run),
    }
}

/// E1: the deepest vs the shallowest model's final loss.
fn depth(run: &Events) -> Option<Finding> {
    let models = run.models()?;
    let losses = run.last_losses()?;
    let layers = |m: &ModelInfo| m.shape.split('-').count();
    let deep = (0..models.len()).max_by_key(|&i| layers(&models[i]))?;
    let shallow = (0..models.len()).min_by_key(|&i| layers(&models[i]))?;
    let (d, s) = (*losses.get(deep)?, *losses.get(shallow)?);
    let agrees = d < s;
    Some(Finding {
        text: format!(
            "deepest model ({}) ended at loss {} vs {} for {}: the {} model fits better",
            models[deep].shape,
            num(d),
            num(s),
            models[shallow].shape,
            if agrees { "deep" } else { "shallow" }
        ),
        agrees,
    })
}

/// E2: the CNN with the most conv layers vs the one with the fewest.
fn conv_depth(run: &Events) -> Option<Finding> {
    let models = run.models()?;
    let convs = |m: &ModelInfo| -> Option<usize> {
        let rest = m.name.strip_prefix("CNN, ")?;
        rest.split(' ').next()?.parse().ok()
    };
    let cnns: Vec<(usize, usize)> = (0..models.len())
        .filter_map(|i| Some((i, convs(&models[i])?)))
        .collect();
    let deep = cnns.iter().max_by_key(|(_, c)| *c)?.0;
    let shallow = cnns.iter().min_by_key(|(_, c)| *c)?.0;
    if deep == shallow {
        return None;
    }
    let (test, _) = *run.tests().last()?;
    let (_, train) = run.last_train()?;
    let (dt, st) = (*test.get(deep)?, *test.get(shallow)?);
    let (dr, sr) = (*train.get(deep)?, *train.get(shallow)?);
    // Train accuracy is the mean of the last few mini-batches, noisy and lagging a slower
    // starter; the test pass after the last epoch is the fair comparison.
    let agrees = dt >= st;
    Some(Finding {
        text: format!(
            "{} reached {} test accuracy ({} train) vs {} ({} train) for {}: {}",
            models[deep].name,
            pct(dt),
            pct(dr),
            pct(st),
            pct(sr),
            models[shallow].name,
            if agrees {
                "the deeper CNN learns better"
            } else {
                "the deeper CNN does not learn better here"
            }
        ),
        agrees,
    })
}

/// E6: where the trained weights (the grid's centre) rank among the grid's losses, and the
/// loss at both ends of the line from the initial weights.
fn surface(run: &Events) -> Option<Finding> {
    let (xs, ys) = run.0.iter().rev().find_map(|e| match e {
        Event::SurfaceGrid { xs, ys, .. } => Some((xs, ys)),
        _ => None,
    })?;
    let nearest_zero = |v: &[f64]| (0..v.len()).min_by(|&a, &b| v[a].abs().total_cmp(&v[b].abs()));
    let (cx, cy) = (nearest_zero(xs)?, nearest_zero(ys)?);
    let mut grid = Vec::new();
    let mut centre = None;
    for e in run.0 {
        if let Event::SurfaceRow { row, losses } = e {
            grid.extend_from_slice(losses);
            if *row == cy {
                centre = losses.get(cx).copied();
            }
        }
    }
    let centre = centre?;
    if grid.len() < xs.len() * ys.len() {
        return None;
    }
    let above = grid.iter().filter(|&&l| l > centre).count() as f64 / grid.len() as f64;
    let line = run.0.iter().rev().find_map(|e| match e {
        Event::LineLosses { alphas, losses } => {
            let at = |a: f64| {
                let i = (0..alphas.len())
                    .min_by(|&i, &j| (alphas[i] - a).abs().total_cmp(&(alphas[j] - a).abs()))?;
                losses.get(i).copied()
            };
            Some(format!(
                "; from the initial weights the loss falls from {} to {}",
                num(at(0.0)?),
                num(at(1.0)?)
            ))
        }
        _ => None,
    });
    let agrees = above >= 0.8;
    Some(Finding {
        text: format!(
            "the trained weights' loss {} is below {} of the {} grid points{}",
            num(centre),
            pct(above),
            grid.len(),
            line.unwrap_or_default()
        ),
        agrees,
    })
}

/// E7: memorisation of the training set against test accuracy and loss.
fn random_labels(run: &Events) -> Option<Finding> {
    let (loss, accuracy) = run.last_train()?;
    let tests = run.tests();
    let (first, last) = (tests.first()?, tests.last()?);
    let (loss, accuracy, test_accuracy) = (*loss.first()?, *accuracy.first()?, *last.0.first()?);
    let (tl0, tl1) = (*first.1.first()?, *last.1.first()?);
    let agrees = accuracy >= 0.9 && test_accuracy <= 0.2 && tl1 > tl0;
    Some(Finding {
        text: format!(
            "train loss fell to {} ({} train accuracy) while test accuracy stayed at {} and test loss went from {} to {}",
            num(loss),
            pct(accuracy),
            pct(test_accuracy),
            num(tl0),
            num(tl1)
        ),
        agrees,
    })
}

/// E8: the smallest vs the largest model, each pooled over its seeds: the largest fits the
/// training set better and does no worse on the test set, in the means and, over seeds, in at
/// least [`SEEDS_AGREE`] of them.
fn params(run: &Events) -> Option<Finding> {
    const KEYS: [&str; 3] = ["params", "train_loss", "test_accuracy"];
    let points: Vec<Pooled> = pool(run.indexed_results())
        .into_iter()
        .filter(|p| KEYS.iter().all(|k| p.values.contains_key(*k)))
        .collect();
    if points.len() < 2 {
        return None;
    }
    let get = |i: usize, key: &str| points[i].values[key];
    let by = |key: &'static str| move |a: &usize, b: &usize| get(*a, key).total_cmp(&get(*b, key));
    let small = (0..points.len()).min_by(by("params"))?;
    let large = (0..points.len()).max_by(by("params"))?;
    let best = (0..points.len()).max_by(by("test_accuracy"))?;
    let holds = |s: &BTreeMap<String, f64>, l: &BTreeMap<String, f64>| {
        l["train_loss"] < s["train_loss"] && l["test_accuracy"] >= s["test_accuracy"]
    };
    let (small_p, large_p) = (&points[small], &points[large]);
    let seeds = paired_seeds(small_p, large_p);
    let holding = seeds.iter().filter(|(s, l)| holds(s, l)).count();
    let in_seeds = holding as f64 >= SEEDS_AGREE * seeds.len() as f64;
    let over_seeds = match seeds.len() {
        0 | 1 => String::new(),
        k => format!("; it holds in {holding} of {k} seeds"),
    };
    Some(Finding {
        text: format!(
            "from {} to {} parameters, train loss went from {} to {} and test accuracy from {} to {} (best {} at {} parameters){over_seeds}",
            get(small, "params"),
            get(large, "params"),
            with_spread(small_p, "train_loss", num),
            with_spread(large_p, "train_loss", num),
            with_spread(small_p, "test_accuracy", pct),
            with_spread(large_p, "test_accuracy", pct),
            pct(get(best, "test_accuracy")),
            get(best, "params")
        ),
        agrees: holds(&small_p.values, &large_p.values) && in_seeds,
    })
}
