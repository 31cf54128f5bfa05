//! Canonical input and output encodings and the run digest. These bytes are what the chain
//! stores, hashes and compares; they are plain little-endian layouts, no SCALE, no JSON.
//!
//! See the crate documentation for the byte layouts.

use serde::Serialize;

use crate::digest::Digest;
use crate::error::{EngineError, Result};

/// Domain separator of the run digest.
pub const RUN_DIGEST_DOMAIN: &[u8] = b"verity-run-v1";

/// Checks a text input: within `max` bytes and valid UTF-8.
pub fn decode_text(input: &[u8], max: usize) -> Result<&str> {
	if input.len() > max {
		return Err(EngineError::InputTooLarge { len: input.len(), max });
	}
	std::str::from_utf8(input)
		.map_err(|e| EngineError::InvalidUtf8 { valid_up_to: e.valid_up_to() })
}

/// Decodes a feature-vector input: exactly `n` little-endian `i32`s, each `value * scale`.
pub fn decode_features(input: &[u8], n: usize, scale: u64, max: usize) -> Result<Vec<f32>> {
	if input.len() > max {
		return Err(EngineError::InputTooLarge { len: input.len(), max });
	}
	if input.len() != 4 * n {
		return Err(EngineError::MalformedInput(format!(
			"expected {n} little-endian i32 features ({} bytes), got {} bytes",
			4 * n,
			input.len()
		)));
	}
	Ok(input
		.chunks_exact(4)
		.map(|c| {
			let v = i32::from_le_bytes([c[0], c[1], c[2], c[3]]);
			// i32 → f64 is exact; one rounding to f32 at the end.
			(v as f64 / scale as f64) as f32
		})
		.collect())
}

/// Encodes real-valued features as the canonical input (`round(x * scale)` as i32 LE).
pub fn encode_features(values: &[f64], scale: u64) -> Result<Vec<u8>> {
	let mut out = Vec::with_capacity(values.len() * 4);
	for &v in values {
		let q = to_fixed(v, scale).map_err(|_| {
			EngineError::MalformedInput(format!("feature {v} does not fit an i32 at scale {scale}"))
		})?;
		out.extend_from_slice(&q.to_le_bytes());
	}
	Ok(out)
}

/// `round(value * scale)` (half away from zero) as an `i32`.
pub fn to_fixed(value: f64, scale: u64) -> Result<i32> {
	let scaled = (value * scale as f64).round();
	if !scaled.is_finite() || scaled < i32::MIN as f64 || scaled > i32::MAX as f64 {
		return Err(EngineError::OutputOverflow { value, scale });
	}
	Ok(scaled as i32)
}

/// Why generation stopped (reported by [`crate::models::llama::LlamaChat::generate_ids`]; not
/// part of the canonical output, which the token ids determine).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
	/// A stop token was produced (it is not part of the output).
	Stop,
	/// `max_new_tokens` was reached.
	Length,
}

/// Which canonical encoding an output uses (fixed by the model's architecture).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputKind {
	/// `n × i32le`.
	Vector,
	/// `u32le n ‖ n × u32le ‖ UTF-8 text`.
	Generation,
}

/// A model's output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Output {
	/// Fixed-point numbers (`round(x * scale)`; the scale is the manifest's `output_scale`):
	/// scores of an Mlp, an embedding.
	Vector {
		/// The values.
		values: Vec<i32>,
	},
	/// Greedy generation.
	Generation {
		/// The new token ids, stop token excluded.
		token_ids: Vec<u32>,
		/// The new tokens decoded as text.
		text: String,
	},
}

impl Output {
	/// Which encoding this output uses.
	pub fn kind(&self) -> OutputKind {
		match self {
			Output::Vector { .. } => OutputKind::Vector,
			Output::Generation { .. } => OutputKind::Generation,
		}
	}

	/// The canonical bytes (see the crate documentation):
	/// a vector is `n × i32le` with no header; a generation is `u32le n ‖ n × u32le ids ‖ text`.
	pub fn to_bytes(&self) -> Vec<u8> {
		match self {
			Output::Vector { values } => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
			Output::Generation { token_ids, text } => {
				let mut out = Vec::with_capacity(4 + 4 * token_ids.len() + text.len());
				out.extend_from_slice(&(token_ids.len() as u32).to_le_bytes());
				for t in token_ids {
					out.extend_from_slice(&t.to_le_bytes());
				}
				out.extend_from_slice(text.as_bytes());
				out
			}
		}
	}

	/// Parses canonical bytes of the given kind; anything else is
	/// [`EngineError::MalformedOutput`].
	pub fn from_bytes(kind: OutputKind, bytes: &[u8]) -> Result<Self> {
		match kind {
			OutputKind::Vector => {
				if !bytes.len().is_multiple_of(4) {
					return Err(malformed("a vector output is a multiple of 4 bytes"));
				}
				let values = bytes
					.chunks_exact(4)
					.map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
					.collect();
				Ok(Output::Vector { values })
			}
			OutputKind::Generation => {
				let count = bytes.get(..4).ok_or_else(|| malformed("no token count"))?;
				let n = u32::from_le_bytes([count[0], count[1], count[2], count[3]]) as usize;
				let end = n
					.checked_mul(4)
					.and_then(|l| l.checked_add(4))
					.filter(|e| *e <= bytes.len())
					.ok_or_else(|| malformed("truncated token ids"))?;
				let token_ids = bytes[4..end]
					.chunks_exact(4)
					.map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
					.collect();
				let text = std::str::from_utf8(&bytes[end..])
					.map_err(|_| malformed("text is not UTF-8"))?
					.to_string();
				Ok(Output::Generation { token_ids, text })
			}
		}
	}

	/// The values of a vector output scaled back to reals (for display).
	pub fn to_f64(&self, scale: u64) -> Option<Vec<f64>> {
		match self {
			Output::Vector { values } => {
				Some(values.iter().map(|v| *v as f64 / scale as f64).collect())
			}
			Output::Generation { .. } => None,
		}
	}
}

fn malformed(msg: &str) -> EngineError {
	EngineError::MalformedOutput(msg.to_string())
}

/// The run digest: `sha256("verity-run-v1" ‖ model_id ‖ profile_id ‖ u32le(len(input)) ‖ input
/// ‖ u32le(len(output)) ‖ output)`, with `output` in canonical bytes.
pub fn run_digest(
	model_id: &Digest,
	profile_id: &Digest,
	input: &[u8],
	output_bytes: &[u8],
) -> Digest {
	let mut buf =
		Vec::with_capacity(RUN_DIGEST_DOMAIN.len() + 72 + input.len() + output_bytes.len());
	buf.extend_from_slice(RUN_DIGEST_DOMAIN);
	buf.extend_from_slice(model_id.as_bytes());
	buf.extend_from_slice(profile_id.as_bytes());
	buf.extend_from_slice(&(input.len() as u32).to_le_bytes());
	buf.extend_from_slice(input);
	buf.extend_from_slice(&(output_bytes.len() as u32).to_le_bytes());
	buf.extend_from_slice(output_bytes);
	Digest::of(&buf)
}
