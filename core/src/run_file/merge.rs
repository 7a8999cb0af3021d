//! A run from its units' run files (a cluster's job array, or the `mlds` command's own
//! processes): each file is checked to be a unit of the same run and build, and their events
//! go through the job's own merge ([`Job::merge`], what a pool of Web Workers uses), in unit
//! order, so the result does not depend on the order the units finished in.

use super::RunFile;
use crate::engine::merge::{Given, Merge};
use crate::events::Event;
use crate::job::Job;

/// A run being assembled from its units' files.
pub struct RunMerge {
    whole: Job,
    build: String,
    backends: Vec<String>,
    merge: Option<Box<dyn Merge>>,
    events: Vec<Event>,
    /// Per unit: the name of the file it came from, or why it was lost.
    units: Vec<Option<String>>,
}

impl RunMerge {
    /// The run `whole` (any unit of it names it too), of units computed by `build`.
    pub fn new(whole: &Job, build: &str) -> Self {
        let whole = whole.whole();
        let merge = whole.merge();
        let events = merge.as_ref().map(|m| m.opening()).unwrap_or_default();
        Self {
            units: vec![None; whole.units().0],
            whole,
            build: build.into(),
            backends: Vec::new(),
            merge,
            events,
        }
    }

    /// How many units the run has.
    pub fn count(&self) -> usize {
        self.units.len()
    }

    /// Which unit of this run `file` (named `name`) is, or why it does not belong here.
    pub fn unit_of(&self, name: &str, file: &RunFile) -> Result<usize, String> {
        if file.build != self.build {
            return Err(format!(
                "{name} was computed by another build ('{}', not '{}'): units of one run must come from one build",
                file.build, self.build
            ));
        }
        let job = file.job();
        if job.whole() != self.whole {
            return Err(format!(
                "{name} is part of another run (`{}`, not `{}`)",
                job.whole().query(),
                self.whole.query()
            ));
        }
        let index = match job.units() {
            (_, Some(i)) => i,
            (1, None) => 0,
            (count, None) => {
                return Err(format!(
                    "{name} is the whole run, not one of its {count} units (`unit=i`)"
                ))
            }
        };
        match &self.units[index] {
            Some(other) => Err(format!("{name}: unit {index} is already in ({other})")),
            None => Ok(index),
        }
    }

    /// Add a unit's file.
    pub fn add(&mut self, name: &str, file: RunFile) -> Result<(), String> {
        let index = self.unit_of(name, &file)?;
        let ended = file.end().is_some();
        self.push(index, file.events);
        self.close(index, name, &file.backend, ended);
        Ok(())
    }

    /// Unit `index`'s events are in: note its backend, and end a file cut short (`ended`: it
    /// was not).
    fn close(&mut self, index: usize, name: &str, backend: &str, ended: bool) {
        if !self.backends.iter().any(|b| b == backend) {
            self.backends.push(backend.into());
        }
        if !ended {
            let message = format!("{name} ends before its unit did");
            self.push(index, vec![Event::Error { message }]);
        }
        self.units[index] = Some(name.into());
    }

    /// Whether the run's units are models trained side by side (E1, E2), whose streams join
    /// step by step: their files are best added together ([`RunMerge::add_together`]).
    pub fn side_by_side(&self) -> bool {
        self.merge.as_ref().is_some_and(|m| m.side_by_side())
    }

    /// Add several units' files at once (name, file), in unit order. Side by side, their
    /// events go in turn, one each, as models training side by side send them, so a joined
    /// point (E1's predictions) holds every model at the same step rather than one model's
    /// last beside the others' first.
    pub fn add_together(&mut self, files: Vec<(String, RunFile)>) -> Result<(), String> {
        let mut units = Vec::new();
        for (name, file) in files {
            let index = self.unit_of(&name, &file)?;
            if let Some((_, other, _)) = units.iter().find(|(i, _, _)| *i == index) {
                return Err(format!("{name}: unit {index} is given twice ({other} too)"));
            }
            units.push((index, name, file));
        }
        units.sort_by_key(|(i, _, _)| *i);
        if !self.side_by_side() {
            for (_, name, file) in units {
                self.add(&name, file)?;
            }
            return Ok(());
        }
        let longest = units.iter().map(|(_, _, f)| f.events.len()).max();
        for at in 0..longest.unwrap_or(0) {
            for (index, _, file) in &units {
                if let Some(event) = file.events.get(at) {
                    self.push(*index, vec![event.clone()]);
                }
            }
        }
        for (index, name, file) in units {
            self.close(index, &name, &file.backend, file.end().is_some());
        }
        Ok(())
    }

    /// Unit `unit` will not come: stopped before it started (`lost` is `None`), or lost, and
    /// why (the run goes on without it, as with a pool's lost unit).
    pub fn skip(&mut self, unit: usize, lost: Option<&str>) {
        match &mut self.merge {
            Some(merge) => self.events.extend(merge.skip(unit, lost)),
            None => self.events.push(match lost {
                Some(why) => Event::Error {
                    message: why.into(),
                },
                None => Event::Stopped {
                    epoch: 0,
                    elapsed_ms: 0.0,
                },
            }),
        }
        self.units[unit] = Some(lost.map_or("stopped".into(), |why| format!("lost: {why}")));
    }

    /// Whether unit `unit` can start now, and the events it is given (E9a's line waits for
    /// both trainings' weights).
    pub fn given(&self, unit: usize) -> Given {
        match &self.merge {
            Some(merge) => merge.given(unit),
            None => Given::Ready(Vec::new()),
        }
    }

    /// The units no file has come for yet.
    pub fn missing(&self) -> Vec<usize> {
        (0..self.units.len())
            .filter(|&i| self.units[i].is_none())
            .collect()
    }

    /// The whole run's file (`page`: see [`RunFile::new`]). Every unit must be in (added or
    /// lost); otherwise the error names the missing ones.
    pub fn finish(self, page: &str) -> Result<RunFile, String> {
        let missing = self.missing();
        if !missing.is_empty() {
            let names: Vec<String> = missing
                .iter()
                .map(|&i| format!("unit {i} (`{}`)", self.whole.unit(i).query()))
                .collect();
            return Err(format!(
                "{} of {} units missing: {}",
                missing.len(),
                self.units.len(),
                names.join(", ")
            ));
        }
        let backend = self.backends.join("+");
        Ok(RunFile::new(
            &self.whole,
            page,
            &self.build,
            &backend,
            self.events,
        ))
    }

    fn push(&mut self, unit: usize, events: Vec<Event>) {
        match &mut self.merge {
            Some(merge) => self.events.extend(merge.push(unit, events)),
            None => self.events.extend(events),
        }
    }
}

/// Merge units' files (name, file), in any order, into their run: every unit once, all of one
/// run and one build. `lose_missing`: a missing unit is reported lost in the run (its results
/// absent) rather than refusing the merge.
pub fn merge_files(
    files: Vec<(String, RunFile)>,
    page: &str,
    lose_missing: bool,
) -> Result<RunFile, String> {
    let Some((_, first)) = files.first() else {
        return Err("no unit files to merge".into());
    };
    let mut run = RunMerge::new(&first.job(), &first.build.clone());
    if lose_missing {
        let mut present = Vec::new();
        for (name, file) in &files {
            present.push(run.unit_of(name, file)?);
        }
        let absent: Vec<usize> = (0..run.count()).filter(|i| !present.contains(i)).collect();
        for unit in absent {
            let why = format!("no file of unit {unit} was given");
            run.skip(unit, Some(why.as_str()));
        }
    }
    run.add_together(files)?;
    run.finish(page)
}
