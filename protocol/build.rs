//! Gives every build an id (`MLDS_BUILD_ID`), compiled into the page and its training worker
//! alike: the page loads the worker's files under its own id, so a browser or CDN cache cannot
//! pair a new page with an old worker, and checks the id the worker reports before using it.
//!
//! The id is a hash of the code (the page's, the worker's, this protocol's, core's, the
//! manifests and the lock file), not a time: the page and the worker are two packages built by
//! two cargo calls, each of which may run this script, and both must get the same id for the
//! same code.

use std::fs;
use std::path::Path;

/// The code the id stands for, relative to this package.
const INPUTS: [&str; 9] = [
    "src",
    "Cargo.toml",
    "../app/src",
    "../app/Cargo.toml",
    "../core/src",
    "../core/Cargo.toml",
    "../worker/src",
    "../worker/Cargo.toml",
    "../Cargo.lock",
];

/// FNV-1a, 64 bits: the same on every machine and every Rust release.
fn fnv(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= u64::from(b);
        *hash = hash.wrapping_mul(0x100_0000_01b3);
    }
}

/// Every file under `path`, in a fixed order: its path, then its bytes.
fn hash_tree(hash: &mut u64, path: &Path) {
    if path.is_dir() {
        let mut entries: Vec<_> = fs::read_dir(path)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            hash_tree(hash, &entry);
        }
    } else if let Ok(bytes) = fs::read(path) {
        fnv(hash, path.to_string_lossy().as_bytes());
        fnv(hash, &bytes);
    }
}

fn main() {
    let mut hash = 0xcbf2_9ce4_8422_2325;
    for input in INPUTS {
        hash_tree(&mut hash, Path::new(input));
        // A new id whenever the code changes, not on every cargo call.
        println!("cargo:rerun-if-changed={input}");
    }
    println!("cargo:rustc-env=MLDS_BUILD_ID={:x}", hash >> 16);
}
