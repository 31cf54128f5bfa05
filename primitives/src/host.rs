//! The inference host functions ([`inference`], re-exported at the crate root): how the
//! runtime's off-chain worker asks the node to run a model.
//!
//! The runtime calls [`inference::run`] with a model id and the job's canonical input bytes; the
//! node answers with the canonical output bytes (the encodings of [`crate::contract`]). The
//! engine behind it lives in the node and is supplied as the [`InferenceExt`] externalities
//! extension **to off-chain workers only**: block import and block production never see it, so
//! a slow model cannot stall them, and anything that calls these functions elsewhere gets
//! [`InferenceError::NoEngine`] instead of a panic.
//!
//! Every binary that loads the runtime must register [`inference::HostFunctions`] (the wasm
//! imports them because the off-chain worker calls them).

use alloc::{string::String, vec::Vec};
use codec::{Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime_interface::{
	pass_by::{AllocateAndReturnByCodec, PassFatPointerAndRead, PassPointerAndReadCopy},
	runtime_interface,
};

#[cfg(feature = "std")]
use sp_externalities::ExternalitiesExt;

/// Why a model could not be run. Each variant is a condition the off-chain worker reports
/// differently: only [`InferenceError::Failed`] may be worth retrying.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum InferenceError {
	/// No engine in this execution: the call did not come from an off-chain worker, or the
	/// node was started without a model store.
	NoEngine,
	/// The node's model store does not hold this model (or it fails its digest check).
	ModelUnavailable(String),
	/// The model refused the input (too long, malformed, not UTF-8, ...).
	InvalidInput(String),
	/// The model is present but cannot run here (e.g. an `Exact` model on a machine outside
	/// the deterministic kernel profile), or the engine failed.
	Failed(String),
}

/// The numeric environment of the node's engine (see `verity-engine`'s kernel profiles).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct KernelProfile {
	/// `sha256(name)`.
	pub id: [u8; 32],
	/// E.g. `verity-cpu-det-v2/x86_64-avx2-fma/gemm-k512+seqk-fma-v1`.
	pub name: String,
	/// Whether outputs are bit-identical across machines of this profile.
	pub deterministic: bool,
}

/// What the node plugs in behind the host functions.
#[cfg(feature = "std")]
pub trait InferenceEngine: Send + Sync {
	/// Runs `model` on the canonical `input`; returns the canonical output bytes.
	fn run(&self, model: &[u8; 32], input: &[u8]) -> Result<Vec<u8>, InferenceError>;

	/// The engine's kernel profile.
	fn kernel_profile(&self) -> KernelProfile;
}

#[cfg(feature = "std")]
sp_externalities::decl_extension! {
	/// The engine, registered by the node for off-chain workers only.
	pub struct InferenceExt(std::sync::Arc<dyn InferenceEngine>);
}

/// Host functions for running models. See the module documentation.
#[runtime_interface]
pub trait Inference {
	/// Runs `model` on `input` (canonical encodings); the canonical output bytes, or why not.
	fn run(
		&mut self,
		model: PassPointerAndReadCopy<[u8; 32], 32>,
		input: PassFatPointerAndRead<&[u8]>,
	) -> AllocateAndReturnByCodec<Result<Vec<u8>, InferenceError>> {
		match self.extension::<InferenceExt>() {
			Some(engine) => engine.0.run(&model, input),
			None => Err(InferenceError::NoEngine),
		}
	}

	/// The engine's kernel profile; `None` without an engine.
	fn kernel_profile(&mut self) -> AllocateAndReturnByCodec<Option<KernelProfile>> {
		self.extension::<InferenceExt>().map(|engine| engine.0.kernel_profile())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_externalities::Extensions;
	use std::sync::Arc;

	struct Doubler;

	impl InferenceEngine for Doubler {
		fn run(&self, model: &[u8; 32], input: &[u8]) -> Result<Vec<u8>, InferenceError> {
			if model != &[7; 32] {
				return Err(InferenceError::ModelUnavailable("unknown".into()));
			}
			Ok(input.iter().map(|b| b.wrapping_mul(2)).collect())
		}

		fn kernel_profile(&self) -> KernelProfile {
			KernelProfile { id: [1; 32], name: "test".into(), deterministic: true }
		}
	}

	fn with_ext<R>(engine: Option<Arc<dyn InferenceEngine>>, f: impl FnOnce() -> R) -> R {
		let mut extensions = Extensions::new();
		if let Some(engine) = engine {
			extensions.register(InferenceExt(engine));
		}
		let mut overlay = sp_state_machine::OverlayedChanges::default();
		let backend = sp_state_machine::InMemoryBackend::<sp_core::Blake2Hasher>::default();
		let mut ext = sp_state_machine::Ext::new(&mut overlay, &backend, Some(&mut extensions));
		sp_externalities::set_and_run_with_externalities(&mut ext, f)
	}

	#[test]
	fn without_an_engine_calls_return_no_engine_instead_of_panicking() {
		with_ext(None, || {
			assert_eq!(inference::run([7; 32], b"x"), Err(InferenceError::NoEngine));
			assert_eq!(inference::kernel_profile(), None);
		});
	}

	#[test]
	fn with_an_engine_calls_reach_it() {
		with_ext(Some(Arc::new(Doubler)), || {
			assert_eq!(inference::run([7; 32], &[1, 2, 3]), Ok(vec![2, 4, 6]));
			assert!(matches!(
				inference::run([8; 32], b"x"),
				Err(InferenceError::ModelUnavailable(_))
			));
			assert_eq!(inference::kernel_profile().map(|p| p.name), Some("test".into()));
		});
	}
}
