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

# The pallets' benchmarks, run as tests (they compile only with `runtime-benchmarks`), and the
# runtime built as `benchmark pallet` needs it (its tests: integrity and genesis).
pallets=(-p verity-runtime)
for dir in "$VERITY_ROOT"/pallets/*/; do pallets+=(-p "pallet-verity-$(basename "$dir")"); done
log "with runtime-benchmarks: ${pallets[*]}"
SKIP_WASM_BUILD=1 cargo test --locked --manifest-path "$VERITY_ROOT/Cargo.toml" "${pallets[@]}" \
	--features runtime-benchmarks "$@"
