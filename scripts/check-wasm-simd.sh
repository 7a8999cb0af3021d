#!/usr/bin/env bash
# The worker's wasm (the training code) must carry SIMD128 code (burn's `simd` feature with
# `+simd128`, .cargo/config.toml), and neither shipped wasm file (page, worker) a relaxed-SIMD
# instruction: relaxed SIMD is not in every browser (Safari), and macerator/pulp have emitted it
# before. The page links no burn: whatever SIMD it has is the compiler's own. Disassembled with wabt's
# wasm-objdump (Debian package `wabt`, installed by scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${1:-dist}"
shopt -s nullglob
files=("$dist"/*_bg.wasm)
[ ${#files[@]} -ge 2 ] || { echo "check-wasm-simd: expected the page's and the worker's wasm in $dist/, found ${#files[@]}" >&2; exit 1; }
fail=0
for wasm in "${files[@]}"; do
  listing=$(mktemp)
  wasm-objdump -d "$wasm" > "$listing"
  simd=$(grep -c -E '\b(v128|f32x4|f64x2|i8x16|i16x8|i32x4|i64x2)\.' "$listing" || true)
  relaxed=$(grep -c -i 'relaxed' "$listing" || true)
  rm -f "$listing"
  printf 'check-wasm-simd: %-40s %7d SIMD128 instructions, %d relaxed\n' "$(basename "$wasm")" "$simd" "$relaxed"
  if [ "$simd" -eq 0 ] && [[ "$(basename "$wasm")" == mlds-worker* ]]; then echo "  no SIMD128 code: is burn's simd feature on and +simd128 set?" >&2; fail=1; fi
  if [ "$relaxed" -ne 0 ]; then echo "  relaxed-SIMD instructions found: some browsers cannot run this wasm" >&2; fail=1; fi
done
exit $fail
