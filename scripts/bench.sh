#!/usr/bin/env bash
# Benchmarks (not tests): E1's training step natively and in headless Chromium on each backend,
# beside TensorFlow.js on the same task in the same browser; wasm size; time to first point;
# then E2's MNIST CNN training throughput (images/s per model) beside TensorFlow.js, and the
# wall time of E3-E10's presets against their goals, a sweep on one worker vs the default pool
# of workers, and the whole quick report per section; natively, E5 at 500 runs on every core vs
# one and the whole full-mode report (bench/native.sh).
# `scripts/bench.sh --quick` runs shorter schedules. The CPU backend is also measured against
# the same commit built without SIMD (dist-nosimd/, bench/simd.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
trunk build --release --offline
echo "== native (burn flex, release build)"
cargo run --release -q -p mlds-core --example fit_probe -- "shapes=1-5-10-10-10-10-10-5-1&epochs=1000" | tail -n 1
# E5 at 500 runs on every core vs one, and the whole full-mode report (`mlds report`), natively
# (`--quick`: 50 runs and the quick report).
bash bench/native.sh "$@"
echo "== headless Chromium"
node bench/bench.mjs "$@"
echo "== E2 training throughput, headless Chromium"
node bench/tasks.mjs "$@"
echo "== E8's widest MLP, CPU backend vs TF.js wasm, headless Chromium"
node bench/mlp.mjs "$@"
echo "== the CPU backend with and without SIMD, headless Chromium (one worker)"
# The same commit without burn's simd feature and without +simd128, in a target folder of its
# own (other flags: it would rebuild the shipped one's dependencies otherwise).
CARGO_TARGET_DIR="$CARGO_TARGET_DIR-nosimd" \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=-simd128" \
  trunk build --release --offline --no-default-features --dist dist-nosimd
# The comparison is only one if that build really has no SIMD in it.
for wasm in dist-nosimd/*.wasm; do
  if wasm-objdump -d "$wasm" | grep -q -E 'v128|f32x4|i32x4'; then
    echo "$wasm holds SIMD instructions: the comparison build is not one without SIMD" >&2
    exit 1
  fi
done
node bench/simd.mjs "$@"
echo "== E3-E10 presets, headless Chromium (CPU backend)"
node bench/presets.mjs "$@"
echo "== a sweep on one worker vs the default pool, headless Chromium (CPU backend)"
node bench/pool.mjs "$@"
echo "== main-thread long tasks over every default preset, headless Chromium (CPU backend)"
node bench/longtasks.mjs
if [[ " $* " != *" --quick "* ]]; then
  echo "== the whole quick report, headless Chromium (CPU backend)"
  node bench/report.mjs
fi
