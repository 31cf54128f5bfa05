#!/usr/bin/env bash
# The project's test command (CI runs exactly this through .ci/run):
# installs what is missing, fetches the models, then runs every test of the workspace,
# the node tests that start real chains included. Extra arguments go to `cargo test`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$VERITY_ROOT/scripts/setup.sh" --no-build
# The node's tests start the node with its wasm runtime: never skip it here.
unset SKIP_WASM_BUILD

# One build serves set-up, run and tests: the test build must compile test code only, and must
# leave the run build (scripts/run-dev.sh) fresh. Both are checked from cargo's own output.
# The crates cargo compiled, from its "Compiling NAME VERSION [(PATH)]" lines: NAME and, for the
# workspace's own crates, "(PATH".
compiled() { { grep -E '^ *Compiling ' || true; } | awk '{print $2, $4}'; }
log "the run build (scripts/setup.sh, scripts/run-dev.sh)"
build_workspace
log "the test build"
out="$(cargo_locked test --workspace --no-run 2>&1)" || { echo "$out" >&2; exit 1; }
foreign="$(compiled <<<"$out" | awk -v root="($VERITY_ROOT/" 'index($2, root) != 1 {print $1}' | sort -u)"
[ -z "$foreign" ] || die "the test build recompiled dependencies of the run build: $(echo $foreign); \
a dev-dependency or package selection gives them other features (see build_workspace in scripts/lib.sh)"

# Rayon spins on busy cores; tests are about results, not speed.
export RAYON_NUM_THREADS=1
log "cargo test --workspace (target dir $CARGO_TARGET_DIR)"
cargo_locked test --workspace "$@"

out="$(build_workspace 2>&1)" || { echo "$out" >&2; exit 1; }
rebuilt="$(compiled <<<"$out" | awk '{print $1}' | sort -u)"
[ -z "$rebuilt" ] || die "after the tests, scripts/run-dev.sh would compile again: $(echo $rebuilt)"
log "the run build is still fresh after the tests"

# The pallets' benchmarks, run as tests (they compile only with `runtime-benchmarks`), and the
# runtime built as `benchmark pallet` needs it (its tests: integrity and genesis). No wasm: only
# the native runtime runs here; these artifacts have their own features and leave the above alone.
pallets=(-p verity-runtime)
for dir in "$VERITY_ROOT"/pallets/*/; do pallets+=(-p "pallet-verity-$(basename "$dir")"); done
log "with runtime-benchmarks: ${pallets[*]}"
SKIP_WASM_BUILD=1 cargo_locked test "${pallets[@]}" --features runtime-benchmarks "$@"
