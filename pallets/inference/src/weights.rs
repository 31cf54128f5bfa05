//! Weights of the inference pallet.
//!
//! # How these numbers were produced
//!
//! There was no node with `frame-benchmarking-cli` to run the benchmarks on reference hardware
//! yet, so:
//! - **ref_time**: medians of 15 runs of each `frame_benchmarking::v2` benchmark's measured
//!   block (`benchmarking.rs`, `measure::measure_weights`), executed *natively in a debug
//!   build* against the mock runtime (`MaxReplication` 8, `MaxOutputLen` 64, `MaxServing` 16,
//!   `MaxInputLen` 64) on the 2-core development machine. Each function is the intercept plus
//!   one slope per component, fitted from the all-highest point and one point per component
//!   at its lowest. Comparing outputs costs `k² × o` (every reveal anchors a group); that
//!   term's coefficient is the measured `o` slope at `k = 8` divided by 64, so it scales to
//!   larger runtime bounds instead of being extrapolated linearly. A debug native build is
//!   several times slower than the release wasm executor, so these are conservative upper
//!   bounds.
//! - **database reads/writes**: counted from each code path (listed per function), priced with
//!   the runtime's `DbWeight`. The operator provider's own storage is estimated as one read
//!   for `operators_serving` plus one per candidate, and one read and one write per `reward`
//!   or `slash`, until the operator staking pallet publishes its weights.
//! - **proof size**: `MaxEncodedLen` of every item read, plus a fixed trie-path allowance per
//!   read, as the benchmarking CLI does in its `MaxEncodedLen` mode.
//!
//! Regenerate with `frame-benchmarking-cli` (`benchmark pallet --pallet
//! pallet_verity_inference`) on reference hardware once the node exposes it; the trait stays.

#![allow(unused_parens, unused_imports, missing_docs)]

use crate::{BalanceOf, Config, InputOf, Job, JobResult, OutputOf};
use codec::MaxEncodedLen;
use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_verity_models::ModelInfo;
use verity_primitives::JobId;

/// Weight functions of this pallet's calls and hooks.
pub trait WeightInfo {
	/// `n` candidates, `k` drawn, `i` input bytes.
	fn submit_job(n: u32, k: u32, i: u32) -> Weight;
	fn commit() -> Weight;
	/// A reveal of `o` bytes that does not settle.
	fn reveal(o: u32) -> Weight;
	/// The last of `k` reveals of `o` bytes, settling the job.
	fn reveal_and_settle(k: u32, o: u32) -> Weight;
	/// Cancelling a job of replication `k`.
	fn cancel(k: u32) -> Weight;
	/// The agenda visiting `b` agenda blocks (nothing due in them).
	fn service_agenda(b: u32) -> Weight;
	/// Settling or refunding one job of replication `k`, outputs of `o` bytes, at its deadline.
	fn settle_at_deadline(k: u32, o: u32) -> Weight;
	/// Removing one expired result.
	fn expire_result() -> Weight;
}

/// Measured ref_time, in picoseconds (see the module docs).
mod time {
	pub const SUBMIT_BASE: u64 = 659_388_000;
	pub const SUBMIT_PER_CANDIDATE: u64 = 5_598_000;
	pub const SUBMIT_PER_OPERATOR: u64 = 56_902_000;
	pub const SUBMIT_PER_INPUT_BYTE: u64 = 330_000;
	pub const COMMIT: u64 = 42_723_000;
	pub const REVEAL_BASE: u64 = 92_662_000;
	pub const REVEAL_PER_BYTE: u64 = 1_500;
	pub const REVEAL_SETTLE_BASE: u64 = 1_225_176_000;
	pub const REVEAL_SETTLE_PER_OPERATOR: u64 = 44_369_000;
	/// Per operator² per output byte: 661 ns per byte at k = 8, over 64.
	pub const REVEAL_SETTLE_PER_COMPARED_BYTE: u64 = 10_330;
	pub const CANCEL_BASE: u64 = 553_785_000;
	pub const CANCEL_PER_OPERATOR: u64 = 28_721_000;
	pub const AGENDA_BASE: u64 = 5_308_000;
	pub const AGENDA_PER_BLOCK: u64 = 4_076_000;
	pub const DEADLINE_BASE: u64 = 656_060_000;
	pub const DEADLINE_PER_OPERATOR: u64 = 132_670_000;
	/// Per operator² per output byte: 1_202 ns per byte at k = 8, over 64.
	pub const DEADLINE_PER_COMPARED_BYTE: u64 = 18_790;
	pub const EXPIRE_RESULT: u64 = 27_982_000;
}

/// Trie-path allowance added per storage read of a map entry (bytes).
pub const READ_PROOF_OVERHEAD: u64 = 2_475;
/// Proof of one `System::Account` entry plus its path.
pub const ACCOUNT_PROOF: u64 = 128 + READ_PROOF_OVERHEAD;
/// Proof of one `Balances::Holds` entry plus its path.
pub const HOLDS_PROOF: u64 = 1_000 + READ_PROOF_OVERHEAD;
/// Estimated proof of one operator-provider entry plus its path.
pub const PROVIDER_PROOF: u64 = 256 + READ_PROOF_OVERHEAD;

fn mel<V: MaxEncodedLen>() -> u64 {
	(V::max_encoded_len() as u64).saturating_add(48 + READ_PROOF_OVERHEAD)
}

fn job_proof<T: Config>() -> u64 {
	mel::<Job<T>>()
}
fn model_proof<T: Config>() -> u64 {
	mel::<ModelInfo<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>>()
}
fn output_proof<T: Config>() -> u64 {
	mel::<OutputOf<T>>()
}
fn agenda_proof<T: Config>() -> u64 {
	mel::<BoundedVec<JobId, T::MaxJobsPerBlock>>()
}
fn small_proof() -> u64 {
	mel::<u64>()
}

/// Reads and writes of settling a job of replication `k` (shared by `reveal_and_settle` and
/// `settle_at_deadline`): `Reveals` ×k, the model (royalty owner, open-job counter),
/// submitter and owner accounts and holds, provider ×k, `ResultQueueTail`, `Agenda`,
/// `OpenJobs`; writes those plus `Results`, `ResultQueue`, `Inputs`, `OperatorJobs` ×k, `Jobs`.
fn settle_db(k: u64) -> (u64, u64) {
	(9u64.saturating_add(k.saturating_mul(3)), 11u64.saturating_add(k.saturating_mul(4)))
}

fn settle_proof<T: Config>(k: u64) -> u64 {
	k.saturating_mul(output_proof::<T>().saturating_add(PROVIDER_PROOF))
		.saturating_add(2 * model_proof::<T>())
		.saturating_add(2 * ACCOUNT_PROOF + HOLDS_PROOF)
		.saturating_add(agenda_proof::<T>() + 2 * small_proof())
}

/// Weights for the runtime, using its database weights and storage bounds.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: Config> WeightInfo for SubstrateWeight<T> {
	/// Reads `Models`, `OpenJobs`, `Agenda`, `NextJobId`, the randomness, the provider (1 + n),
	/// the submitter's account and holds; writes account, holds, `Models`, `Agenda`,
	/// `OperatorJobs` ×k, `Inputs`, `Jobs`, `OpenJobs`, `NextJobId`.
	fn submit_job(n: u32, k: u32, i: u32) -> Weight {
		let (n, k, i) = (n as u64, k as u64, i as u64);
		Weight::from_parts(
			time::SUBMIT_BASE
				.saturating_add(n.saturating_mul(time::SUBMIT_PER_CANDIDATE))
				.saturating_add(k.saturating_mul(time::SUBMIT_PER_OPERATOR))
				.saturating_add(i.saturating_mul(time::SUBMIT_PER_INPUT_BYTE)),
			model_proof::<T>()
				.saturating_add(agenda_proof::<T>())
				.saturating_add(4 * small_proof())
				.saturating_add(ACCOUNT_PROOF + HOLDS_PROOF)
				.saturating_add((n + 1).saturating_mul(PROVIDER_PROOF)),
		)
		.saturating_add(T::DbWeight::get().reads_writes(8 + n, 8 + k))
	}

	/// Reads and writes `Jobs`.
	fn commit() -> Weight {
		Weight::from_parts(time::COMMIT, job_proof::<T>())
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}

	/// Reads `Jobs`; writes `Jobs`, `Reveals`.
	fn reveal(o: u32) -> Weight {
		Weight::from_parts(
			time::REVEAL_BASE.saturating_add((o as u64).saturating_mul(time::REVEAL_PER_BYTE)),
			job_proof::<T>(),
		)
		.saturating_add(T::DbWeight::get().reads_writes(1, 2))
	}

	/// `reveal` plus settling (see `settle_db`).
	fn reveal_and_settle(k: u32, o: u32) -> Weight {
		let (k, o) = (k as u64, o as u64);
		let (reads, writes) = settle_db(k);
		Weight::from_parts(
			time::REVEAL_SETTLE_BASE
				.saturating_add(k.saturating_mul(time::REVEAL_SETTLE_PER_OPERATOR))
				.saturating_add(
					k.saturating_mul(k)
						.saturating_mul(o)
						.saturating_mul(time::REVEAL_SETTLE_PER_COMPARED_BYTE),
				),
			job_proof::<T>().saturating_add(settle_proof::<T>(k)),
		)
		.saturating_add(T::DbWeight::get().reads_writes(1 + reads, 2 + writes))
	}

	/// Reads `Jobs`, account, holds, `Agenda`, `OpenJobs`, `Models`; writes those plus
	/// `Inputs` and `OperatorJobs` ×k.
	fn cancel(k: u32) -> Weight {
		let k = k as u64;
		Weight::from_parts(
			time::CANCEL_BASE.saturating_add(k.saturating_mul(time::CANCEL_PER_OPERATOR)),
			job_proof::<T>()
				.saturating_add(ACCOUNT_PROOF + HOLDS_PROOF)
				.saturating_add(agenda_proof::<T>() + small_proof() + model_proof::<T>()),
		)
		.saturating_add(T::DbWeight::get().reads_writes(6, 7 + k))
	}

	/// Reads and writes `AgendaCursor`; takes `b` `Agenda` entries.
	fn service_agenda(b: u32) -> Weight {
		let b = b as u64;
		Weight::from_parts(
			time::AGENDA_BASE.saturating_add(b.saturating_mul(time::AGENDA_PER_BLOCK)),
			small_proof().saturating_add(b.saturating_mul(agenda_proof::<T>())),
		)
		.saturating_add(T::DbWeight::get().reads_writes(1 + b, 1 + b))
	}

	/// Reads and removes `Jobs`, then settles (see `settle_db`).
	fn settle_at_deadline(k: u32, o: u32) -> Weight {
		let (k, o) = (k as u64, o as u64);
		let (reads, writes) = settle_db(k);
		Weight::from_parts(
			time::DEADLINE_BASE
				.saturating_add(k.saturating_mul(time::DEADLINE_PER_OPERATOR))
				.saturating_add(
					k.saturating_mul(k)
						.saturating_mul(o)
						.saturating_mul(time::DEADLINE_PER_COMPARED_BYTE),
				),
			job_proof::<T>().saturating_add(settle_proof::<T>(k)),
		)
		.saturating_add(T::DbWeight::get().reads_writes(1 + reads, 1 + writes))
	}

	/// Reads `ResultQueueHead`, `ResultQueueTail`, `ResultQueue`; removes the slot and the
	/// result, writes the head.
	fn expire_result() -> Weight {
		Weight::from_parts(time::EXPIRE_RESULT, 3 * small_proof())
			.saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
}

/// The measured times with `RocksDbWeight` and no proof size, for tests of other pallets.
impl WeightInfo for () {
	fn submit_job(n: u32, k: u32, i: u32) -> Weight {
		let (n, k, i) = (n as u64, k as u64, i as u64);
		Weight::from_parts(
			time::SUBMIT_BASE
				.saturating_add(n.saturating_mul(time::SUBMIT_PER_CANDIDATE))
				.saturating_add(k.saturating_mul(time::SUBMIT_PER_OPERATOR))
				.saturating_add(i.saturating_mul(time::SUBMIT_PER_INPUT_BYTE)),
			0,
		)
		.saturating_add(RocksDbWeight::get().reads_writes(8 + n, 8 + k))
	}
	fn commit() -> Weight {
		Weight::from_parts(time::COMMIT, 0).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn reveal(o: u32) -> Weight {
		Weight::from_parts(
			time::REVEAL_BASE.saturating_add((o as u64).saturating_mul(time::REVEAL_PER_BYTE)),
			0,
		)
		.saturating_add(RocksDbWeight::get().reads_writes(1, 2))
	}
	fn reveal_and_settle(k: u32, o: u32) -> Weight {
		let (k, o) = (k as u64, o as u64);
		let (reads, writes) = settle_db(k);
		Weight::from_parts(
			time::REVEAL_SETTLE_BASE
				.saturating_add(k.saturating_mul(time::REVEAL_SETTLE_PER_OPERATOR))
				.saturating_add(
					k.saturating_mul(k)
						.saturating_mul(o)
						.saturating_mul(time::REVEAL_SETTLE_PER_COMPARED_BYTE),
				),
			0,
		)
		.saturating_add(RocksDbWeight::get().reads_writes(1 + reads, 2 + writes))
	}
	fn cancel(k: u32) -> Weight {
		let k = k as u64;
		Weight::from_parts(
			time::CANCEL_BASE.saturating_add(k.saturating_mul(time::CANCEL_PER_OPERATOR)),
			0,
		)
		.saturating_add(RocksDbWeight::get().reads_writes(6, 7 + k))
	}
	fn service_agenda(b: u32) -> Weight {
		let b = b as u64;
		Weight::from_parts(
			time::AGENDA_BASE.saturating_add(b.saturating_mul(time::AGENDA_PER_BLOCK)),
			0,
		)
		.saturating_add(RocksDbWeight::get().reads_writes(1 + b, 1 + b))
	}
	fn settle_at_deadline(k: u32, o: u32) -> Weight {
		let (k, o) = (k as u64, o as u64);
		let (reads, writes) = settle_db(k);
		Weight::from_parts(
			time::DEADLINE_BASE
				.saturating_add(k.saturating_mul(time::DEADLINE_PER_OPERATOR))
				.saturating_add(
					k.saturating_mul(k)
						.saturating_mul(o)
						.saturating_mul(time::DEADLINE_PER_COMPARED_BYTE),
				),
			0,
		)
		.saturating_add(RocksDbWeight::get().reads_writes(1 + reads, 1 + writes))
	}
	fn expire_result() -> Weight {
		Weight::from_parts(time::EXPIRE_RESULT, 0)
			.saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
}
