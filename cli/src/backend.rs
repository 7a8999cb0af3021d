//! Which device a run trains on natively: burn's CPU backend (flex), or, in a build with the
//! `gpu` feature, burn's wgpu backend on the machine's GPU (Vulkan, Metal, DX12) — the same
//! kernels the page runs on WebGPU. The query's own `backend=` decides unless `--backend` says.

use burn::tensor::Device;
use mlds_core::job::Job;
use mlds_core::{BackendChoice, BackendKind};

/// `--backend`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendArg {
    /// burn's CPU backend (flex), on every core a sweep's units spread over.
    Cpu,
    /// burn's wgpu backend on a native GPU (needs a build with `--features gpu`).
    Gpu,
    /// The GPU for models that keep one busy, the CPU for tiny ones (as the page's `auto`).
    Auto,
}

impl BackendArg {
    /// The id a unit's process is given.
    pub fn id(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Gpu => "gpu",
            Self::Auto => "auto",
        }
    }
}

/// The backend `job` asks for, `--backend` before the query's own.
fn choice(job: &Job, asked: Option<BackendArg>) -> BackendChoice {
    match asked {
        // E5 computes in f64 on the CPU whatever is asked (`Job::backend` says so).
        _ if matches!(job, Job::MinRatio(_)) => BackendChoice::Cpu,
        Some(BackendArg::Cpu) => BackendChoice::Cpu,
        Some(BackendArg::Gpu) => BackendChoice::WebGpu,
        Some(BackendArg::Auto) => BackendChoice::Auto,
        None => job.backend().1,
    }
}

/// Whether `job` may train on the GPU: then it runs whole in one process (a GPU-bound run
/// gains nothing from several processes on one device), as the page trains it in one worker.
pub fn may_use_gpu(job: &Job, asked: Option<BackendArg>) -> bool {
    cfg!(feature = "gpu")
        && choice(job, asked).resolve(job.backend().0, true).kind != BackendKind::Cpu
}

/// The device `job` runs on and its kind; notices (a fallback) go to stderr. An explicit
/// `--backend gpu` that cannot be had is an error.
pub fn device(job: &Job, asked: Option<BackendArg>) -> Result<(Device, BackendKind), String> {
    let choice = choice(job, asked);
    let workload = job.backend().0;
    if choice.resolve(workload, true).kind == BackendKind::Cpu {
        return Ok((Device::flex(), BackendKind::Cpu));
    }
    match gpu() {
        Ok(device) => Ok((device, BackendKind::WebGpu)),
        Err(why) if choice == BackendChoice::WebGpu => Err(why),
        Err(why) => {
            // A build without the GPU backend has only the CPU to pick: nothing to say.
            if cfg!(feature = "gpu") {
                eprintln!("notice: {why}; this run uses the CPU backend");
            }
            Ok((Device::flex(), BackendKind::Cpu))
        }
    }
}

#[cfg(feature = "gpu")]
fn gpu() -> Result<Device, String> {
    Device::wgpu_options()
        .init()
        .map_err(|e| format!("no GPU could be used ({e})"))
}

#[cfg(not(feature = "gpu"))]
fn gpu() -> Result<Device, String> {
    Err("this mlds was built without its GPU backend (build it with `--features gpu`)".into())
}
