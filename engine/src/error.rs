//! The engine's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the engine. Each variant names a condition a caller can act on;
/// none of them is a panic.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
	/// No manifest with this id is in the store.
	#[error("model {0} is not in the store (import it with `verity-engine import`, or run scripts/fetch-models.sh)")]
	ModelNotFound(String),
	/// A file's bytes do not hash to the digest that names them: the store was tampered with,
	/// truncated, or a wrong id was asked for.
	#[error("digest mismatch for {what}: expected {expected}, found {actual}")]
	DigestMismatch {
		/// What was hashed (a manifest, or a file and its role).
		what: String,
		/// The digest the caller or the manifest promised.
		expected: String,
		/// The digest of the bytes actually found.
		actual: String,
	},
	/// The manifest names an architecture this engine does not implement.
	#[error("unknown architecture `{0}` (known: Mlp, BertEmbedding, LlamaGguf)")]
	UnknownArchitecture(String),
	/// The manifest is not valid JSON, lacks a field, or is inconsistent.
	#[error("invalid manifest: {0}")]
	InvalidManifest(String),
	/// A model file parsed but does not fit its architecture (wrong tensors, shapes, metadata).
	#[error("invalid model: {0}")]
	InvalidModel(String),
	/// The input is longer than the model's declared limit.
	#[error("input is {len} bytes but this model accepts at most {max}")]
	InputTooLarge {
		/// Length of the input in bytes.
		len: usize,
		/// The declared maximum.
		max: usize,
	},
	/// The prompt, chat template included, has more tokens than the model accepts.
	#[error("prompt is {tokens} tokens but this model accepts at most {max}")]
	PromptTooLong {
		/// Prompt tokens, chat template included.
		tokens: usize,
		/// The declared `max_input_tokens`.
		max: usize,
	},
	/// A text model received bytes that are not UTF-8.
	#[error("input is not valid UTF-8 (valid up to byte {valid_up_to})")]
	InvalidUtf8 {
		/// Offset of the first byte that is not part of a valid UTF-8 sequence.
		valid_up_to: usize,
	},
	/// The input does not follow the model's canonical input encoding.
	#[error("malformed input: {0}")]
	MalformedInput(String),
	/// Output bytes that do not follow the canonical output encoding.
	#[error("malformed output: {0}")]
	MalformedOutput(String),
	/// A numeric output does not fit an `i32` at the declared scale.
	#[error("output value {value} does not fit an i32 at scale {scale}")]
	OutputOverflow {
		/// The value before scaling.
		value: f64,
		/// The declared fixed-point scale.
		scale: u64,
	},
	/// Two outputs cannot be compared under the contract (different kinds or lengths).
	#[error("outputs cannot be compared: {0}")]
	Incomparable(String),
	/// The model asks for something this engine's deterministic profile cannot promise
	/// (a quantisation type with CPU-dependent kernels, an `Exact` contract on a non-deterministic
	/// kernel profile, ...).
	#[error("unsupported: {0}")]
	Unsupported(String),
	/// The tokenizer failed to load or to encode/decode.
	#[error("tokenizer: {0}")]
	Tokenizer(String),
	/// A file system operation failed.
	#[error("{path}: {source}")]
	Io {
		/// The path that was being read or written.
		path: PathBuf,
		/// The underlying error.
		#[source]
		source: std::io::Error,
	},
	/// An error from candle while loading or running a model.
	#[error("candle: {0}")]
	Candle(#[from] candle_core::Error),
}

impl EngineError {
	/// Wraps an I/O error with the path it concerns.
	pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
		EngineError::Io { path: path.into(), source }
	}
}

/// The engine's result type.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
