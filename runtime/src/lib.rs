//! # Verity runtime
//!
//! The state transition function of the Verity chain. Consensus is Aura (block authoring in fixed
//! slots) with GRANDPA finality; fees are charged in the native token by
//! `pallet-transaction-payment`; `pallet-sudo` administers the chain until governance lands.
//!
//! Layout: [`configs`] holds each pallet's configuration, [`apis`] the runtime APIs the node and
//! clients call, [`genesis_config_presets`] the `dev` and `local` genesis states.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime!` does a lot of recursion and requires us to increase the limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

// Declared before `apis` so its benchmark-listing macros are in scope there.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
#[cfg(test)]
mod tests;

extern crate alloc;

use alloc::vec::Vec;
use sp_runtime::{generic, impl_opaque_keys, traits::BlakeTwo256};
use sp_version::{runtime_version, RuntimeVersion};

pub use verity_primitives::{token, AccountId, Balance, BlockNumber, Hash, Nonce, Signature};

/// Opaque types: what the node needs to know about blocks without knowing the runtime's calls.
pub mod opaque {
	use super::*;
	use sp_runtime::OpaqueExtrinsic;

	/// An extrinsic, as seen by the node: opaque bytes.
	pub type UncheckedExtrinsic = OpaqueExtrinsic;
	/// A block header.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// A block.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// A block id.
	pub type BlockId = generic::BlockId<Block>;

	impl_opaque_keys! {
		/// The keys a validator registers for its sessions.
		pub struct SessionKeys {
			pub aura: Aura,
			pub grandpa: Grandpa,
			/// Signs inference results; maps back to its operator through pallet-session.
			pub infr: Operators,
		}
	}
}

/// The runtime's identity. Bump `spec_version` on every change of logic and `transaction_version`
/// whenever the encoding of calls or transaction extensions changes.
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("verity"),
	impl_name: alloc::borrow::Cow::Borrowed("verity-node"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Time.
pub mod time {
	use super::BlockNumber;

	/// Target block time, in milliseconds: the Aura slot length.
	///
	/// Three seconds, not the usual six: an inference job needs a handful of blocks (submit,
	/// commit phase, reveal phase, settle), so short blocks cut a job's latency roughly in half.
	/// Models never run during block import (off-chain workers run them), so block production
	/// has ample headroom at this rate. Changing it after genesis changes the slot duration,
	/// which Aura does not allow: it is fixed for the life of a chain.
	pub const MILLI_SECS_PER_BLOCK: u64 = 3000;

	/// The slot duration, equal to the block time.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

	pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
	pub const HOURS: BlockNumber = MINUTES * 60;
	pub const DAYS: BlockNumber = HOURS * 24;
}

/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The address format for describing accounts.
pub type Address = sp_runtime::MultiAddress<AccountId, ()>;

/// The transaction extensions checked and applied to every signed transaction.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on the next runtime upgrade. None yet.
type Migrations = ();

/// Executive: dispatches incoming extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

// The pallets composing the runtime. Indices are part of the call encoding: never reuse one.
#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	// Declaration order is hook and genesis order: balances before operators (genesis holds
	// their bonds), operators before session (session's genesis asks operators for the first
	// validator set), session before aura and grandpa (they follow the session's authorities).
	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(12)]
	pub type Operators = pallet_verity_operators;

	#[runtime::pallet_index(13)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(10)]
	pub type Models = pallet_verity_models;

	#[runtime::pallet_index(11)]
	pub type Inference = pallet_verity_inference;
}
