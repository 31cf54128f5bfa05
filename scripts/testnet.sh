#!/usr/bin/env bash
# A three-validator local network (Alice, Bob, Charlie) on 127.0.0.1.
#   scripts/testnet.sh start    build if needed, start the three nodes in the background, then register
#                               the models of the store and make every validator serve them; the
#                               model ids the chain gave them are printed and kept in $dir/models
#   scripts/testnet.sh models   the registered models: "name id" per line
#   scripts/testnet.sh status   which nodes run, their best and finalized blocks
#   scripts/testnet.sh stop     stop the nodes (by the PIDs recorded at start)
#   scripts/testnet.sh logs NAME   follow one node's log (alice, bob, charlie, dave)
#   scripts/testnet.sh join     a fourth node, Dave, registers as an operator, sets its session keys, gets
#                               stake delegated by Eve, and becomes a block author after the next sessions
# State lives in $VERITY_TESTNET_DIR (default ~/.local/share/verity/testnet); `start --fresh` wipes it.
# Ports: alice p2p 30333 / rpc 9944, bob 30334 / 9945, charlie 30335 / 9946, dave 30336 / 9947
# (VERITY_PORT_OFFSET shifts all).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir="${VERITY_TESTNET_DIR:-$VERITY_HOME/testnet}"
offset="${VERITY_PORT_OFFSET:-0}"
node="${VERITY_NODE:-$CARGO_TARGET_DIR/debug/verity-node}"
verity="$CARGO_TARGET_DIR/debug/verity"
# The models a fresh network serves (names in the model store; scripts/fetch-models.sh fills it).
models=(risk-mlp all-MiniLM-L6-v2 SmolLM2-135M-Instruct-Q4_1)
validators=(alice bob charlie)
# Every node this script may run: the genesis validators, then Dave (`join`).
nodes=(alice bob charlie dave)
# Fixed libp2p keys (validators must have a stable network identity): Alice's makes her the
# bootnode with a peer id known in advance. Development keys only: never use them on a real network.
node_key() { printf '%064x' $(($(index_of "$1") + 1)); }
alice_peer_id=12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp

index_of() { local i; for i in "${!nodes[@]}"; do [ "${nodes[$i]}" = "$1" ] && echo "$i"; done; }
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
		build_workspace
	fi
	[ -x "$node" ] || die "no node binary at $node"
	mkdir -p "$dir"
	local name
	for name in "${validators[@]}"; do
		start_node "$name" "--$name"
	done
}

# start_node NAME ARGS...: one node in the background, bootstrapping from Alice.
start_node() {
	local name="$1" port; shift
	if running "$name"; then log "$name already running (pid $(cat "$(pid_file "$name")"))"; return 0; fi
	for port in "$(p2p_port "$name")" "$(rpc_port "$name")"; do
		port_free "$port" || die "port $port (for $name) is in use: stop what holds it or set VERITY_PORT_OFFSET"
	done
	local extra=(--node-key "$(node_key "$name")")
	[ "$name" = alice ] || extra+=(--bootnodes "/ip4/127.0.0.1/tcp/$(p2p_port alice)/p2p/$alice_peer_id")
	"$node" --chain local "$@" --base-path "$dir/$name" \
		--listen-addr "/ip4/127.0.0.1/tcp/$(p2p_port "$name")" --rpc-port "$(rpc_port "$name")" \
		--model-store "$VERITY_MODEL_STORE" --no-prometheus --no-mdns "${extra[@]}" >"$dir/$name.log" 2>&1 &
	echo $! >"$(pid_file "$name")"
	log "$name started: pid $!, rpc http://127.0.0.1:$(rpc_port "$name"), log $dir/$name.log"
}

# Dave joins: a fourth node (a validator by role, not yet in the set) whose account registers as
# an operator, sets session keys made by its own node, and gets Eve's delegation; the session
# manager then picks it by stake, and it authors blocks once its session begins.
join() {
	running alice || die "the network is not running: $0 start"
	[ -x "$verity" ] || die "no verity CLI at $verity (scripts/setup.sh builds it)"
	local url="ws://127.0.0.1:$(rpc_port alice)" dave_url="ws://127.0.0.1:$(rpc_port dave)" dave
	dave=$("$node" key inspect //Dave | sed -n 's/.*SS58 Address: *\([0-9A-Za-z]*\).*/\1/p')
	start_node dave --validator --name Dave
	for _ in $(seq 60); do [ -n "$(finalized_number "$(rpc_port dave)")" ] && break; sleep 2; done
	if ! "$verity" --url "$url" --json operator list | grep -q "$dave"; then
		"$verity" --url "$url" --suri //Dave operator register --bond 10000 --commission 5 >/dev/null
		log "Dave ($dave) registered as an operator, 10000 VRT bonded"
	fi
	"$verity" --url "$url" --suri //Dave operator set-keys --keys-from "$dave_url" >/dev/null
	log "Dave's session keys (aura, grandpa, infr) made by its node and set on chain"
	"$verity" --url "$url" --suri //Eve stake delegate "$dave" 250000 >/dev/null
	log "Eve delegated 250000 VRT to Dave; waiting for the session manager to pick him (sessions: 20 blocks)"
	local started=$SECONDS
	until "$verity" --url "$url" --json chain status | grep -q "\"$dave\""; do
		[ $((SECONDS - started)) -lt 300 ] || die "Dave is not a validator after 5 minutes"
		sleep 3
	done
	log "Dave is in the active validator set (after $((SECONDS - started)) s); waiting for his first block"
	until grep -aq "Pre-sealed block for proposal" "$dir/dave.log"; do
		[ $((SECONDS - started)) -lt 420 ] || die "Dave authored no block: see $dir/dave.log"
		sleep 2
	done
	log "Dave authored: $(grep -a "Pre-sealed block for proposal" "$dir/dave.log" | head -1 | sed 's/.*\(block for proposal at [0-9]*\).*/\1/')"
}

# The number of the block node PORT has finalized; empty when it does not answer.
finalized_number() {
	local head number
	head=$(rpc "$1" chain_getFinalizedHead | sed -n 's/.*"result":\("[^"]*"\).*/\1/p') || return 0
	number=$(rpc "$1" chain_getHeader "[$head]" | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p') || return 0
	[ -n "$number" ] && echo $((number))
	return 0
}

# Waits until Alice's node has finalized a block (the network is up).
wait_finalized() {
	local fin
	for _ in $(seq 120); do
		fin=$(finalized_number "$(rpc_port alice)")
		[ "${fin:-0}" -ge 1 ] && return 0
		sleep 2
	done
	die "the network finalized nothing in 4 minutes: see $dir/*.log"
}

# The first model id in the JSON the verity CLI printed on stdin (`model show` and `model register`
# print the model's id before any other "id" key).
first_id() { grep -o '"id": *"0x[0-9a-f]\{64\}"' | head -1 | grep -o '0x[0-9a-f]*'; }

# Registers the store's models (owner Alice, the default spec) unless one registered model already
# runs each, and makes Alice, Bob and Charlie serve them. A model's id is derived from its
# manifest and its spec, so it is read back from the chain and recorded in $dir/models. Safe to
# repeat.
provision() {
	[ -x "$verity" ] || die "no verity CLI at $verity (scripts/setup.sh builds it)"
	local url="ws://127.0.0.1:$(rpc_port alice)" name id ids=()
	wait_finalized
	: >"$dir/models.new"
	for name in "${models[@]}"; do
		[ -n "$(grep -l "\"name\":\"$name\"" "$VERITY_MODEL_STORE"/manifests/*.json 2>/dev/null)" ] \
			|| die "model $name is not in $VERITY_MODEL_STORE: run scripts/fetch-models.sh"
		# By store name: the registered model that runs this manifest, if there is one.
		if ! id=$("$verity" --url "$url" --json model show "$name" 2>/dev/null | first_id); then
			id=$("$verity" --url "$url" --suri //Alice --json model register "$name" | first_id) \
				|| die "could not register $name"
			log "registered $name as $id"
		fi
		ids+=("$id")
		echo "$name $id" >>"$dir/models.new"
	done
	mv "$dir/models.new" "$dir/models"
	for name in "${validators[@]}"; do
		"$verity" --url "$url" --suri "//${name^}" operator set-models "${ids[@]}" >/dev/null \
			|| die "could not make $name serve the models"
	done
	log "alice, bob and charlie serve these models (ids also in $dir/models):"
	sed 's/^/      /' "$dir/models" >&2
	log "try:"
	log "  $verity --url $url --suri //Dave job submit --model all-MiniLM-L6-v2 --text 'This is an example sentence' --wait"
}

stop_all() {
	local name pid
	for name in "${nodes[@]}"; do
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
	for name in "${nodes[@]}"; do
		port=$(rpc_port "$name")
		if ! running "$name"; then [ "$name" = dave ] && continue; printf '%-8s stopped\n' "$name"; continue; fi
		best=$(rpc "$port" chain_getHeader | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p') || true
		fin=$(finalized_number "$port")
		printf '%-8s pid %-7s rpc :%s best #%s finalized #%s\n' "$name" "$(cat "$(pid_file "$name")")" "$port" \
			"$((${best:-0}))" "${fin:-0}"
	done
}

case "${1:-}" in
	start) shift; start "$@"; provision ;;
	provision) provision ;;
	join) join ;;
	stop) stop_all ;;
	status) status ;;
	models) [ -f "$dir/models" ] || die "no models recorded: $0 start (or provision)"; cat "$dir/models" ;;
	logs) [ -n "${2:-}" ] && [ -n "$(index_of "$2")" ] || die "usage: $0 logs alice|bob|charlie|dave"; tail -f "$dir/$2.log" ;;
	*) sed -n '2,14p' "$0"; exit 2 ;;
esac
