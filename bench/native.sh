#!/usr/bin/env bash
# The native `mlds` on burn's CPU backend: E5 at 500 runs (the issue's figure) on every core
# (`--jobs N`, a process per run) vs one core (`--jobs 1`, the whole sweep in one process),
# wall time of each and the scaling ratio; then the whole report (`mlds report`) in full mode,
# its time per section and in all. `--quick`: 50 runs and the quick report; RUNS=… to choose.
# Prints the `mlds` it used; builds it (release) unless MLDS names one.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
runs=${RUNS:-500}
mode=full
[[ " $* " == *" --quick "* ]] && runs=${RUNS:-50} && mode=quick
if [[ -z "${MLDS:-}" ]]; then
  cargo build --release -q -p mlds-cli
  MLDS="$CARGO_TARGET_DIR/release/mlds"
fi
cores=$(nproc)
query="exp=minratio&runs=$runs"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
seconds() { # the wall time of a command, in seconds
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}
echo "== E5 minratio, $runs runs, native CPU backend ($MLDS, $cores cores)"
one=$(seconds "$MLDS" run "$query" --jobs 1 --quiet --out "$out/one.json")
all=$(seconds "$MLDS" run "$query" --jobs "$cores" --quiet --out "$out/all.json")
printf '| one core (--jobs 1) | %.1f s |\n| all %d cores (--jobs %d) | %.1f s |\n' "$one" "$cores" "$cores" "$all"
printf 'scaling: %.2fx on %d cores\n' "$(awk -v a="$one" -v b="$all" 'BEGIN { print a / b }')" "$cores"
echo "== the whole report, $mode mode, native CPU backend (every core)"
start=$(date +%s.%N)
"$MLDS" report --mode "$mode" --backend cpu --out "$out/report.html" 2>&1 | grep -E "done in|^mlds:"
end=$(date +%s.%N)
printf '| whole report, %s mode | %.1f s |\n' "$mode" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
