#!/usr/bin/env bash
# Refreshes the runtime metadata the client's static code is generated from
# (client/artifacts/verity.scale): starts the built node on a throw-away dev chain, asks it for
# its newest stable metadata and writes the bytes. Run it after any change to the runtime's calls,
# storage, events, errors, constants or runtime APIs, then rebuild the client.
#   scripts/update-metadata.sh                 use $CARGO_TARGET_DIR/debug/verity-node
#   scripts/update-metadata.sh --node PATH     use this verity-node binary
#   scripts/update-metadata.sh --check         compare instead of write (exit 1 when stale)
#
# Why not `state_getMetadata`: it returns metadata V14, which has no runtime APIs, and the client
# calls `InferenceApi`. The newest stable version (V16 at stable2609) comes from the runtime API
# `Metadata_metadata_at_version` through `state_call`; subxt reads the same version from a live node.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

node="${VERITY_NODE:-$CARGO_TARGET_DIR/debug/verity-node}"
out="$VERITY_ROOT/client/artifacts/verity.scale"
check=0
while [ $# -gt 0 ]; do
	case "$1" in
		--node) node="${2:?--node needs a path}"; shift 2 ;;
		--check) check=1; shift ;;
		-h|--help) sed -n '2,9p' "$0"; exit 0 ;;
		*) die "unknown option: $1 (try --help)" ;;
	esac
done
[ -x "$node" ] || die "no node binary at $node (build it: scripts/setup.sh, or cargo build --workspace)"
command -v curl >/dev/null || die "curl is needed"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# A port nothing listens on now, from the range the default dev ports (9944, 30333) stay out of.
free_port() {
	local port
	for _ in $(seq 100); do
		port=$((20000 + RANDOM % 10000))
		port_free "$port" && { echo "$port"; return; }
	done
	die "no free port found on 127.0.0.1"
}
rpc_port="$(free_port)"
p2p_port="$(free_port)"
[ "$p2p_port" != "$rpc_port" ] || p2p_port=$((rpc_port + 1))

# Hex to bytes, with whichever tool the machine has (perl is part of every Debian base system).
unhex() { if command -v xxd >/dev/null; then xxd -r -p; else perl -ne 'print pack("H*", $_)'; fi; }

rpc() { # rpc METHOD PARAMS → the JSON result (or nothing)
	curl -sf -m 10 -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "http://127.0.0.1:$rpc_port" |
		sed -n 's/.*"result":"\(0x[0-9a-fA-F]*\)".*/\1/p'
}

work="$(mktemp -d)"
node_pid=""
cleanup() {
	if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
		kill -INT "$node_pid"
		for _ in $(seq 50); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.2; done
		kill -0 "$node_pid" 2>/dev/null && kill -KILL "$node_pid"
	fi
	rm -rf "$work"
}
trap cleanup EXIT

log "starting $node --dev --tmp (RPC 127.0.0.1:$rpc_port)"
"$node" --dev --tmp --rpc-port "$rpc_port" --listen-addr "/ip4/127.0.0.1/tcp/$p2p_port" \
	--no-prometheus --no-telemetry --no-mdns >"$work/node.log" 2>&1 &
node_pid=$!

versions=""
for _ in $(seq 120); do
	kill -0 "$node_pid" 2>/dev/null || { tail -20 "$work/node.log" >&2; die "the node exited early"; }
	versions="$(rpc state_call '["Metadata_metadata_versions", "0x"]' || true)"
	[ -n "$versions" ] && break
	sleep 0.5
done
[ -n "$versions" ] || die "the node did not answer on 127.0.0.1:$rpc_port"

# compact_len HEX: how many bytes the SCALE compact integer at the start of HEX takes.
compact_len() {
	local first=$((16#${1:0:2}))
	case $((first & 3)) in
		0) echo 1 ;; 1) echo 2 ;; 2) echo 4 ;; 3) echo $(((first >> 2) + 5)) ;;
	esac
}

# Metadata_metadata_versions: Vec<u32>. Take the newest stable one (u32::MAX marks "unstable").
hex="${versions#0x}"
hex="${hex:$((2 * $(compact_len "$hex")))}"
newest=0
while [ -n "$hex" ]; do
	le="${hex:0:8}"
	hex="${hex:8}"
	v=$((16#${le:6:2}${le:4:2}${le:2:2}${le:0:2}))
	[ "$v" != 4294967295 ] && [ "$v" -gt "$newest" ] && newest="$v"
done
[ "$newest" -ge 14 ] || die "the runtime offers no metadata version the client reads"
log "runtime metadata versions up to V$newest; fetching V$newest"

# Metadata_metadata_at_version: Option<OpaqueMetadata> = 0x01 ‖ compact(len) ‖ bytes.
arg="$(printf '0x%02x%02x%02x%02x' $((newest & 255)) $(((newest >> 8) & 255)) $(((newest >> 16) & 255)) $(((newest >> 24) & 255)))"
reply="$(rpc state_call "[\"Metadata_metadata_at_version\", \"$arg\"]")"
hex="${reply#0x}"
[ "${hex:0:2}" = 01 ] || die "the runtime returned no metadata V$newest"
hex="${hex:2}"
hex="${hex:$((2 * $(compact_len "$hex")))}"
[ "${hex:0:8}" = 6d657461 ] || die "the metadata does not start with the \"meta\" magic"
printf '%s' "$hex" | unhex >"$work/verity.scale"

if [ "$check" = 1 ]; then
	cmp -s "$work/verity.scale" "$out" || die "$out is stale: run scripts/update-metadata.sh"
	log "$out is current"
else
	mkdir -p "$(dirname "$out")"
	mv "$work/verity.scale" "$out"
	log "wrote $out ($(wc -c <"$out") bytes, metadata V$newest)"
fi
