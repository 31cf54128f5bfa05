//! Reading a job's output: the canonical bytes the operators agreed on, decoded by the model's
//! architecture (see `verity_engine::encoding` for the layouts).

use serde::Serialize;
use verity_engine::{Output, OutputKind};

use crate::models::Architecture;

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
	/// A greedy generation.
	Generation {
		/// The new token ids.
		token_ids: Vec<u32>,
		/// Their text.
		text: String,
	},
	/// Bytes this client cannot decode (unknown architecture or malformed output).
	Undecoded {
		/// Why.
		reason: String,
	},
}

/// Decodes `output` as `architecture` writes it. `output_scale` is the model's fixed-point
/// scale (in its manifest, not on chain); `None` uses the engine's default, `10⁸`.
pub fn decode_output(
	architecture: &Architecture,
	output: &[u8],
	output_scale: Option<u64>,
) -> DecodedOutput {
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
	match Output::from_bytes(kind, output) {
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
		Ok(Output::Generation { token_ids, text }) => DecodedOutput::Generation { token_ids, text },
		Err(e) => DecodedOutput::Undecoded { reason: e.to_string() },
	}
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
			DecodedOutput::Generation { token_ids, text } => {
				write!(f, "generation: {} token(s): {text:?}", token_ids.len())
			}
			DecodedOutput::Undecoded { reason } => write!(f, "output not decoded: {reason}"),
		}
	}
}
