//! The engine behind the inference host functions: `verity-engine` on the node's model store,
//! handed to off-chain workers (and only to them) as the `InferenceExt` extension.

use std::{path::PathBuf, sync::Arc};
use verity_engine::{Engine, EngineError};
use verity_primitives::host::{InferenceEngine, InferenceError, KernelProfile};

/// The node's engine, shared by every off-chain worker thread. Loaded models stay cached, so
/// only a model's first job pays for loading and verifying its files.
pub struct NodeEngine(Engine);

impl NodeEngine {
	/// Opens (creating if needed) the model store at `store`.
	pub fn open(store: PathBuf) -> Result<Arc<Self>, String> {
		let engine = Engine::open(&store)
			.map_err(|e| format!("cannot open the model store at {}: {e}", store.display()))?;
		let profile = engine.kernel_profile();
		let models = engine.store().list().map(|m| m.len()).unwrap_or(0);
		log::info!(
			target: "verity",
			"🧠 Inference engine: model store {} ({models} models), kernel profile `{}`{}",
			store.display(),
			profile.name,
			if profile.deterministic { "" } else { " (not deterministic: Exact models refused)" },
		);
		Ok(Arc::new(NodeEngine(engine)))
	}
}

impl InferenceEngine for NodeEngine {
	fn run(&self, model: &[u8; 32], input: &[u8]) -> Result<Vec<u8>, InferenceError> {
		let started = std::time::Instant::now();
		let result = self.0.run(model, input).map(|output| output.to_bytes());
		log::debug!(
			target: "verity",
			"ran model {} on {} bytes in {:?}: {}",
			hex::encode(model),
			input.len(),
			started.elapsed(),
			if result.is_ok() { "ok" } else { "error" },
		);
		result.map_err(classify)
	}

	fn kernel_profile(&self) -> KernelProfile {
		let profile = self.0.kernel_profile();
		KernelProfile {
			id: *profile.id.as_bytes(),
			name: profile.name,
			deterministic: profile.deterministic,
		}
	}
}

/// Sorts engine errors into what the off-chain worker needs to tell apart.
fn classify(error: EngineError) -> InferenceError {
	let message = error.to_string();
	match error {
		EngineError::ModelNotFound(_)
		| EngineError::DigestMismatch { .. }
		| EngineError::InvalidManifest(_)
		| EngineError::UnknownArchitecture(_) => InferenceError::ModelUnavailable(message),
		EngineError::InputTooLarge { .. }
		| EngineError::PromptTooLong { .. }
		| EngineError::InvalidUtf8 { .. }
		| EngineError::MalformedInput(_) => InferenceError::InvalidInput(message),
		_ => InferenceError::Failed(message),
	}
}
