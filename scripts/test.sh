#!/usr/bin/env bash
# Set up whatever is missing, then run every check: formatting, the docs' relative links,
# clippy, native tests, the release build and the browser tests (CPU fallback and WebGPU on
# SwiftShader).
# STRESS=1 runs the browser tests with a busy process on one core.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
bash scripts/setup.sh
source scripts/env.sh

# Each step's heading, after the time the one before it took (docs/dev/testing.md's table
# of cold and warm times comes from these lines).
last=$started
last_name="setup"
step() {
  printf '\n\033[1;34m== %s\033[0m (%s took %d s)\n' "$*" "$last_name" $((SECONDS - last))
  last=$SECONDS
  last_name=$*
}

step "cargo fmt --check"
cargo fmt --all -- --check
step "relative links and anchors in README and docs/"
node scripts/check-links.mjs --self-test
node scripts/check-links.mjs
step "architecture: no import circle between modules, no yew in the training worker"
python3 scripts/check-imports.py --self-test
python3 scripts/check-imports.py
# The tree first, then the search: piped into `grep -q`, a found match could end `cargo tree`
# by SIGPIPE and pipefail would read that as "not found"; a failing `cargo tree` stops here.
worker_tree=$(cargo tree -p mlds-worker --target wasm32-unknown-unknown -e normal)
page_tree=$(cargo tree -p mlds-app --target wasm32-unknown-unknown -e normal)
grep -q ' yew ' <<<"$page_tree" || { echo "the yew check finds no yew in mlds-app either: it checks nothing"; exit 1; }
if grep -q ' yew ' <<<"$worker_tree"; then
  echo "mlds-worker depends on yew (it must depend on mlds-protocol, not on the page's mlds-app)"
  exit 1
fi
# Clippy lints while the tests and the release site build, not in check builds of its own:
# clippy-driver wraps rustc for this workspace's crates (what `cargo clippy` does), so the
# dependencies compile once per target (debug native, release wasm32) instead of twice (a
# check build each besides). Same lints, same `-D warnings`; the wasm32 build lints every
# workspace crate it compiles (the page, the worker, the protocol, core as the worker builds it).
lint() {
  RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)" \
    CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" "$@"
}
# Self-test: a crate with a lint in it must fail to build this way (the check checks).
probe=$(mktemp -d)
mkdir "$probe/src"
printf '[package]\nname = "lint-probe"\nversion = "0.0.0"\nedition = "2021"\n[workspace]\n' >"$probe/Cargo.toml"
echo 'pub fn length(bytes: &Vec<u8>) -> usize { bytes.len() }' >"$probe/src/lib.rs"
if CARGO_TARGET_DIR="$probe/target" lint cargo build --offline --quiet --manifest-path "$probe/Cargo.toml" 2>/dev/null; then
  echo "clippy-driver as the workspace wrapper let a lint through: the lint steps check nothing"
  exit 1
fi
rm -rf "$probe"
step "clippy and native tests (core, kernels, the figures and the mlds command, all targets)"
# One invocation for the native packages: their dependencies' features unify (core's `simd`,
# `mlds`'s serde_json `float_roundtrip`), so burn is built once, not once per feature set.
# `cargo test` builds every target clippy's `--all-targets` checks (libraries, binaries,
# tests, examples; there are no benches).
lint cargo test -p mlds-core -p mlds-kernels -p mlds-figures -p mlds-cli
step "clippy and the release build (the page and the worker for wasm32)"
lint trunk build --release --offline
step "SIMD128 in the worker's wasm, no relaxed SIMD in either wasm file"
bash scripts/check-wasm-simd.sh dist
# STRESS=1: the browser tests under load, a busy process on one core (the tests wait for
# states the page exposes, never for a time, so they must hold on a slower machine too).
if [ "${STRESS:-0}" = 1 ]; then
  step "browser tests, under load (a busy loop on one core)"
  ( while :; do :; done ) &
  load=$!
  trap 'kill "$load" 2>/dev/null' EXIT
else
  step "browser tests"
fi
(cd tests/e2e && npm test)
printf '\n%s took %d s; the whole command %d s\n' "$last_name" $((SECONDS - last)) $((SECONDS - started))
