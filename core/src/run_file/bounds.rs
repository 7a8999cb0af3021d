//! A run's events against its own job: what a file (or a kept copy of one) claims must fit the
//! experiment its query names, before a view allocates anything for it. Most of what an event
//! holds costs memory in proportion to the file's own size; a grid does not (its values are
//! `xs × ys`, so a 250 KB file could ask for gigabytes), so its sides must be those the job's
//! parameters give, which the URL's bounds limit (E6's `grid`: 3 to 101).

use crate::events::Event;
use crate::job::Job;

/// Why `events` cannot be `job`'s run, for a user; `Ok` when they fit it.
pub fn check(job: &Job, events: &[Event]) -> Result<(), String> {
    for (i, event) in events.iter().enumerate() {
        check_event(job, event).map_err(|why| format!("its event {i} {why}"))?;
    }
    Ok(())
}

/// The most epochs, steps or iterations an event may count: above every experiment's range
/// (E1's 100,000 epochs; E5's search steps), far below what would overflow a view's arithmetic.
pub const MAX_COUNT: usize = 100_000_000;

fn check_event(job: &Job, event: &Event) -> Result<(), String> {
    // A sweep's units (E3's and E5's runs, E8's widths, E9b's and E10's batch sizes; E1's
    // and E2's models): indices into them are checked against the query's count, since a
    // view allocates up to the largest index it meets.
    let units = job.units().0;
    let models = units.max(2);
    let index = |what: &str, i: usize| match i < units {
        true => Ok(()),
        false => Err(format!(
            "is {what} {i}, and its query has {units} (indices 0 to {})",
            units.saturating_sub(1)
        )),
    };
    let count = |what: &str, n: usize| match n <= MAX_COUNT {
        true => Ok(()),
        false => Err(format!(
            "counts {what} {n}, more than any run has ({MAX_COUNT})"
        )),
    };
    let per_model = |what: &str, n: usize| match n <= models {
        true => Ok(()),
        false => Err(format!(
            "holds {n} {what}, and its query trains at most {models} models"
        )),
    };
    match event {
        Event::Started {
            models: list,
            total_epochs,
        } => {
            per_model("models", list.len())?;
            count("epochs", *total_epochs)?;
        }
        Event::Losses { epoch, losses, .. } => {
            count("epoch", *epoch)?;
            per_model("losses", losses.len())?;
        }
        Event::Predictions { epoch, ys } => {
            count("epoch", *epoch)?;
            per_model("predictions", ys.len())?;
        }
        Event::TrainMetrics {
            losses, accuracies, ..
        } => per_model("losses", losses.len().max(accuracies.len()))?,
        Event::TestMetrics {
            epoch,
            accuracies,
            losses,
            ..
        } => {
            count("epoch", *epoch)?;
            per_model("accuracies", losses.len().max(accuracies.len()))?;
        }
        Event::Unit { index: i, .. } => index("unit", *i)?,
        Event::Snapshot { run, epoch, .. } | Event::Weights { run, epoch, .. } => {
            index("run", *run)?;
            count("epoch", *epoch)?;
        }
        Event::CriticalPoint(point) => index("run", point.run)?,
        Event::Result { index: i, .. } | Event::Density { index: i, .. } => {
            // E9a's results are the points along its lines (one per seed), the sweeps' their
            // units.
            let results = match job {
                Job::Interpolate(c) => c.points * c.seeds.0,
                _ => units,
            };
            if *i >= results {
                return Err(format!("is result {i}, and its query has {results}"));
            }
        }
        Event::Iterations { first, .. } => count("iteration", *first)?,
        Event::FullGradient { step, .. } => count("step", *step)?,
        Event::Done { epoch, .. } | Event::Stopped { epoch, .. } => count("epoch", *epoch)?,
        Event::SurfaceGrid { xs, ys, .. } => {
            let n = surface_side(job)?;
            if xs.len() != n || ys.len() != n {
                return Err(format!(
                    "claims a {} × {} grid, and its query's is {n} × {n} (grid={n})",
                    xs.len(),
                    ys.len()
                ));
            }
        }
        Event::SurfaceRow { row, losses } => {
            let n = surface_side(job)?;
            if *row >= n || losses.len() > n {
                return Err(format!(
                    "is row {row} with {} losses, outside its query's {n} × {n} grid",
                    losses.len()
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The side of E6's grid; only E6 has one.
fn surface_side(job: &Job) -> Result<usize, String> {
    match job {
        Job::Surface(config) => Ok(config.grid),
        other => Err(format!(
            "is a loss surface's, which experiment '{}' has none of",
            other.id()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(query: &str) -> Job {
        Job::parse(query).unwrap().0
    }

    fn grid(side: usize) -> Event {
        Event::SurfaceGrid {
            xs: vec![0.0; side],
            ys: vec![0.0; side],
            directions: String::new(),
            path: Vec::new(),
        }
    }

    #[test]
    fn a_grid_must_be_the_size_its_query_asks() {
        let e6 = job("exp=surface&grid=5");
        let row = |row, n| Event::SurfaceRow {
            row,
            losses: vec![1.0; n],
        };
        assert!(check(&e6, &[grid(5), row(4, 5)]).is_ok());
        let err = check(&e6, &[grid(12000)]).unwrap_err();
        assert_eq!(
            err,
            "its event 0 claims a 12000 × 12000 grid, and its query's is 5 × 5 (grid=5)"
        );
        assert!(check(&e6, &[grid(5), row(5, 5)])
            .unwrap_err()
            .starts_with("its event 1 is row 5 with 5 losses, outside"));
        assert!(check(&e6, &[grid(5), row(0, 6)]).is_err());
        // The query's own bound holds first: grid=12000 is read as the largest grid, 101.
        let widest = job("exp=surface&grid=12000");
        assert!(check(&widest, &[grid(12000)]).is_err());
        assert!(check(&widest, &[grid(101)]).is_ok());
        let err = check(&job("exp=fit&epochs=2"), &[grid(5)]).unwrap_err();
        assert!(err.contains("experiment 'fit' has none of"), "{err}");
    }

    #[test]
    fn indices_and_counts_must_be_those_the_query_implies() {
        // E3 with 2 runs: a snapshot of run 5 would make a view allocate 6 runs' series.
        let e3 = job("exp=trajectory&runs=2");
        let snapshot = |run, epoch| Event::Snapshot {
            run,
            epoch,
            loss: 0.1,
            accuracy: None,
        };
        assert!(check(&e3, &[snapshot(1, 3)]).is_ok());
        let err = check(&e3, &[snapshot(1, 3), snapshot(usize::MAX, 3)]).unwrap_err();
        assert!(
            err.starts_with("its event 1 is run 18446744073709551615, and its query has 2"),
            "{err}"
        );
        let err = check(&e3, &[snapshot(0, usize::MAX)]).unwrap_err();
        assert!(err.contains("counts epoch"), "{err}");
        // E1 with 3 models: an epoch near the largest integer, or losses for 10,000 models.
        let e1 = job("exp=fit");
        let losses = |epoch, n| Event::Losses {
            epoch,
            elapsed_ms: 1.0,
            losses: vec![0.5; n],
        };
        assert!(check(&e1, &[losses(10, 3)]).is_ok());
        assert!(check(&e1, &[losses(usize::MAX - 1, 3)]).is_err());
        let err = check(&e1, &[losses(10, 10_000)]).unwrap_err();
        assert!(
            err.contains("holds 10000 losses, and its query trains at most 3 models"),
            "{err}"
        );
        // E9a's results are the points of its line.
        let e9a = job("exp=interpolate&points=31");
        let result = |index| Event::Result {
            index,
            label: String::new(),
            values: Default::default(),
        };
        assert!(check(&e9a, &[result(30)]).is_ok());
        assert!(check(&e9a, &[result(31)]).is_err());
        // Over seeds, one line per seed.
        let seeded = job("exp=interpolate&points=31&seeds=3");
        assert!(check(&seeded, &[result(92)]).is_ok());
        assert!(check(&seeded, &[result(93)]).is_err());
    }
}
