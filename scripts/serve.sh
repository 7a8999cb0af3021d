#!/usr/bin/env bash
# Set up whatever is missing, then serve the app on http://127.0.0.1:8080 (release build:
# the debug build of burn trains too slowly to be fun).
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_BROWSER=0 bash scripts/setup.sh
source scripts/env.sh
exec trunk serve --release --offline "$@"
