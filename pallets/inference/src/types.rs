//! Types of the inference pallet: jobs, assignments, results and the runtime API's views.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::fungible, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use pallet_verity_models::ModelRegistry;
use scale_info::TypeInfo;
use sp_runtime::Perbill;
use verity_primitives::{contract::NumericalContract, ModelId};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> = <<T as crate::Config>::Currency as fungible::Inspect<
	<T as frame_system::Config>::AccountId,
>>::Balance;

/// An imbalance of the pallet's currency: a forfeited deposit.
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as crate::Config>::Currency>;

/// The block number type.
pub type BlockNumberOf<T> = frame_system::pallet_prelude::BlockNumberFor<T>;

/// The most operators a job may be assigned (the registry's `MaxReplication`).
pub type MaxReplicationOf<T> = <<T as crate::Config>::Models as ModelRegistry<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
>>::MaxReplication;

/// The longest job input (the registry's `MaxInputLen`).
pub type MaxInputLenOf<T> = <<T as crate::Config>::Models as ModelRegistry<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
>>::MaxInputLen;

/// The longest output (the registry's `MaxOutputLen`).
pub type MaxOutputLenOf<T> = <<T as crate::Config>::Models as ModelRegistry<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
>>::MaxOutputLen;

/// A job's input bytes, as the engine reads them.
pub type InputOf<T> = BoundedVec<u8, MaxInputLenOf<T>>;

/// An operator's canonical output bytes (see `verity_primitives::contract`).
pub type OutputOf<T> = BoundedVec<u8, MaxOutputLenOf<T>>;

/// A 32-byte blake2 digest.
pub type Digest = [u8; 32];

/// One operator's seat on a job.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Assignment<AccountId, Balance> {
	/// The operator's account; it signs `commit` and `reveal`.
	pub operator: AccountId,
	/// Its stake at risk when the job was drawn (its *exposure*): what a slash for this job
	/// is a fraction of. Every seat has one equal vote, whatever its stake (see
	/// [`crate::settlement`]).
	pub stake: Balance,
	/// Its commitment `blake2_256(output ‖ salt ‖ operator)`, once committed.
	pub commitment: Option<Digest>,
	/// Whether it revealed an output matching its commitment.
	pub revealed: bool,
}

/// An open job: submitted, fee in escrow, not yet settled, refunded or cancelled.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: crate::Config))]
pub struct Job<T: crate::Config> {
	/// Who pays the fee and receives any refund.
	pub submitter: T::AccountId,
	/// The model to run.
	pub model: ModelId,
	/// The model's manifest digest: what the operators' engines load.
	pub manifest: ModelId,
	/// The fee held in escrow from the submitter: `replication × price` at submission.
	pub fee: BalanceOf<T>,
	/// The submission deposit held from the submitter (`HoldReason::JobDeposit`): returned
	/// when the job ends, forfeited when the operators attest the input was rejected or the
	/// submitter cancels after the draw.
	pub deposit: BalanceOf<T>,
	/// How many operators are drawn.
	pub replication: u32,
	/// The share of the seats the winning group must hold.
	pub quorum: Perbill,
	/// The model's contract when the job was submitted.
	pub contract: NumericalContract,
	/// The model's royalty share when the job was submitted.
	pub royalty: Perbill,
	/// The model's output limit when the job was submitted.
	pub max_output_len: u32,
	/// The block the job was submitted in.
	pub submitted_at: BlockNumberOf<T>,
	/// Commits are accepted in blocks before this one. Reveals open at this block, or as soon
	/// as every assigned operator has committed.
	pub commit_end: BlockNumberOf<T>,
	/// Reveals are accepted in blocks before this one; the job is settled or refunded at the
	/// start of this block at the latest.
	pub deadline: BlockNumberOf<T>,
	/// The assigned operators, in the order they were drawn; empty until the draw at the
	/// start of the block after submission.
	pub assignments: BoundedVec<Assignment<T::AccountId, BalanceOf<T>>, MaxReplicationOf<T>>,
	/// The sum of the assigned operators' stakes.
	pub assigned_stake: BalanceOf<T>,
	/// How many assigned operators committed.
	pub commits: u32,
	/// How many assigned operators revealed.
	pub reveals: u32,
}

impl<T: crate::Config> Job<T> {
	/// Whether the operators were drawn (the block after submission).
	pub fn is_drawn(&self) -> bool {
		!self.assignments.is_empty()
	}

	/// The number of agreeing seats a result needs: `ceil(quorum × replication)`.
	pub fn seats_needed(&self) -> u32 {
		self.quorum.mul_ceil(self.replication)
	}

	/// The index of `who` among the assigned operators.
	pub fn seat_of(&self, who: &T::AccountId) -> Option<usize> {
		self.assignments.iter().position(|a| &a.operator == who)
	}

	/// The phase the job is in at block `now`.
	pub fn phase(&self, now: BlockNumberOf<T>) -> JobPhase {
		if !self.is_drawn() && now < self.deadline {
			JobPhase::Draw
		} else if now >= self.deadline {
			JobPhase::Expired
		} else if now >= self.commit_end || self.all_committed() {
			JobPhase::Reveal
		} else {
			JobPhase::Commit
		}
	}

	/// Whether every assigned operator committed.
	pub fn all_committed(&self) -> bool {
		usize::try_from(self.commits).is_ok_and(|c| c >= self.assignments.len())
	}

	/// Whether nothing more can change before settlement: every assigned operator revealed,
	/// or the commit phase is over and every operator who committed revealed.
	pub fn ready_to_settle(&self, now: BlockNumberOf<T>) -> bool {
		let all_revealed = usize::try_from(self.reveals).is_ok_and(|r| r >= self.assignments.len());
		all_revealed || (now >= self.commit_end && self.reveals >= self.commits)
	}
}

/// Where a job stands.
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
)]
pub enum JobPhase {
	/// Submitted in this block; the operators are drawn at the start of the next.
	Draw,
	/// Assigned operators may commit.
	Commit,
	/// Operators who committed may reveal.
	Reveal,
	/// The deadline passed; the agenda settles or refunds the job shortly.
	Expired,
}

/// Why a job was refunded instead of settled.
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
)]
pub enum FailureReason {
	/// No assigned operator revealed an output by the deadline.
	NoReveals,
	/// No group of agreeing outputs held the quorum of the assigned stake.
	QuorumNotReached,
	/// Two different groups held the quorum with exactly as many seats.
	Tie,
	/// Fewer operators with stake at risk served the model at the draw than the job needs.
	NotEnoughOperators,
}

/// A settled job's result, kept for `ResultLifetime` blocks.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: crate::Config))]
pub struct JobResult<T: crate::Config> {
	/// The model that produced it.
	pub model: ModelId,
	/// Who paid for it.
	pub submitter: T::AccountId,
	/// What the winning group agreed on (see `NumericalContract::settled_output`): the common
	/// bytes, the token-id prefix, or the element-wise median. Empty when the operators
	/// attested that the engine rejected the input.
	pub output: OutputOf<T>,
	/// `blake2_256(output)`.
	pub output_digest: Digest,
	/// The operators whose outputs agreed with it under the model's contract.
	pub agreeing: BoundedVec<T::AccountId, MaxReplicationOf<T>>,
	/// Their stake at assignment: the stake that attested the result.
	pub attesting_stake: BalanceOf<T>,
	/// The stake of all assigned operators at assignment.
	pub assigned_stake: BalanceOf<T>,
	/// The block the job was settled in.
	pub settled_at: BlockNumberOf<T>,
	/// The result is removed at the start of this block.
	pub expires_at: BlockNumberOf<T>,
}

/// A result as the runtime API shows it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ResultView<AccountId, Balance, BlockNumber> {
	/// The job's id.
	pub job_id: verity_primitives::JobId,
	/// The model that produced it.
	pub model: ModelId,
	/// Who paid for it.
	pub submitter: AccountId,
	/// What the winning group agreed on; empty when the input was rejected.
	pub output: Vec<u8>,
	/// `blake2_256(output)`.
	pub output_digest: Digest,
	/// The operators whose outputs agreed with it.
	pub agreeing: Vec<AccountId>,
	/// Their stake at assignment.
	pub attesting_stake: Balance,
	/// The stake of all assigned operators at assignment.
	pub assigned_stake: Balance,
	/// The block the job was settled in.
	pub settled_at: BlockNumber,
	/// The block the result expires at.
	pub expires_at: BlockNumber,
}

/// A job as the runtime API shows it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct JobView<AccountId, Balance, BlockNumber> {
	/// The job's id.
	pub job_id: verity_primitives::JobId,
	/// Who submitted it.
	pub submitter: AccountId,
	/// The model to run.
	pub model: ModelId,
	/// The job's input.
	pub input: Vec<u8>,
	/// The fee in escrow.
	pub fee: Balance,
	/// The share of the seats that must agree.
	pub quorum: Perbill,
	/// The contract outputs are compared under.
	pub contract: NumericalContract,
	/// The longest output accepted.
	pub max_output_len: u32,
	/// The phase at the block the API was called at.
	pub phase: JobPhase,
	/// Commits close at the start of this block.
	pub commit_end: BlockNumber,
	/// Reveals close at the start of this block.
	pub deadline: BlockNumber,
	/// The assigned operators: `(operator, stake, committed, revealed)`.
	pub operators: Vec<(AccountId, Balance, bool, bool)>,
}

/// The economic security behind a result.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ResultSecurity<Balance> {
	/// The stake of the agreeing operators when they were assigned.
	pub attesting_stake: Balance,
	/// The stake of all assigned operators when they were assigned.
	pub assigned_stake: Balance,
	/// What the agreeing operators would have lost had their outputs been outvoted:
	/// `DissentSlash × attesting_stake`.
	pub slashable: Balance,
	/// The agreeing operators' stake now, as the operator provider reports it.
	pub current_stake: Balance,
}

/// What a submitter asks for in [`crate::Pallet::submit_job`].
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound)]
pub struct JobRequest<T: crate::Config> {
	/// The model to run.
	pub model: ModelId,
	/// The canonical input bytes.
	pub input: InputOf<T>,
	/// The most the submitter pays (`replication × price` must not exceed it).
	pub max_fee: BalanceOf<T>,
	/// How many operators to draw (default: the model's, which is also the minimum).
	pub replication: Option<u32>,
	/// The share of the seats that must agree (default: the model's, capped at `MaxQuorum`).
	pub quorum: Option<Perbill>,
	/// The block by which the job is settled or failed.
	pub deadline: BlockNumberOf<T>,
}

/// When a job's phases end, relative to its submission block (see
/// [`crate::Pallet::schedule`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Schedule<BlockNumber> {
	/// Commits are accepted in blocks before this one.
	pub commit_end: BlockNumber,
	/// The earliest deadline the job may have.
	pub earliest_deadline: BlockNumber,
}
