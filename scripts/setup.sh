#!/usr/bin/env bash
# Install whatever this machine lacks to build, serve, test and bench the playground.
# Idempotent: each step checks first. Tools come from the package registries only.
# SETUP_BROWSER=0 (scripts/serve.sh, the Pages workflow): only what building and serving need;
# the default adds what the tests and the bench need (Chromium, Node and the npm tools, wabt).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  log "installing Rust (rustup, stable)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || {
  log "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown; }

# trunk 0.21.14: 0.22 needs a newer rustc; 0.21 only builds with --locked. Without its
# release profile's fat LTO in one codegen unit: trunk only orchestrates (its run is the
# compiler's and wasm-bindgen's), and LTO was most of its compile time on a 2-core machine.
if ! trunk --version 2>/dev/null | grep -q '0\.21\.14'; then
  log "installing trunk 0.21.14 (takes a few minutes)"
  cargo install trunk --version 0.21.14 --locked \
    --config profile.release.lto=false --config profile.release.codegen-units=16
fi

# python3 runs trunk's post_build hook (scripts/externalize-scripts.py).
if ! command -v python3 >/dev/null; then
  log "installing python3 (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y python3 || { apt-get update && apt-get install -y python3; }
fi

# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly (no --locked: the
# registry lacks some versions its own lock file pins).
wb=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$"; then
  log "installing wasm-bindgen-cli $wb (takes ~4 min)"
  cargo install wasm-bindgen-cli --version "$wb"
fi

if [ "${SETUP_BROWSER:-1}" = 1 ]; then
  # wabt's wasm-objdump: the test command checks the shipped wasm for SIMD128 and relaxed
  # SIMD (scripts/check-wasm-simd.sh), the bench that its no-SIMD build has none.
  # GNU time: the native tests read `mlds`'s peak memory with `/usr/bin/time -v`.
  if ! [ -x /usr/bin/time ]; then
    log "installing GNU time (Debian package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y time || { apt-get update && apt-get install -y time; }
  fi
  if ! command -v wasm-objdump >/dev/null; then
    log "installing wabt (Debian package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y wabt || { apt-get update && apt-get install -y wabt; }
  fi
  if ! [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    log "installing Chromium (Debian package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }
  fi
  if ! command -v node >/dev/null; then
    log "installing Node.js"
    apt-get install -y nodejs npm || { apt-get update && apt-get install -y nodejs npm; }
  fi
  for dir in tests/e2e bench; do
    if [ -f "$dir/package.json" ] && ! [ -d "$dir/node_modules" ] || [ "$dir/package.json" -nt "$dir/node_modules" ]; then
      log "npm install in $dir"
      (cd "$dir" && npm install --no-audit --no-fund && touch node_modules)
    fi
  done
fi
log "ready"
