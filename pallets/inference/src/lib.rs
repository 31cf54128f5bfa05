//! # Inference jobs
//!
//! A dApp pays for one run of a registered model; several staked operators run it, commit to
//! their outputs, reveal them, and the runtime settles the job under the model's numerical
//! contract. The threat model and the reasoning behind every parameter are in
//! `docs/SECURITY.md`.
//!
//! ## Lifecycle
//!
//! 1. [`Pallet::submit_job`] (block `s`): the fee `k × price` is held from the submitter under
//!    [`HoldReason::JobEscrow`] and a submission deposit under [`HoldReason::JobDeposit`];
//!    the job is put on the agenda of its `deadline`.
//! 2. **Draw**, at the start of block `s + 1` ([`Pallet::draw_pending`]): `k` operators serving
//!    the model are drawn, weighted by stake at risk, from randomness that did not exist when
//!    the job was submitted (see [`assignment`]); [`Event::JobAssigned`] names them.
//! 3. **Commit phase**, until `commit_end`: each assigned operator commits once to
//!    `blake2_256(output ‖ salt ‖ operator)`. The window always holds the first block an
//!    off-chain worker's commit can land in (`s + 2`), the model's `compute_blocks` and
//!    `PropagationSlack` (see [`Pallet::schedule`]).
//! 4. **Reveal phase**, `commit_end .. deadline`, or earlier once every seat committed: each
//!    operator that committed reveals `(output, salt)`.
//! 5. **Settlement** (see [`settlement`]) as soon as nothing more can change, else at the start
//!    of block `deadline` by the agenda. Every seat has one vote; the largest group of agreeing
//!    outputs wins with at least `ceil(quorum × k)` seats. Only what the group agreed on is
//!    settled. The fee pays the winners; without a winner it pays every operator that
//!    revealed its seat's share, so revealed outputs are never free. Offences are *reported*
//!    to the operator provider, which defers the slash (cancellable) and counts one incident
//!    once.
//! 6. The result ([`Results`]) lives for `ResultLifetime` blocks, then is removed.
//!
//! An input the engine deterministically rejects is an outcome like any other: operators
//! reveal `INPUT_REJECTED`, it wins like an output, the submitter pays and forfeits the
//! deposit, and nobody is slashed for silence. [`Pallet::cancel`] withdraws a job before any
//! commit; after the draw it forfeits the deposit.
//!
//! ## Bounds
//!
//! At most `MaxOpenJobs` open jobs, `MaxOpenJobsPerAccount` per submitter, `MaxDrawsPerBlock`
//! submissions per block, `MaxJobsPerBlock` sharing a deadline; the deposit rises with the
//! queue's occupancy. The agenda and result expiry run in `on_initialize` under a
//! [`WeightMeter`](frame_support::weights::WeightMeter) limited to `AgendaWeight`, with a
//! resume cursor ([`AgendaCursor`]); `integrity_test` checks that a full block fits.
//!
//! ## Invariants (checked by `do_try_state`)
//!
//! - For every account, the balance held under [`HoldReason::JobEscrow`] equals the sum of
//!   the fees of its open jobs, and under [`HoldReason::JobDeposit`] the sum of their
//!   deposits; no other account holds either.
//! - [`OpenJobs`] equals the number of jobs, [`OpenJobsOf`] each submitter's; each model's
//!   open-job counter equals its jobs.
//! - Every open job sits exactly once in the agenda at its deadline, at or after the cursor;
//!   `submitted_at < commit_end < deadline`; a job not yet drawn is pending a draw; its
//!   counters match its assignments; its reveals and operator index match its seats.
//! - Every result is in the expiry queue.
//!
//! Balances are conserved but for forfeited deposits (burnt): a job's fee is split exactly
//! into royalty, operator rewards and refund.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod agenda;
pub mod assignment;
pub mod attestation;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod jobs;
#[cfg(test)]
mod mock;
pub mod offchain;
pub mod runtime_api;
pub mod settlement;
#[cfg(test)]
mod tests;
#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod try_state;
mod types;
pub mod weights;

pub use attestation::Attestation;
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::{
	dispatch::PostDispatchInfo,
	pallet_prelude::*,
	traits::{
		fungible::{BalancedHold, InspectHold, Mutate, MutateHold},
		OnUnbalanced, Randomness,
	},
};
use frame_system::pallet_prelude::*;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};
use verity_primitives::{infr::KeyOwner, operators::OperatorProvider, JobId, ModelId};

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::inference";

/// The subject mixed into the randomness that seeds operator draws.
pub const ASSIGNMENT_SUBJECT: &[u8] = b"verity/assign";

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A job's fee, held from the submitter until the job is settled, refunded or cancelled.
		JobEscrow,
		/// A job's submission deposit: returned when the job ends, forfeited for a rejected
		/// input or a cancel after the draw.
		JobDeposit,
	}

	#[pallet::config]
	pub trait Config:
		frame_system::Config + frame_system::offchain::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The native currency; fees and deposits are held on it.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ InspectHold<Self::AccountId>
			+ BalancedHold<Self::AccountId>
			+ Mutate<Self::AccountId>;

		/// Where forfeited submission deposits go (`()` burns them).
		type Forfeit: OnUnbalanced<CreditOf<Self>>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The model registry.
		type Models: pallet_verity_models::ModelRegistry<
			Self::AccountId,
			BalanceOf<Self>,
			BlockNumber = BlockNumberFor<Self>,
		>;

		/// Who serves which model with how much stake at risk; pays them and takes their
		/// offence reports.
		type Operators: OperatorProvider<Self::AccountId, BalanceOf<Self>>;

		/// Which operator set an `infr` session key: who an off-chain worker's attestation
		/// speaks for.
		type KeyOwner: KeyOwner<Self::AccountId>;

		/// The randomness that seeds operator draws, read at the start of the block after a
		/// job's submission. See [`assignment`] for what it must provide.
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// The most jobs open at once.
		#[pallet::constant]
		type MaxOpenJobs: Get<u32>;

		/// The most jobs one account may have open at once.
		#[pallet::constant]
		type MaxOpenJobsPerAccount: Get<u32>;

		/// The most jobs submitted in one block (all drawn at the start of the next).
		#[pallet::constant]
		type MaxDrawsPerBlock: Get<u32>;

		/// The most jobs sharing one deadline block (the per-block agenda bound).
		#[pallet::constant]
		type MaxJobsPerBlock: Get<u32>;

		/// Blocks an attestation may take to land beyond the first block it can reach
		/// (propagation, a missed slot). Both phases are this much longer than the
		/// fastest possible schedule.
		#[pallet::constant]
		type PropagationSlack: Get<BlockNumberFor<Self>>;

		/// The longest job: `deadline − submission block`.
		#[pallet::constant]
		type MaxJobDuration: Get<BlockNumberFor<Self>>;

		/// The largest share of the seats a job may require to agree. At most two thirds, so
		/// one dissenting or silent seat of three cannot veto a job.
		#[pallet::constant]
		type MaxQuorum: Get<Perbill>;

		/// The submission deposit with an empty queue.
		#[pallet::constant]
		type JobDeposit: Get<BalanceOf<Self>>;

		/// How much the deposit rises with the queue's occupancy: with `n` of `MaxOpenJobs`
		/// open, the deposit is `JobDeposit × (1 + DepositSurge × n / MaxOpenJobs)`.
		#[pallet::constant]
		type DepositSurge: Get<u32>;

		/// How many blocks a result is kept after settlement.
		#[pallet::constant]
		type ResultLifetime: Get<BlockNumberFor<Self>>;

		/// The fraction of its exposure an operator is slashed for revealing an output outside
		/// the winning group.
		#[pallet::constant]
		type DissentSlash: Get<Perbill>;

		/// The fraction of its exposure an operator is slashed for not revealing when a
		/// winning group showed the job could be done.
		#[pallet::constant]
		type SilentSlash: Get<Perbill>;

		/// The most weight `on_initialize` spends on deadlines and result expiry per block.
		#[pallet::constant]
		type AgendaWeight: Get<Weight>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T: Config> = StorageValue<_, JobId, ValueQuery>;

	/// The open jobs. (Twox: job ids are a counter nobody chooses.)
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, Job<T>, OptionQuery>;

	/// The inputs of the open jobs (apart from [`Jobs`], so commits and reveals do not read
	/// them).
	#[pallet::storage]
	pub type Inputs<T: Config> = StorageMap<_, Twox64Concat, JobId, InputOf<T>, OptionQuery>;

	/// The revealed outputs of the open jobs, by job and seat (index in the assignments).
	#[pallet::storage]
	pub type Reveals<T: Config> =
		StorageDoubleMap<_, Twox64Concat, JobId, Twox64Concat, u32, OutputOf<T>, OptionQuery>;

	/// The open jobs each operator is assigned to.
	#[pallet::storage]
	pub type OperatorJobs<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, JobId, (), OptionQuery>;

	/// How many jobs are open.
	#[pallet::storage]
	pub type OpenJobs<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// How many jobs each account has open (absent when none).
	#[pallet::storage]
	pub type OpenJobsOf<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, OptionQuery>;

	/// The fewest operators a job is replicated on, whatever its model declares: at least two
	/// on a network with several operators, so one drawn seat never decides alone (a
	/// single-validator development chain sets one at genesis).
	#[pallet::storage]
	pub type MinReplication<T: Config> = StorageValue<_, u32, ValueQuery, ConstU32<2>>;

	/// The jobs submitted in this block, drawn at the start of the next.
	#[pallet::storage]
	pub type PendingDraws<T: Config> =
		StorageValue<_, BoundedVec<JobId, T::MaxDrawsPerBlock>, ValueQuery>;

	/// The open jobs by deadline block: settled or refunded at the start of that block.
	#[pallet::storage]
	pub type Agenda<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxJobsPerBlock>,
		OptionQuery,
	>;

	/// The earliest agenda block that may still hold due jobs, when a block's weight ran out
	/// before its agenda was done; `None` when the agenda is served up to the current block.
	#[pallet::storage]
	pub type AgendaCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// The results of settled jobs, kept for `ResultLifetime` blocks.
	#[pallet::storage]
	pub type Results<T: Config> = StorageMap<_, Twox64Concat, JobId, JobResult<T>, OptionQuery>;

	/// Results in settlement order with the block they expire at: a queue from
	/// [`ResultQueueHead`] (oldest) to [`ResultQueueTail`] (next free slot).
	#[pallet::storage]
	pub type ResultQueue<T: Config> =
		StorageMap<_, Twox64Concat, u64, (JobId, BlockNumberFor<T>), OptionQuery>;

	/// The oldest slot of [`ResultQueue`].
	#[pallet::storage]
	pub type ResultQueueHead<T: Config> = StorageValue<_, u64, ValueQuery>;

	/// The next free slot of [`ResultQueue`].
	#[pallet::storage]
	pub type ResultQueueTail<T: Config> = StorageValue<_, u64, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A job was submitted, its fee and deposit held; its operators are drawn at the
		/// start of the next block.
		JobSubmitted {
			/// The job's id.
			job_id: JobId,
			/// The model to run.
			model: ModelId,
			/// Who pays.
			submitter: T::AccountId,
			/// The fee held in escrow.
			fee: BalanceOf<T>,
			/// The submission deposit held.
			deposit: BalanceOf<T>,
			/// How many operators will be drawn.
			replication: u32,
			/// Commits close at the start of this block.
			commit_end: BlockNumberFor<T>,
			/// Reveals close, and the job is settled, at the start of this block.
			deadline: BlockNumberFor<T>,
		},
		/// A job's operators were drawn.
		JobAssigned {
			/// The job.
			job_id: JobId,
			/// The operators drawn, in seat order.
			operators: BoundedVec<T::AccountId, MaxReplicationOf<T>>,
		},
		/// An assigned operator committed to its output.
		Committed {
			/// The job.
			job_id: JobId,
			/// The operator.
			operator: T::AccountId,
		},
		/// An assigned operator revealed an output matching its commitment.
		Revealed {
			/// The job.
			job_id: JobId,
			/// The operator.
			operator: T::AccountId,
			/// `blake2_256(output)`.
			output_digest: Digest,
		},
		/// A job was settled: a group of agreeing outputs held the quorum of the seats.
		JobSettled {
			/// The job.
			job_id: JobId,
			/// The model it ran.
			model: ModelId,
			/// `blake2_256` of the settled result.
			output_digest: Digest,
			/// Whether the operators attested that the engine rejected the input (the result
			/// is then empty).
			input_rejected: bool,
			/// The operators that agreed on it.
			agreeing: BoundedVec<T::AccountId, MaxReplicationOf<T>>,
			/// Their stake at risk when drawn.
			attesting_stake: BalanceOf<T>,
			/// What the agreeing operators (and their delegators) were paid.
			operators_paid: BalanceOf<T>,
			/// What the model's owner was paid.
			royalty: BalanceOf<T>,
			/// What went back to the submitter (rounding, refused payments).
			refunded: BalanceOf<T>,
			/// The submission deposit forfeited (a rejected input).
			deposit_forfeited: BalanceOf<T>,
			/// The slashes reported for dissenting and silent operators (applied later by the
			/// operator provider, unless cancelled).
			slash_reported: BalanceOf<T>,
		},
		/// A job ended without a result.
		JobFailed {
			/// The job.
			job_id: JobId,
			/// The model it was for.
			model: ModelId,
			/// Why no result was reached.
			reason: FailureReason,
			/// What the operators that revealed were paid: their seats' share of the fee.
			operators_paid: BalanceOf<T>,
			/// What went back to the submitter: the rest of the fee.
			refunded: BalanceOf<T>,
		},
		/// The submitter cancelled a job before any commit.
		JobCancelled {
			/// The job.
			job_id: JobId,
			/// The fee that went back to the submitter.
			refunded: BalanceOf<T>,
			/// The deposit forfeited: all of it once the operators were drawn.
			deposit_forfeited: BalanceOf<T>,
		},
		/// A result reached the end of its lifetime and was removed.
		ResultExpired {
			/// The job whose result was removed.
			job_id: JobId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No model is registered under this id.
		ModelNotFound,
		/// The model is deprecated and takes no new jobs.
		ModelDeprecated,
		/// The input is empty.
		EmptyInput,
		/// The input is longer than the model accepts.
		InputTooLong,
		/// The replication is below the model's (or `MinReplication`), or above
		/// `MaxReplication`.
		InvalidReplication,
		/// The quorum is below the registry's `MinQuorum`.
		QuorumTooLow,
		/// The quorum is above `MaxQuorum`.
		QuorumTooHigh,
		/// The deadline leaves no room for the draw, the model's compute time and both
		/// phases (see `Pallet::schedule`).
		DeadlineTooSoon,
		/// The deadline is further than `MaxJobDuration` blocks.
		DeadlineTooFar,
		/// `max_fee` is below `replication × price`.
		FeeTooLow,
		/// `replication × price` overflows.
		FeeOverflow,
		/// The submitter cannot afford the fee and the deposit.
		InsufficientBalance,
		/// `MaxOpenJobs` jobs are open.
		QueueFull,
		/// The submitter already has `MaxOpenJobsPerAccount` jobs open.
		TooManyOpenJobs,
		/// `MaxDrawsPerBlock` jobs were already submitted in this block; submit in the next.
		BlockFull,
		/// `MaxJobsPerBlock` jobs already share this deadline; pick another block.
		DeadlineFull,
		/// Fewer operators with stake serve the model than the replication asks for.
		NotEnoughOperators,
		/// Job ids are exhausted.
		JobIdOverflow,
		/// No open job has this id.
		JobNotFound,
		/// The job's operators are drawn at the start of the next block.
		NotDrawnYet,
		/// The caller is not assigned to the job.
		NotAssigned,
		/// The commit phase is over.
		CommitPhaseOver,
		/// The caller already committed.
		AlreadyCommitted,
		/// The reveal phase has not begun.
		RevealPhaseNotOpen,
		/// The reveal phase is over (the deadline block has come).
		RevealPhaseOver,
		/// The caller did not commit, so has nothing to reveal.
		NotCommitted,
		/// The caller already revealed.
		AlreadyRevealed,
		/// The output is longer than the model declares.
		OutputTooLong,
		/// The output and salt do not hash to the caller's commitment.
		RevealMismatch,
		/// Only the submitter may cancel the job.
		NotSubmitter,
		/// An operator already committed; the job can no longer be cancelled.
		CommitsExist,
		/// No operator set this `infr` key with `session.set_keys`.
		UnknownKey,
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// [`MinReplication`] at genesis; zero keeps the default (two).
		pub min_replication: u32,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if self.min_replication != 0 {
				assert!(
					self.min_replication <= MaxReplicationOf::<T>::get(),
					"min_replication exceeds MaxReplication"
				);
				MinReplication::<T>::put(self.min_replication);
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let drawn = Self::draw_pending();
			let mut meter = frame_support::weights::WeightMeter::with_limit(T::AgendaWeight::get());
			Self::service_agenda(now, &mut meter);
			Self::expire_results(now, &mut meter);
			drawn.saturating_add(meter.consumed())
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			offchain::serve_assigned_jobs::<T>(now);
		}

		fn integrity_test() {
			Self::check_integrity();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Pay for one run of `model` on `input`, replicated on `replication` operators
		/// (default and minimum: the model's), settled when `quorum` of the seats agree
		/// (default: the model's, at most `MaxQuorum`), by block `deadline` at the latest.
		///
		/// Origin: signed; pays `replication × price` into escrow if at most `max_fee`, and
		/// the submission deposit. The fee also pays for the draw and for the operators'
		/// attestations (its weight includes them), which carry no fee of their own.
		///
		/// Emits [`Event::JobSubmitted`]; [`Event::JobAssigned`] follows in the next block.
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::ModelDeprecated`].
		/// - [`Error::EmptyInput`], [`Error::InputTooLong`].
		/// - [`Error::InvalidReplication`], [`Error::QuorumTooLow`], [`Error::QuorumTooHigh`].
		/// - [`Error::DeadlineTooSoon`], [`Error::DeadlineTooFar`].
		/// - [`Error::FeeTooLow`], [`Error::FeeOverflow`], [`Error::InsufficientBalance`].
		/// - [`Error::QueueFull`], [`Error::TooManyOpenJobs`], [`Error::BlockFull`],
		///   [`Error::DeadlineFull`].
		/// - [`Error::NotEnoughOperators`], [`Error::JobIdOverflow`].
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::submit_weight(
			<T::Operators as OperatorProvider<_, _>>::MaxServing::get(),
			replication.unwrap_or_else(MaxReplicationOf::<T>::get),
			input.len() as u32,
		))]
		pub fn submit_job(
			origin: OriginFor<T>,
			model: ModelId,
			input: InputOf<T>,
			max_fee: BalanceOf<T>,
			replication: Option<u32>,
			quorum: Option<Perbill>,
			deadline: BlockNumberFor<T>,
		) -> DispatchResultWithPostInfo {
			let submitter = ensure_signed(origin)?;
			let input_len = input.len() as u32;
			let request = JobRequest { model, input, max_fee, replication, quorum, deadline };
			let (_, candidates, k) = Self::do_submit(submitter, request)?;
			Ok(PostDispatchInfo {
				actual_weight: Some(Self::submit_weight(candidates, k, input_len)),
				pays_fee: Pays::Yes,
			})
		}

		/// Commit to an output for `job_id`: `commitment = blake2_256(output ‖ salt ‖
		/// operator)`.
		///
		/// Origin: signed by an operator assigned to the job, once, during the commit phase.
		///
		/// Emits [`Event::Committed`].
		///
		/// ## Errors
		/// - [`Error::JobNotFound`], [`Error::NotDrawnYet`], [`Error::CommitPhaseOver`],
		///   [`Error::NotAssigned`], [`Error::AlreadyCommitted`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::commit())]
		pub fn commit(origin: OriginFor<T>, job_id: JobId, commitment: Digest) -> DispatchResult {
			let operator = ensure_signed(origin)?;
			Self::do_commit(operator, job_id, commitment)
		}

		/// Reveal the output committed to for `job_id`, with its salt. Settles the job when
		/// this was the last reveal that could come.
		///
		/// Origin: signed by an assigned operator that committed, once, during the reveal
		/// phase.
		///
		/// Emits [`Event::Revealed`], then [`Event::JobSettled`] or [`Event::JobFailed`] if
		/// the job settles.
		///
		/// ## Errors
		/// - [`Error::JobNotFound`], [`Error::RevealPhaseOver`], [`Error::RevealPhaseNotOpen`],
		///   [`Error::NotAssigned`], [`Error::NotCommitted`], [`Error::AlreadyRevealed`],
		///   [`Error::OutputTooLong`], [`Error::RevealMismatch`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reveal_and_settle(
			MaxReplicationOf::<T>::get(),
			output.len() as u32,
		))]
		pub fn reveal(
			origin: OriginFor<T>,
			job_id: JobId,
			output: OutputOf<T>,
			salt: [u8; 32],
		) -> DispatchResultWithPostInfo {
			let operator = ensure_signed(origin)?;
			let len = output.len() as u32;
			let settled_k = Self::do_reveal(operator, job_id, output, salt)?;
			Ok(Some(Self::reveal_weight(settled_k, len)).into())
		}

		/// Withdraw `job_id` before any operator committed. The fee comes back; the deposit
		/// comes back only if the operators were not drawn yet (same block), so cancelling
		/// a draw one dislikes costs the deposit.
		///
		/// Origin: signed by the submitter.
		///
		/// Emits [`Event::JobCancelled`].
		///
		/// ## Errors
		/// - [`Error::JobNotFound`], [`Error::NotSubmitter`], [`Error::CommitsExist`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::cancel(MaxReplicationOf::<T>::get()))]
		pub fn cancel(origin: OriginFor<T>, job_id: JobId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let k = Self::do_cancel(who, job_id)?;
			Ok(Some(T::WeightInfo::cancel(k)).into())
		}

		/// [`Pallet::commit`] sent by an operator's off-chain worker: a general transaction
		/// (no account, no fee: the job's fee paid for it) that the operator's `infr` session
		/// key signs.
		///
		/// Origin: authorized by [`Pallet::authorize_commit`]: the signature over
		/// [`attestation::commit_payload`] is valid, the key's owner is assigned to the job and
		/// may commit now. The transaction pool drops it once it can no longer apply.
		///
		/// Emits [`Event::Committed`].
		///
		/// ## Errors
		/// As [`Pallet::commit`], and [`Error::UnknownKey`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::commit().saturating_add(T::DbWeight::get().reads(1)))]
		#[pallet::authorize(Pallet::<T>::authorize_commit)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_commit())]
		pub fn commit_attested(
			origin: OriginFor<T>,
			job_id: JobId,
			commitment: Digest,
			attestation: Attestation,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			let operator = Self::key_owner(&attestation)?;
			Self::do_commit(operator, job_id, commitment)
		}

		/// [`Pallet::reveal`] sent by an operator's off-chain worker, signed by its `infr`
		/// session key over [`attestation::reveal_payload`]. See [`Pallet::commit_attested`].
		///
		/// Emits [`Event::Revealed`], then [`Event::JobSettled`] or [`Event::JobFailed`] if
		/// the job settles.
		///
		/// ## Errors
		/// As [`Pallet::reveal`], and [`Error::UnknownKey`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::reveal_and_settle(
			MaxReplicationOf::<T>::get(),
			output.len() as u32,
		).saturating_add(T::DbWeight::get().reads(1)))]
		#[pallet::authorize(Pallet::<T>::authorize_reveal)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_reveal(output.len() as u32))]
		pub fn reveal_attested(
			origin: OriginFor<T>,
			job_id: JobId,
			output: OutputOf<T>,
			salt: [u8; 32],
			attestation: Attestation,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			let operator = Self::key_owner(&attestation)?;
			let len = output.len() as u32;
			let settled_k = Self::do_reveal(operator, job_id, output, salt)?;
			let actual = Self::reveal_weight(settled_k, len);
			Ok(Some(actual.saturating_add(T::DbWeight::get().reads(1))).into())
		}

		/// Set [`MinReplication`], the fewest operators any job is replicated on.
		///
		/// Origin: root.
		///
		/// ## Errors
		/// - [`Error::InvalidReplication`]: zero, or above `MaxReplication`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::DbWeight::get().writes(1))]
		pub fn set_min_replication(origin: OriginFor<T>, min_replication: u32) -> DispatchResult {
			ensure_root(origin)?;
			ensure!(
				(1..=MaxReplicationOf::<T>::get()).contains(&min_replication),
				Error::<T>::InvalidReplication
			);
			MinReplication::<T>::put(min_replication);
			Ok(())
		}
	}
}

/// A [`Randomness`] from the parent block's hash: the submitter of a job cannot know it (the
/// draw reads it in the block after submission), but the author of the submission block can
/// grind it by reordering its block. A stand-in until BABE's per-block VRF output (which an
/// author can only withhold) replaces it; see [`assignment`].
pub struct ParentHashRandomness<T>(core::marker::PhantomData<T>);

impl<T: frame_system::Config> Randomness<T::Hash, BlockNumberFor<T>> for ParentHashRandomness<T> {
	fn random(subject: &[u8]) -> (T::Hash, BlockNumberFor<T>) {
		use sp_runtime::traits::{Hash, One, Saturating};
		let parent = frame_system::Pallet::<T>::parent_hash();
		let now = frame_system::Pallet::<T>::block_number();
		(T::Hashing::hash_of(&(subject, parent)), now.saturating_sub(One::one()))
	}
}
