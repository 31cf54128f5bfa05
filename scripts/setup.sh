#!/usr/bin/env bash
# Installs everything a Verity build needs and checks it. Safe to run again: it only installs what is missing.
#   scripts/setup.sh            system packages, rust targets, model files, then the one workspace build (node, CLI, engine)
#   scripts/setup.sh --no-build skip the build (CI builds in its test step)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

build=1
for arg in "$@"; do
	case "$arg" in
		--no-build) build=0 ;;
		-h|--help) sed -n '2,4p' "$0"; exit 0 ;;
		*) die "unknown option: $arg (try --help)" ;;
	esac
done

# --- Debian packages ---------------------------------------------------------
# protobuf-compiler: litep2p's build script; libssl-dev + pkg-config: openssl-sys with OPENSSL_NO_VENDOR.
packages=(protobuf-compiler libssl-dev pkg-config git curl unzip)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing Debian packages: ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
	log "Debian packages present: ${packages[*]}"
fi

# --- Rust ----------------------------------------------------------------------
command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs)"
# The wasm runtime targets wasm32v1-none; rust-src is the builder's fallback when that target is missing.
installed_targets=$(rustup target list --installed)
grep -qx wasm32v1-none <<<"$installed_targets" || { log "adding rustup target wasm32v1-none"; rustup target add wasm32v1-none; }
rustup component list --installed | grep -q '^rust-src' || { log "adding rustup component rust-src"; rustup component add rust-src; }

# --- Checks ----------------------------------------------------------------------
protoc --version >/dev/null || die "protoc does not run"
pkg-config --exists openssl || die "pkg-config cannot find openssl"
rustup target list --installed | grep -qx wasm32v1-none || die "wasm32v1-none target missing"
log "toolchain: $(rustc --version); protoc: $(protoc --version); target dir: $CARGO_TARGET_DIR"

# --- Models -------------------------------------------------------------------------
if [ -x "$VERITY_ROOT/scripts/fetch-models.sh" ]; then
	"$VERITY_ROOT/scripts/fetch-models.sh"
fi

# --- Build -----------------------------------------------------------------------------
if [ "$build" = 1 ]; then
	log "building the workspace (verity-node, the verity CLI, the engine); a cold build takes about 15 minutes on 2 cores"
	build_workspace
	log "done: run scripts/run-dev.sh to start a development chain"
fi
