//! The finished report as one self-contained HTML file: every section's question, finding and
//! mark, its figures (the page's canvases as embedded PNGs), a link that reproduces it, and all
//! the data as JSON. It opens offline: no script, no external file.

use std::collections::HashMap;

use mlds_core::report::{finding, parts};
use mlds_core::run_file::report::DATA_ID;
use serde_json::json;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

use super::store::Kept;
use super::Mode;
use crate::components::save_text;
use crate::workers::BUILD_ID;

/// Text safe inside HTML elements and attribute values.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page's address without its hash: links in the file point back at this site.
fn site() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|href| href.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default()
}

/// PNG data URLs of the charts drawn in section `id`.
fn figures(id: &str) -> Vec<String> {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return Vec::new();
    };
    let Ok(canvases) = document.query_selector_all(&format!("[data-section=\"{id}\"] canvas"))
    else {
        return Vec::new();
    };
    (0..canvases.length())
        .filter_map(|i| canvases.item(i)?.dyn_into::<HtmlCanvasElement>().ok())
        .filter_map(|c| c.to_data_url().ok())
        .collect()
}

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}\
h1{margin-bottom:0}section{border-top:1px solid #ccc;margin:1.5em 0;padding-top:.5em}\
.yes .mark{color:#1a7f37}.no .mark{color:#b42318}.pending{color:#666}\
img{max-width:100%;border:1px solid #eee;margin:.3em 0}code{font-size:90%}";

/// The report as HTML, from the kept sections of `mode`.
pub fn html(saved: &HashMap<String, Kept>, mode: Mode) -> String {
    let site = site();
    let mut body = String::new();
    let mut data = Vec::new();
    for (part, sections) in parts() {
        body.push_str(&format!("<h2>{}</h2>\n", escape(part)));
        for s in sections {
            let query = mode.query(s);
            let kept = saved.get(query);
            let found = kept.and_then(|k| finding(s.id, &k.events));
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
            let images: String = kept
                .map(|_| figures(s.id))
                .unwrap_or_default()
                .iter()
                .map(|src| format!("<img alt=\"{} figure\" src=\"{src}\">\n", escape(s.label)))
                .collect();
            let link = format!("{site}#{query}");
            body.push_str(&format!(
                "<section data-section=\"{id}\" data-agrees=\"{agrees}\">\n<h3>{label} · {title}</h3>\n<p><em>{question}</em></p>\n<p>Reference: {reference}.</p>\n<p class=\"{class}\">{line}</p>\n{images}<p>Reproduce it: <a href=\"{href}\">{text}</a>{backend}</p>\n</section>\n",
                id = s.id,
                agrees = match class { "pending" => "pending", c => c },
                label = escape(s.label),
                title = escape(s.title),
                question = escape(s.question),
                reference = escape(s.reference),
                href = escape(&link),
                text = escape(query),
                backend = kept.map_or(String::new(), |k| format!(" (ran on the {} backend)", k.backend.id())),
            ));
            data.push(json!({
                "section": s.id,
                "query": query,
                "link": link,
                "finding": found.as_ref().map(|f| &f.text),
                "agrees": found.as_ref().map(|f| f.agrees),
                "backend": kept.map(|k| k.backend.id()),
                "build": kept.map(|_| BUILD_ID),
                "events": kept.map(|k| &k.events),
            }));
        }
    }
    // `</` cannot end the data block early: JSON allows `<\/`.
    let data = serde_json::to_string(&data)
        .unwrap_or_default()
        .replace("</", "<\\/");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>MLDS Playground report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>MLDS Playground report</h1>\n<p>{mode} presets, produced by <a href=\"{site}\">MLDS Playground</a>. The data of every section (its link and every event of its run) is in the <code>report-data</code> block of this file; the report page opens this file again.</p>\n{body}<script type=\"application/json\" id=\"{DATA_ID}\">{data}</script>\n</body>\n</html>\n",
        mode = match mode { Mode::Quick => "Quick", Mode::Full => "Full" },
        site = escape(&site),
    )
}

/// Download the report as `mlds-report.html`.
pub fn download(saved: &HashMap<String, Kept>, mode: Mode) {
    let text = html(saved, mode);
    if let Err(e) = save_text("mlds-report.html", "text/html", &text) {
        web_sys::console::warn_2(&"report export failed:".into(), &e);
    }
}
