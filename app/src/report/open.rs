//! A run file opened in the report: the run of one section's query (in the report's mode) is
//! kept as that section's run, as if it had run here (its figures and finding, kept for a
//! reload, in the HTML export). Any other run is refused in words that say where it belongs.

use mlds_core::job::Job;
use mlds_core::report::{Mode, SECTIONS};
use mlds_core::run_file::{check_events, RunFile};

use super::store::SavedSection;
use crate::panels::opened::refusal;

/// The section `file` is the run of, and the section as kept; or why it is none.
pub fn section_of(mode: Mode, name: &str, file: RunFile) -> Result<(usize, SavedSection), String> {
    let fail = |why: String| format!("{name} could not be opened in the report: {why}.");
    if let Some(why) = refusal(&file) {
        return Err(fail(why));
    }
    let of = |mode: Mode| mode.section_of(&file.query);
    if let Some(index) = of(mode) {
        let saved = SavedSection {
            query: mode.query(&SECTIONS[index]).to_string(),
            backend: file.backend_kind(),
            events: file.events,
        };
        return Ok((index, saved));
    }
    let other = match mode {
        Mode::Quick => Mode::Full,
        Mode::Full => Mode::Quick,
    };
    if let Some(index) = of(other) {
        return Err(fail(format!(
            "it is section {}'s run in the report's {} mode, and this is the {} mode (switch with the link above, then open it again)",
            SECTIONS[index].label,
            other.id(),
            mode.id()
        )));
    }
    let why = match SECTIONS.iter().find(|s| s.id == file.experiment) {
        Some(s) => format!(
            "its settings are not those of the report's {} ({}: {}); it opens in its panel (#{})",
            s.label,
            mode.id(),
            mode.query(s),
            file.query
        ),
        None => format!(
            "the report has no section for experiment '{}'",
            file.experiment
        ),
    };
    Err(fail(why))
}

/// A section as kept in the store, read back through a file's checks: its query names a job,
/// its events fit that job (a grid of the job's own size: see `mlds_core::run_file`'s
/// bounds), and its run ended. The error says why, for a user.
pub fn check_kept(saved: &SavedSection) -> Result<(), String> {
    let (job, _) = Job::parse(&saved.query).map_err(|e| format!("its query: {e}"))?;
    check_events(&job, &saved.events)?;
    if job.units().1.is_some() {
        return Err("it is one unit of a sweep, not a whole run".into());
    }
    let ended = saved.events.last().is_some_and(|e| {
        matches!(
            e,
            mlds_core::Event::Done { .. }
                | mlds_core::Event::Stopped { .. }
                | mlds_core::Event::Error { .. }
        )
    });
    if !ended {
        return Err("its run has no end".into());
    }
    Ok(())
}

/// A kept section for a user: "E6 · Error surface" where the query is a section's, else the
/// query itself.
pub fn name_of(query: &str) -> String {
    [Mode::Quick, Mode::Full]
        .into_iter()
        .find_map(|mode| mode.section_of(query))
        .map_or_else(
            || format!("`{query}`"),
            |i| format!("{} · {}", SECTIONS[i].label, SECTIONS[i].title),
        )
}
