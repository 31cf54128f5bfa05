//! Weights of the operator staking pallet.
//!
//! # How these numbers were produced
//!
//! There was no node with `frame-benchmarking-cli` to run the benchmarks on reference hardware
//! yet, so, as for the other Verity pallets:
//! - **ref_time**: the median of 21 runs of each `frame_benchmarking::v2` benchmark's measured
//!   block (`benchmarking.rs`, `measure::measure_weights`), executed *natively in a debug
//!   build* against the mock runtime on the 2-core development machine. Linear components
//!   (`slash`'s `d`, `new_session`'s `n`) are fitted through their lowest and highest values
//!   in the mock (`d` ∈ 0..=4, `n` ∈ 1..=8). A debug native build is several times slower
//!   than the release wasm executor, so these are conservative upper bounds.
//! - **database reads/writes**: counted from each call's worst-case code path (listed per
//!   function), priced with the runtime's `DbWeight`.
//! - **proof size**: `MaxEncodedLen` of every item read, plus a fixed trie-path allowance per
//!   read, as the benchmarking CLI does in its `MaxEncodedLen` mode.
//!
//! Regenerate with `frame-benchmarking-cli` (`benchmark pallet --pallet
//! pallet_verity_operators`) on reference hardware once the node exposes it; the trait stays
//! the same.

#![allow(unused_parens, unused_imports, missing_docs)]

use crate::{Config, ModelOperatorsOf, OperatorInfo, StakeInfo};
use codec::MaxEncodedLen;
use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions of this pallet's calls and provider functions.
pub trait WeightInfo {
	fn register() -> Weight;
	fn bond_more() -> Weight;
	fn unbond() -> Weight;
	fn set_commission() -> Weight;
	fn set_models() -> Weight;
	fn chill() -> Weight;
	fn resume() -> Weight;
	fn deregister() -> Weight;
	fn delegate() -> Weight;
	fn undelegate() -> Weight;
	fn withdraw_unbonded() -> Weight;
	fn redelegate() -> Weight;
	fn claim() -> Weight;
	fn reward() -> Weight;
	/// The provider's `slash` of an operator with `d` delegators.
	fn slash(d: u32) -> Weight;
	/// Selecting the validators among `n` operators (charged by pallet-session as a full block;
	/// used by `integrity_test`-style checks and for documentation).
	fn new_session(n: u32) -> Weight;
}

/// Trie-path allowance added per storage read of a map entry (bytes).
pub const READ_PROOF_OVERHEAD: u64 = 2_475;
/// Proof of one `System::Account` entry (`AccountInfo` with `AccountData<u128>`) plus its path.
pub const ACCOUNT_PROOF: u64 = 128 + READ_PROOF_OVERHEAD;
/// Proof of one `Balances::Holds` entry (a handful of hold reasons) plus its path.
pub const HOLDS_PROOF: u64 = 1_000 + READ_PROOF_OVERHEAD;

fn operator_proof<T: Config>() -> u64 {
	(OperatorInfo::<T>::max_encoded_len() as u64).saturating_add(48 + READ_PROOF_OVERHEAD)
}

fn stake_proof<T: Config>() -> u64 {
	(StakeInfo::<T>::max_encoded_len() as u64).saturating_add(96 + READ_PROOF_OVERHEAD)
}

fn model_index_proof<T: Config>() -> u64 {
	(ModelOperatorsOf::<T>::max_encoded_len() as u64).saturating_add(32 + READ_PROOF_OVERHEAD)
}

/// Models per operator.
fn m<T: Config>() -> u64 {
	T::MaxModelsPerOperator::get() as u64
}

/// Unbonding chunks per position.
fn c<T: Config>() -> u64 {
	T::MaxUnbondingChunks::get() as u64
}

/// Weights for the runtime, using its database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: Config> WeightInfo for SubstrateWeight<T> {
	/// Reads `Operators`, its counter, `ModelOperators` ×m, `Balances::Holds` and `System::Account`
	/// of the caller; writes them and `Stakes`. m = `MaxModelsPerOperator`.
	fn register() -> Weight {
		Weight::from_parts(
			810_415_000,
			operator_proof::<T>()
				+ stake_proof::<T>()
				+ m::<T>() * model_index_proof::<T>()
				+ ACCOUNT_PROOF
				+ HOLDS_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(4 + m::<T>(), 5 + m::<T>()))
	}
	/// Reads/writes `Operators`, `Stakes`, `Balances::Holds` and `System::Account` of the caller,
	/// the pot's account (auto-claim).
	fn bond_more() -> Weight {
		Weight::from_parts(
			1_515_143_000,
			operator_proof::<T>() + stake_proof::<T>() + 2 * ACCOUNT_PROOF + HOLDS_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	/// Reads/writes `Operators`, `Stakes`, the caller's and the pot's accounts (auto-claim).
	fn unbond() -> Weight {
		Weight::from_parts(
			830_435_000,
			operator_proof::<T>() + stake_proof::<T>() + 2 * ACCOUNT_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	/// Reads/writes `Operators`.
	fn set_commission() -> Weight {
		Weight::from_parts(110_755_000, operator_proof::<T>())
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	/// Reads/writes `Operators` and `ModelOperators` of m old and m new models.
	fn set_models() -> Weight {
		Weight::from_parts(
			179_907_000,
			operator_proof::<T>() + 2 * m::<T>() * model_index_proof::<T>(),
		)
		.saturating_add(T::DbWeight::get().reads_writes(1 + 2 * m::<T>(), 1 + 2 * m::<T>()))
	}
	/// Reads/writes `Operators`.
	fn chill() -> Weight {
		Weight::from_parts(113_128_000, operator_proof::<T>())
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	/// Reads/writes `Operators`.
	fn resume() -> Weight {
		Weight::from_parts(113_869_000, operator_proof::<T>())
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	/// Reads/writes `Operators`, `Stakes`, `ModelOperators` ×m, the caller's and the pot's
	/// accounts.
	fn deregister() -> Weight {
		Weight::from_parts(
			1_276_187_000,
			operator_proof::<T>()
				+ stake_proof::<T>()
				+ m::<T>() * model_index_proof::<T>()
				+ 2 * ACCOUNT_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(4 + m::<T>(), 4 + m::<T>()))
	}
	/// Reads/writes `Operators`, `Stakes`, `Balances::Holds` and `System::Account` of the caller,
	/// the pot's account.
	fn delegate() -> Weight {
		Weight::from_parts(
			1_518_078_000,
			operator_proof::<T>() + stake_proof::<T>() + 2 * ACCOUNT_PROOF + HOLDS_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	/// Reads/writes `Operators`, `Stakes`, the caller's and the pot's accounts.
	fn undelegate() -> Weight {
		Weight::from_parts(
			794_962_000,
			operator_proof::<T>() + stake_proof::<T>() + 2 * ACCOUNT_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	/// Reads/writes `Operators` and `Stakes` of the operator and of c redelegation targets,
	/// `Balances::Holds` and `System::Account` of the caller, the pot's account, the operator
	/// counter. c = `MaxUnbondingChunks`.
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(
			1_186_884_000,
			(1 + c::<T>()) * (operator_proof::<T>() + stake_proof::<T>())
				+ 2 * ACCOUNT_PROOF
				+ HOLDS_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(7 + 2 * c::<T>(), 6 + 2 * c::<T>()))
	}
	/// Reads `Operators` and `Stakes` of both operators, the caller's and the pot's accounts;
	/// writes those of `from` and the accounts.
	fn redelegate() -> Weight {
		Weight::from_parts(
			895_732_000,
			2 * (operator_proof::<T>() + stake_proof::<T>()) + 2 * ACCOUNT_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(6, 4))
	}
	/// Reads/writes `Operators`, `Stakes`, the caller's and the pot's accounts.
	fn claim() -> Weight {
		Weight::from_parts(
			790_486_000,
			operator_proof::<T>() + stake_proof::<T>() + 2 * ACCOUNT_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	/// Reads/writes `Operators`, the operator's own `Stakes`, the payer's and the pot's accounts.
	fn reward() -> Weight {
		Weight::from_parts(
			810_275_000,
			operator_proof::<T>() + stake_proof::<T>() + 2 * ACCOUNT_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	/// Reads `Operators`; per position (own and d delegations) reads/writes `Stakes`,
	/// `Balances::Holds` and `System::Account`; the slash destination's account.
	fn slash(d: u32) -> Weight {
		let positions = 1 + d as u64;
		Weight::from_parts(732_880_000, operator_proof::<T>() + ACCOUNT_PROOF)
			.saturating_add(
				Weight::from_parts(304_302_000, stake_proof::<T>() + ACCOUNT_PROOF + HOLDS_PROOF)
					.saturating_mul(d as u64),
			)
			.saturating_add(T::DbWeight::get().reads_writes(2 + 3 * positions, 2 + 3 * positions))
	}
	/// Reads `Operators` (n entries) and the session keys of up to n operators; writes the
	/// event.
	fn new_session(n: u32) -> Weight {
		Weight::from_parts(39_766_000, 0)
			.saturating_add(
				Weight::from_parts(19_842_000, operator_proof::<T>() + READ_PROOF_OVERHEAD)
					.saturating_mul(n as u64),
			)
			.saturating_add(T::DbWeight::get().reads_writes(2 * n as u64, 1))
	}
}

/// The same measured times with `RocksDbWeight` and no proof size, for tests (mock bounds:
/// m = 3 models, c = 3 chunks).
impl WeightInfo for () {
	fn register() -> Weight {
		Weight::from_parts(810_415_000, 0).saturating_add(RocksDbWeight::get().reads_writes(7, 8))
	}
	fn bond_more() -> Weight {
		Weight::from_parts(1_515_143_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn unbond() -> Weight {
		Weight::from_parts(830_435_000, 0).saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn set_commission() -> Weight {
		Weight::from_parts(110_755_000, 0).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn set_models() -> Weight {
		Weight::from_parts(179_907_000, 0).saturating_add(RocksDbWeight::get().reads_writes(7, 7))
	}
	fn chill() -> Weight {
		Weight::from_parts(113_128_000, 0).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn resume() -> Weight {
		Weight::from_parts(113_869_000, 0).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn deregister() -> Weight {
		Weight::from_parts(1_276_187_000, 0).saturating_add(RocksDbWeight::get().reads_writes(7, 7))
	}
	fn delegate() -> Weight {
		Weight::from_parts(1_518_078_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn undelegate() -> Weight {
		Weight::from_parts(794_962_000, 0).saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(1_186_884_000, 0)
			.saturating_add(RocksDbWeight::get().reads_writes(13, 12))
	}
	fn redelegate() -> Weight {
		Weight::from_parts(895_732_000, 0).saturating_add(RocksDbWeight::get().reads_writes(6, 4))
	}
	fn claim() -> Weight {
		Weight::from_parts(790_486_000, 0).saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn reward() -> Weight {
		Weight::from_parts(810_275_000, 0).saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn slash(d: u32) -> Weight {
		let positions = 1 + d as u64;
		Weight::from_parts(732_880_000, 0)
			.saturating_add(Weight::from_parts(304_302_000, 0).saturating_mul(d as u64))
			.saturating_add(RocksDbWeight::get().reads_writes(2 + 3 * positions, 2 + 3 * positions))
	}
	fn new_session(n: u32) -> Weight {
		Weight::from_parts(39_766_000, 0)
			.saturating_add(Weight::from_parts(19_842_000, 0).saturating_mul(n as u64))
			.saturating_add(RocksDbWeight::get().reads_writes(2 * n as u64, 1))
	}
}
