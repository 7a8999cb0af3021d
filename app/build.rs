//! Gives every build an id (`MLDS_BUILD_ID`), compiled into the page and its training worker
//! alike: the page loads the worker's files under its own id, so a browser or CDN cache cannot
//! pair a new page with an old worker, and checks the id the worker reports before using it.

use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    println!("cargo:rustc-env=MLDS_BUILD_ID={now:x}");
    // A new id whenever the code (the app's or core's) changes, not on every cargo call.
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=../core/src");
    println!("cargo:rerun-if-changed=Cargo.toml");
}
