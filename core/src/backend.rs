//! Which burn backend a run uses, and how `auto` decides.

use serde::{Deserialize, Serialize};

/// The backend a user asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    /// Let the preset decide (see [`BackendChoice::resolve`]).
    #[default]
    Auto,
    /// burn's wgpu backend on the browser's WebGPU.
    #[serde(rename = "webgpu")]
    WebGpu,
    /// burn's pure-Rust CPU backend (flex).
    Cpu,
}

/// The backend a run actually uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    #[serde(rename = "webgpu")]
    WebGpu,
    Cpu,
}

/// What a preset's models are like, which is what `auto` decides on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// Tiny models (hundreds of parameters): each GPU dispatch costs more than the arithmetic.
    Tiny,
    /// Convolutional or wide models on image batches: the GPU wins.
    Heavy,
}

/// A resolved backend plus, where the request could not be honoured, why.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    pub kind: BackendKind,
    pub notice: Option<String>,
}

impl BackendChoice {
    pub const ALL: [BackendChoice; 3] = [Self::Auto, Self::WebGpu, Self::Cpu];

    pub fn id(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::WebGpu => "webgpu",
            Self::Cpu => "cpu",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == s)
    }

    /// Why `auto` picks what it picks, for the tooltip.
    pub fn auto_reason(workload: Workload) -> &'static str {
        match workload {
            Workload::Tiny => {
                "auto picks the CPU backend here: these models have a few hundred parameters, \
                 so every GPU dispatch costs more than the arithmetic it launches"
            }
            Workload::Heavy => {
                "auto picks WebGPU here: convolutions on image batches keep the GPU busy, \
                 which outruns the CPU by far"
            }
        }
    }

    /// Decide the backend of a run.
    pub fn resolve(self, workload: Workload, webgpu_available: bool) -> Resolution {
        let wanted = match self {
            Self::Cpu => BackendKind::Cpu,
            Self::WebGpu => BackendKind::WebGpu,
            Self::Auto => match workload {
                Workload::Tiny => BackendKind::Cpu,
                Workload::Heavy => BackendKind::WebGpu,
            },
        };
        if wanted == BackendKind::WebGpu && !webgpu_available {
            return Resolution {
                kind: BackendKind::Cpu,
                notice: Some(
                    "WebGPU is not available in this browser, so this run uses the CPU backend."
                        .into(),
                ),
            };
        }
        Resolution {
            kind: wanted,
            notice: None,
        }
    }
}

impl BackendKind {
    pub fn id(self) -> &'static str {
        match self {
            Self::WebGpu => "webgpu",
            Self::Cpu => "cpu",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_prefers_cpu_for_tiny_models_and_gpu_for_heavy_ones() {
        let tiny = BackendChoice::Auto.resolve(Workload::Tiny, true);
        assert_eq!(tiny.kind, BackendKind::Cpu);
        let heavy = BackendChoice::Auto.resolve(Workload::Heavy, true);
        assert_eq!(heavy.kind, BackendKind::WebGpu);
        assert!(heavy.notice.is_none());
    }

    #[test]
    fn webgpu_falls_back_to_cpu_with_a_notice() {
        let r = BackendChoice::WebGpu.resolve(Workload::Tiny, false);
        assert_eq!(r.kind, BackendKind::Cpu);
        assert!(r.notice.unwrap().contains("WebGPU is not available"));
    }

    #[test]
    fn ids_round_trip() {
        for c in BackendChoice::ALL {
            assert_eq!(BackendChoice::parse(c.id()), Some(c));
        }
        assert_eq!(BackendChoice::parse("cuda"), None);
    }
}
