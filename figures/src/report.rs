//! The report as one self-contained HTML file: every section's question, finding and mark, its
//! figures (inline SVG, drawn by the same code as the page's canvases, each with its text
//! alternative), a link that reproduces it, and all the data as JSON in the `report-data`
//! block, which the report page opens again. It opens offline: no script, no external file.
//! The page's "Download the report" and `mlds report` both write it.

use mlds_core::job::Job;
use mlds_core::report::{finding, parts, Mode};
use mlds_core::run_file::report::DATA_ID;
use mlds_core::view::RunView;
use mlds_core::{BackendKind, Event};
use serde_json::json;

use crate::experiments::figures_of;
use crate::Figure;

/// A section's run, as the report keeps it.
#[derive(Clone, Copy, Debug)]
pub struct SectionRun<'a> {
    pub events: &'a [Event],
    pub backend: BackendKind,
    /// The build that computed it (the page's build id, `mlds <version>`).
    pub build: &'a str,
}

/// Text safe inside HTML elements and attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}\
h1{margin-bottom:0}section{border-top:1px solid #ccc;margin:1.5em 0;padding-top:.5em}\
.yes .mark{color:#1a7f37}.no .mark{color:#b42318}.pending{color:#666}\
figure{display:inline-block;margin:.3em .3em .3em 0;vertical-align:top;max-width:100%}\
figure svg{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:90%;max-width:560px}\
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\
code{font-size:90%}";

/// JSON text safe inside a `<script>` element: no `<` at all, so neither `</script>` nor
/// `<!--` (after which the HTML parser lets a `<script>` swallow the rest of the page) can
/// appear. JSON has `<` only inside strings, where `\u003c` reads back the same.
pub fn script_data(json: &str) -> String {
    json.replace('<', "\\u003c")
}

/// One figure as inline SVG: an image named by its title and described by its caption, whose
/// hidden part is the chart in words.
pub(crate) fn figure_html(figure: &Figure) -> String {
    let Ok(svg) = figure.svg() else {
        return String::new();
    };
    let id = format!("figure-{}", figure.id());
    let svg = svg.replacen(
        "<svg ",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\" aria-describedby=\"{id}\" ",
            escape(figure.title())
        ),
        1,
    );
    let line = figure
        .caption()
        .map_or(String::new(), |c| format!("{} ", escape(c)));
    format!(
        "<figure data-figure=\"{}\">\n{svg}\n<figcaption id=\"{id}\">{line}<span class=\"visually-hidden\">{}</span></figcaption>\n</figure>\n",
        escape(figure.id()),
        escape(&figure.description()),
    )
}

/// The report of `mode` as HTML: each section with the run `run_of` gives it (none: "not run
/// yet"). `site` is the page's address without its hash; the links start with it.
pub fn html<'a>(mode: Mode, site: &str, run_of: impl Fn(&str) -> Option<SectionRun<'a>>) -> String {
    let mut body = String::new();
    let mut data = Vec::new();
    for (part, sections) in parts() {
        body.push_str(&format!("<h2>{}</h2>\n", escape(part)));
        for s in sections {
            let query = mode.query(s);
            let run = run_of(query);
            let job = Job::parse(query).ok().map(|(job, _)| job);
            let found = run
                .zip(job.as_ref())
                .and_then(|(r, job)| finding(job, r.events));
            let (class, line) = match &found {
                Some(f) if f.agrees => (
                    "yes",
                    format!(
                        "<span class=\"mark\">✓ agrees with the reference</span> {}.",
                        escape(&f.text)
                    ),
                ),
                Some(f) => (
                    "no",
                    format!(
                        "<span class=\"mark\">✗ differs from the reference</span> {}.",
                        escape(&f.text)
                    ),
                ),
                None => ("pending", "Not run yet.".to_string()),
            };
            let figures: String = match (run, &job) {
                (Some(run), Some(job)) => {
                    let view = RunView::of_events(run.events.to_vec());
                    figures_of(job, &view).iter().map(figure_html).collect()
                }
                _ => String::new(),
            };
            let link = format!("{site}#{query}");
            body.push_str(&format!(
                "<section data-section=\"{id}\" data-agrees=\"{class}\">\n<h3>{label} · {title}</h3>\n<p><em>{question}</em></p>\n<p>Reference: {reference}.</p>\n<p class=\"{class}\">{line}</p>\n{figures}<p>Reproduce it: <a href=\"{href}\">{text}</a>{backend}</p>\n</section>\n",
                id = s.id,
                label = escape(s.label),
                title = escape(s.title),
                question = escape(s.question),
                reference = escape(s.reference),
                href = escape(&link),
                text = escape(query),
                backend = run.map_or(String::new(), |r| format!(" (ran on the {} backend)", r.backend.id())),
            ));
            data.push(json!({
                "section": s.id,
                "query": query,
                "link": link,
                "finding": found.as_ref().map(|f| &f.text),
                "agrees": found.as_ref().map(|f| f.agrees),
                "backend": run.map(|r| r.backend.id()),
                "build": run.map(|r| r.build),
                "events": run.map(|r| r.events),
            }));
        }
    }
    let data = script_data(&serde_json::to_string(&data).unwrap_or_default());
    let title = match mode {
        Mode::Quick => "Quick",
        Mode::Full => "Full",
    };
    let by = match site {
        "" => "MLDS Playground".to_string(),
        site => format!("<a href=\"{}\">MLDS Playground</a>", escape(site)),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>MLDS Playground report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>MLDS Playground report</h1>\n<p>{title} presets, produced by {by}. The data of every section (its link and every event of its run) is in the <code>report-data</code> block of this file; the report page opens this file again.</p>\n{body}<script type=\"application/json\" id=\"{DATA_ID}\">{data}</script>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlds_core::report::SECTIONS;
    use mlds_core::run_file::report::runs;

    #[test]
    fn with_nothing_run_every_section_waits_and_the_data_block_reads_back_empty() {
        let text = html(Mode::Full, "https://example.org/", |_| None);
        assert_eq!(
            text.matches("<section data-section=").count(),
            SECTIONS.len()
        );
        assert_eq!(text.matches("Not run yet.").count(), SECTIONS.len());
        assert!(!text.contains("<svg"));
        // The links are the full presets', on the given site.
        let link = format!("https://example.org/#{}", escape(SECTIONS[0].full));
        assert!(text.contains(&format!("href=\"{link}\"")), "{link}");
        assert!(text.contains("<a href=\"https://example.org/\">MLDS Playground</a>"));
        assert_eq!(runs(&text).unwrap().len(), 0);
    }

    #[test]
    fn the_data_block_holds_no_markup_whatever_a_run_says() {
        let hostile = "<!--<script></script>-->";
        let events = [Event::Error {
            message: hostile.into(),
        }];
        let mode = Mode::Quick;
        let fit = mode.query(&SECTIONS[0]);
        let text = html(mode, "", |query| {
            (query == fit).then_some(SectionRun {
                events: &events,
                backend: BackendKind::Cpu,
                build: hostile,
            })
        });
        let open = format!("id=\"{DATA_ID}\">");
        let start = text.find(&open).unwrap() + open.len();
        let block = &text[start..start + text[start..].find("</script>").unwrap()];
        assert!(!block.contains('<'), "{block}");
        assert!(text.ends_with("</script>\n</body>\n</html>\n"));
        // Read back, the strings are as they were.
        let run = &runs(&text).unwrap()[0];
        assert_eq!(run.build, hostile);
        assert_eq!(run.events, events);
    }

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }
}
