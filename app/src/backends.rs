//! What the page knows of the backends: whether the browser offers WebGPU (an adapter that
//! gives a device), found once on load. The page itself links no burn: a run's device (WebGPU or the CPU backend) is
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
    /// Ask the browser for a WebGPU adapter (`navigator.gpu.requestAdapter()`) and a device
    /// from it, which is let go at once: the training code starts its own where it runs. An
    /// adapter alone is not enough: a browser can list one and still refuse its device
    /// (blocklisted driver, lost GPU process), and then every run uses the CPU backend from
    /// the start instead of failing when it asks for WebGPU.
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
            Ok(Some(adapter)) => match device(&adapter).await {
                Ok(()) => Self {
                    webgpu: true,
                    webgpu_error: None,
                },
                Err(e) => Self::cpu_only(&format!(
                    "WebGPU could not start: the adapter gave no device ({e})"
                )),
            },
            Ok(None) => Self::cpu_only("WebGPU could not start: no WebGPU adapter was found"),
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

/// `target.name()`'s result, awaited: `name` must be a method that returns a promise.
async fn call_async(target: &JsValue, name: &str, what: &str) -> Result<JsValue, String> {
    let describe = |e: JsValue| describe(&e);
    let method: js_sys::Function = Reflect::get(target, &JsValue::from_str(name))
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| format!("{what}.{name} is not a function"))?;
    let promise: Promise = method
        .call0(target)
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| format!("{what}.{name}() gave no promise"))?;
    JsFuture::from(promise).await.map_err(describe)
}

/// `gpu.requestAdapter()`'s adapter (it resolves to `null` where there is none).
async fn adapter(gpu: &JsValue) -> Result<Option<JsValue>, String> {
    let adapter = call_async(gpu, "requestAdapter", "navigator.gpu").await?;
    Ok((!adapter.is_undefined() && !adapter.is_null()).then_some(adapter))
}

/// Whether the adapter gives a device (`requestDevice()`), destroyed at once.
async fn device(adapter: &JsValue) -> Result<(), String> {
    let device = call_async(adapter, "requestDevice", "the adapter").await?;
    if let Ok(destroy) = Reflect::get(&device, &JsValue::from_str("destroy")) {
        if let Some(destroy) = destroy.dyn_ref::<js_sys::Function>() {
            let _ = destroy.call0(&device);
        }
    }
    Ok(())
}
