#!/usr/bin/env bash
# Regenerates the Verity pallets' weights.rs from their frame_benchmarking::v2 benchmarks.
#   scripts/bench-weights.sh                 every Verity pallet
#   scripts/bench-weights.sh models          one pallet (models, inference, operators)
#   STEPS=50 REPEAT=20 scripts/bench-weights.sh   more samples (defaults: 10 steps, 5 repeats)
# Builds verity-node with the runtime-benchmarks feature (debug profile, shared target dir).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

steps="${STEPS:-10}"
repeat="${REPEAT:-5}"
pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(models inference operators)

cargo build --locked -p verity-node --features runtime-benchmarks --manifest-path "$VERITY_ROOT/Cargo.toml"
node="$CARGO_TARGET_DIR/debug/verity-node"

for short in "${pallets[@]}"; do
	dir="$VERITY_ROOT/pallets/$short"
	[ -d "$dir" ] || die "no pallet at pallets/$short"
	log "benchmarking pallet_verity_$short ($steps steps, $repeat repeats)"
	"$node" benchmark pallet --chain dev --pallet "pallet_verity_$short" --extrinsic '*' \
		--steps "$steps" --repeat "$repeat" --wasm-execution compiled \
		--template "$VERITY_ROOT/scripts/templates/pallet-weights.hbs" \
		--header "$VERITY_ROOT/scripts/templates/header.txt" \
		--output "$dir/src/weights.rs"
done
log "weights written; review with git diff pallets/*/src/weights.rs"
