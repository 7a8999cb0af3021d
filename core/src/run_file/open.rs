//! Opening a file a user gives the page: a run file or a report file, told apart by what it
//! holds, read with every check of [`RunFile::parse`] and [`report::sections`]. The page does
//! this in a worker (a 64 MB file takes the best part of a second to read), the `workers=0`
//! page on its own thread; both say the same words.

use super::{report, RunFile};

/// What a file held.
#[derive(Clone, Debug, PartialEq)]
pub enum Opened {
    Run(RunFile),
    /// A report's sections that ran: each its run, or why it is not one (the others open).
    Report(Vec<Result<RunFile, String>>),
}

/// Read the file `name` (its bytes); the error names the file and says what is wrong with it.
pub fn open(name: &str, bytes: Vec<u8>) -> Result<Opened, String> {
    let fail = |why: String| format!("{name} could not be opened as a run: {why}.");
    super::check_size(bytes.len() as u64).map_err(fail)?;
    let text = String::from_utf8(bytes).map_err(|_| fail("it is not text (UTF-8)".into()))?;
    match report::is_report(&text) {
        true => report::sections(&text)
            .map(Opened::Report)
            .map_err(|why| format!("{name} could not be opened as a report: {why}.")),
        false => RunFile::parse(&text).map(Opened::Run).map_err(fail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Event;
    use crate::job::Job;

    fn run() -> RunFile {
        let (job, _) = Job::parse("exp=fit&epochs=2").unwrap();
        let events = vec![Event::Done {
            epoch: 2,
            elapsed_ms: 1.0,
        }];
        RunFile::new(&job, "", "b", "cpu", events)
    }

    #[test]
    fn a_run_file_opens_as_a_run() {
        let file = run();
        let opened = open("a.json", file.to_json().into_bytes()).unwrap();
        assert_eq!(opened, Opened::Run(file));
    }

    #[test]
    fn refusals_name_the_file() {
        let not_text = open("x.json", vec![0xff, 0xfe, b'{']).unwrap_err();
        assert_eq!(
            not_text,
            "x.json could not be opened as a run: it is not text (UTF-8)."
        );
        let not_json = open("y.json", b"{oops".to_vec()).unwrap_err();
        assert!(
            not_json.starts_with("y.json could not be opened as a run: it is not JSON"),
            "{not_json}"
        );
        let report = open(
            "r.html",
            br#"<script id="report-data">[oops</script>"#.to_vec(),
        );
        let report = report.unwrap_err();
        assert!(
            report
                .starts_with("r.html could not be opened as a report: its report data is not JSON"),
            "{report}"
        );
    }
}
