//! What the `mlds` command's tests share: running it in a folder of their own.

#![allow(dead_code)] // each test file uses its part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn mlds(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlds"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("mlds starts")
}

pub fn ok(args: &[&str], dir: &Path) -> String {
    let out = mlds(args, dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "mlds {args:?}: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// mlds fails, and its error message.
pub fn fails(args: &[&str], dir: &Path) -> String {
    let out = mlds(args, dir);
    assert!(!out.status.success(), "mlds {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A fresh folder for one test.
pub fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
