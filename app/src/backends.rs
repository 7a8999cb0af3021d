//! The two burn backends of the page: WebGPU (initialised once on load) and the CPU fallback.

use burn::tensor::Device;
use mlds_core::BackendKind;
use wasm_bindgen::JsValue;

/// What the page found on load.
#[derive(Clone, Debug)]
pub struct Backends {
    /// The initialised WebGPU device, if the browser has one.
    webgpu: Option<Device>,
    /// Why WebGPU is missing, for the page.
    pub webgpu_error: Option<String>,
}

impl PartialEq for Backends {
    fn eq(&self, other: &Self) -> bool {
        self.webgpu.is_some() == other.webgpu.is_some() && self.webgpu_error == other.webgpu_error
    }
}

impl Backends {
    /// Initialise burn's wgpu runtime on the browser's WebGPU, before any tensor exists.
    pub async fn detect() -> Self {
        let navigator = web_sys::window().map(|w| w.navigator());
        let has_gpu = navigator
            .map(|n| js_sys::Reflect::has(&n, &JsValue::from_str("gpu")).unwrap_or(false))
            .unwrap_or(false);
        if !has_gpu {
            return Self::cpu_only(
                "this browser does not expose WebGPU (navigator.gpu is missing)",
            );
        }
        match Device::wgpu_options().init_async().await {
            Ok(device) => Self {
                webgpu: Some(device),
                webgpu_error: None,
            },
            Err(e) => Self::cpu_only(&format!("WebGPU could not start: {e}")),
        }
    }

    fn cpu_only(reason: &str) -> Self {
        Self {
            webgpu: None,
            webgpu_error: Some(reason.to_string()),
        }
    }

    pub fn webgpu_available(&self) -> bool {
        self.webgpu.is_some()
    }

    /// The device for a resolved backend. Never `Device::default()`: it prefers wgpu even after
    /// a fallback.
    pub fn device(&self, kind: BackendKind) -> Device {
        match (kind, &self.webgpu) {
            (BackendKind::WebGpu, Some(device)) => device.clone(),
            _ => Device::flex(),
        }
    }
}
