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
    replace_hash(format!("#{}", to_query(pairs)));
}

/// Replace the whole hash (`#…`) without adding a history entry.
pub fn replace_hash(hash: String) {
    if hash == read_hash() {
        return;
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash));
    }
}

/// Set (or, with `None`, remove) one parameter of the hash, keeping the others as they are.
pub fn set_param(key: &str, value: Option<&str>) {
    let hash = read_hash();
    let mut parts: Vec<String> = hash
        .trim_start_matches('#')
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(key))
        .map(String::from)
        .collect();
    if let Some(value) = value {
        parts.push(format!("{key}={value}"));
    }
    replace_hash(format!("#{}", parts.join("&")));
}
