//! Training off the page: dedicated Web Workers, loaded once and kept, that run jobs (an
//! experiment's query) and post their events back; a sweep's independent units spread over a
//! pool of them and merge back into one stream (`mlds_core::engine::merge`).

mod ask;
mod code;
mod run;
mod worker;

pub use ask::{parse_dataset, read_file};
pub use mlds_core::engine::placement::{default_pool, Placement};
pub use mlds_protocol::BUILD_ID;
pub use run::WorkerRun;

use crate::url;

/// Fetch and compile the workers' code once the page has loaded, so that neither happens when
/// the first run starts (start-up is paid once, and not on the page's main thread during a
/// run). Nothing to do where runs train on the page.
pub fn prepare() {
    if placement() == Placement::Page {
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

/// Where runs train, from the URL's `workers` on this machine's cores.
pub fn placement() -> Placement {
    Placement::asked(url::params().get("workers").as_deref(), cores()).0
}
