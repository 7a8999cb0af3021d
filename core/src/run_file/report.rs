//! The report's own file: the HTML page the report downloads carries every section's run in
//! its `report-data` block (a JSON array: per section its query, link, backend, build and
//! events). Read back, each section that ran is a run file, so the report page opens its own
//! download as it opens any run.

use serde_json::{json, Value};

use super::{RunFile, FORMAT, VERSION};
use crate::report::SECTIONS;

/// The id of the report file's data block.
pub const DATA_ID: &str = "report-data";

/// Whether `text` is a report file (an HTML page with the data block), not a run file.
pub fn is_report(text: &str) -> bool {
    text.contains(&format!("id=\"{DATA_ID}\""))
}

/// The data block's JSON text, if `text` has one.
fn data_block(text: &str) -> Option<&str> {
    let start = text.find(&format!("id=\"{DATA_ID}\""))?;
    let open = start + text[start..].find('>')? + 1;
    let close = open + text[open..].find("</script>")?;
    Some(&text[open..close])
}

/// The runs of a report file's sections that ran (a section not run is left out); the error
/// says, for a user, what is wrong with the file (the first section that is not a run).
pub fn runs(text: &str) -> Result<Vec<RunFile>, String> {
    sections(text)?.into_iter().collect()
}

/// Each section of a report file that ran: its run, or why it is not one (naming the section),
/// so that one bad section is set aside and the others open. The error: the file has no
/// readable data block at all.
pub fn sections(text: &str) -> Result<Vec<Result<RunFile, String>>, String> {
    super::check_size(text.len() as u64)?;
    let block = data_block(text).ok_or("it has no report data (no report-data block)")?;
    let data: Value =
        serde_json::from_str(block).map_err(|e| format!("its report data is not JSON ({e})"))?;
    let Value::Array(sections) = data else {
        return Err("its report data is not a list of sections".into());
    };
    let mut runs = Vec::new();
    for (i, section) in sections.iter().enumerate() {
        let events = &section["events"];
        if events.is_null() {
            continue;
        }
        let query = section["query"].as_str().unwrap_or_default();
        let experiment = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("exp="))
            .unwrap_or_default();
        // As a run file says it (its reader checks it, and reads NaN back from null).
        let file = json!({
            "format": FORMAT,
            "version": VERSION,
            "experiment": experiment,
            "query": query,
            "link": section["link"],
            "hash": format!("#{query}"),
            "build": section["build"].as_str().unwrap_or_default(),
            "backend": section["backend"],
            "events": events,
        });
        let name = SECTIONS
            .iter()
            .find(|s| section["section"].as_str() == Some(s.id))
            .map_or(String::new(), |s| format!(" ({} · {})", s.label, s.title));
        runs.push(
            RunFile::parse(&file.to_string())
                .map_err(|e| format!("its section {}{name} is not a run: {e}", i + 1)),
        );
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Event;
    use crate::job::Job;

    /// A report file as the page writes it (`app/src/report/export.rs`): one section that ran
    /// (with a NaN, written as null), one that did not.
    fn report(events: &[Event]) -> String {
        let data = json!([
            {
                "section": "fit",
                "query": "exp=fit&fn=sinc5&epochs=2",
                "link": "https://example.org/#exp=fit&fn=sinc5&epochs=2",
                "backend": "cpu",
                "build": "1a2b",
                "events": events,
            },
            { "section": "tasks", "query": "exp=tasks&epochs=2", "events": null },
        ]);
        let data = data.to_string().replace("</", "<\\/");
        format!("<!DOCTYPE html>\n<html><body><h1>MLDS Playground report</h1>\n<script type=\"application/json\" id=\"{DATA_ID}\">{data}</script>\n</body></html>\n")
    }

    #[test]
    fn a_report_file_gives_the_runs_of_its_sections_that_ran() {
        let events = vec![
            Event::Losses {
                epoch: 1,
                elapsed_ms: 1.0,
                losses: vec![0.5, f64::NAN],
            },
            Event::Done {
                epoch: 2,
                elapsed_ms: 2.0,
            },
        ];
        let text = report(&events);
        assert!(is_report(&text));
        let runs = runs(&text).unwrap();
        assert_eq!(runs.len(), 1, "the section not run is left out");
        let run = &runs[0];
        assert_eq!(run.experiment, "fit");
        assert_eq!((run.build.as_str(), run.backend.as_str()), ("1a2b", "cpu"));
        let (job, _) = Job::parse(&run.query).unwrap();
        assert_eq!(job.id(), "fit");
        let Event::Losses { losses, .. } = &run.events[0] else {
            panic!("{:?}", run.events[0]);
        };
        assert_eq!(losses[0], 0.5);
        assert!(losses[1].is_nan(), "null reads back as NaN");
        assert_eq!(run.events[1], events[1]);
    }

    #[test]
    fn a_section_whose_grid_is_not_its_querys_is_set_aside_and_the_others_open() {
        let done = Event::Done {
            epoch: 2,
            elapsed_ms: 2.0,
        };
        let huge = Event::SurfaceGrid {
            xs: vec![0.0; 12000],
            ys: vec![0.0; 12000],
            directions: String::new(),
            path: Vec::new(),
        };
        let data = json!([
            { "section": "fit", "query": "exp=fit&fn=sinc5&epochs=2", "backend": "cpu", "events": [done] },
            { "section": "surface", "query": "exp=surface&grid=31", "backend": "cpu", "events": [huge, done] },
        ]);
        let text = format!("<script type=\"application/json\" id=\"{DATA_ID}\">{data}</script>");
        let read = sections(&text).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].as_ref().unwrap().experiment, "fit");
        let why = read[1].as_ref().unwrap_err();
        assert!(
            why.starts_with("its section 2 (E6 · ")
                && why.contains("claims a 12000 × 12000 grid, and its query's is 31 × 31"),
            "{why}"
        );
        assert_eq!(runs(&text).unwrap_err(), *why);
    }

    #[test]
    fn a_run_file_is_no_report_and_a_broken_report_says_why() {
        assert!(!is_report(r#"{"format":"mlds-run","version":1}"#));
        let broken = format!("<script type=\"application/json\" id=\"{DATA_ID}\">[{{</script>");
        assert!(runs(&broken).unwrap_err().contains("not JSON"));
        let bad_section = format!(
            "<script type=\"application/json\" id=\"{DATA_ID}\">[{{\"query\":\"exp=fit\",\"events\":[{{\"type\":\"nope\"}}]}}]</script>"
        );
        assert!(runs(&bad_section)
            .unwrap_err()
            .starts_with("its section 1 is not a run"));
        assert!(runs("<html></html>").is_err());
    }
}
