//! The page's hash holds the experiment and its parameters, so a link reproduces a run.

use mlds_core::params::{to_query, Params};

pub fn read_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

pub fn params() -> Params {
    Params::parse(&read_hash())
}

/// Replace the hash without adding a history entry (the controls change it on every edit).
pub fn write_hash<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) {
    let hash = format!("#{}", to_query(pairs));
    if hash == read_hash() {
        return;
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash));
    }
}
