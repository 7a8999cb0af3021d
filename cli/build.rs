//! The build id (`MLDS_BUILD`) every run file of this binary carries: units of one run must come
//! from one build (`mlds merge` refuses others), since another build may compute other numbers.
//! The crate version, the git commit and the target; where the sources differ from the commit
//! (or there is no git), also a time stamp, renewed whenever they change.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let target = std::env::var("TARGET").unwrap_or_default();
    let profile = std::env::var("PROFILE").unwrap_or_default();
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    let clean = git(&[
        "status",
        "--porcelain",
        "--",
        "../core/src",
        "src",
        "../Cargo.lock",
    ])
    .is_some_and(|s| s.is_empty());
    let source = match (commit, clean) {
        (Some(commit), true) => commit,
        (commit, _) => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default();
            format!("{}-modified-{now:x}", commit.unwrap_or("nogit".into()))
        }
    };
    println!("cargo:rustc-env=MLDS_BUILD=mlds {version} {source} {target} {profile}");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=../core/src");
    println!("cargo:rerun-if-changed=../Cargo.lock");
}
