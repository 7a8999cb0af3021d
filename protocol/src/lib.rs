//! What the page (`mlds-app`) and its training worker (`mlds-worker`) share, and nothing more:
//! the messages they exchange, one typed enum each way ([`message`]), the JS shapes of what
//! crosses ([`dataset_js`], [`file_js`]; events in [`message`]), the build's id both report
//! ([`BUILD_ID`]), and the platform glue both binaries need ([`channel`],
//! [`run_constructors`]). No yew and no burn here: the worker depends on this crate, not on the
//! page's.

pub mod channel;
pub mod dataset_js;
pub mod file_js;
pub mod js;
pub mod message;

pub use message::{ToPage, ToWorker};

/// This build's id (see `build.rs`): the page loads the worker's files under it, and the
/// worker must report the same one.
pub const BUILD_ID: &str = env!("MLDS_BUILD_ID");

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
