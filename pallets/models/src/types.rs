//! Types of the model registry.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::fungible, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::{traits::ConstU32, DispatchResult, Perbill};
use verity_primitives::{contract::NumericalContract, ModelId};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> = <<T as crate::Config>::Currency as fungible::Inspect<
	<T as frame_system::Config>::AccountId,
>>::Balance;

/// A [`ModelSpec`] with the runtime's balance type.
pub type ModelSpecOf<T> = ModelSpec<BalanceOf<T>>;

/// A [`ModelInfo`] with the runtime's types.
pub type ModelInfoOf<T> = ModelInfo<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;

/// The longest name an [`Architecture::Other`] may carry.
pub type MaxArchitectureName = ConstU32<32>;

/// The network architecture a model's weights load into; the engine dispatches on it.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum Architecture {
	/// A multilayer perceptron (tabular models, e.g. risk scorers).
	Mlp,
	/// A BERT encoder producing sentence embeddings (e.g. all-MiniLM-L6-v2).
	BertEmbedding,
	/// A llama-family decoder loaded from GGUF (e.g. SmolLM2), greedy decoding.
	LlamaGguf,
	/// Any other architecture the engine knows by this name.
	Other(BoundedVec<u8, MaxArchitectureName>),
}

/// Whether a model accepts new jobs.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub enum ModelStatus {
	/// New jobs are accepted.
	#[default]
	Active,
	/// No new jobs; open jobs run to completion. The owner may reactivate it.
	Deprecated,
}

/// What the owner declares when registering a model: everything about it but its id.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct ModelSpec<Balance> {
	/// The architecture the engine loads the weights into.
	pub architecture: Architecture,
	/// The longest input a job may carry, in bytes (at most the pallet's `MaxInputLen`).
	pub max_input_len: u32,
	/// The longest output an operator may reveal, in bytes (at most the pallet's
	/// `MaxOutputLen`).
	pub max_output_len: u32,
	/// The price of one run of the model by one operator. A job replicated on `k` operators
	/// costs `k × price`.
	pub price: Balance,
	/// How many operators run a job when the submitter does not say (`1..=MaxReplication`).
	pub replication: u32,
	/// The share of the assigned stake an agreeing group must hold to settle a job when the
	/// submitter does not say (at least the pallet's `MinQuorum`).
	pub quorum: Perbill,
	/// How revealed outputs are compared.
	pub contract: NumericalContract,
	/// The owner's royalty: this share of every settled job's fee goes to the owner (at most
	/// the pallet's `MaxRoyalty`).
	pub royalty: Perbill,
	/// Blocks an operator may need to run one job, beyond the first block after the job's
	/// draw (at most the pallet's `MaxComputeBlocks`). The inference pallet keeps the commit
	/// window open this much longer, so a slow model never makes honest operators miss it.
	pub compute_blocks: u32,
}

/// A registered model.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct ModelInfo<AccountId, Balance, BlockNumber> {
	/// The digest of the engine's model manifest (which pins the weights' sha256): what an
	/// operator's engine loads to run the model. The model's id is derived from it and the
	/// spec (see [`model_id`]).
	pub manifest: ModelId,
	/// Who owns the model: may change its price and status, receives its royalty, and holds
	/// its deposit.
	pub owner: AccountId,
	/// The model's parameters.
	pub spec: ModelSpec<Balance>,
	/// The deposit held from the owner under `HoldReason::ModelDeposit`.
	pub deposit: Balance,
	/// Whether the model accepts new jobs.
	pub status: ModelStatus,
	/// Jobs submitted for this model and not yet settled, refunded or cancelled.
	pub open_jobs: u32,
	/// The block the model was registered in.
	pub registered_at: BlockNumber,
}

/// The registry as other pallets see it: the inference pallet reads models through this trait
/// and tells the registry when jobs open and close (a model with open jobs cannot be
/// deregistered).
pub trait ModelRegistry<AccountId, Balance> {
	/// The longest job input any model may declare.
	type MaxInputLen: frame_support::traits::Get<u32>;
	/// The longest output any model may declare.
	type MaxOutputLen: frame_support::traits::Get<u32>;
	/// The largest replication any model or job may use.
	type MaxReplication: frame_support::traits::Get<u32>;
	/// The block number type.
	type BlockNumber;

	/// The model registered under `id`.
	fn model(id: &ModelId) -> Option<ModelInfo<AccountId, Balance, Self::BlockNumber>>;

	/// The smallest quorum a job may ask for.
	fn min_quorum() -> Perbill;

	/// The largest royalty share a model may declare.
	fn max_royalty() -> Perbill;

	/// Record that a job for `id` was opened. Fails when the model does not exist.
	fn job_opened(id: &ModelId) -> DispatchResult;

	/// Record that a job for `id` was closed (settled, refunded or cancelled).
	fn job_closed(id: &ModelId);

	/// Every model with open jobs and its open-job counter, for the inference pallet's
	/// `try_state` (a counter left behind by a closed job would block deregistration forever).
	fn open_job_counts() -> alloc::vec::Vec<(ModelId, u32)>;

	/// Register a model owned by `owner` directly, for benchmarks and tests of dependent
	/// pallets: funds the owner's deposit as needed.
	#[cfg(feature = "runtime-benchmarks")]
	fn register_for_benchmark(
		owner: &AccountId,
		manifest: ModelId,
		spec: ModelSpec<Balance>,
	) -> Result<ModelId, sp_runtime::DispatchError>;
}

/// Domain separator of [`model_id`].
pub const MODEL_ID_CONTEXT: &[u8] = b"verity/model/v1";

/// The id of the model that runs `manifest` under `spec`:
/// `blake2_256(SCALE("verity/model/v1", manifest, spec))`. Binding the spec into the id means
/// registering a popular manifest first, with a bad contract or a high royalty, takes nobody's
/// id: the same weights under an honest spec get an id of their own.
pub fn model_id<Balance: Encode>(manifest: &ModelId, spec: &ModelSpec<Balance>) -> ModelId {
	<sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash_of(&(
		MODEL_ID_CONTEXT,
		manifest,
		spec,
	))
}
