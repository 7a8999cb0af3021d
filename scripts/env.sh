# Sourced by the scripts: a build cache outside the clone, so fresh clones (CI) reuse it.
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mlds-playground/target}"
export TRUNK_OFFLINE=true
