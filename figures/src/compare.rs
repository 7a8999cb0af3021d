//! Several runs of one experiment in one self-contained HTML file, their figures overlaid as
//! the page's Runs list overlays them (`charts::overlay`): what `mlds compare` writes.

use mlds_core::job::Job;
use mlds_core::run_file::compare::{differing_settings, headline};
use mlds_core::run_file::RunFile;
use mlds_core::view::RunView;

use crate::charts::{overlay, Compared};
use crate::experiments::figures_of;
use crate::report::{escape, figure_html, STYLE};

/// Each run's name in the legends: "run 1" for the first, the others by the settings in which
/// they differ from it (their number where none does).
pub fn labels(files: &[RunFile]) -> Vec<String> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| match (i, files.first()) {
            (0, _) | (_, None) => "run 1".to_string(),
            (_, Some(first)) => match differing_settings(&f.query, &first.query) {
                s if s.is_empty() => format!("run {}", i + 1),
                s => s,
            },
        })
        .collect()
}

/// The comparison of `files` (the first is the one the others are drawn over): a table of the
/// runs and every figure with all of them. Runs of different experiments are refused.
pub fn compare_html(files: &[RunFile]) -> Result<String, String> {
    let first = files.first().ok_or("no run to compare")?;
    if let Some(other) = files.iter().find(|f| f.experiment != first.experiment) {
        return Err(format!(
            "runs of different experiments cannot be compared ({} and {})",
            first.experiment, other.experiment
        ));
    }
    let labels = labels(files);
    let mut views = Vec::with_capacity(files.len());
    for file in files {
        let (job, _) = Job::parse(&file.query).map_err(|e| format!("{}: {e}", file.query))?;
        views.push((job, RunView::of_events(file.events.clone())));
    }
    let compared: Vec<Compared> = views
        .iter()
        .zip(&labels)
        .skip(1)
        .map(|((job, view), label)| Compared {
            label: label.clone(),
            figures: figures_of(job, view),
        })
        .collect();
    let (job, view) = &views[0];
    let figures: String = overlay(figures_of(job, view), &labels[0], &compared)
        .iter()
        .map(figure_html)
        .collect();
    let rows: String = files
        .iter()
        .zip(&labels)
        .zip(&views)
        .map(|((file, label), (_, view))| {
            format!(
                "<tr data-run=\"\"><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                escape(label),
                escape(&file.query),
                escape(&file.backend),
                escape(&headline(view)),
            )
        })
        .collect();
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>MLDS Playground: {n} runs compared</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{n} runs of {exp} compared</h1>\n<table data-runs=\"\">\n<tr><th>run</th><th>query</th><th>backend</th><th>headline</th></tr>\n{rows}</table>\n{figures}</body>\n</html>\n",
        n = files.len(),
        exp = escape(&first.experiment),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlds_core::events::ModelInfo;
    use mlds_core::Event;

    fn run(query: &str, loss: f64) -> RunFile {
        let (job, _) = Job::parse(query).unwrap();
        let events = vec![
            Event::Started {
                models: vec![ModelInfo {
                    name: "1-4-1".into(),
                    shape: "1-4-1".into(),
                    params: 13,
                }],
                total_epochs: 2,
            },
            Event::Losses {
                epoch: 1,
                elapsed_ms: 1.0,
                losses: vec![1.0],
            },
            Event::Losses {
                epoch: 2,
                elapsed_ms: 2.0,
                losses: vec![loss],
            },
        ];
        RunFile::new(&job, "", "test", "cpu", events)
    }

    #[test]
    fn the_runs_are_drawn_together_and_listed_by_how_they_differ() {
        let a = run("exp=fit&shapes=1-4-1&epochs=2&lr=0.01", 0.5);
        let b = run("exp=fit&shapes=1-4-1&epochs=2&lr=0.1", 0.25);
        let html = compare_html(&[a, b]).unwrap();
        assert_eq!(html.matches("<tr data-run=").count(), 2);
        assert!(html.contains("<td>lr 0.1</td>"), "{html}");
        assert!(html.contains("epoch 2 · loss 0.250"));
        // The loss chart holds both runs' curves, and its caption names them.
        assert!(
            html.contains("Runs: run 1; lr 0.1."),
            "captions name the runs"
        );
        assert!(
            html.contains("lr 0.1 · 1-4-1"),
            "the compared curve is in the chart's text"
        );
    }

    #[test]
    fn runs_of_different_experiments_are_refused() {
        let a = run("exp=fit&shapes=1-4-1&epochs=2", 0.5);
        let mut b = a.clone();
        b.experiment = "tasks".into();
        let err = compare_html(&[a, b]).unwrap_err();
        assert!(err.contains("different experiments"), "{err}");
        assert!(compare_html(&[]).is_err());
    }
}
