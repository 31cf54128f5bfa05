//! Model manifests: what a model is, which files it is made of, what it accepts and how its
//! outputs are compared. The SHA-256 of a manifest's canonical bytes is the model id.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::error::{EngineError, Result};

/// The manifest format this engine writes and reads.
pub const MANIFEST_FORMAT: u32 = 1;

/// The model architectures the engine implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Architecture {
	/// A small fully connected network over a fixed-point feature vector (e.g. a risk scorer).
	/// Files: `weights` (safetensors), `config` (JSON).
	Mlp,
	/// A BERT sentence embedder with mean pooling and L2 normalisation (sentence-transformers).
	/// Files: `weights` (safetensors), `config` (BERT config JSON), `tokenizer` (tokenizer.json).
	BertEmbedding,
	/// A llama-family chat model in GGUF, decoded greedily. Files: `weights` (GGUF; the tokenizer
	/// is built from its metadata).
	LlamaGguf,
}

impl Architecture {
	/// All architectures, in declaration order.
	pub const ALL: [Architecture; 3] =
		[Architecture::Mlp, Architecture::BertEmbedding, Architecture::LlamaGguf];

	/// The name used in manifests and on the command line.
	pub fn as_str(&self) -> &'static str {
		match self {
			Architecture::Mlp => "Mlp",
			Architecture::BertEmbedding => "BertEmbedding",
			Architecture::LlamaGguf => "LlamaGguf",
		}
	}

	/// The canonical output encoding of this architecture.
	pub fn output_kind(&self) -> crate::encoding::OutputKind {
		match self {
			Architecture::Mlp | Architecture::BertEmbedding => crate::encoding::OutputKind::Vector,
			Architecture::LlamaGguf => crate::encoding::OutputKind::Generation,
		}
	}

	/// The file roles a model of this architecture needs.
	pub fn required_files(&self) -> &'static [&'static str] {
		match self {
			Architecture::Mlp => &["weights", "config"],
			Architecture::BertEmbedding => &["weights", "config", "tokenizer"],
			Architecture::LlamaGguf => &["weights"],
		}
	}

	/// Limits used when an import does not give its own.
	pub fn default_limits(&self) -> Limits {
		match self {
			Architecture::Mlp => {
				Limits { max_input_bytes: 4096, max_input_tokens: None, max_new_tokens: None }
			}
			Architecture::BertEmbedding => Limits {
				max_input_bytes: 16 * 1024,
				max_input_tokens: Some(256),
				max_new_tokens: None,
			},
			Architecture::LlamaGguf => Limits {
				max_input_bytes: 4096,
				max_input_tokens: Some(384),
				max_new_tokens: Some(64),
			},
		}
	}

	/// Numerics used when an import does not give its own.
	pub fn default_numerics(&self) -> Numerics {
		match self {
			Architecture::Mlp => Numerics {
				input_scale: Some(DEFAULT_INPUT_SCALE),
				output_scale: Some(DEFAULT_SCALE),
				contract: Contract::Exact,
			},
			Architecture::BertEmbedding => Numerics {
				input_scale: None,
				output_scale: Some(DEFAULT_SCALE),
				// 1e-5 at scale 1e8: well above the float noise between kernel profiles,
				// far below any semantic difference between sentences.
				contract: Contract::Tolerance { eps: 1000 },
			},
			Architecture::LlamaGguf => {
				Numerics { input_scale: None, output_scale: None, contract: Contract::TokenMatch }
			}
		}
	}
}

/// The default output scale: 10^8 (values are `round(x * 1e8)` as `i32`, so |x| < 21.47).
pub const DEFAULT_SCALE: u64 = 100_000_000;
/// The default feature input scale: 10^4 (4 decimals, |x| < 214748).
pub const DEFAULT_INPUT_SCALE: u64 = 10_000;

impl fmt::Display for Architecture {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(self.as_str())
	}
}

impl FromStr for Architecture {
	type Err = EngineError;

	/// Accepts the manifest name (`BertEmbedding`) or a kebab/snake-case form (`bert-embedding`).
	fn from_str(s: &str) -> Result<Self> {
		let norm: String = s.chars().filter(|c| *c != '-' && *c != '_').collect();
		Architecture::ALL
			.into_iter()
			.find(|a| a.as_str().eq_ignore_ascii_case(&norm))
			.ok_or_else(|| EngineError::UnknownArchitecture(s.to_string()))
	}
}

/// One file of a model, by content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
	/// The file name it was imported from (informational; the content is named by `sha256`).
	pub name: String,
	/// SHA-256 of the file's bytes.
	pub sha256: Digest,
	/// Size in bytes.
	pub size: u64,
}

/// Input and output bounds, enforced before any work is done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
	/// Largest accepted input, in bytes of its canonical encoding.
	pub max_input_bytes: u32,
	/// Text models: most input tokens. BERT truncates to it, as sentence-transformers does;
	/// a llama prompt longer than it (chat template included) is refused.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub max_input_tokens: Option<u32>,
	/// Generation: most new tokens (the decode loop stops there).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub max_new_tokens: Option<u32>,
}

/// How outputs of two operators are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", deny_unknown_fields)]
pub enum Contract {
	/// Canonical output bytes must be identical. Only meaningful on the deterministic kernel
	/// profile.
	Exact,
	/// Fixed-point vectors of equal length whose largest absolute element-wise difference is at
	/// most `eps` (in integer units of the output scale).
	Tolerance {
		/// Largest allowed absolute difference, in units of `1 / output_scale`.
		eps: u32,
	},
	/// Generations agree when their greedy token ids are identical.
	TokenMatch,
}

impl fmt::Display for Contract {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Contract::Exact => f.write_str("exact"),
			Contract::Tolerance { eps } => write!(f, "tolerance:{eps}"),
			Contract::TokenMatch => f.write_str("token-match"),
		}
	}
}

impl FromStr for Contract {
	type Err = EngineError;

	/// `exact`, `tolerance:<eps>` or `token-match`.
	fn from_str(s: &str) -> Result<Self> {
		let bad = || EngineError::InvalidManifest(format!("unknown contract `{s}`"));
		match s.to_ascii_lowercase().as_str() {
			"exact" => Ok(Contract::Exact),
			"token-match" | "tokenmatch" => Ok(Contract::TokenMatch),
			other => {
				let eps = other.strip_prefix("tolerance:").ok_or_else(bad)?;
				Ok(Contract::Tolerance { eps: eps.parse().map_err(|_| bad())? })
			}
		}
	}
}

/// The numerical contract: fixed-point scales and the comparison rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Numerics {
	/// Feature-vector inputs: `value = i32 / input_scale`.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub input_scale: Option<u64>,
	/// Vector outputs: `i32 = round(value * output_scale)`.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub output_scale: Option<u64>,
	/// How two outputs are compared.
	pub contract: Contract,
}

/// A model's manifest. Its canonical bytes are `serde_json::to_vec` of this struct (fields in
/// declaration order, `files` sorted by role, no whitespace); their SHA-256 is the model id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
	/// Always [`MANIFEST_FORMAT`].
	pub format: u32,
	/// A human-readable name (`all-MiniLM-L6-v2`).
	pub name: String,
	/// Which forward pass runs it.
	pub architecture: Architecture,
	/// The files by role (`weights`, `config`, `tokenizer`).
	pub files: BTreeMap<String, FileEntry>,
	/// Input and output bounds.
	pub limits: Limits,
	/// Fixed-point scales and the comparison rule.
	pub numerics: Numerics,
}

impl Manifest {
	/// The canonical bytes (what the model id hashes).
	pub fn to_canonical_bytes(&self) -> Vec<u8> {
		// Serialising plain structs, strings and integers cannot fail.
		serde_json::to_vec(self).unwrap_or_default()
	}

	/// The model id: SHA-256 of the canonical bytes.
	pub fn id(&self) -> Digest {
		Digest::of(&self.to_canonical_bytes())
	}

	/// Parses and checks a manifest. An unknown architecture is reported as
	/// [`EngineError::UnknownArchitecture`]; bytes that are not the canonical form of what they
	/// parse to are refused, so one model has exactly one id.
	pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
		let value: serde_json::Value = serde_json::from_slice(bytes)
			.map_err(|e| EngineError::InvalidManifest(e.to_string()))?;
		if let Some(arch) = value.get("architecture").and_then(|a| a.as_str()) {
			if !Architecture::ALL.iter().any(|a| a.as_str() == arch) {
				return Err(EngineError::UnknownArchitecture(arch.to_string()));
			}
		}
		let manifest: Manifest = serde_json::from_value(value)
			.map_err(|e| EngineError::InvalidManifest(e.to_string()))?;
		manifest.validate()?;
		if manifest.to_canonical_bytes() != bytes {
			return Err(EngineError::InvalidManifest("bytes are not in canonical form".into()));
		}
		Ok(manifest)
	}

	/// Checks the manifest is self-consistent: format, required files, scales, limits.
	pub fn validate(&self) -> Result<()> {
		let bad = |m: String| Err(EngineError::InvalidManifest(m));
		if self.format != MANIFEST_FORMAT {
			return bad(format!("format {} (this engine reads {MANIFEST_FORMAT})", self.format));
		}
		for role in self.architecture.required_files() {
			if !self.files.contains_key(*role) {
				return bad(format!("{} needs a `{role}` file", self.architecture));
			}
		}
		if self.limits.max_input_bytes == 0 {
			return bad("max_input_bytes is 0".into());
		}
		let n = &self.numerics;
		match self.architecture {
			Architecture::Mlp => {
				if n.input_scale.unwrap_or(0) == 0 || n.output_scale.unwrap_or(0) == 0 {
					return bad("Mlp needs non-zero input_scale and output_scale".into());
				}
			}
			Architecture::BertEmbedding => {
				if n.output_scale.unwrap_or(0) == 0 {
					return bad("BertEmbedding needs a non-zero output_scale".into());
				}
				match self.limits.max_input_tokens {
					Some(1..=512) => {}
					_ => return bad("BertEmbedding needs max_input_tokens in 1..=512".into()),
				}
			}
			Architecture::LlamaGguf => {
				let prompt = self.limits.max_input_tokens.unwrap_or(0);
				let new = self.limits.max_new_tokens.unwrap_or(0);
				// Attention over the context is a matmul with k = context length: keeping it at
				// most 512 keeps it inside one deterministic gemm block.
				if prompt == 0 || new == 0 || prompt + new > crate::kernels::MAX_K_CHUNK as u32 {
					return bad(format!(
						"LlamaGguf needs max_input_tokens + max_new_tokens in 2..={}",
						crate::kernels::MAX_K_CHUNK
					));
				}
				if n.contract != Contract::TokenMatch && n.contract != Contract::Exact {
					return bad("LlamaGguf outputs compare by TokenMatch or Exact".into());
				}
			}
		}
		if let Contract::Tolerance { .. } = n.contract {
			if n.output_scale.is_none() {
				return bad("a Tolerance contract needs an output_scale".into());
			}
		}
		Ok(())
	}

	/// The file of `role`, which [`Manifest::validate`] guarantees for required roles.
	pub fn file(&self, role: &str) -> Result<&FileEntry> {
		self.files
			.get(role)
			.ok_or_else(|| EngineError::InvalidManifest(format!("no `{role}` file")))
	}
}
