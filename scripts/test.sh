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
step "clippy (core, the figures and the mlds command natively, the app for wasm32)"
# One invocation each for the native packages: their dependencies' features unify (core's
# `simd`, `mlds`'s serde_json `float_roundtrip`), so burn is checked and built once, not once
# per feature set as separate invocations did.
cargo clippy -p mlds-core -p mlds-kernels -p mlds-figures -p mlds-cli --all-targets -- -D warnings
cargo clippy -p mlds-protocol -p mlds-app -p mlds-worker --target wasm32-unknown-unknown -- -D warnings
step "native tests"
cargo test -p mlds-core -p mlds-kernels -p mlds-figures -p mlds-cli
step "release build"
trunk build --release --offline
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
