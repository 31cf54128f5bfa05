//! Weights of the model registry.
//!
//! # How these numbers were produced
//!
//! There was no node with `frame-benchmarking-cli` to run the benchmarks on reference hardware
//! yet, so:
//! - **ref_time**: the median of 25 runs of each `frame_benchmarking::v2` benchmark's measured
//!   block (`benchmarking.rs`, `measure::measure_weights`), executed *natively in a debug
//!   build* against the mock runtime on the 2-core development machine (Verity dev container,
//!   2026). A debug native build is several times slower than the release wasm executor, so
//!   these are deliberately conservative upper bounds.
//! - **database reads/writes**: counted from the code path of each call (the storage items
//!   each one touches, listed per function), priced with the runtime's `DbWeight`.
//! - **proof size**: `MaxEncodedLen` of every item read, plus a fixed trie-path allowance per
//!   read, as the benchmarking CLI does in its `MaxEncodedLen` mode.
//!
//! Regenerate with `frame-benchmarking-cli` (`benchmark pallet --pallet pallet_verity_models`)
//! on reference hardware once the node exposes it; the trait stays the same.

#![allow(unused_parens, unused_imports, missing_docs)]

use crate::{BalanceOf, Config, ModelInfoOf};
use codec::MaxEncodedLen;
use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions of this pallet's calls.
pub trait WeightInfo {
	fn register() -> Weight;
	fn update_price() -> Weight;
	fn set_status() -> Weight;
	fn transfer_ownership() -> Weight;
	fn deregister() -> Weight;
}

/// Trie-path allowance added per storage read of a map entry (bytes).
pub const READ_PROOF_OVERHEAD: u64 = 2_475;
/// Proof of one `System::Account` entry (`AccountInfo` with `AccountData<u128>`) plus its path.
pub const ACCOUNT_PROOF: u64 = 128 + READ_PROOF_OVERHEAD;
/// Proof of one `Balances::Holds` entry (a handful of hold reasons) plus its path.
pub const HOLDS_PROOF: u64 = 1_000 + READ_PROOF_OVERHEAD;

fn model_proof<T: Config>() -> u64 {
	(ModelInfoOf::<T>::max_encoded_len() as u64).saturating_add(32 + READ_PROOF_OVERHEAD)
}

/// Weights for the runtime, using its database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: Config> WeightInfo for SubstrateWeight<T> {
	/// Reads/writes `Models`, `System::Account`, `Balances::Holds` of the owner.
	fn register() -> Weight {
		Weight::from_parts(665_539_000, model_proof::<T>() + ACCOUNT_PROOF + HOLDS_PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	/// Reads/writes `Models`.
	fn update_price() -> Weight {
		Weight::from_parts(30_726_000, model_proof::<T>())
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	/// Reads/writes `Models`.
	fn set_status() -> Weight {
		Weight::from_parts(30_756_000, model_proof::<T>())
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	/// Reads/writes `Models`, and `System::Account` and `Balances::Holds` of both owners.
	fn transfer_ownership() -> Weight {
		Weight::from_parts(688_413_000, model_proof::<T>() + 2 * (ACCOUNT_PROOF + HOLDS_PROOF))
			.saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	/// Reads/writes `Models`, `System::Account`, `Balances::Holds` of the owner.
	fn deregister() -> Weight {
		Weight::from_parts(515_656_000, model_proof::<T>() + ACCOUNT_PROOF + HOLDS_PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
}

/// The same measured times with `RocksDbWeight` and no proof size, for tests.
impl WeightInfo for () {
	fn register() -> Weight {
		Weight::from_parts(665_539_000, 0).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn update_price() -> Weight {
		Weight::from_parts(30_726_000, 0).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn set_status() -> Weight {
		Weight::from_parts(30_756_000, 0).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn transfer_ownership() -> Weight {
		Weight::from_parts(688_413_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn deregister() -> Weight {
		Weight::from_parts(515_656_000, 0).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
}
