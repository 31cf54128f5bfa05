# Shared settings for the Verity scripts. Source it; do not run it.
# Builds go to a target directory outside the clone so every clone on this machine reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/verity-target}"
export OPENSSL_NO_VENDOR=1
VERITY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export VERITY_ROOT
# Where fetched model wheels and the default model store live.
export VERITY_HOME="${VERITY_HOME:-$HOME/.local/share/verity}"
# The model store the engine and node read (content-addressed, see docs/ENGINE.md).
export VERITY_MODEL_STORE="${VERITY_MODEL_STORE:-$VERITY_HOME/store}"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs as root directly, otherwise through sudo when available.
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null; then sudo "$@"
	else die "need root to run: $*"; fi
}

# cargo_locked ARGS: runs cargo on the workspace with --locked, one cargo build at a time on this machine.
cargo_locked() {
	local lock=()
	command -v flock >/dev/null && lock=(flock /tmp/verity-cargo.lock)
	"${lock[@]}" cargo "$@" --locked --manifest-path "$VERITY_ROOT/Cargo.toml"
}

# build_workspace [ARGS]: THE build of set-up, run, testnet and the end-to-end scripts. Every one of
# them builds the whole workspace in the dev profile with the same features, so cargo unifies
# dependency features the same way each time and one build serves them all (the node embeds the
# wasm runtime, so its build is never skipped here). `scripts/test.sh` checks that its own test build
# leaves this one fresh; build anything else only in another profile or target dir.
build_workspace() {
	(unset SKIP_WASM_BUILD; cargo_locked build --workspace "$@")
}

# build_engine PROFILE: builds the verity-engine CLI and prints the binary's path. The dev build is
# the workspace build above; release (benchmarks only) builds the engine alone.
build_engine() {
	local profile="$1"
	if [ "$profile" = dev ]; then
		build_workspace >&2
		echo "$CARGO_TARGET_DIR/debug/verity-engine"
	else
		cargo_locked build --quiet --profile "$profile" -p verity-engine --bin verity-engine >&2
		echo "$CARGO_TARGET_DIR/$profile/verity-engine"
	fi
}
