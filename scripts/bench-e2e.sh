#!/usr/bin/env bash
# End-to-end latency of verified inference: starts a fresh three-validator network on 127.0.0.1
# with scripts/testnet.sh (its own state directory and ports, so a network you run is never
# touched), runs client/examples/bench_e2e.rs against it, and stops the network, failing or not.
#   scripts/bench-e2e.sh                               all-MiniLM-L6-v2, 20 jobs, 4 at a time
#   scripts/bench-e2e.sh --model risk-mlp --jobs 50    other arguments go to the example
#   scripts/bench-e2e.sh --help                        this text and the example's options
# Ports: testnet.sh's shifted by VERITY_PORT_OFFSET (default 100: Alice's RPC on 10044).
# Raw per-job data: $VERITY_HOME/bench/e2e-<model>.json unless --json is given; the nodes' logs
# of the latest run: $VERITY_HOME/bench/e2e-logs/.
# Needs the models (scripts/fetch-models.sh). docs/PERFORMANCE.md records a run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

example="$CARGO_TARGET_DIR/debug/examples/bench_e2e"
model=all-MiniLM-L6-v2
json_given=false
for ((i = 1; i <= $#; i++)); do
	arg="${!i}"
	case "$arg" in
		-h|--help)
			sed -n '2,11p' "$0"
			if [ -x "$example" ]; then echo; "$example" --help; fi
			exit 0 ;;
		--url|--url=*) die "--url is not taken: this script measures the network it starts (run $example directly for another one)" ;;
		--model) next=$((i + 1)); model="${!next:-}" ;;
		--model=*) model="${arg#--model=}" ;;
		--json|--json=*) json_given=true ;;
	esac
done
json_args=()
if ! $json_given; then
	mkdir -p "$VERITY_HOME/bench"
	json_args=(--json "$VERITY_HOME/bench/e2e-$model.json")
fi

# --- Build (one cargo build at a time on this machine) ------------------------------------------
# The node embeds the wasm runtime it runs, so the wasm build must not be skipped.
log "building the workspace (node, CLI) and the bench_e2e example"
build_workspace
build_workspace --examples
[ -x "$example" ] || die "no example binary at $example"

# --- A fresh network of its own ---------------------------------------------------------------
offset="${VERITY_PORT_OFFSET:-100}"
work="$(mktemp -d "${TMPDIR:-/tmp}/verity-bench-e2e.XXXXXX")"
# testnet.sh reads these; VERITY_NODE also keeps it from building again.
export VERITY_TESTNET_DIR="$work/testnet" VERITY_PORT_OFFSET="$offset"
export VERITY_NODE="$CARGO_TARGET_DIR/debug/verity-node"
# Three nodes share this machine's cores; the engine baseline runs on one thread too.
export RAYON_NUM_THREADS=1
testnet() { "$VERITY_ROOT/scripts/testnet.sh" "$@"; }

# The nodes' logs of the latest run are kept (they show each commit and reveal being sent).
logs="$VERITY_HOME/bench/e2e-logs"
finish() {
	local status=$?
	testnet stop || true
	rm -rf "$logs" && mkdir -p "$logs" && cp "$VERITY_TESTNET_DIR"/*.log "$logs"/ 2>/dev/null || true
	rm -rf "$work"
	log "node logs: $logs"
	exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

log "starting Alice, Bob and Charlie in $VERITY_TESTNET_DIR (port offset $offset)"
testnet start

log "waiting for all three nodes to finalize a block"
finalized_nodes() { (testnet status 2>/dev/null || true) | grep -c 'finalized #[1-9]' || true; }
for attempt in $(seq 90); do
	[ "$(finalized_nodes)" = 3 ] && break
	if (testnet status 2>/dev/null || true) | grep -q stopped; then
		die "a node stopped while starting: $(testnet status 2>/dev/null | grep stopped | tr -s ' ')"
	fi
	[ "$attempt" = 90 ] && die "the network did not finalize a block within 180 s"
	sleep 2
done
testnet status

# --- Measure ------------------------------------------------------------------------------------
log "machine: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
command=("$example" --url "ws://127.0.0.1:$((9944 + offset))" "${json_args[@]}" "$@")
log "${command[*]}"
"${command[@]}"
