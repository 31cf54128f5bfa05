//! Reading a job's result: the bytes the winning operators agreed on, decoded by the model's
//! architecture (see `verity_engine::encoding` for the layouts).
//!
//! - An **empty** result is the operators' attestation that the engine rejected the input
//!   ([`DecodedOutput::InputRejected`]).
//! - A vector (Mlp scores, BERT embeddings) is the element-wise median of the winning group
//!   under `Tolerance`, or its common bytes under `Exact`.
//! - A generation (LlamaGguf, `TokenMatch`) settles only its token ids: text an operator
//!   appended is not compared, so it is never trusted. The client derives the text from the
//!   ids with the model's own tokenizer ([`detokenize`]) when the model is in the local store,
//!   found by its manifest digest; otherwise it shows the ids and says the text needs the model.

use std::path::Path;

use serde::Serialize;
use verity_engine::{Manifest, ModelStore, Output, OutputKind};

use crate::{error::ClientError, models::Architecture, ModelId};

/// How many leading values of an embedding are shown.
pub const EMBEDDING_PREVIEW: usize = 8;

/// A decoded output.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecodedOutput {
	/// An Mlp's scores (e.g. a probability), as reals.
	Scores {
		/// The values, `fixed / scale`.
		values: Vec<f64>,
		/// The fixed-point scale used.
		scale: u64,
	},
	/// A sentence embedding: its size and leading values.
	Embedding {
		/// Its number of dimensions.
		dimensions: usize,
		/// The first [`EMBEDDING_PREVIEW`] values, `fixed / scale`.
		first: Vec<f64>,
		/// The fixed-point scale used.
		scale: u64,
	},
	/// A greedy generation: its token ids, and their text when the client could derive it.
	Generation {
		/// The new token ids (what the operators agreed on).
		token_ids: Vec<u32>,
		/// Their text, decoded by this client with the model's tokenizer; `None` when it could
		/// not be (see `note`).
		text: Option<String>,
		/// Why there is no text.
		#[serde(skip_serializing_if = "Option::is_none")]
		note: Option<String>,
	},
	/// The operators attested that the engine rejected the input (the empty result): text that
	/// is not UTF-8, a prompt past the model's context, a feature vector of the wrong length.
	InputRejected,
	/// Bytes this client cannot decode (unknown architecture or malformed output).
	Undecoded {
		/// Why.
		reason: String,
	},
}

/// Decodes a settled `output` as `architecture` writes it. `output_scale` is the model's
/// fixed-point scale (in its manifest, not on chain); `None` uses the engine's default, `10⁸`.
/// A generation's text is left out (`text: None`): only its token ids are settled, and any
/// bytes after them are ignored; [`decode_result`] derives the text from the local store.
pub fn decode_output(
	architecture: &Architecture,
	output: &[u8],
	output_scale: Option<u64>,
) -> DecodedOutput {
	if output.is_empty() {
		return DecodedOutput::InputRejected;
	}
	let scale = output_scale.unwrap_or(verity_engine::manifest::DEFAULT_SCALE);
	let kind = match architecture {
		Architecture::Mlp | Architecture::BertEmbedding => OutputKind::Vector,
		Architecture::LlamaGguf => OutputKind::Generation,
		Architecture::Other(name) => {
			return DecodedOutput::Undecoded {
				reason: format!("this client does not know the architecture `{name}`"),
			}
		}
	};
	// Only a generation's token-id prefix is settled; anything after it is not looked at.
	let settled = match kind {
		OutputKind::Generation => generation_prefix(output).unwrap_or(output),
		OutputKind::Vector => output,
	};
	match Output::from_bytes(kind, settled) {
		Ok(Output::Vector { values }) => {
			let reals = values.iter().map(|v| f64::from(*v) / scale as f64);
			if *architecture == Architecture::Mlp {
				DecodedOutput::Scores { values: reals.collect(), scale }
			} else {
				DecodedOutput::Embedding {
					dimensions: values.len(),
					first: reals.take(EMBEDDING_PREVIEW).collect(),
					scale,
				}
			}
		}
		Ok(Output::Generation { token_ids, .. }) => DecodedOutput::Generation {
			token_ids,
			text: None,
			note: Some("the text is derived from the token ids with the model's tokenizer".into()),
		},
		Err(e) => DecodedOutput::Undecoded { reason: e.to_string() },
	}
}

/// The `u32le n ‖ n × u32le` token-id prefix of a generation, if `output` holds one.
fn generation_prefix(output: &[u8]) -> Option<&[u8]> {
	let count: [u8; 4] = output.get(..4)?.try_into().ok()?;
	let end = (u32::from_le_bytes(count) as usize).checked_mul(4)?.checked_add(4)?;
	output.get(..end)
}

/// Decodes a settled `output` of a model of `architecture` running the manifest with digest
/// `manifest`, using the local store at `store_dir` when it has that manifest: its output
/// scale for vectors, its tokenizer for a generation's text.
pub fn decode_result(
	architecture: &Architecture,
	manifest: &ModelId,
	output: &[u8],
	store_dir: &Path,
) -> DecodedOutput {
	let local = crate::models::local_manifest(store_dir, manifest);
	let scale = local.as_ref().and_then(|m| m.numerics.output_scale);
	let mut decoded = decode_output(architecture, output, scale);
	if let DecodedOutput::Generation { token_ids, text, note } = &mut decoded {
		match &local {
			Some(local) => match detokenize(store_dir, local, token_ids) {
				Ok(decoded_text) => {
					*text = Some(decoded_text);
					*note = None;
				}
				Err(e) => *note = Some(format!("the text could not be derived: {e}")),
			},
			None => {
				*note = Some(format!(
					"the text needs the model locally: manifest {manifest:?} is not in the model \
					 store {} (scripts/fetch-models.sh, or pass --store)",
					store_dir.display()
				))
			}
		}
	}
	decoded
}

/// The text of generated `token_ids`, decoded as the engine decodes a generation
/// (`verity_engine::models::llama`: the GGUF's byte-level BPE tokenizer, special tokens kept)
/// from the weights of `manifest` in the store at `store_dir` (checked against their digest).
pub fn detokenize(
	store_dir: &Path,
	manifest: &Manifest,
	token_ids: &[u32],
) -> Result<String, ClientError> {
	let store_error =
		|reason: String| ClientError::ModelStore { store: store_dir.display().to_string(), reason };
	if manifest.architecture != verity_engine::Architecture::LlamaGguf {
		return Err(store_error(format!(
			"{} is a {} model, not a generator",
			manifest.name,
			manifest.architecture.as_str()
		)));
	}
	let store = ModelStore::open(store_dir).map_err(|e| store_error(e.to_string()))?;
	let entry = manifest.file("weights").map_err(|e| store_error(e.to_string()))?;
	let gguf = store.read_file("weights", entry).map_err(|e| store_error(e.to_string()))?;
	let content =
		candle_core::quantized::gguf_file::Content::read(&mut std::io::Cursor::new(&gguf))
			.map_err(|e| store_error(format!("GGUF of {}: {e}", manifest.name)))?;
	let tokenizer = verity_engine::models::llama::tokenizer_from_gguf(&content)
		.map_err(|e| store_error(e.to_string()))?;
	tokenizer
		.decode(token_ids, false)
		.map_err(|e| store_error(format!("token ids of {}: {e}", manifest.name)))
}

impl std::fmt::Display for DecodedOutput {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		// As many decimals as the fixed-point scale carries (10⁸ → 8), no more, no fewer.
		let list = |values: &[f64], scale: u64| {
			let decimals = scale.checked_ilog10().unwrap_or(0) as usize;
			values.iter().map(|v| format!("{v:.decimals$}")).collect::<Vec<_>>().join(", ")
		};
		match self {
			DecodedOutput::Scores { values, scale } => {
				write!(f, "scores: {}", list(values, *scale))
			}
			DecodedOutput::Embedding { dimensions, first, scale } => {
				write!(f, "embedding: {dimensions} dimensions, starting {}", list(first, *scale))?;
				if *dimensions > first.len() {
					f.write_str(", …")?;
				}
				Ok(())
			}
			DecodedOutput::Generation { token_ids, text: Some(text), .. } => {
				write!(f, "generation: {} token(s): {text:?}", token_ids.len())
			}
			DecodedOutput::Generation { token_ids, text: None, note } => {
				let ids = token_ids.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
				write!(f, "generation: {} token(s): ids [{ids}]", token_ids.len())?;
				if let Some(note) = note {
					write!(f, "; {note}")?;
				}
				Ok(())
			}
			DecodedOutput::InputRejected => f.write_str(
				"input rejected: the operators attested that the engine refuses this input (the \
				 fee paid for the verdict; the deposit was forfeited)",
			),
			DecodedOutput::Undecoded { reason } => write!(f, "output not decoded: {reason}"),
		}
	}
}
