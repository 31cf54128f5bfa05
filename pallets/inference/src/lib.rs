//! # Inference jobs
//!
//! A dApp pays for one run of a registered model; several staked operators run it, commit to
//! their outputs, reveal them, and the runtime settles the job under the model's numerical
//! contract.
//!
//! ## Lifecycle
//!
//! 1. [`Pallet::submit_job`] (block `s`): the fee `replication × price` is held from the
//!    submitter under [`HoldReason::JobEscrow`]; `k` operators serving the model are drawn,
//!    weighted by stake (see [`assignment`]); the job is put on the agenda of its `deadline`.
//! 2. **Commit phase**, blocks `s .. commit_end` with `commit_end = s + (deadline − s) / 2`:
//!    each assigned operator calls [`Pallet::commit`] once with
//!    `blake2_256(output ‖ salt ‖ operator)` (see `verity_primitives::contract::commitment`).
//! 3. **Reveal phase**, blocks `commit_end .. deadline`, or earlier once every assigned
//!    operator has committed: each operator that committed calls [`Pallet::reveal`] once with
//!    `(output, salt)` matching its commitment.
//! 4. **Settlement** (see [`settlement`]), as soon as nothing more can change (every assigned
//!    operator revealed, or the commit phase is over and every committed operator revealed),
//!    inside that last `reveal`; otherwise at the start of block `deadline`, by the agenda.
//!    A winning group pays its operators, the owner's royalty, and refunds the rest; no winner
//!    refunds the fee in full with [`Event::JobFailed`] saying why.
//! 5. The result ([`Results`]) lives for `ResultLifetime` blocks, then is removed.
//!
//! [`Pallet::cancel`] lets the submitter withdraw a job, with a full refund, until the first
//! commit.
//!
//! ## Bounds
//!
//! At most `MaxOpenJobs` open jobs in total, at most `MaxJobsPerBlock` with the same deadline,
//! `MaxReplication` operators per job, model-declared input and output limits. The agenda and
//! result expiry run in `on_initialize` under a [`WeightMeter`](frame_support::weights::WeightMeter) limited to
//! `AgendaWeight`, with a resume cursor ([`AgendaCursor`]) when a block's deadlines do not fit;
//! `integrity_test` checks that a full agenda block fits.
//!
//! ## Invariants (checked by `do_try_state`)
//!
//! - For every submitter, the balance held under [`HoldReason::JobEscrow`] equals the sum of
//!   the fees of its open jobs.
//! - [`OpenJobs`] equals the number of jobs; each model's open-job counter equals its jobs.
//! - Every open job sits exactly once in the agenda at its deadline, at or after the cursor;
//!   its counters match its assignments; its reveals and operator index match its seats.
//! - Every result is in the expiry queue.
//!
//! Balances are conserved: a settled job's fee is split exactly into royalty, operator
//! rewards and refund; only the operator provider's slashes change the issuance.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod agenda;
pub mod assignment;
pub mod attestation;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
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
use codec::Encode;
use frame_support::{
	dispatch::PostDispatchInfo,
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, Mutate, MutateHold},
		Randomness,
	},
};
use frame_system::pallet_prelude::*;
use pallet_verity_models::{ModelRegistry, ModelStatus};
use sp_runtime::{
	traits::{CheckedMul, Saturating, Zero},
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
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A job's fee, held from the submitter until the job is settled, refunded or cancelled.
		JobEscrow,
	}

	#[pallet::config]
	pub trait Config:
		frame_system::Config + frame_system::offchain::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The native currency; fees are escrowed as holds on it.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ InspectHold<Self::AccountId>
			+ Mutate<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The model registry.
		type Models: ModelRegistry<
			Self::AccountId,
			BalanceOf<Self>,
			BlockNumber = BlockNumberFor<Self>,
		>;

		/// Who serves which model with how much stake; pays and slashes them.
		type Operators: OperatorProvider<Self::AccountId, BalanceOf<Self>>;

		/// Which operator set an `infr` session key: who an off-chain worker's attestation
		/// speaks for.
		type KeyOwner: KeyOwner<Self::AccountId>;

		/// The randomness that seeds operator draws. See [`assignment`] for what it must
		/// provide and what a parent-hash based source does not.
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// The most jobs open at once.
		#[pallet::constant]
		type MaxOpenJobs: Get<u32>;

		/// The most jobs sharing one deadline block (the per-block agenda bound).
		#[pallet::constant]
		type MaxJobsPerBlock: Get<u32>;

		/// The shortest job: `deadline − submission block`. At least 2, so both phases last at
		/// least one block.
		#[pallet::constant]
		type MinJobDuration: Get<BlockNumberFor<Self>>;

		/// The longest job: `deadline − submission block`.
		#[pallet::constant]
		type MaxJobDuration: Get<BlockNumberFor<Self>>;

		/// How many blocks a result is kept after settlement.
		#[pallet::constant]
		type ResultLifetime: Get<BlockNumberFor<Self>>;

		/// The fraction of its stake an operator loses for revealing an output outside the
		/// winning group.
		#[pallet::constant]
		type DissentSlash: Get<Perbill>;

		/// The fraction of its stake an operator loses for not revealing by the deadline.
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

	/// The open jobs.
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
		/// A job was submitted, its fee escrowed and its operators drawn.
		JobSubmitted {
			/// The job's id.
			job_id: JobId,
			/// The model to run.
			model: ModelId,
			/// Who pays.
			submitter: T::AccountId,
			/// The fee held in escrow.
			fee: BalanceOf<T>,
			/// The operators drawn, in seat order.
			operators: BoundedVec<T::AccountId, MaxReplicationOf<T>>,
			/// Commits close at the start of this block.
			commit_end: BlockNumberFor<T>,
			/// Reveals close, and the job is settled, at the start of this block.
			deadline: BlockNumberFor<T>,
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
		/// A job was settled: a group of agreeing outputs held the quorum.
		JobSettled {
			/// The job.
			job_id: JobId,
			/// The model it ran.
			model: ModelId,
			/// `blake2_256` of the result.
			output_digest: Digest,
			/// The operators that agreed on it.
			agreeing: BoundedVec<T::AccountId, MaxReplicationOf<T>>,
			/// Their stake at assignment.
			attesting_stake: BalanceOf<T>,
			/// What the agreeing operators (and their delegators) were paid.
			operators_paid: BalanceOf<T>,
			/// What the model's owner was paid.
			royalty: BalanceOf<T>,
			/// What went back to the submitter (rounding, refused payments).
			refunded: BalanceOf<T>,
			/// What dissenting and silent operators were slashed.
			slashed: BalanceOf<T>,
		},
		/// A job ended without a result; its fee was refunded in full.
		JobFailed {
			/// The job.
			job_id: JobId,
			/// The model it was for.
			model: ModelId,
			/// Why no result was reached.
			reason: FailureReason,
			/// What went back to the submitter: the whole fee.
			refunded: BalanceOf<T>,
			/// What silent operators were slashed.
			slashed: BalanceOf<T>,
		},
		/// The submitter cancelled a job before any commit; its fee was refunded.
		JobCancelled {
			/// The job.
			job_id: JobId,
			/// What went back to the submitter: the whole fee.
			refunded: BalanceOf<T>,
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
		/// The replication is zero or above `MaxReplication`.
		InvalidReplication,
		/// The quorum is below the registry's `MinQuorum`.
		QuorumTooLow,
		/// The deadline is closer than `MinJobDuration` blocks.
		DeadlineTooSoon,
		/// The deadline is further than `MaxJobDuration` blocks.
		DeadlineTooFar,
		/// `max_fee` is below `replication × price`.
		FeeTooLow,
		/// `replication × price` overflows.
		FeeOverflow,
		/// The submitter cannot afford the fee.
		InsufficientBalance,
		/// `MaxOpenJobs` jobs are open.
		QueueFull,
		/// `MaxJobsPerBlock` jobs already share this deadline; pick another block.
		DeadlineFull,
		/// Fewer operators with stake serve the model than the replication asks for.
		NotEnoughOperators,
		/// Job ids are exhausted.
		JobIdOverflow,
		/// No open job has this id.
		JobNotFound,
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

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let mut meter = frame_support::weights::WeightMeter::with_limit(T::AgendaWeight::get());
			Self::service_agenda(now, &mut meter);
			Self::expire_results(now, &mut meter);
			meter.consumed()
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
		/// (default: the model's), settled when a group holding `quorum` of their stake agrees
		/// (default: the model's), by block `deadline` at the latest.
		///
		/// Origin: signed; pays `replication × price`, held in escrow, if at most `max_fee`.
		///
		/// Emits [`Event::JobSubmitted`].
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::ModelDeprecated`].
		/// - [`Error::EmptyInput`], [`Error::InputTooLong`].
		/// - [`Error::InvalidReplication`], [`Error::QuorumTooLow`].
		/// - [`Error::DeadlineTooSoon`], [`Error::DeadlineTooFar`].
		/// - [`Error::FeeTooLow`], [`Error::FeeOverflow`], [`Error::InsufficientBalance`].
		/// - [`Error::QueueFull`], [`Error::DeadlineFull`].
		/// - [`Error::NotEnoughOperators`], [`Error::JobIdOverflow`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit_job(
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
			let (_, candidates, k) =
				Self::do_submit(submitter, model, input, max_fee, replication, quorum, deadline)?;
			Ok(PostDispatchInfo {
				actual_weight: Some(T::WeightInfo::submit_job(candidates, k, input_len)),
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
		/// - [`Error::JobNotFound`], [`Error::CommitPhaseOver`], [`Error::NotAssigned`],
		///   [`Error::AlreadyCommitted`].
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
			let settled_k = Self::do_reveal(operator, job_id, output.clone(), salt)?;
			let actual = match settled_k {
				Some(k) => T::WeightInfo::reveal_and_settle(k, output.len() as u32),
				None => T::WeightInfo::reveal(output.len() as u32),
			};
			Ok(Some(actual).into())
		}

		/// Withdraw `job_id` and get its fee back. Only before any operator committed.
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
			let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::JobNotFound)?;
			ensure!(job.submitter == who, Error::<T>::NotSubmitter);
			ensure!(job.commits == 0, Error::<T>::CommitsExist);
			Jobs::<T>::remove(job_id);
			let refunded = Self::release_escrow(&job.submitter, job.fee);
			Self::close(job_id, &job);
			Self::deposit_event(Event::JobCancelled { job_id, refunded });
			Ok(Some(T::WeightInfo::cancel(job.assignments.len() as u32)).into())
		}

		/// [`Pallet::commit`] sent by an operator's off-chain worker: a general transaction
		/// (no account, no fee) that the operator's `infr` session key signs.
		///
		/// Origin: authorized by [`Pallet::authorize_commit`]: the signature over
		/// [`attestation::commit_payload`] is valid, the key's owner is assigned to the job and
		/// may commit now. The transaction pool drops it once it can no longer apply.
		///
		/// Emits [`Event::Committed`].
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
			let settled_k = Self::do_reveal(operator, job_id, output.clone(), salt)?;
			let actual = match settled_k {
				Some(k) => T::WeightInfo::reveal_and_settle(k, output.len() as u32),
				None => T::WeightInfo::reveal(output.len() as u32),
			};
			Ok(Some(actual.saturating_add(T::DbWeight::get().reads(1))).into())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// [`Pallet::submit_job`] after the origin check. Returns the job id, how many candidates
	/// were considered and how many operators were drawn.
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn do_submit(
		submitter: T::AccountId,
		model_id: ModelId,
		input: InputOf<T>,
		max_fee: BalanceOf<T>,
		replication: Option<u32>,
		quorum: Option<Perbill>,
		deadline: BlockNumberFor<T>,
	) -> Result<(JobId, u32, u32), DispatchError> {
		let now = frame_system::Pallet::<T>::block_number();
		let model = T::Models::model(&model_id).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(model.status == ModelStatus::Active, Error::<T>::ModelDeprecated);
		ensure!(!input.is_empty(), Error::<T>::EmptyInput);
		ensure!(input.len() <= model.spec.max_input_len as usize, Error::<T>::InputTooLong);
		let k = replication.unwrap_or(model.spec.replication);
		ensure!((1..=MaxReplicationOf::<T>::get()).contains(&k), Error::<T>::InvalidReplication);
		let quorum = quorum.unwrap_or(model.spec.quorum);
		ensure!(quorum >= T::Models::min_quorum(), Error::<T>::QuorumTooLow);
		ensure!(
			deadline >= now.saturating_add(T::MinJobDuration::get()),
			Error::<T>::DeadlineTooSoon
		);
		ensure!(
			deadline <= now.saturating_add(T::MaxJobDuration::get()),
			Error::<T>::DeadlineTooFar
		);
		let fee = model.spec.price.checked_mul(&k.into()).ok_or(Error::<T>::FeeOverflow)?;
		ensure!(max_fee >= fee, Error::<T>::FeeTooLow);
		ensure!(OpenJobs::<T>::get() < T::MaxOpenJobs::get(), Error::<T>::QueueFull);
		let mut agenda = Agenda::<T>::get(deadline).unwrap_or_default();
		ensure!((agenda.len() as u32) < T::MaxJobsPerBlock::get(), Error::<T>::DeadlineFull);

		let job_id = NextJobId::<T>::get();
		let next_id = job_id.checked_add(1).ok_or(Error::<T>::JobIdOverflow)?;
		let candidates = T::Operators::operators_serving(&model_id).into_inner();
		let considered = candidates.len() as u32;
		let seed = Self::assignment_seed(job_id);
		let drawn = assignment::draw(candidates, k as usize, &seed)
			.ok_or(Error::<T>::NotEnoughOperators)?;
		let assigned_stake =
			drawn.iter().fold(BalanceOf::<T>::zero(), |acc, (_, s)| acc.saturating_add(*s));
		let assignments: BoundedVec<_, MaxReplicationOf<T>> = drawn
			.into_iter()
			.map(|(operator, stake)| Assignment {
				operator,
				stake,
				commitment: None,
				revealed: false,
			})
			.collect::<Vec<_>>()
			.try_into()
			.map_err(|_| Error::<T>::InvalidReplication)?;
		let operators: BoundedVec<T::AccountId, MaxReplicationOf<T>> = assignments
			.iter()
			.map(|a| a.operator.clone())
			.collect::<Vec<_>>()
			.try_into()
			.map_err(|_| Error::<T>::InvalidReplication)?;
		let half = deadline.saturating_sub(now) / 2u32.into();
		let commit_end = now.saturating_add(half.max(One::one()));

		// Writes.
		T::Currency::hold(&HoldReason::JobEscrow.into(), &submitter, fee)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		T::Models::job_opened(&model_id)?;
		agenda.try_push(job_id).map_err(|_| Error::<T>::DeadlineFull)?;
		Agenda::<T>::insert(deadline, agenda);
		for a in assignments.iter() {
			OperatorJobs::<T>::insert(&a.operator, job_id, ());
		}
		Inputs::<T>::insert(job_id, input);
		Jobs::<T>::insert(
			job_id,
			Job::<T> {
				submitter: submitter.clone(),
				model: model_id,
				fee,
				quorum,
				contract: model.spec.contract,
				royalty: model.spec.royalty,
				max_output_len: model.spec.max_output_len,
				submitted_at: now,
				commit_end,
				deadline,
				assignments,
				assigned_stake,
				commits: 0,
				reveals: 0,
			},
		);
		OpenJobs::<T>::mutate(|n| *n = n.saturating_add(1));
		NextJobId::<T>::put(next_id);
		Self::deposit_event(Event::JobSubmitted {
			job_id,
			model: model_id,
			submitter,
			fee,
			operators,
			commit_end,
			deadline,
		});
		Ok((job_id, considered, k))
	}

	/// [`Pallet::commit`] after the origin check.
	pub(crate) fn do_commit(
		operator: T::AccountId,
		job_id: JobId,
		commitment: Digest,
	) -> DispatchResult {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::JobNotFound)?;
		let now = frame_system::Pallet::<T>::block_number();
		let seat = Self::check_commit(&job, &operator, now)?;
		let assignment = job.assignments.get_mut(seat).ok_or(Error::<T>::NotAssigned)?;
		assignment.commitment = Some(commitment);
		job.commits = job.commits.saturating_add(1);
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::Committed { job_id, operator });
		Ok(())
	}

	/// Whether `operator` may commit to `job` at block `now`; its seat if so.
	pub(crate) fn check_commit(
		job: &Job<T>,
		operator: &T::AccountId,
		now: BlockNumberFor<T>,
	) -> Result<usize, Error<T>> {
		ensure!(now < job.commit_end, Error::<T>::CommitPhaseOver);
		let seat = job.seat_of(operator).ok_or(Error::<T>::NotAssigned)?;
		let assignment = job.assignments.get(seat).ok_or(Error::<T>::NotAssigned)?;
		ensure!(assignment.commitment.is_none(), Error::<T>::AlreadyCommitted);
		Ok(seat)
	}

	/// Whether `operator` may reveal `(output, salt)` for `job` at block `now`; its seat if
	/// so.
	pub(crate) fn check_reveal(
		job: &Job<T>,
		operator: &T::AccountId,
		now: BlockNumberFor<T>,
		output: &[u8],
		salt: &[u8; 32],
	) -> Result<usize, Error<T>> {
		ensure!(now < job.deadline, Error::<T>::RevealPhaseOver);
		ensure!(job.phase(now) == JobPhase::Reveal, Error::<T>::RevealPhaseNotOpen);
		let seat = job.seat_of(operator).ok_or(Error::<T>::NotAssigned)?;
		let assignment = job.assignments.get(seat).ok_or(Error::<T>::NotAssigned)?;
		let committed = assignment.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(!assignment.revealed, Error::<T>::AlreadyRevealed);
		ensure!(output.len() <= job.max_output_len as usize, Error::<T>::OutputTooLong);
		let expected = verity_primitives::contract::commitment(
			output,
			salt,
			&operator.using_encoded(|o| o.to_vec()),
		);
		ensure!(expected == committed, Error::<T>::RevealMismatch);
		Ok(seat)
	}

	/// [`Pallet::reveal`] after the origin check. Returns the job's replication if the reveal
	/// settled it.
	pub(crate) fn do_reveal(
		operator: T::AccountId,
		job_id: JobId,
		output: OutputOf<T>,
		salt: [u8; 32],
	) -> Result<Option<u32>, DispatchError> {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::JobNotFound)?;
		let now = frame_system::Pallet::<T>::block_number();
		let seat = Self::check_reveal(&job, &operator, now, &output, &salt)?;
		let assignment = job.assignments.get_mut(seat).ok_or(Error::<T>::NotAssigned)?;
		assignment.revealed = true;
		job.reveals = job.reveals.saturating_add(1);
		let output_digest = sp_io::hashing::blake2_256(&output);
		Reveals::<T>::insert(job_id, seat as u32, output);
		Self::deposit_event(Event::Revealed { job_id, operator, output_digest });
		if job.ready_to_settle(now) {
			let k = job.assignments.len() as u32;
			Jobs::<T>::remove(job_id);
			Self::settle(job_id, job, now);
			Ok(Some(k))
		} else {
			Jobs::<T>::insert(job_id, job);
			Ok(None)
		}
	}

	/// The seed of job `job_id`'s operator draw (see [`assignment`]).
	pub(crate) fn assignment_seed(job_id: JobId) -> [u8; 32] {
		let (random, _) = T::Randomness::random(ASSIGNMENT_SUBJECT);
		(ASSIGNMENT_SUBJECT, job_id, random).using_encoded(sp_io::hashing::blake2_256)
	}

	/// The weight of settling a job of replication `k` with outputs up to `output_len` bytes
	/// at its deadline, reads included.
	pub fn deadline_weight(k: u32, output_len: u32) -> Weight {
		T::WeightInfo::settle_at_deadline(k, output_len)
	}

	/// The agenda's fixed cost per block: the intercept of the `service_agenda` weight.
	pub fn agenda_base_weight() -> Weight {
		T::WeightInfo::service_agenda(0)
	}

	/// The cost of visiting one agenda block: the slope of the `service_agenda` weight.
	pub fn agenda_block_weight() -> Weight {
		T::WeightInfo::service_agenda(1).saturating_sub(T::WeightInfo::service_agenda(0))
	}

	/// Panic unless the configuration is coherent and a full agenda block fits its budget.
	pub(crate) fn check_integrity() {
		let max_k = MaxReplicationOf::<T>::get();
		assert!((1..=32).contains(&max_k), "MaxReplication must be within 1..=32");
		assert!(
			T::MinJobDuration::get() >= 2u32.into(),
			"MinJobDuration must be at least 2 blocks"
		);
		assert!(
			T::MaxJobDuration::get() >= T::MinJobDuration::get(),
			"MaxJobDuration must be at least MinJobDuration"
		);
		assert!(T::MaxJobsPerBlock::get() > 0, "MaxJobsPerBlock must be positive");
		assert!(
			<T::Operators as OperatorProvider<_, _>>::MaxServing::get() >= max_k,
			"the operator provider must be able to list MaxReplication operators"
		);
		assert!(T::MaxOpenJobs::get() > 0, "MaxOpenJobs must be positive");
		let worst_job = Self::deadline_weight(max_k, MaxOutputLenOf::<T>::get());
		let full_block = Self::agenda_base_weight()
			.saturating_add(Self::agenda_block_weight())
			.saturating_add(worst_job.saturating_mul(T::MaxJobsPerBlock::get().into()))
			.saturating_add(T::WeightInfo::expire_result());
		assert!(
			full_block.all_lte(T::AgendaWeight::get()),
			"AgendaWeight {:?} cannot serve a full agenda block of worst-case jobs ({:?})",
			T::AgendaWeight::get(),
			full_block
		);
		let max_block = <T as frame_system::Config>::BlockWeights::get().max_block;
		assert!(
			T::AgendaWeight::get().all_lte(max_block),
			"AgendaWeight exceeds the block's weight"
		);
		let max_extrinsic = <T as frame_system::Config>::BlockWeights::get()
			.get(DispatchClass::Normal)
			.max_extrinsic
			.unwrap_or(max_block);
		let worst_reveal = T::WeightInfo::reveal_and_settle(max_k, MaxOutputLenOf::<T>::get());
		let worst_submit = T::WeightInfo::submit_job(
			<T::Operators as OperatorProvider<_, _>>::MaxServing::get(),
			max_k,
			MaxInputLenOf::<T>::get(),
		);
		assert!(worst_reveal.all_lte(max_extrinsic), "a settling reveal exceeds max_extrinsic");
		assert!(worst_submit.all_lte(max_extrinsic), "submit_job exceeds max_extrinsic");
	}
}

/// A [`Randomness`] from the parent block's hash: unpredictable to nobody who sees the chain,
/// unchosen by the submitter. Good enough for a devnet; see [`assignment`] for its limits.
pub struct ParentHashRandomness<T>(core::marker::PhantomData<T>);

impl<T: frame_system::Config> Randomness<T::Hash, BlockNumberFor<T>> for ParentHashRandomness<T> {
	fn random(subject: &[u8]) -> (T::Hash, BlockNumberFor<T>) {
		use sp_runtime::traits::Hash;
		let parent = frame_system::Pallet::<T>::parent_hash();
		let now = frame_system::Pallet::<T>::block_number();
		(T::Hashing::hash_of(&(subject, parent)), now.saturating_sub(One::one()))
	}
}
