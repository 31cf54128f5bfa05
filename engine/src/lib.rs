//! # verity-engine
//!
//! Runs AI models natively with candle, reproducibly enough that independent operators can agree
//! on the result, and names everything by content. It knows nothing of chains: the node wraps it
//! in a host function, the runtime compares what operators reveal.
//!
//! ```no_run
//! # fn main() -> Result<(), verity_engine::EngineError> {
//! use verity_engine::Engine;
//! let engine = Engine::open(verity_engine::default_store_dir())?;
//! let model_id = engine.store().resolve("all-MiniLM-L6-v2")?;
//! let output = engine.run(model_id.as_bytes(), b"This is an example sentence")?;
//! let bytes = output.to_bytes(); // canonical, what the chain hashes and compares
//! # Ok(()) }
//! ```
//!
//! ## Model store and model ids
//! A [`ModelStore`] is a directory of files named by the SHA-256 of their bytes plus
//! [`Manifest`]s. A manifest names the architecture, the files by role with their digests and
//! sizes, the input/output limits and the numerical contract. Its canonical bytes are
//! `serde_json::to_vec` of [`Manifest`] (fields in declaration order, files sorted by role, no
//! whitespace); **the model id is the SHA-256 of those bytes**. Loading re-hashes the manifest
//! and every file, so tampered or truncated files are refused with
//! [`EngineError::DigestMismatch`].
//!
//! ## Canonical input encodings
//! - **Text** (`BertEmbedding`, `LlamaGguf`): the UTF-8 bytes of the text, nothing else (no BOM,
//!   no terminator), at most `limits.max_input_bytes`. Invalid UTF-8 is
//!   [`EngineError::InvalidUtf8`]. BERT truncates to `limits.max_input_tokens` tokens as
//!   sentence-transformers does; a chat prompt over `limits.max_input_tokens` (template included)
//!   is [`EngineError::PromptTooLong`].
//! - **Feature vector** (`Mlp`): `n` little-endian `i32`, feature `i` being
//!   `round(x_i * numerics.input_scale)`, in the order of the model config's `features`. Any
//!   other length is [`EngineError::MalformedInput`].
//!
//! ## Canonical output encodings
//! These are the encodings `verity_primitives::contract` compares on chain.
//! - **Fixed-point vector** (`Mlp` scores, `BertEmbedding` embeddings): `n × i32le`, no header,
//!   each value `round(x * numerics.output_scale)` (half away from zero, computed in f64 from the
//!   f32 result). The scale is in the manifest, not in the bytes; the length is `4n`.
//! - **Generation** (`LlamaGguf`): `u32le(n) ‖ n × u32le token id ‖ UTF-8 text`: the new token
//!   ids (the stop token, if one ended decoding, is not included), then the rest of the output is
//!   their byte-level decoding (invalid UTF-8 at a cut replaced by U+FFFD). `TokenMatch` compares
//!   only the `4 + 4n`-byte id prefix.
//!
//! [`Output::to_bytes`] writes and [`Output::from_bytes`] strictly parses them.
//!
//! ## Run digest
//! `sha256("verity-run-v1" ‖ model_id[32] ‖ kernel_profile_id[32] ‖ u32le(len(input)) ‖ input ‖
//! u32le(len(output)) ‖ output)` ([`run_digest`]): one hash that pins what was run, where, on
//! what, and what came out.
//!
//! ## Numerical contract
//! Each manifest declares how two operators' outputs are compared ([`compare::compare`]):
//! - `Exact`: identical canonical bytes. Only meaningful between operators on the deterministic
//!   kernel profile; the engine refuses to run an `Exact` model on any other profile.
//! - `Tolerance { eps }`: fixed-point vectors of equal length with `max |a_i - b_i| <= eps` in
//!   integer units (i64 arithmetic).
//! - `TokenMatch`: identical greedy token ids.
//!
//! ## The deterministic kernel profile
//! [`KernelProfile::detect`] names the numeric environment; its id is `sha256(name)`. The
//! deterministic profile `verity-cpu-det-v2/x86_64-avx2-fma/gemm-k512+seqk-fma-v1` means: x86-64
//! with AVX2 and FMA; every f32 matmul through candle/gemm has `k <= 512`
//! ([`kernels::DetLinear`] splits longer ones into fixed-order chunks; attention lengths are
//! bounded by the token limits); gemm's `x86-v4` (AVX-512) kernels off; GGUF tensor types
//! restricted to those whose candle kernels are the same on every such CPU; and BERT runs on the
//! engine's own [`dense`] kernels, whose accumulation order is defined exactly (one sequential
//! fma chain per output, fixed polynomials for `exp` and GELU), independent of CPU and threads.
//! Known answers for both (a chunked gemm matmul `m=1, k=1536, n=576`; the dense kernels) are
//! checked at start-up; if one fails, or the CPU lacks AVX2/FMA, a different, non-deterministic
//! profile is declared.
//! Outputs are bit-identical across runs and thread counts on one machine and, by the rules
//! above, across machines of the profile; `Tolerance` and `TokenMatch` contracts absorb what
//! the profile cannot promise (e.g. a different libm).

pub mod compare;
pub mod dense;
pub mod digest;
pub mod encoding;
pub mod error;
pub mod kernels;
pub mod manifest;
pub mod models;
pub mod store;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

pub use compare::{compare, Verdict};
pub use digest::Digest;
pub use encoding::{run_digest, FinishReason, Output, OutputKind};
pub use error::{EngineError, Result};
pub use kernels::KernelProfile;
pub use manifest::{Architecture, Contract, FileEntry, Limits, Manifest, Numerics};
pub use store::{default_store_dir, ImportSpec, ModelStore, STORE_ENV};

use models::Model;

/// A model loaded from the store, with its manifest.
pub struct LoadedModel {
	/// The model id.
	pub id: Digest,
	/// Its manifest.
	pub manifest: Manifest,
	model: Mutex<Box<dyn Model>>,
}

impl LoadedModel {
	/// Runs one canonical input.
	pub fn run(&self, input: &[u8]) -> Result<Output> {
		lock(&self.model).run(input)
	}
}

/// The result of a run with everything the chain needs.
#[derive(Clone, Debug)]
pub struct RunResult {
	/// The output.
	pub output: Output,
	/// Its canonical bytes.
	pub output_bytes: Vec<u8>,
	/// The run digest over (model id, kernel profile, input, output).
	pub digest: Digest,
}

/// The engine: a model store, the kernel profile and a cache of loaded models. Safe to share
/// between threads; runs of one model are serialised, different models run in parallel.
pub struct Engine {
	store: ModelStore,
	profile: KernelProfile,
	cache: Mutex<HashMap<Digest, Arc<LoadedModel>>>,
}

fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
	// A panic while holding the lock leaves no partial state we rely on.
	m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Engine {
	/// Opens the store at `store_dir` (creating it if needed) and detects the kernel profile.
	pub fn open(store_dir: impl Into<PathBuf>) -> Result<Self> {
		Ok(Engine {
			store: ModelStore::open(store_dir)?,
			profile: KernelProfile::detect(),
			cache: Mutex::new(HashMap::new()),
		})
	}

	/// The model store.
	pub fn store(&self) -> &ModelStore {
		&self.store
	}

	/// The kernel profile this engine runs under.
	pub fn kernel_profile(&self) -> KernelProfile {
		self.profile.clone()
	}

	/// Imports a model into the store and loads it once to check it; returns its id. A model
	/// that does not load leaves no manifest behind.
	pub fn import(&self, spec: &ImportSpec) -> Result<(Digest, Manifest)> {
		let (id, manifest) = self.store.import(spec)?;
		if let Err(e) = self.load(&id) {
			let path = self.store.root().join("manifests").join(format!("{id}.json"));
			let _ = std::fs::remove_file(path);
			return Err(e);
		}
		Ok((id, manifest))
	}

	/// Loads (or returns the cached) model `id`, verifying the manifest and every file digest.
	pub fn load(&self, id: &Digest) -> Result<Arc<LoadedModel>> {
		if let Some(model) = lock(&self.cache).get(id) {
			return Ok(model.clone());
		}
		let manifest = self.store.manifest(id)?;
		let model = load_model(&self.store, &manifest)?;
		let loaded = Arc::new(LoadedModel { id: *id, manifest, model: Mutex::new(model) });
		Ok(lock(&self.cache).entry(*id).or_insert(loaded).clone())
	}

	/// Drops a model from the cache (the next run reloads and re-verifies it).
	pub fn evict(&self, id: &Digest) {
		lock(&self.cache).remove(id);
	}

	/// Runs `input` (canonical encoding) on model `model_id`.
	pub fn run(&self, model_id: &[u8; 32], input: &[u8]) -> Result<Output> {
		let model = self.load(&Digest(*model_id))?;
		if model.manifest.numerics.contract == Contract::Exact && !self.profile.deterministic {
			return Err(EngineError::Unsupported(format!(
				"model {} has an Exact contract but this machine's kernel profile `{}` is not \
				 the deterministic one",
				model.id, self.profile.name
			)));
		}
		model.run(input)
	}

	/// Runs and returns the output with its canonical bytes and run digest.
	pub fn run_with_digest(&self, model_id: &[u8; 32], input: &[u8]) -> Result<RunResult> {
		let output = self.run(model_id, input)?;
		let output_bytes = output.to_bytes();
		let digest = run_digest(&Digest(*model_id), &self.profile.id, input, &output_bytes);
		Ok(RunResult { output, output_bytes, digest })
	}

	/// Recomputes `input` on `model_id` and compares the result with `claimed` (canonical output
	/// bytes) under the model's contract.
	pub fn verify(&self, model_id: &[u8; 32], input: &[u8], claimed: &[u8]) -> Result<Verdict> {
		let model = self.load(&Digest(*model_id))?;
		let claimed = Output::from_bytes(model.manifest.architecture.output_kind(), claimed)?;
		let ours = self.run(model_id, input)?;
		compare(&model.manifest.numerics.contract, &ours, &claimed)
	}
}

/// Builds the architecture's model from verified files.
fn load_model(store: &ModelStore, manifest: &Manifest) -> Result<Box<dyn Model>> {
	let file = |role: &str| -> Result<Vec<u8>> { store.read_file(role, manifest.file(role)?) };
	let limits = &manifest.limits;
	let numerics = &manifest.numerics;
	let max_input = limits.max_input_bytes as usize;
	let scale = |s: Option<u64>, what: &str| {
		s.ok_or_else(|| EngineError::InvalidManifest(format!("no {what}")))
	};
	Ok(match manifest.architecture {
		Architecture::Mlp => Box::new(models::mlp::Mlp::load(
			file("weights")?,
			&file("config")?,
			scale(numerics.input_scale, "input_scale")?,
			scale(numerics.output_scale, "output_scale")?,
			max_input,
		)?),
		Architecture::BertEmbedding => Box::new(models::bert::SentenceEmbedder::load(
			file("weights")?,
			&file("config")?,
			&file("tokenizer")?,
			limits.max_input_tokens.unwrap_or(256) as usize,
			scale(numerics.output_scale, "output_scale")?,
			max_input,
		)?),
		Architecture::LlamaGguf => Box::new(models::llama::LlamaChat::load(
			file("weights")?,
			limits.max_input_tokens.unwrap_or(0) as usize,
			limits.max_new_tokens.unwrap_or(0) as usize,
			max_input,
		)?),
	})
}
