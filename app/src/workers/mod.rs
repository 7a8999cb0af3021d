//! Training off the page: dedicated Web Workers, loaded once and kept, that run jobs (an
//! experiment's query) and post their events back; a sweep's independent units spread over a
//! pool of them and merge back into one stream (`mlds_core::engine::merge`).

mod code;
mod run;
mod worker;

pub use mlds_protocol::BUILD_ID;
pub use run::WorkerRun;
pub use worker::parse_dataset;

use crate::url;

/// Fetch and compile the workers' code once the page has loaded, so that neither happens when
/// the first run starts (start-up is paid once, and not on the page's main thread during a
/// run). Nothing to do where runs train on the page.
pub fn prepare() {
    if Placement::from_url() == Placement::Page {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        // After the first paint and the page's own start-up.
        gloo_timers::future::TimeoutFuture::new(300).await;
        // A failure is reported by the first run that needs the code (it tries again).
        let _ = code::module().await;
    });
}

/// The machine's logical cores, as the browser says (at least 1).
pub fn cores() -> usize {
    web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .filter(|n| n.is_finite() && *n >= 1.0)
        .map_or(1, |n| n as usize)
}

/// Where runs train, from the URL's `workers`: `0` on the page, a number that many workers at
/// most (a WebGPU run always uses one), otherwise (absent or `auto`) the default pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    Page,
    Workers(usize),
}

impl Placement {
    pub fn from_url() -> Self {
        Self::asked(url::params().get("workers").as_deref(), cores()).0
    }

    /// Where `workers=asked` puts runs on a machine of `cores`, and the notice when it asked
    /// for more workers than help: each runs a unit on a core of its own, so beyond twice the
    /// cores they only add start-up and contention (a sweep never starts more than its units).
    pub fn asked(asked: Option<&str>, cores: usize) -> (Self, Option<String>) {
        let most = most_workers(cores);
        match asked.map(str::trim).map(str::parse::<usize>) {
            Some(Ok(0)) => (Self::Page, None),
            Some(Ok(n)) if n > most => (
                Self::Workers(most),
                Some(format!(
                    "workers={n} is more than help on {cores} cores; using {most} (twice the cores)"
                )),
            ),
            Some(Ok(n)) => (Self::Workers(n), None),
            _ => (Self::Workers(default_pool(cores)), None),
        }
    }
}

/// The most workers a run starts: twice the cores.
pub fn most_workers(cores: usize) -> usize {
    2 * cores.max(1)
}

/// One core is left for the page, but never below two workers on a machine with two cores:
/// the page only renders (a few times a second) while workers train, so on a 2-core laptop a
/// second worker nearly doubles a sweep's speed where a core kept for the page would idle.
pub fn default_pool(cores: usize) -> usize {
    cores.saturating_sub(1).max(cores.min(2)).max(1)
}
