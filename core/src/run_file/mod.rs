//! The run file: one run as JSON — the query that names it, a link that reproduces it, the
//! build and backend that computed it, and every event it emitted. The page's "Download run as
//! JSON" writes it and the page opens it; the `mlds` command writes, reads and merges it. One
//! definition here, so either side reads the other's.
//!
//! Format `mlds-run`, version 1 (an object; unknown keys are ignored):
//!
//! | key | what |
//! |---|---|
//! | `format` | `"mlds-run"` |
//! | `version` | `1`; a reader refuses a higher one |
//! | `experiment` | the URL id (`exp`) |
//! | `query` | the job's query (`Job::query`): `exp` first, every parameter, `unit=i` for a unit |
//! | `link` | a link that reproduces the run: the page's URL, or `#` + query from the command |
//! | `hash` | the page's URL hash as it was (`#` + query from the command) |
//! | `build` | which build computed it: units of one run must share it |
//! | `backend` | `cpu`, `webgpu` or `gpu` |
//! | `events` | the run's events (`events::Event`, tagged by `type`) in order |
//!
//! Numbers that were NaN or ±∞ are written as `null` (JSON has neither) and read back as NaN.
//! Every other number reads back exactly where serde_json's `float_roundtrip` is on (the `mlds`
//! command turns it on; the page reads to within a unit in the last place).
//! Version 0 is what the page wrote before: `experiment`, `link`, `hash` and `events` only; it
//! is read with its query taken from its hash.

mod bounds;
pub mod compare;
mod lenient;
mod merge;
mod open;
pub mod report;
pub mod slices;

use serde::Serialize;
use serde_json::Value;

use crate::backend::BackendKind;
use crate::budget::Budget;
use crate::events::Event;
use crate::job::Job;

pub use bounds::check as check_events;
pub use merge::{merge_files, RunMerge};
pub use open::{open, Opened};

/// The `format` every run file carries.
pub const FORMAT: &str = "mlds-run";
/// The version this build writes, and the highest it reads.
pub const VERSION: u32 = 1;

/// The largest run or report file read (the full report's file, every section's run inside,
/// was 23 MB on 2026-12-06). A page checks a file's size against it before reading it.
pub const MAX_BYTES: u64 = 64 << 20;

/// A file of `size` bytes may be read as a run or a report file.
pub fn check_size(size: u64) -> Result<(), String> {
    match size > MAX_BYTES {
        true => Err(format!(
            "it is {:.1} MB, more than the {} MB a run or report file may be",
            size as f64 / 1e6,
            MAX_BYTES >> 20
        )),
        false => Ok(()),
    }
}

/// One run, as a run file holds it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunFile {
    pub format: String,
    pub version: u32,
    pub experiment: String,
    pub query: String,
    pub link: String,
    pub hash: String,
    pub build: String,
    pub backend: String,
    pub events: Vec<Event>,
}

impl RunFile {
    /// The run of `job` with its events; `page` is the page's URL without its hash (empty: the
    /// link is `#` + query, relative to wherever the page is served).
    pub fn new(job: &Job, page: &str, build: &str, backend: &str, events: Vec<Event>) -> Self {
        let query = job.query();
        let hash = format!("#{query}");
        Self {
            format: FORMAT.into(),
            version: VERSION,
            experiment: job.id().into(),
            link: format!("{page}{hash}"),
            hash,
            query,
            build: build.into(),
            backend: backend.into(),
            events,
        }
    }

    /// The file's text (indented JSON, as the page has always written it).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Read a run file's text; the error says, for a user, what is wrong with it.
    pub fn parse(text: &str) -> Result<RunFile, String> {
        check_size(text.len() as u64)?;
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("it is not JSON ({e})"))?;
        let Value::Object(mut fields) = value else {
            return Err("it is not a run file (JSON, but not an object)".into());
        };
        let mut text_of = |key: &str| match fields.remove(key) {
            Some(Value::String(s)) => Ok(Some(s)),
            None | Some(Value::Null) => Ok(None),
            Some(_) => Err(format!("it is not a run file (`{key}` is not text)")),
        };
        let format = text_of("format")?;
        if let Some(other) = format.as_deref().filter(|f| *f != FORMAT) {
            return Err(format!(
                "it is not a run file (its format is '{other}', not '{FORMAT}')"
            ));
        }
        let experiment = text_of("experiment")?;
        let link = text_of("link")?.unwrap_or_default();
        let hash = text_of("hash")?.unwrap_or_default();
        let query = text_of("query")?;
        let build = text_of("build")?.unwrap_or_default();
        let backend = text_of("backend")?.unwrap_or_default();
        let version = match (&format, fields.remove("version")) {
            (None, None) => 0,
            (_, Some(v)) => v
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or("it is not a run file (`version` is not a whole number)")?,
            (Some(_), None) => return Err("it is not a run file (it has no `version`)".into()),
        };
        if version > VERSION {
            return Err(format!(
                "it was written by a newer version (run-file version {version}; this build reads versions up to {VERSION})"
            ));
        }
        let Some(Value::Array(raw_events)) = fields.remove("events") else {
            return Err("it is not a run file (it has no list of `events`)".into());
        };
        // Version 0 named its run by the page's hash alone.
        let query = query.unwrap_or_else(|| hash.trim_start_matches('#').to_string());
        let (job, _) = Job::parse_within(&query, Budget::NATIVE)
            .map_err(|e| format!("its query `{query}`: {e}"))?;
        if experiment.as_deref().is_some_and(|e| e != job.id()) {
            return Err(format!(
                "its experiment '{}' is not the one its query names ('{}')",
                experiment.unwrap_or_default(),
                job.id()
            ));
        }
        let events = raw_events
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                lenient::event(e).map_err(|why| format!("its event {i} is malformed ({why})"))
            })
            .collect::<Result<Vec<Event>, String>>()?;
        bounds::check(&job, &events)?;
        Ok(RunFile {
            format: FORMAT.into(),
            version,
            experiment: job.id().into(),
            query: job.query(),
            link,
            hash,
            build,
            backend,
            events,
        })
    }

    /// The file without its events: what a worker hands the page before them, which come a
    /// slice at a time.
    pub fn header(&self) -> RunFile {
        RunFile {
            format: self.format.clone(),
            version: self.version,
            experiment: self.experiment.clone(),
            query: self.query.clone(),
            link: self.link.clone(),
            hash: self.hash.clone(),
            build: self.build.clone(),
            backend: self.backend.clone(),
            events: Vec::new(),
        }
    }

    /// The job the file's query names.
    pub fn job(&self) -> Job {
        // `parse` checked the query; a file built in code carries its job's own query.
        Job::parse_within(&self.query, Budget::NATIVE)
            .map(|(job, _)| job)
            .unwrap_or_else(|e| panic!("a run file's query parses: {e}"))
    }

    /// How the run ended, if its events say (`Done`, `Stopped` or `Error`, last).
    pub fn end(&self) -> Option<&Event> {
        self.events.last().filter(|e| {
            matches!(
                e,
                Event::Done { .. } | Event::Stopped { .. } | Event::Error { .. }
            )
        })
    }

    /// The backend that computed the run (the `mlds` command's GPU is burn's wgpu too).
    pub fn backend_kind(&self) -> BackendKind {
        match self.backend.as_str() {
            "webgpu" | "gpu" => BackendKind::WebGpu,
            _ => BackendKind::Cpu,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(query: &str) -> Job {
        Job::parse(query).unwrap().0
    }

    fn sample() -> RunFile {
        let events = vec![
            Event::Losses {
                epoch: 1,
                elapsed_ms: 2.0,
                losses: vec![0.375, f64::NAN, 1e-300],
            },
            Event::Done {
                epoch: 1,
                elapsed_ms: 3.0,
            },
        ];
        RunFile::new(
            &job("exp=fit&epochs=1"),
            "https://x.test/app/",
            "b1",
            "cpu",
            events,
        )
    }

    #[test]
    fn a_file_reads_back_as_written() {
        let file = sample();
        assert!(file.link.starts_with("https://x.test/app/#exp=fit&"));
        assert_eq!(file.hash, format!("#{}", file.query));
        let back = RunFile::parse(&file.to_json()).unwrap();
        let Event::Losses { losses, .. } = &back.events[0] else {
            panic!()
        };
        assert_eq!(losses[0], 0.375);
        assert!(losses[1].is_nan());
        assert_eq!(losses[2], 1e-300);
        assert_eq!(back.events[1], file.events[1]);
        assert!(matches!(file.end(), Some(Event::Done { .. })));
        assert_eq!(
            (back.query, back.build, back.version),
            (file.query, file.build, 1)
        );
    }

    #[test]
    fn a_header_reads_back_as_the_file_without_its_events() {
        let file = sample();
        assert!(!file.events.is_empty());
        let header = RunFile::parse(&file.header().to_json()).unwrap();
        assert_eq!(
            header,
            RunFile {
                events: Vec::new(),
                ..file
            }
        );
    }

    #[test]
    fn the_pages_old_files_read_as_version_0() {
        let old = r##"{"experiment":"fit","link":"http://h/#exp=fit&epochs=3","hash":"#exp=fit&epochs=3&autorun=1",
            "events":[{"type":"done","epoch":3,"elapsed_ms":1.0}]}"##;
        let file = RunFile::parse(old).unwrap();
        assert_eq!(file.version, 0);
        assert_eq!(file.job(), job("exp=fit&epochs=3"));
        assert_eq!(file.query, job("exp=fit&epochs=3").query());
    }

    #[test]
    fn malformed_and_foreign_files_are_refused_in_words() {
        let good = sample().to_json();
        let cases = [
            ("{ not json".to_string(), "not JSON"),
            ("[1, 2]".into(), "not an object"),
            (
                r#"{"format":"zip","version":1,"events":[]}"#.into(),
                "format is 'zip'",
            ),
            (
                good.replace("\"version\": 1", "\"version\": 9"),
                "newer version",
            ),
            (
                good.replace("\"events\"", "\"evts\""),
                "no list of `events`",
            ),
            (
                good.replace("\"losses\",", "\"lozzes\","),
                "event 0 is malformed",
            ),
            (good.replace("exp=fit", "exp=nope"), "no experiment 'nope'"),
            (
                r#"{"format":"mlds-run","events":[]}"#.into(),
                "no `version`",
            ),
        ];
        for (text, expected) in cases {
            let err = RunFile::parse(&text).unwrap_err();
            assert!(err.contains(expected), "{err} (expected {expected})");
        }
    }

    #[test]
    fn a_file_over_the_size_limit_is_refused_by_its_size() {
        let big = " ".repeat(MAX_BYTES as usize + 1);
        let err = RunFile::parse(&big).unwrap_err();
        assert_eq!(
            err,
            "it is 67.1 MB, more than the 64 MB a run or report file may be"
        );
        assert!(check_size(MAX_BYTES).is_ok());
    }
}
