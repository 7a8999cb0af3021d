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

fn check_event(job: &Job, event: &Event) -> Result<(), String> {
    match event {
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
}
