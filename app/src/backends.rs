//! What the page knows of the backends: whether the browser offers WebGPU (an adapter), found
//! once on load. The page itself links no burn: a run's device (WebGPU or the CPU backend) is
//! made by the training code that runs it, in a worker or, with `workers=0`, on the page (see
//! `workers`).

use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::js_error::describe;

/// What the page found on load.
#[derive(Clone, Debug, PartialEq)]
pub struct Backends {
    /// The browser gave the page a WebGPU adapter.
    webgpu: bool,
    /// Why WebGPU is missing, for the page.
    pub webgpu_error: Option<String>,
}

impl Backends {
    /// Ask the browser for a WebGPU adapter (`navigator.gpu.requestAdapter()`), without
    /// starting a device: the training code starts its own where it runs.
    pub async fn detect() -> Self {
        let gpu = web_sys::window()
            .map(|w| w.navigator())
            .and_then(|n| Reflect::get(&n, &JsValue::from_str("gpu")).ok())
            .filter(|gpu| !gpu.is_undefined() && !gpu.is_null());
        let Some(gpu) = gpu else {
            return Self::cpu_only(
                "this browser does not expose WebGPU (navigator.gpu is missing)",
            );
        };
        match adapter(&gpu).await {
            Ok(true) => Self {
                webgpu: true,
                webgpu_error: None,
            },
            Ok(false) => Self::cpu_only("WebGPU could not start: no WebGPU adapter was found"),
            Err(e) => Self::cpu_only(&format!("WebGPU could not start: {e}")),
        }
    }

    fn cpu_only(reason: &str) -> Self {
        Self {
            webgpu: false,
            webgpu_error: Some(reason.to_string()),
        }
    }

    pub fn webgpu_available(&self) -> bool {
        self.webgpu
    }
}

/// Whether `gpu.requestAdapter()` gives an adapter (it resolves to `null` where there is none).
async fn adapter(gpu: &JsValue) -> Result<bool, String> {
    let describe = |e: JsValue| describe(&e);
    let request: js_sys::Function = Reflect::get(gpu, &JsValue::from_str("requestAdapter"))
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "navigator.gpu.requestAdapter is not a function".to_string())?;
    let promise: Promise = request
        .call0(gpu)
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "navigator.gpu.requestAdapter() gave no promise".to_string())?;
    let adapter = JsFuture::from(promise).await.map_err(describe)?;
    Ok(!adapter.is_undefined() && !adapter.is_null())
}
