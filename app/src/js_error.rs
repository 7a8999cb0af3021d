//! A JavaScript exception or rejection in words: what the page says when a browser call fails.

use wasm_bindgen::{JsCast, JsValue};

/// The error's own message: a thrown string, or an `Error`'s `message`; `None` for anything
/// else (the caller says what failed instead).
pub fn message(e: &JsValue) -> Option<String> {
    e.as_string()
        .or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| e.message().into()))
}

/// [`message`], or the value as debug text.
pub fn describe(e: &JsValue) -> String {
    message(e).unwrap_or_else(|| format!("{e:?}"))
}
