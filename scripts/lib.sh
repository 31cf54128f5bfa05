# Shared settings for the Verity scripts. Source it; do not run it.
# Builds go to a target directory outside the clone so every clone on this machine reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/verity-target}"
export OPENSSL_NO_VENDOR=1
VERITY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export VERITY_ROOT
# Where fetched model wheels and the default model store live.
export VERITY_HOME="${VERITY_HOME:-$HOME/.local/share/verity}"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs as root directly, otherwise through sudo when available.
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null; then sudo "$@"
	else die "need root to run: $*"; fi
}
