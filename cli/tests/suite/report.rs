//! `mlds report`: the page's report written natively — its sections run here or taken from run
//! files, their findings, their figures as inline SVG, and the `report-data` block that the
//! report page opens (core's reader of it is the page's).

use mlds_core::report::{Mode, SECTIONS};
use mlds_core::run_file::{report, RunFile};

use crate::common;
use common::{fails, folder, ok};

/// E1's and E4's quick sections (`core/src/report/mod.rs`): seconds each.
const FIT: &str = "exp=fit&fn=sinc5&epochs=2000";

/// A section's `<section …>` element, whole.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section data-section=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

#[test]
fn a_section_run_here_and_one_from_a_run_file_make_the_pages_report() {
    let dir = folder("report");
    // E1 from a run file (as a cluster's merged run would come), E4 run by the report itself.
    ok(&["run", FIT, "--out", "fit.json", "--quiet"], &dir);
    let fit = RunFile::parse(&std::fs::read_to_string(dir.join("fit.json")).unwrap()).unwrap();
    ok(
        &[
            "report",
            "--only",
            "gradnorm",
            "--use",
            "fit.json",
            "--out",
            "report.html",
            "--quiet",
        ],
        &dir,
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();

    // Every section is there, in order; the two that ran have their finding and figures.
    let ids: Vec<&str> = SECTIONS.iter().map(|s| s.id).collect();
    let order: Vec<usize> = ids
        .iter()
        .map(|id| html.find(&format!("data-section=\"{id}\"")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "sections in order");
    let e1 = section(&html, "fit");
    assert!(
        e1.contains("data-agrees=\"yes\""),
        "E1's quick finding agrees"
    );
    assert!(e1.contains("✓ agrees with the reference"));
    // E1's two charts, inline SVG named by their titles, with their words.
    assert_eq!(e1.matches("<svg role=\"img\"").count(), 2);
    assert!(e1.contains("aria-label=\"Training loss (MSE)\""));
    assert!(e1.contains("aria-label=\"Ground truth and predictions\""));
    assert!(e1.contains("<polyline"), "curves drawn");
    let e4 = section(&html, "gradnorm");
    assert!(e4.contains("<svg role=\"img\""), "E4's chart");
    assert!(!e4.contains("data-agrees=\"pending\""), "E4 ran");
    let e2 = section(&html, "tasks");
    assert!(e2.contains("data-agrees=\"pending\"") && e2.contains("Not run yet."));
    assert!(!e2.contains("<svg"));
    assert!(
        !html.contains("<script>") && !html.contains("<img"),
        "no script, no image file"
    );

    // The data block, read as the report page reads it: the two runs, E1's exactly the file's.
    let runs = report::runs(&html).unwrap();
    assert_eq!(runs.len(), 2);
    let opened = runs.iter().find(|r| r.experiment == "fit").unwrap();
    assert_eq!(format!("{:?}", opened.events), format!("{:?}", fit.events));
    assert_eq!(opened.build, fit.build);
    assert!(opened.build.starts_with("mlds "), "{}", opened.build);
    assert_eq!(Mode::Quick.section_of(&opened.query), Some(0));
    let ran = runs.iter().find(|r| r.experiment == "gradnorm").unwrap();
    assert_eq!(Mode::Quick.section_of(&ran.query), Some(3));
}

#[test]
fn what_is_not_a_section_is_refused_by_name() {
    let dir = folder("report-refused");
    let out = fails(&["report", "--only", "fit,nope"], &dir);
    assert!(
        out.contains("--only nope: no such section (fit, tasks"),
        "{out}"
    );
    // A run of E1 with other settings is no section's run: the file is named.
    ok(
        &["run", "exp=fit&epochs=5", "--out", "other.json", "--quiet"],
        &dir,
    );
    let out = fails(&["report", "--use", "other.json"], &dir);
    assert!(
        out.contains("other.json: its query `exp=fit")
            && out.contains("is no section's in quick mode"),
        "{out}"
    );
    assert!(!dir.join("mlds-report.html").exists(), "nothing written");
}
