//! The training worker's code: its files (under this build's id) and its wasm, fetched and
//! compiled once for every worker the page creates, and, for runs on the page (`workers=0`),
//! loaded onto the page itself, once: its glue script, then an instance of that same compiled
//! module, which serves the page over `MessageChannel` ports as a worker does (the page's own
//! wasm has no training code).

use std::cell::{Cell, RefCell};

use js_sys::{Promise, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::Response;

use mlds_protocol::BUILD_ID;

/// The worker's first script (`static/worker-loader.js`), next to the page.
pub fn loader_url() -> String {
    format!("./worker-loader.js?v={BUILD_ID}")
}

thread_local! {
    /// The compiled worker module, shared by every worker (a rejected one is forgotten, so a
    /// later run fetches again).
    static MODULE: RefCell<Option<Promise>> = const { RefCell::new(None) };
    /// The worker's code running on the page (`workers=0`), once loaded.
    static ON_PAGE: RefCell<Option<Promise>> = const { RefCell::new(None) };
    /// Its glue script has run (it must run once only: it declares a global).
    static GLUE: Cell<bool> = const { Cell::new(false) };
    /// The code on the page has stopped with a panic: that aborts its instance, whose memory
    /// may then be in any state, so no later run is given to it.
    static CRASHED: Cell<bool> = const { Cell::new(false) };
}

/// The training code on the page has panicked (its `crashed` message, which the run it was
/// training reports): later runs on the page are refused until the page is reloaded.
pub fn crashed_on_page() {
    CRASHED.set(true);
}

#[wasm_bindgen]
extern "C" {
    /// The worker's wasm-bindgen glue (no-modules: a global `wasm_bindgen`), once its script
    /// has run on the page: instantiate the compiled module, which runs its `main` (async: a
    /// main thread may not instantiate a module this large synchronously) ...
    #[wasm_bindgen(catch, js_name = wasm_bindgen)]
    fn worker_init(options: &JsValue) -> Result<Promise, JsValue>;
    /// ... then serve the page over a port (`mlds-worker`'s `connect`).
    #[wasm_bindgen(catch, js_namespace = wasm_bindgen, js_name = connect)]
    fn worker_connect(port: &JsValue) -> Result<(), JsValue>;
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

/// What failed in words: the error's own message, or `otherwise`.
fn describe(e: &JsValue, otherwise: &str) -> String {
    crate::js_error::message(e).unwrap_or_else(|| otherwise.into())
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
        describe(&e, "its code could not be compiled")
    })
}

/// Run the worker's glue script (`mlds-worker.js` of this build) on the page.
async fn glue_script() -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let script = document.create_element("script")?;
    let loaded = Promise::new(&mut |resolve, reject| {
        let _ = script.add_event_listener_with_callback("load", &resolve);
        let _ = script.add_event_listener_with_callback("error", &reject);
    });
    script.set_attribute("src", &format!("./mlds-worker.js?v={BUILD_ID}"))?;
    document
        .head()
        .ok_or("no document head")?
        .append_child(&script)?;
    JsFuture::from(loaded)
        .await
        .map_err(|_| JsValue::from_str("its script could not be loaded"))?;
    Ok(())
}

async fn load_on_page() -> Result<JsValue, JsValue> {
    let module = module().await?;
    if !GLUE.get() {
        glue_script().await?;
        GLUE.set(true);
    }
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"module_or_path".into(), &module)?;
    JsFuture::from(worker_init(&options)?).await?;
    Ok(JsValue::UNDEFINED)
}

/// Serve the page over `port` from the worker's code loaded onto the page (loaded on first
/// use; a failed load is forgotten, so a later run tries again).
pub async fn connect_on_page(port: &JsValue) -> Result<(), String> {
    if CRASHED.get() {
        return Err(
            "it stopped with an error in an earlier run; reload the page to train again".into(),
        );
    }
    let promise = ON_PAGE.with(|p| {
        p.borrow_mut()
            .get_or_insert_with(|| future_to_promise(load_on_page()))
            .clone()
    });
    if let Err(e) = JsFuture::from(promise).await {
        ON_PAGE.with(|p| p.borrow_mut().take());
        return Err(describe(&e, "its code could not be loaded"));
    }
    worker_connect(port).map_err(|e| describe(&e, "its code could not be started"))
}
