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

# build_engine PROFILE: builds the verity-engine CLI (dev or release), one cargo build at a time
# on this machine, and prints the binary's path.
build_engine() {
	local profile="$1" dir="$1" lock=()
	[ "$profile" = dev ] && dir=debug
	command -v flock >/dev/null && lock=(flock /tmp/verity-cargo.lock)
	"${lock[@]}" cargo build --quiet --locked --profile "$profile" -p verity-engine --bin verity-engine \
		--manifest-path "$VERITY_ROOT/Cargo.toml" >&2
	echo "$CARGO_TARGET_DIR/$dir/verity-engine"
}
