#!/usr/bin/env bash
# A three-validator local network (Alice, Bob, Charlie) on 127.0.0.1.
#   scripts/testnet.sh start    build if needed, start the three nodes in the background
#   scripts/testnet.sh status   which nodes run, their best and finalized blocks
#   scripts/testnet.sh stop     stop the nodes (by the PIDs recorded at start)
#   scripts/testnet.sh logs NAME   follow one node's log (alice, bob, charlie)
# State lives in $VERITY_TESTNET_DIR (default ~/.local/share/verity/testnet); `start --fresh` wipes it.
# Ports: alice p2p 30333 / rpc 9944, bob 30334 / 9945, charlie 30335 / 9946 (VERITY_PORT_OFFSET shifts all).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir="${VERITY_TESTNET_DIR:-$VERITY_HOME/testnet}"
offset="${VERITY_PORT_OFFSET:-0}"
node="${VERITY_NODE:-$CARGO_TARGET_DIR/debug/verity-node}"
validators=(alice bob charlie)
# Fixed libp2p keys (validators must have a stable network identity): Alice's makes her the
# bootnode with a peer id known in advance. Development keys only: never use them on a real network.
node_key() { printf '%064x' $(($(index_of "$1") + 1)); }
alice_peer_id=12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp

index_of() { local i; for i in "${!validators[@]}"; do [ "${validators[$i]}" = "$1" ] && echo "$i"; done; }
p2p_port() { echo $((30333 + offset + $(index_of "$1"))); }
rpc_port() { echo $((9944 + offset + $(index_of "$1"))); }
pid_file() { echo "$dir/$1.pid"; }

running() {
	local pid_file; pid_file=$(pid_file "$1")
	[ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

rpc() { # rpc PORT METHOD [PARAMS]
	curl -sf -m 5 -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":${3:-[]}}" "http://127.0.0.1:$1"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
	[ "${1:-}" = "--fresh" ] && { stop_all; rm -rf "$dir"; }
	if [ "${VERITY_NODE:-}" = "" ]; then
		cargo build --locked -p verity-node --manifest-path "$VERITY_ROOT/Cargo.toml"
	fi
	[ -x "$node" ] || die "no node binary at $node"
	mkdir -p "$dir"
	for name in "${validators[@]}"; do
		if running "$name"; then log "$name already running (pid $(cat "$(pid_file "$name")"))"; continue; fi
		for port in "$(p2p_port "$name")" "$(rpc_port "$name")"; do
			port_free "$port" || die "port $port (for $name) is in use: stop what holds it or set VERITY_PORT_OFFSET"
		done
		local extra=(--node-key "$(node_key "$name")")
		[ "$name" = alice ] || extra+=(--bootnodes "/ip4/127.0.0.1/tcp/$(p2p_port alice)/p2p/$alice_peer_id")
		"$node" --chain local "--$name" --base-path "$dir/$name" \
			--listen-addr "/ip4/127.0.0.1/tcp/$(p2p_port "$name")" --rpc-port "$(rpc_port "$name")" \
			--model-store "$VERITY_MODEL_STORE" --no-prometheus --no-mdns "${extra[@]}" >"$dir/$name.log" 2>&1 &
		echo $! >"$(pid_file "$name")"
		log "$name started: pid $!, rpc http://127.0.0.1:$(rpc_port "$name"), log $dir/$name.log"
	done
}

stop_all() {
	local name pid
	for name in "${validators[@]}"; do
		running "$name" || { rm -f "$(pid_file "$name")"; continue; }
		pid=$(cat "$(pid_file "$name")")
		kill -INT "$pid"
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
		rm -f "$(pid_file "$name")"
		log "$name stopped (pid $pid)"
	done
}

status() {
	local name port best fin
	for name in "${validators[@]}"; do
		port=$(rpc_port "$name")
		if ! running "$name"; then printf '%-8s stopped\n' "$name"; continue; fi
		best=$(rpc "$port" chain_getHeader | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p')
		fin=$(rpc "$port" chain_getHeader "[$(rpc "$port" chain_getFinalizedHead | sed -n 's/.*"result":\("[^"]*"\).*/\1/p')]" \
			| sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p')
		printf '%-8s pid %-7s rpc :%s best #%s finalized #%s\n' "$name" "$(cat "$(pid_file "$name")")" "$port" \
			"$((${best:-0}))" "$((${fin:-0}))"
	done
}

case "${1:-}" in
	start) shift; start "$@" ;;
	stop) stop_all ;;
	status) status ;;
	logs) [ -n "${2:-}" ] && [ -n "$(index_of "$2")" ] || die "usage: $0 logs alice|bob|charlie"; tail -f "$dir/$2.log" ;;
	*) sed -n '2,8p' "$0"; exit 2 ;;
esac
