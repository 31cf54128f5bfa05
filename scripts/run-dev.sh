#!/usr/bin/env bash
# Builds (if needed) and starts a single-node development chain: Alice authors and finalizes
# blocks, state is thrown away on exit. Extra arguments go to verity-node.
#   scripts/run-dev.sh                 RPC on ws://127.0.0.1:9944
#   scripts/run-dev.sh --rpc-port 9955
set -euo pipefail
source "$(dirname "$0")/lib.sh"

build_workspace
node="$CARGO_TARGET_DIR/debug/verity-node"

rpc_port=9944
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
	[ "${args[$i]}" = "--rpc-port" ] && rpc_port="${args[$((i + 1))]:-9944}"
done

log "starting a development chain; RPC endpoint: ws://127.0.0.1:$rpc_port (also http://127.0.0.1:$rpc_port)"
log "polkadot.js Apps: https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$rpc_port"
exec "$node" --dev --tmp --model-store "$VERITY_MODEL_STORE" "$@"
