#!/usr/bin/env bash
# The end-to-end proof, on its own: three validators on 127.0.0.1 (temporary state, free ports)
# register the Mlp, MiniLM and SmolLM models, run one job of each replicated on all three with
# quorum two thirds, and settle and finalize the engine's own output; then one validator stops
# and a job still settles with the two left. `scripts/test.sh` runs the same test among the rest.
#   scripts/e2e.sh          (extra arguments go to the test binary, e.g. --nocapture)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$VERITY_ROOT/scripts/setup.sh" --no-build
export RAYON_NUM_THREADS=1
build_workspace
# The same package set as the test command's, so this test build shares its artifacts.
unset SKIP_WASM_BUILD
cargo_locked test --workspace --test chains -- --nocapture three_validators "$@"
