//! The page's binary: everything is in the library (`mlds_app`).

use wasm_bindgen::prelude::wasm_bindgen;

fn main() {
    mlds_protocol::run_constructors();
    mlds_app::start_page();
}

/// Panic on the page itself, as a defect in the page's code would: how the browser tests check
/// that the fatal banner shows (the page never calls it). The training code has its own
/// (`mlds-worker`'s `panic_for_tests`).
#[doc(hidden)]
#[wasm_bindgen]
pub fn page_panic_for_tests(reason: &str) {
    panic!("{reason}");
}
