//! The finished report as one self-contained HTML file (`mlds_figures::report`, which
//! `mlds report` writes too): here, from the sections kept on this page.

use std::collections::HashMap;

use mlds_core::report::Mode;
use mlds_figures::report::{html, SectionRun};

use super::store::Kept;
use crate::components::save_text;
use crate::workers::BUILD_ID;

/// The page's address without its hash: links in the file point back at this site.
fn site() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|href| href.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default()
}

/// Download the report of the kept sections of `mode` as `mlds-report.html`.
pub fn download(saved: &HashMap<String, Kept>, mode: Mode) {
    let text = html(mode, &site(), |query| {
        saved.get(query).map(|kept| SectionRun {
            events: &kept.events,
            backend: kept.backend,
            build: BUILD_ID,
        })
    });
    if let Err(e) = save_text("mlds-report.html", "text/html", &text) {
        web_sys::console::warn_2(&"report export failed:".into(), &e);
    }
}
