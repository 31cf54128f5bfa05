//! `BertEmbedding`: a BERT encoder with mean pooling and L2 normalisation, as
//! sentence-transformers runs all-MiniLM-L6-v2.
//!
//! The forward pass is plain Rust over f32 slices rather than candle ops: candle allocates a
//! tensor per op, which at batch 1 (8–16 tokens) cost more than the arithmetic, and its gemm
//! sums in an order that depends on the L1 cache geometry. Here every matmul is
//! [`crate::dense::matmul`] against weights packed once at load (one sequential fma chain per
//! output, see `dense.rs`), the Q, K and V projections are one fused matmul, GELU and softmax use
//! the fixed polynomials of [`crate::dense`], and the reductions of layer norm, pooling and
//! normalisation run in f64 in index order. candle only reads the safetensors.
//!
//! Several texts are encoded as one matrix of all their tokens, unpadded (the linear layers work
//! row by row, attention per text), so a batch gives the same bits as the texts one by one.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use serde::Deserialize;
use tokenizers::{Tokenizer, TruncationParams};

use crate::dense::{gelu_in_place, matmul, softmax_scaled_in_place, PackedMatrix};
use crate::encoding::{decode_text, to_fixed, Output};
use crate::error::{EngineError, Result};
use crate::models::Model;

/// The fields of a Hugging Face BERT `config.json` the forward pass uses.
#[derive(Clone, Debug, Deserialize)]
pub struct BertConfig {
	/// Vocabulary size.
	pub vocab_size: usize,
	/// Width of the hidden states.
	pub hidden_size: usize,
	/// Number of encoder layers.
	pub num_hidden_layers: usize,
	/// Attention heads per layer.
	pub num_attention_heads: usize,
	/// Width of the feed-forward layer.
	pub intermediate_size: usize,
	/// Activation (only `gelu`, the erf form, is supported).
	pub hidden_act: String,
	/// Positions the position embedding covers.
	pub max_position_embeddings: usize,
	/// Token type vocabulary size.
	pub type_vocab_size: usize,
	/// LayerNorm epsilon.
	pub layer_norm_eps: f64,
}

/// LayerNorm over rows of `weight.len()` values.
struct LayerNorm {
	weight: Vec<f32>,
	bias: Vec<f32>,
	eps: f64,
}

impl LayerNorm {
	fn load(vb: VarBuilder, size: usize, eps: f64) -> Result<Self> {
		Ok(LayerNorm {
			weight: values(vb.get(size, "weight")?)?,
			bias: values(vb.get(size, "bias")?)?,
			eps,
		})
	}

	/// In place, row by row: mean and (biased) variance summed in f64 in index order, then
	/// `y = f32((x − mean) / √(var + eps)) · weight + bias` (f32 multiply, then f32 add).
	fn forward(&self, x: &mut [f32]) {
		let h = self.weight.len();
		for row in x.chunks_exact_mut(h) {
			let mean = row.iter().map(|&v| v as f64).sum::<f64>() / h as f64;
			let var =
				row.iter().map(|&v| (v as f64 - mean) * (v as f64 - mean)).sum::<f64>() / h as f64;
			let inv = 1.0 / (var + self.eps).sqrt();
			for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
				*v = (((*v as f64 - mean) * inv) as f32) * w + b;
			}
		}
	}
}

/// `y = x · Wᵀ + b` with `W` packed at load.
struct Linear {
	weight: PackedMatrix,
	bias: Vec<f32>,
}

impl Linear {
	/// From a PyTorch weight `[out, in]` (row-major values) and bias `[out]`.
	fn new(weight: &[f32], bias: Vec<f32>, in_dim: usize) -> Self {
		let out_dim = bias.len();
		Linear { weight: PackedMatrix::from_linear_weight(weight, out_dim, in_dim), bias }
	}

	fn load(vb: VarBuilder, in_dim: usize, out_dim: usize) -> Result<Self> {
		let w = values(vb.get((out_dim, in_dim), "weight")?)?;
		Ok(Linear::new(&w, values(vb.get(out_dim, "bias")?)?, in_dim))
	}

	/// `x: [m, in]` → `y: [m, out]`; the bias is added after the full dot product.
	fn forward(&self, x: &[f32], m: usize, y: &mut [f32]) {
		let (k, n) = (self.weight.k(), self.weight.n());
		matmul(x, k, m, &self.weight, y, n);
		for row in y[..m * n].chunks_exact_mut(n) {
			for (v, b) in row.iter_mut().zip(&self.bias) {
				*v += b;
			}
		}
	}
}

/// A tensor's values in row-major order.
fn values(t: Tensor) -> Result<Vec<f32>> {
	Ok(t.flatten_all()?.to_vec1::<f32>()?)
}

struct Layer {
	qkv: Linear,
	attn_out: Linear,
	attn_norm: LayerNorm,
	intermediate: Linear,
	output: Linear,
	out_norm: LayerNorm,
}

/// A loaded sentence embedder.
pub struct SentenceEmbedder {
	config: BertConfig,
	tokenizer: Tokenizer,
	/// `[vocab, h]`, row-major.
	word_embeddings: Vec<f32>,
	/// `[max_positions, h]`.
	position_embeddings: Vec<f32>,
	/// Token type 0's embedding, `[h]`.
	token_type_row: Vec<f32>,
	embed_norm: LayerNorm,
	layers: Vec<Layer>,
	output_scale: u64,
	max_input_bytes: usize,
}

impl SentenceEmbedder {
	/// Loads from verified file bytes. Inputs are truncated to `max_tokens` tokens (special
	/// tokens included), as sentence-transformers truncates to its `max_seq_length`.
	pub fn load(
		weights: Vec<u8>,
		config: &[u8],
		tokenizer: &[u8],
		max_tokens: usize,
		output_scale: u64,
		max_input_bytes: usize,
	) -> Result<Self> {
		let config: BertConfig = serde_json::from_slice(config)
			.map_err(|e| EngineError::InvalidModel(format!("BERT config: {e}")))?;
		if config.hidden_act != "gelu" {
			return Err(EngineError::Unsupported(format!("activation `{}`", config.hidden_act)));
		}
		if config.num_attention_heads == 0
			|| !config.hidden_size.is_multiple_of(config.num_attention_heads)
		{
			return Err(EngineError::InvalidModel("hidden_size % num_attention_heads != 0".into()));
		}
		if max_tokens > config.max_position_embeddings {
			return Err(EngineError::InvalidModel(format!(
				"max_input_tokens {max_tokens} exceeds the {} positions",
				config.max_position_embeddings
			)));
		}
		let mut tokenizer =
			Tokenizer::from_bytes(tokenizer).map_err(|e| EngineError::Tokenizer(e.to_string()))?;
		tokenizer.with_padding(None);
		tokenizer
			.with_truncation(Some(TruncationParams {
				max_length: max_tokens,
				..Default::default()
			}))
			.map_err(|e| EngineError::Tokenizer(e.to_string()))?;

		let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)
			.map_err(|e| EngineError::InvalidModel(format!("BERT weights: {e}")))?;
		let h = config.hidden_size;
		type Loaded = (Vec<f32>, Vec<f32>, Vec<f32>, LayerNorm, Vec<Layer>);
		let load = || -> Result<Loaded> {
			let e = vb.pp("embeddings");
			let word = values(e.get((config.vocab_size, h), "word_embeddings.weight")?)?;
			let pos =
				values(e.get((config.max_position_embeddings, h), "position_embeddings.weight")?)?;
			let types = e.get((config.type_vocab_size, h), "token_type_embeddings.weight")?;
			let norm = LayerNorm::load(e.pp("LayerNorm"), h, config.layer_norm_eps)?;
			let mut layers = Vec::new();
			for i in 0..config.num_hidden_layers {
				let l = vb.pp(format!("encoder.layer.{i}"));
				let a = l.pp("attention.self");
				// Q, K and V stacked: one [3h, h] weight, one [3h] bias.
				let mut qkv_w = Vec::with_capacity(3 * h * h);
				let mut qkv_b = Vec::with_capacity(3 * h);
				for name in ["query", "key", "value"] {
					qkv_w.extend(values(a.get((h, h), &format!("{name}.weight"))?)?);
					qkv_b.extend(values(a.get(h, &format!("{name}.bias"))?)?);
				}
				layers.push(Layer {
					qkv: Linear::new(&qkv_w, qkv_b, h),
					attn_out: Linear::load(l.pp("attention.output.dense"), h, h)?,
					attn_norm: LayerNorm::load(
						l.pp("attention.output.LayerNorm"),
						h,
						config.layer_norm_eps,
					)?,
					intermediate: Linear::load(
						l.pp("intermediate.dense"),
						h,
						config.intermediate_size,
					)?,
					output: Linear::load(l.pp("output.dense"), config.intermediate_size, h)?,
					out_norm: LayerNorm::load(l.pp("output.LayerNorm"), h, config.layer_norm_eps)?,
				});
			}
			Ok((word, pos, values(types.narrow(0, 0, 1)?)?, norm, layers))
		};
		let (word_embeddings, position_embeddings, token_type_row, embed_norm, layers) = load()
			.map_err(|e| match e {
				EngineError::Candle(e) => EngineError::InvalidModel(format!("BERT weights: {e}")),
				other => other,
			})?;
		Ok(SentenceEmbedder {
			config,
			tokenizer,
			word_embeddings,
			position_embeddings,
			token_type_row,
			embed_norm,
			layers,
			output_scale,
			max_input_bytes,
		})
	}

	/// Embedding width.
	pub fn dim(&self) -> usize {
		self.config.hidden_size
	}

	/// Token ids of `text` ([CLS] … [SEP], truncated).
	pub fn tokenize(&self, text: &str) -> Result<Vec<u32>> {
		let enc =
			self.tokenizer.encode(text, true).map_err(|e| EngineError::Tokenizer(e.to_string()))?;
		Ok(enc.get_ids().to_vec())
	}

	/// The normalised sentence embedding of one text.
	pub fn embed(&self, text: &str) -> Result<Vec<f32>> {
		let ids = self.tokenize(text)?;
		Ok(self.embed_ids(&[ids])?.pop().unwrap_or_default())
	}

	/// Normalised embeddings of several texts, encoded together without padding: the same bits
	/// as [`SentenceEmbedder::embed`] on each text, with better weight reuse.
	pub fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
		let encoded = texts.iter().map(|t| self.tokenize(t)).collect::<Result<Vec<_>>>()?;
		self.embed_ids(&encoded)
	}

	/// Mean pooling and L2 normalisation (torch's `F.normalize`, `x / max(‖x‖₂, 1e-12)`), in
	/// f64 with sums in token and dimension order, rounded to f32 at the end.
	fn embed_ids(&self, seqs: &[Vec<u32>]) -> Result<Vec<Vec<f32>>> {
		let h = self.config.hidden_size;
		let hidden = self.encode(seqs)?;
		let mut out = Vec::with_capacity(seqs.len());
		let mut row = 0;
		for seq in seqs {
			let mut pooled = vec![0f64; h];
			for token in hidden[row * h..(row + seq.len()) * h].chunks_exact(h) {
				for (p, &v) in pooled.iter_mut().zip(token) {
					*p += v as f64;
				}
			}
			row += seq.len();
			let count = seq.len().max(1) as f64;
			pooled.iter_mut().for_each(|p| *p /= count);
			let norm = pooled.iter().map(|p| p * p).sum::<f64>().sqrt().max(1e-12);
			out.push(pooled.iter().map(|p| (p / norm) as f32).collect());
		}
		Ok(out)
	}

	/// The encoder: each token-id sequence → its hidden states, all sequences' rows stacked
	/// (`[Σ lens, h]`, row-major). Linear layers run on all rows at once; attention runs per
	/// sequence and head.
	fn encode(&self, seqs: &[Vec<u32>]) -> Result<Vec<f32>> {
		let c = &self.config;
		let (h, heads) = (c.hidden_size, c.num_attention_heads);
		let head_dim = h / heads;
		let rows: usize = seqs.iter().map(Vec::len).sum();

		// Embeddings: (word + position) + token type 0, then LayerNorm.
		let mut x = Vec::with_capacity(rows * h);
		for seq in seqs {
			if seq.len() > c.max_position_embeddings {
				return Err(EngineError::Tokenizer(format!("{} tokens", seq.len())));
			}
			for (pos, &id) in seq.iter().enumerate() {
				let id = id as usize;
				if id >= c.vocab_size {
					return Err(EngineError::Tokenizer(format!("token id {id} out of range")));
				}
				let word = &self.word_embeddings[id * h..(id + 1) * h];
				let position = &self.position_embeddings[pos * h..(pos + 1) * h];
				x.extend(
					word.iter()
						.zip(position)
						.zip(&self.token_type_row)
						.map(|((w, p), t)| w + p + t),
				);
			}
		}
		self.embed_norm.forward(&mut x);

		let mut qkv = vec![0f32; rows * 3 * h];
		let mut ctx = vec![0f32; rows * h];
		let mut tmp = vec![0f32; rows * h];
		let mut inter = vec![0f32; rows * c.intermediate_size];
		let mut scores = Vec::new();
		let (mut kt, mut v) = (PackedMatrix::default(), PackedMatrix::default());
		let scale = (1.0 / (head_dim as f64).sqrt()) as f32;
		for layer in &self.layers {
			layer.qkv.forward(&x, rows, &mut qkv);
			let mut start = 0;
			for seq in seqs {
				let n = seq.len();
				// Rows of this sequence in `qkv`: [q | k | v], each `h` wide, heads contiguous.
				let base = start * 3 * h;
				let at = |token: usize, part: usize, head: usize, d: usize| {
					qkv[base + token * 3 * h + part * h + head * head_dim + d]
				};
				scores.resize(n * n, 0.0);
				for head in 0..heads {
					// scores = q·kᵀ (k = head_dim), softmax(scores · scale) row by row, then
					// ctx = probs · v (k = n).
					kt.repack(head_dim, n, |d, j| at(j, 1, head, d));
					let q = &qkv[base + head * head_dim..];
					matmul(q, 3 * h, n, &kt, &mut scores, n);
					for row in scores.chunks_exact_mut(n) {
						softmax_scaled_in_place(row, scale);
					}
					v.repack(n, head_dim, |j, d| at(j, 2, head, d));
					matmul(&scores, n, n, &v, &mut ctx[start * h + head * head_dim..], h);
				}
				start += n;
			}
			layer.attn_out.forward(&ctx, rows, &mut tmp);
			add_assign(&mut x, &tmp);
			layer.attn_norm.forward(&mut x);
			layer.intermediate.forward(&x, rows, &mut inter);
			gelu_in_place(&mut inter);
			layer.output.forward(&inter, rows, &mut tmp);
			add_assign(&mut x, &tmp);
			layer.out_norm.forward(&mut x);
		}
		Ok(x)
	}
}

/// The residual connection, `x = y + x` element by element.
fn add_assign(x: &mut [f32], y: &[f32]) {
	for (x, y) in x.iter_mut().zip(y) {
		*x += y;
	}
}

impl Model for SentenceEmbedder {
	fn run(&mut self, input: &[u8]) -> Result<Output> {
		let text = decode_text(input, self.max_input_bytes)?;
		let values = self
			.embed(text)?
			.into_iter()
			.map(|v| to_fixed(v as f64, self.output_scale))
			.collect::<Result<Vec<_>>>()?;
		Ok(Output::Vector { values })
	}
}
