#!/usr/bin/env bash
# The project's test command (CI runs exactly this through .ci/run):
# installs what is missing, fetches the models, then runs every test of the workspace,
# the node tests that start real chains included. Extra arguments go to `cargo test`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$VERITY_ROOT/scripts/setup.sh" --no-build

# Rayon spins on busy cores; tests are about results, not speed.
export RAYON_NUM_THREADS=1
log "cargo test --workspace (target dir $CARGO_TARGET_DIR)"
cargo test --locked --workspace --manifest-path "$VERITY_ROOT/Cargo.toml" "$@"
