//! The training worker's code: its files (under this build's id) and its wasm, fetched and
//! compiled once for every worker the page creates.

use std::cell::RefCell;

use js_sys::{Promise, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::Response;

/// This build's id (see `app/build.rs`): the worker must report the same one.
pub const BUILD_ID: &str = env!("MLDS_BUILD_ID");

/// The worker's first script (`static/worker-loader.js`), next to the page.
pub fn loader_url() -> String {
    format!("./worker-loader.js?v={BUILD_ID}")
}

thread_local! {
    /// The compiled worker module, shared by every worker (a rejected one is forgotten, so a
    /// later run fetches again).
    static MODULE: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

async fn compile() -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let url = format!("./mlds-worker_bg.wasm?v={BUILD_ID}");
    let response: Response = JsFuture::from(window.fetch_with_str(&url))
        .await?
        .dyn_into()?;
    if !response.ok() {
        return Err(format!("its code could not be fetched (HTTP {})", response.status()).into());
    }
    let bytes = JsFuture::from(response.array_buffer()?).await?;
    JsFuture::from(WebAssembly::compile(&bytes)).await
}

/// The worker's `WebAssembly.Module`, compiled on first use.
pub async fn module() -> Result<JsValue, String> {
    let promise = MODULE.with(|m| {
        m.borrow_mut()
            .get_or_insert_with(|| future_to_promise(compile()))
            .clone()
    });
    JsFuture::from(promise).await.map_err(|e| {
        MODULE.with(|m| m.borrow_mut().take());
        e.as_string()
            .or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| e.message().into()))
            .unwrap_or_else(|| "its code could not be compiled".into())
    })
}
