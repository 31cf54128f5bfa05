//! `LlamaGguf`: a llama-family chat model from a GGUF file, decoded greedily.
//!
//! - The tokenizer is built from the GGUF metadata (`tokenizer.ggml.*`): byte-level BPE with the
//!   pre-tokenizer `Sequence[Digits(individual), ByteLevel]` that SmolLM2's own tokenizer uses
//!   (candle's generic GGUF tokenizer mis-splits digits). Control tokens are special tokens.
//! - The prompt is wrapped in the ChatML template the GGUF declares (`<|im_start|>system …`);
//!   the user's text is tokenised with special tokens treated as plain text, so an input cannot
//!   inject `<|im_end|>` or any other control token.
//! - Decoding is greedy (first maximal logit wins ties) for at most `max_new_tokens` tokens and
//!   stops at the end-of-sequence token or `<|im_end|>`. The prompt is processed in one forward
//!   pass and each new token in its own, always in this order, so the kernels see the same
//!   shapes on every machine.
//! - Only tensor types whose candle kernels are the same on every AVX2+FMA CPU are accepted
//!   (see [`check_tensor_types`]).

use std::io::Cursor;
use std::time::{Duration, Instant};

use candle_core::quantized::{gguf_file, GgmlDType};
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_llama::ModelWeights;
use serde_json::json;
use tokenizers::Tokenizer;

use crate::encoding::{decode_text, FinishReason, Output};
use crate::error::{EngineError, Result};
use crate::models::Model;

/// A loaded GGUF chat model.
pub struct LlamaChat {
	weights: ModelWeights,
	tokenizer: Tokenizer,
	system_prompt: String,
	im_start: u32,
	im_end: u32,
	stop_tokens: Vec<u32>,
	max_prompt_tokens: usize,
	max_new_tokens: usize,
	max_input_bytes: usize,
}

/// Timings of one generation, for benchmarks.
#[derive(Clone, Debug)]
pub struct GenerationTimings {
	/// Prompt tokens processed.
	pub prompt_tokens: usize,
	/// Time of the prompt's forward pass.
	pub prompt: Duration,
	/// New tokens generated.
	pub generated_tokens: usize,
	/// Time of the decode loop (all new tokens).
	pub generation: Duration,
}

/// Refuses tensor types whose CPU kernels differ between AVX2+FMA machines in candle 0.11.1:
/// k-quants (x86 repacking picks AVX-512-VNNI, AVX-VNNI or AVX2 kernels at run time), `Q8_0`
/// matmuls with `k % 256 == 0` (repacked on VNNI CPUs), and f32/f16 matrices with `k > 512`
/// (they go through gemm unchunked). 1-D tensors (norms) may be any float type.
pub fn check_tensor_types(content: &gguf_file::Content) -> Result<()> {
	for (name, info) in &content.tensor_infos {
		let dims = info.shape.dims();
		if dims.len() < 2 {
			continue;
		}
		let k = dims[dims.len() - 1];
		let ok = match info.ggml_dtype {
			GgmlDType::Q4_0 | GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1 => true,
			GgmlDType::Q8_0 => k % 256 != 0,
			GgmlDType::F32 | GgmlDType::F16 => k <= crate::kernels::MAX_K_CHUNK,
			_ => false,
		};
		if !ok {
			return Err(EngineError::Unsupported(format!(
				"tensor `{name}` is {:?} with k = {k}: its CPU kernel is not the same on every \
				 machine of the deterministic profile",
				info.ggml_dtype
			)));
		}
	}
	Ok(())
}

fn md<'a>(content: &'a gguf_file::Content, key: &str) -> Result<&'a gguf_file::Value> {
	content
		.metadata
		.get(key)
		.ok_or_else(|| EngineError::InvalidModel(format!("GGUF metadata lacks `{key}`")))
}

fn md_u32(content: &gguf_file::Content, key: &str) -> Result<u32> {
	md(content, key)?.to_u32().map_err(|e| EngineError::InvalidModel(format!("`{key}`: {e}")))
}

fn md_strings(content: &gguf_file::Content, key: &str) -> Result<Vec<String>> {
	let values = md(content, key)?
		.to_vec()
		.map_err(|e| EngineError::InvalidModel(format!("`{key}`: {e}")))?;
	values
		.iter()
		.map(|v| {
			v.to_string().cloned().map_err(|e| EngineError::InvalidModel(format!("`{key}`: {e}")))
		})
		.collect()
}

/// Builds the byte-level BPE tokenizer from GGUF metadata (`tokenizer.ggml.model = gpt2`).
pub fn tokenizer_from_gguf(content: &gguf_file::Content) -> Result<Tokenizer> {
	let model = md(content, "tokenizer.ggml.model")?
		.to_string()
		.map_err(|e| EngineError::InvalidModel(e.to_string()))?;
	if model != "gpt2" {
		return Err(EngineError::Unsupported(format!("GGUF tokenizer model `{model}`")));
	}
	let tokens = md_strings(content, "tokenizer.ggml.tokens")?;
	let merges = md_strings(content, "tokenizer.ggml.merges")?;
	let types: Vec<i32> = match content.metadata.get("tokenizer.ggml.token_type") {
		Some(v) => v
			.to_vec()
			.map_err(|e| EngineError::InvalidModel(e.to_string()))?
			.iter()
			.map(|t| t.to_i32().unwrap_or(1))
			.collect(),
		None => vec![1; tokens.len()],
	};
	let vocab: serde_json::Map<String, serde_json::Value> =
		tokens.iter().enumerate().map(|(i, t)| (t.clone(), json!(i))).collect();
	// Token type 3 is CONTROL, 4 USER_DEFINED (llama.cpp): both are matched whole.
	let added: Vec<serde_json::Value> = tokens
		.iter()
		.enumerate()
		.filter(|(i, _)| matches!(types.get(*i), Some(3) | Some(4)))
		.map(|(i, t)| {
			json!({
				"id": i, "content": t, "single_word": false, "lstrip": false, "rstrip": false,
				"normalized": false, "special": types.get(i) == Some(&3)
			})
		})
		.collect();
	let spec = json!({
		"version": "1.0",
		"truncation": null,
		"padding": null,
		"added_tokens": added,
		"normalizer": null,
		"pre_tokenizer": {
			"type": "Sequence",
			"pretokenizers": [
				{ "type": "Digits", "individual_digits": true },
				{ "type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true }
			]
		},
		"post_processor": null,
		"decoder": { "type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true },
		"model": {
			"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
			"end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
			"ignore_merges": false, "vocab": vocab, "merges": merges
		}
	});
	let mut tokenizer = Tokenizer::from_bytes(spec.to_string())
		.map_err(|e| EngineError::Tokenizer(e.to_string()))?;
	// User text is never parsed for control tokens.
	tokenizer.set_encode_special_tokens(true);
	Ok(tokenizer)
}

/// The default system prompt of a ChatML template (`<|im_start|>system\n…<|im_end|>`), if any.
fn template_system_prompt(template: &str) -> Option<String> {
	let start = template.find("<|im_start|>system\n")? + "<|im_start|>system\n".len();
	let len = template[start..].find("<|im_end|>")?;
	Some(template[start..start + len].to_string())
}

impl LlamaChat {
	/// Loads from verified GGUF bytes.
	pub fn load(
		gguf: Vec<u8>,
		max_prompt_tokens: usize,
		max_new_tokens: usize,
		max_input_bytes: usize,
	) -> Result<Self> {
		let mut reader = Cursor::new(gguf);
		let content = gguf_file::Content::read(&mut reader)
			.map_err(|e| EngineError::InvalidModel(format!("GGUF: {e}")))?;
		let arch = md(&content, "general.architecture")?
			.to_string()
			.map_err(|e| EngineError::InvalidModel(e.to_string()))?
			.clone();
		if arch != "llama" {
			return Err(EngineError::Unsupported(format!("GGUF architecture `{arch}`")));
		}
		check_tensor_types(&content)?;
		let tokenizer = tokenizer_from_gguf(&content)?;
		let token_id = |t: &str| {
			tokenizer.token_to_id(t).ok_or_else(|| {
				EngineError::Unsupported(format!("no `{t}` token: not a ChatML model"))
			})
		};
		let im_start = token_id("<|im_start|>")?;
		let im_end = token_id("<|im_end|>")?;
		let eos = md_u32(&content, "tokenizer.ggml.eos_token_id")?;
		let mut stop_tokens = vec![eos, im_end];
		if let Some(id) = tokenizer.token_to_id("<|endoftext|>") {
			stop_tokens.push(id);
		}
		stop_tokens.sort_unstable();
		stop_tokens.dedup();
		let system_prompt = content
			.metadata
			.get("tokenizer.chat_template")
			.and_then(|v| v.to_string().ok())
			.and_then(|t| template_system_prompt(t))
			.unwrap_or_default();
		let weights = ModelWeights::from_gguf(content, &mut reader, &Device::Cpu)
			.map_err(|e| EngineError::InvalidModel(format!("GGUF weights: {e}")))?;
		Ok(LlamaChat {
			weights,
			tokenizer,
			system_prompt,
			im_start,
			im_end,
			stop_tokens,
			max_prompt_tokens,
			max_new_tokens,
			max_input_bytes,
		})
	}

	/// The tokenizer (special tokens are not parsed in text).
	pub fn tokenizer(&self) -> &Tokenizer {
		&self.tokenizer
	}

	/// Token ids of plain text.
	pub fn encode_text(&self, text: &str) -> Result<Vec<u32>> {
		let enc = self
			.tokenizer
			.encode(text, false)
			.map_err(|e| EngineError::Tokenizer(e.to_string()))?;
		Ok(enc.get_ids().to_vec())
	}

	/// Token ids of the chat prompt for one user message.
	pub fn chat_prompt(&self, user: &str) -> Result<Vec<u32>> {
		let mut ids = Vec::new();
		let mut turn = |role: &str, content: &str, close: bool| -> Result<()> {
			ids.push(self.im_start);
			ids.extend(self.encode_text(&format!("{role}\n{content}"))?);
			if close {
				ids.push(self.im_end);
				ids.extend(self.encode_text("\n")?);
			}
			Ok(())
		};
		if !self.system_prompt.is_empty() {
			turn("system", &self.system_prompt, true)?;
		}
		turn("user", user, true)?;
		turn("assistant", "", false)?;
		Ok(ids)
	}

	/// Greedy decoding from `prompt` ids: at most `max_new` tokens, stopping at `stop` tokens
	/// (pass none to always generate `max_new`). Returns the new ids (stop token excluded), why
	/// it stopped, and timings.
	pub fn generate_ids(
		&mut self,
		prompt: &[u32],
		max_new: usize,
		stop: &[u32],
	) -> Result<(Vec<u32>, FinishReason, GenerationTimings)> {
		if prompt.is_empty() {
			return Err(EngineError::MalformedInput("empty prompt".into()));
		}
		self.weights.clear_kv_cache();
		let t0 = Instant::now();
		let input = Tensor::new(prompt, &Device::Cpu)?.unsqueeze(0)?;
		let mut logits = self.weights.forward(&input, 0)?;
		let prompt_time = t0.elapsed();
		let t1 = Instant::now();
		let mut out = Vec::new();
		let mut finish = FinishReason::Length;
		while out.len() < max_new {
			let next = argmax(&logits.flatten_all()?.to_vec1::<f32>()?)?;
			if stop.contains(&next) {
				finish = FinishReason::Stop;
				break;
			}
			out.push(next);
			if out.len() == max_new {
				break;
			}
			let input = Tensor::new(&[next], &Device::Cpu)?.unsqueeze(0)?;
			logits = self.weights.forward(&input, prompt.len() + out.len() - 1)?;
		}
		let timings = GenerationTimings {
			prompt_tokens: prompt.len(),
			prompt: prompt_time,
			generated_tokens: out.len(),
			generation: t1.elapsed(),
		};
		Ok((out, finish, timings))
	}

	/// Answers one user message: the canonical generation.
	pub fn chat(&mut self, user: &str) -> Result<Output> {
		let prompt = self.chat_prompt(user)?;
		if prompt.len() > self.max_prompt_tokens {
			return Err(EngineError::PromptTooLong {
				tokens: prompt.len(),
				max: self.max_prompt_tokens,
			});
		}
		let stop = self.stop_tokens.clone();
		let (token_ids, _, _) = self.generate_ids(&prompt, self.max_new_tokens, &stop)?;
		let text = self
			.tokenizer
			.decode(&token_ids, false)
			.map_err(|e| EngineError::Tokenizer(e.to_string()))?;
		Ok(Output::Generation { token_ids, text })
	}
}

/// Index of the largest value; the first one on ties. NaN is an error.
fn argmax(values: &[f32]) -> Result<u32> {
	let mut best: Option<(usize, f32)> = None;
	for (i, &v) in values.iter().enumerate() {
		if v.is_nan() {
			return Err(EngineError::InvalidModel("NaN logit".into()));
		}
		if best.is_none_or(|(_, b)| v > b) {
			best = Some((i, v));
		}
	}
	best.map(|(i, _)| i as u32).ok_or_else(|| EngineError::InvalidModel("empty logits".into()))
}

impl Model for LlamaChat {
	fn run(&mut self, input: &[u8]) -> Result<Output> {
		let text = decode_text(input, self.max_input_bytes)?;
		self.chat(text)
	}
}
