//! A section's finding: one line computed from its run's events, and whether it agrees with the
//! section's reference result. Each experiment reads only events it emits; a run without them
//! (stopped at once, failed) has no finding.

use std::collections::BTreeMap;

use super::finding::{num, paired_seeds, pct, spread, with_spread, Events, Finding, SEEDS_AGREE};
use super::{flatness, optimization};
use crate::engine::seeds::{mean_std, pool, seed_groups, Pooled};
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

/// A model of models side by side over seeds (`seeds=k`): its name (without its seed), its
/// first run's info, and the indices of its seeds' runs.
struct ModelGroup<'a> {
    name: String,
    info: &'a ModelInfo,
    runs: Vec<usize>,
}

fn by_model(models: &[ModelInfo]) -> Vec<ModelGroup<'_>> {
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    seed_groups(&names)
        .into_iter()
        .map(|(name, runs)| ModelGroup {
            info: &models[runs[0]],
            name,
            runs,
        })
        .collect()
}

/// Two models' values seed by seed: `value` of each seed's run (seeds paired by their order),
/// mean ± std of each where several, and in how many seeds `holds(a, b)`.
struct Compared {
    a: Vec<f64>,
    b: Vec<f64>,
    holding: usize,
}

impl Compared {
    fn new(a: Vec<f64>, b: Vec<f64>, holds: impl Fn(f64, f64) -> bool) -> Self {
        let holding = a.iter().zip(&b).filter(|(x, y)| holds(**x, **y)).count();
        Self { a, b, holding }
    }

    fn seeds(&self) -> usize {
        self.a.len().min(self.b.len())
    }

    /// The claim on the means (`holds`), and, over seeds, in at least [`SEEDS_AGREE`] of them.
    fn agrees(&self, holds: impl Fn(f64, f64) -> bool) -> bool {
        holds(mean_std(&self.a).0, mean_std(&self.b).0)
            && self.holding as f64 >= SEEDS_AGREE * self.seeds() as f64
    }

    /// "; in j of k seeds" where several.
    fn in_seeds(&self) -> String {
        match self.seeds() {
            0 | 1 => String::new(),
            k => format!(" (in {} of {k} seeds)", self.holding),
        }
    }
}

/// E1: the deepest vs the shallowest model's final loss (over seeds, of the means and in at
/// least [`SEEDS_AGREE`] of the seeds).
fn depth(run: &Events) -> Option<Finding> {
    let models = run.models()?;
    let losses = run.last_losses()?;
    let groups = by_model(models);
    let layers = |m: &ModelInfo| m.shape.split('-').count();
    let deep = groups.iter().max_by_key(|g| layers(g.info))?;
    let shallow = groups.iter().min_by_key(|g| layers(g.info))?;
    let of = |runs: &[usize]| -> Option<Vec<f64>> {
        runs.iter().map(|&i| losses.get(i).copied()).collect()
    };
    let fits_better = |d: f64, s: f64| d < s;
    let compared = Compared::new(of(&deep.runs)?, of(&shallow.runs)?, fits_better);
    let agrees = compared.agrees(fits_better);
    Some(Finding {
        text: format!(
            "deepest model ({}) ended at loss {} vs {} for {}: the {} model fits better{}",
            deep.info.shape,
            spread(&compared.a, num),
            spread(&compared.b, num),
            shallow.info.shape,
            if agrees { "deep" } else { "shallow" },
            compared.in_seeds()
        ),
        agrees,
    })
}

/// E2: the CNN with the most conv layers vs the one with the fewest (over seeds, of the means
/// and in at least [`SEEDS_AGREE`] of the seeds).
fn conv_depth(run: &Events) -> Option<Finding> {
    let models = run.models()?;
    let convs = |name: &str| -> Option<usize> {
        let rest = name.strip_prefix("CNN, ")?;
        rest.split(' ').next()?.parse().ok()
    };
    let groups = by_model(models);
    let cnns: Vec<(&ModelGroup, usize)> = groups
        .iter()
        .filter_map(|g| Some((g, convs(&g.name)?)))
        .collect();
    let deep = cnns.iter().max_by_key(|(_, c)| *c)?.0;
    let shallow = cnns.iter().min_by_key(|(_, c)| *c)?.0;
    if deep.name == shallow.name {
        return None;
    }
    let (test, _) = *run.tests().last()?;
    let (_, train) = run.last_train()?;
    let of = |values: &[f64], runs: &[usize]| -> Option<Vec<f64>> {
        runs.iter().map(|&i| values.get(i).copied()).collect()
    };
    // Train accuracy is the mean of the last few mini-batches, noisy and lagging a slower
    // starter; the test pass after the last epoch is the fair comparison.
    let learns_better = |d: f64, s: f64| d >= s;
    let compared = Compared::new(
        of(test, &deep.runs)?,
        of(test, &shallow.runs)?,
        learns_better,
    );
    let (dr, sr) = (of(train, &deep.runs)?, of(train, &shallow.runs)?);
    let agrees = compared.agrees(learns_better);
    Some(Finding {
        text: format!(
            "{} reached {} test accuracy ({} train) vs {} ({} train) for {}: {}{}",
            deep.name,
            spread(&compared.a, pct),
            spread(&dr, pct),
            spread(&compared.b, pct),
            spread(&sr, pct),
            shallow.name,
            if agrees {
                "the deeper CNN learns better"
            } else {
                "the deeper CNN does not learn better here"
            },
            compared.in_seeds()
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
