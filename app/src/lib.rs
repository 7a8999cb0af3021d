//! MLDS Playground in the browser: the page (a yew app that renders the events `mlds-core`
//! experiments emit; `src/main.rs`) and its training worker (the `mlds-worker` package, which
//! links burn; the page links none), two binaries on this one library. What both need, the
//! host that runs an experiment in slices and the build's id, lives here once ([`host`],
//! [`workers::BUILD_ID`]).

pub mod app;
pub mod backends;
pub mod components;
pub mod datasets;
pub mod host;
pub mod idb;
pub mod js_error;
pub mod landing;
pub mod panels;
pub mod report;
pub mod run_view;
pub mod url;
pub mod workers;

// cubecl registers its IR with `inventory`, i.e. static constructors. A module that never calls
// `__wasm_call_ctors` itself gets "command" linkage from wasm-ld: every export then reruns all
// constructors first, and wasm-bindgen calls exports for each DOM operation, so rendering and
// training spent most of their time there (hundreds of ms per frame). Calling it once, at the
// start of each binary, makes the linker leave the exports alone (see the `inventory` crate's
// docs on WebAssembly).
#[cfg(target_family = "wasm")]
unsafe extern "C" {
    fn __wasm_call_ctors();
}

/// What each binary does first: run the static constructors, once, before anything uses what
/// they register.
pub fn run_constructors() {
    // SAFETY: the linker-made constructor runner, called once per instance, at its start.
    #[cfg(target_family = "wasm")]
    unsafe {
        __wasm_call_ctors();
    }
}

/// Start the page: the panic banner, then the app.
pub fn start_page() {
    install_panic_hook();
    yew::Renderer::<app::App>::new().render();
}

/// A panic must never leave a blank page: log it, then show it in the page's fatal banner
/// (outside yew's tree, which is gone once the wasm instance aborts).
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let message = format!(
            "The playground hit an internal error and stopped: {info}. Reload the page to start again; \
             the URL keeps your settings."
        );
        if let Some(banner) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("fatal"))
        {
            banner.set_text_content(Some(&message));
            let _ = banner.remove_attribute("hidden");
        }
    }));
}
