//! `BertEmbedding`: a BERT encoder with mean pooling and L2 normalisation, as
//! sentence-transformers runs all-MiniLM-L6-v2.
//!
//! The forward pass is written here rather than taken from `candle_transformers::models::bert`
//! so that every linear layer is a [`DetLinear`] (the 1536 → 384 output projection is a matmul
//! with k = 1536) and the Q, K and V projections run as one fused matmul.

use candle_core::{DType, Device, Module, Tensor, D};
use candle_nn::VarBuilder;
use serde::Deserialize;
use tokenizers::{Tokenizer, TruncationParams};

use crate::encoding::{decode_text, to_fixed, Output};
use crate::error::{EngineError, Result};
use crate::kernels::DetLinear;
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

struct LayerNorm {
	weight: Tensor,
	bias: Tensor,
	eps: f32,
}

impl LayerNorm {
	fn load(vb: VarBuilder, size: usize, eps: f64) -> Result<Self> {
		Ok(LayerNorm {
			weight: vb.get(size, "weight")?,
			bias: vb.get(size, "bias")?,
			eps: eps as f32,
		})
	}

	fn forward(&self, x: &Tensor) -> Result<Tensor> {
		Ok(candle_nn::ops::layer_norm(&x.contiguous()?, &self.weight, &self.bias, self.eps)?)
	}
}

fn linear(vb: VarBuilder, in_dim: usize, out_dim: usize) -> Result<DetLinear> {
	let w = vb.get((out_dim, in_dim), "weight")?;
	let b = vb.get(out_dim, "bias")?;
	DetLinear::new(w, Some(b))
}

struct Layer {
	qkv: DetLinear,
	attn_out: DetLinear,
	attn_norm: LayerNorm,
	intermediate: DetLinear,
	output: DetLinear,
	out_norm: LayerNorm,
}

/// A loaded sentence embedder.
pub struct SentenceEmbedder {
	config: BertConfig,
	tokenizer: Tokenizer,
	word_embeddings: Tensor,
	position_embeddings: Tensor,
	token_type_row: Tensor,
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
		if config.num_attention_heads == 0 || config.hidden_size % config.num_attention_heads != 0 {
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
		let load = || -> Result<(Tensor, Tensor, Tensor, LayerNorm, Vec<Layer>)> {
			let e = vb.pp("embeddings");
			let word = e.get((config.vocab_size, h), "word_embeddings.weight")?;
			let pos = e.get((config.max_position_embeddings, h), "position_embeddings.weight")?;
			let types = e.get((config.type_vocab_size, h), "token_type_embeddings.weight")?;
			let norm = LayerNorm::load(e.pp("LayerNorm"), h, config.layer_norm_eps)?;
			let mut layers = Vec::new();
			for i in 0..config.num_hidden_layers {
				let l = vb.pp(format!("encoder.layer.{i}"));
				let a = l.pp("attention.self");
				let qkv_w = Tensor::cat(
					&[
						a.get((h, h), "query.weight")?,
						a.get((h, h), "key.weight")?,
						a.get((h, h), "value.weight")?,
					],
					0,
				)?;
				let qkv_b = Tensor::cat(
					&[a.get(h, "query.bias")?, a.get(h, "key.bias")?, a.get(h, "value.bias")?],
					0,
				)?;
				layers.push(Layer {
					qkv: DetLinear::new(qkv_w, Some(qkv_b))?,
					attn_out: linear(l.pp("attention.output.dense"), h, h)?,
					attn_norm: LayerNorm::load(
						l.pp("attention.output.LayerNorm"),
						h,
						config.layer_norm_eps,
					)?,
					intermediate: linear(l.pp("intermediate.dense"), h, config.intermediate_size)?,
					output: linear(l.pp("output.dense"), config.intermediate_size, h)?,
					out_norm: LayerNorm::load(l.pp("output.LayerNorm"), h, config.layer_norm_eps)?,
				});
			}
			Ok((word, pos, types.narrow(0, 0, 1)?, norm, layers))
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
		let n = ids.len();
		let ids = Tensor::from_vec(ids, (1, n), &Device::Cpu)?;
		let hidden = self.encode(&ids, None)?; // [1, n, h]
		let pooled = hidden.mean(1)?; // [1, h]
		Ok(l2_normalize(&pooled)?.flatten_all()?.to_vec1::<f32>()?)
	}

	/// Normalised embeddings of several texts in one padded batch (as sentence-transformers
	/// batches them). Padding changes the float bits, so batched results are for throughput,
	/// never for the chain; [`SentenceEmbedder::embed`] is the canonical path.
	pub fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
		let encoded = texts.iter().map(|t| self.tokenize(t)).collect::<Result<Vec<_>>>()?;
		let b = encoded.len();
		let len = encoded.iter().map(Vec::len).max().unwrap_or(0);
		if b == 0 || len == 0 {
			return Ok(vec![]);
		}
		let mut ids = vec![0u32; b * len];
		let mut mask = vec![0f32; b * len];
		for (row, toks) in encoded.iter().enumerate() {
			ids[row * len..row * len + toks.len()].copy_from_slice(toks);
			mask[row * len..row * len + toks.len()].iter_mut().for_each(|m| *m = 1.0);
		}
		let ids = Tensor::from_vec(ids, (b, len), &Device::Cpu)?;
		let mask = Tensor::from_vec(mask, (b, len), &Device::Cpu)?;
		let hidden = self.encode(&ids, Some(&mask))?; // [b, len, h]
		let summed = hidden.broadcast_mul(&mask.unsqueeze(2)?)?.sum(1)?; // [b, h]
		let counts = mask.sum_keepdim(1)?.clamp(1e-9, f32::MAX)?; // [b, 1]
		let pooled = summed.broadcast_div(&counts)?;
		let normed = l2_normalize(&pooled)?;
		Ok(normed.to_vec2::<f32>()?)
	}

	/// The encoder: token ids `[b, n]` → hidden states `[b, n, h]`. `mask` is `[b, n]` with 1
	/// for real tokens and 0 for padding.
	fn encode(&self, ids: &Tensor, mask: Option<&Tensor>) -> Result<Tensor> {
		let (b, n) = ids.dims2()?;
		let h = self.config.hidden_size;
		let heads = self.config.num_attention_heads;
		let head_dim = h / heads;
		let words =
			self.word_embeddings.index_select(&ids.flatten_all()?, 0)?.reshape((b, n, h))?;
		let positions = self.position_embeddings.narrow(0, 0, n)?;
		let x = words.broadcast_add(&positions)?.broadcast_add(&self.token_type_row)?;
		let mut x = self.embed_norm.forward(&x)?;
		// Additive attention bias: 0 for real tokens, f32::MIN for padding (as transformers).
		let bias = match mask {
			None => None,
			Some(mask) => {
				Some(((mask.ones_like()? - mask)? * f32::MIN as f64)?.reshape((b, 1, 1, n))?)
			}
		};
		let scale = 1.0 / (head_dim as f64).sqrt();
		for layer in &self.layers {
			let qkv = layer.qkv.forward(&x)?; // [b, n, 3h]
			let split = |i: usize| -> Result<Tensor> {
				Ok(qkv
					.narrow(2, i * h, h)?
					.reshape((b, n, heads, head_dim))?
					.transpose(1, 2)?
					.contiguous()?)
			};
			let (q, k, v) = (split(0)?, split(1)?, split(2)?);
			let mut scores = (q.matmul(&k.t()?)? * scale)?; // [b, heads, n, n]
			if let Some(bias) = &bias {
				scores = scores.broadcast_add(bias)?;
			}
			let probs = candle_nn::ops::softmax_last_dim(&scores)?;
			let ctx = probs.matmul(&v)?.transpose(1, 2)?.reshape((b, n, h))?;
			let attn = layer.attn_out.forward(&ctx)?;
			x = layer.attn_norm.forward(&(attn + &x)?)?;
			let inter = layer.intermediate.forward(&x)?.gelu_erf()?;
			let out = layer.output.forward(&inter)?;
			x = layer.out_norm.forward(&(out + &x)?)?;
		}
		Ok(x)
	}
}

/// `x / max(‖x‖₂, 1e-12)` along the last dimension (torch's `F.normalize`).
fn l2_normalize(x: &Tensor) -> Result<Tensor> {
	let norm = x.sqr()?.sum_keepdim(D::Minus1)?.sqrt()?.clamp(1e-12, f32::MAX)?;
	Ok(x.broadcast_div(&norm)?)
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
