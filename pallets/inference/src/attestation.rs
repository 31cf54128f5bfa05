//! Attestations: how an operator's off-chain worker commits and reveals without an account.
//!
//! An operator's node holds its `infr` session key, not the operator's account key. Its
//! off-chain worker sends [`Pallet::commit_attested`] and [`Pallet::reveal_attested`] as
//! *general* transactions (no signer, no fee, no nonce) carrying an [`Attestation`]: the `infr`
//! public key and its signature over a payload that names the chain, the job and what is
//! committed or revealed. `#[pallet::authorize]` checks the attestation when the transaction
//! enters the pool and again when it is applied:
//! - the signature is valid for [`commit_payload`] / [`reveal_payload`]
//!   (otherwise `BadProof`);
//! - the key belongs to an operator (`session.set_keys`), which is assigned to the job
//!   (otherwise `BadSigner`);
//! - the operator may commit (reveal) now: the same checks as the signed calls, so a
//!   transaction that could only fail never enters a block (`Stale` once too late or for a
//!   closed job; `Unknown` for a job, draw or phase the validating node has not seen yet,
//!   which the pool does not ban).
//!
//! Each transaction provides the tag `(job, operator, phase)`, so the pool keeps one commit and
//! one reveal per operator and job, and lives until its phase ends.

use crate::*;
use frame_support::pallet_prelude::{
	InvalidTransaction, TransactionSource, TransactionValidityError, UnknownTransaction,
	ValidTransaction,
};
use sp_runtime::{
	traits::UniqueSaturatedInto,
	transaction_validity::{TransactionPriority, TransactionValidityWithRefund},
	RuntimeAppPublic,
};
use verity_primitives::infr;

/// Domain separator of a commit attestation.
pub const COMMIT_CONTEXT: &[u8] = b"verity/commit/v1";
/// Domain separator of a reveal attestation.
pub const REVEAL_CONTEXT: &[u8] = b"verity/reveal/v1";

/// Attestations outrank ordinary transactions: a late commit or reveal costs its operator a
/// slash, a late ordinary transaction only waits. They cannot crowd paid transactions out:
/// only an assigned seat's first commit and first reveal of an open job are valid (two per
/// seat), and `submit_job` charges the job's submitter for all of them.
pub const ATTESTATION_PRIORITY: TransactionPriority = TransactionPriority::MAX / 2;

/// An `infr` session key and its signature over a commit or reveal payload.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub struct Attestation {
	/// The operator's `infr` session key.
	pub key: infr::Public,
	/// Its signature over the payload.
	pub signature: infr::Signature,
}

/// What an operator signs to commit `commitment` to job `job_id` on the chain with genesis
/// `genesis`.
pub fn commit_payload<H: Encode>(genesis: &H, job_id: JobId, commitment: &Digest) -> Vec<u8> {
	(COMMIT_CONTEXT, genesis, job_id, commitment).encode()
}

/// What an operator signs to reveal `(output, salt)` for job `job_id`. The output enters by
/// its `blake2_256` digest, so the payload stays small.
pub fn reveal_payload<H: Encode>(
	genesis: &H,
	job_id: JobId,
	output: &[u8],
	salt: &[u8; 32],
) -> Vec<u8> {
	(REVEAL_CONTEXT, genesis, job_id, sp_io::hashing::blake2_256(output), salt).encode()
}

/// Which phase a transaction acts in, for its pool tag.
#[derive(Encode)]
enum Step {
	Commit,
	Reveal,
}

impl<T: Config> Pallet<T> {
	/// The chain's genesis hash, which every attestation signs so none replays on another
	/// chain.
	pub fn genesis_hash() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
	}

	/// The operator behind an attestation's key.
	pub(crate) fn key_owner(attestation: &Attestation) -> Result<T::AccountId, Error<T>> {
		T::KeyOwner::owner_of(&attestation.key).ok_or(Error::<T>::UnknownKey)
	}

	/// Validates a [`Pallet::commit_attested`] transaction.
	pub fn authorize_commit(
		_source: TransactionSource,
		job_id: &JobId,
		commitment: &Digest,
		attestation: &Attestation,
	) -> TransactionValidityWithRefund {
		let payload = commit_payload(&Self::genesis_hash(), *job_id, commitment);
		let operator = Self::attested_operator(&payload, attestation)?;
		let job = Self::attested_job(*job_id)?;
		let now = frame_system::Pallet::<T>::block_number();
		Self::check_commit(&job, &operator, now).map_err(invalid)?;
		let validity =
			Self::attestation_validity(*job_id, &operator, Step::Commit, job.commit_end)?;
		Ok((validity, Weight::zero()))
	}

	/// Validates a [`Pallet::reveal_attested`] transaction.
	pub fn authorize_reveal(
		_source: TransactionSource,
		job_id: &JobId,
		output: &OutputOf<T>,
		salt: &[u8; 32],
		attestation: &Attestation,
	) -> TransactionValidityWithRefund {
		let payload = reveal_payload(&Self::genesis_hash(), *job_id, output, salt);
		let operator = Self::attested_operator(&payload, attestation)?;
		let job = Self::attested_job(*job_id)?;
		let now = frame_system::Pallet::<T>::block_number();
		Self::check_reveal(&job, &operator, now, output, salt).map_err(invalid)?;
		let validity = Self::attestation_validity(*job_id, &operator, Step::Reveal, job.deadline)?;
		Ok((validity, Weight::zero()))
	}

	/// The open job an attestation is for. A job this node has issued an id for but no longer
	/// holds is closed: the attestation is `Stale` (banned by the pool, so replays of old
	/// attestations cost one check per peer, not one per gossip). A job id not issued yet is
	/// "not here yet".
	fn attested_job(job_id: JobId) -> Result<Job<T>, TransactionValidityError> {
		match Jobs::<T>::get(job_id) {
			Some(job) => Ok(job),
			None if job_id < NextJobId::<T>::get() => Err(InvalidTransaction::Stale.into()),
			None => Err(not_here_yet()),
		}
	}

	/// Checks the signature, then finds the key's operator.
	fn attested_operator(
		payload: &[u8],
		attestation: &Attestation,
	) -> Result<T::AccountId, TransactionValidityError> {
		if !attestation.key.verify(&payload, &attestation.signature) {
			return Err(InvalidTransaction::BadProof.into());
		}
		Ok(Self::key_owner(attestation).map_err(|_| InvalidTransaction::BadSigner)?)
	}

	fn attestation_validity(
		job_id: JobId,
		operator: &T::AccountId,
		step: Step,
		phase_end: BlockNumberFor<T>,
	) -> Result<ValidTransaction, TransactionValidityError> {
		let now = frame_system::Pallet::<T>::block_number();
		let longevity: u64 = phase_end.saturating_sub(now).unique_saturated_into();
		ValidTransaction::with_tag_prefix("VerityAttestation")
			.priority(ATTESTATION_PRIORITY)
			.and_provides((job_id, operator, step))
			.longevity(longevity.max(1))
			.propagate(true)
			.build()
	}
}

/// Maps why a commit or reveal cannot apply to the pool's vocabulary: `Stale` never will again;
/// "not here yet" (see [`not_here_yet`]) may; anything else is a transaction that should not
/// exist.
fn invalid<T>(error: Error<T>) -> TransactionValidityError {
	match error {
		Error::RevealPhaseNotOpen | Error::NotDrawnYet => not_here_yet(),
		Error::CommitPhaseOver
		| Error::RevealPhaseOver
		| Error::AlreadyCommitted
		| Error::AlreadyRevealed => InvalidTransaction::Stale.into(),
		Error::NotAssigned => InvalidTransaction::BadSigner.into(),
		_ => InvalidTransaction::Call.into(),
	}
}

/// A job or phase this node has not seen yet. Attestations are gossiped as soon as their
/// sender imports the block that makes them valid, and may reach a peer before that block
/// does; the pool bans transactions it finds invalid (for 30 minutes, `Future` included) but
/// not those it cannot judge, so "not yet" is `Unknown`: the peer drops it unbanned, and takes
/// it (or the worker's re-send) once it has the block.
fn not_here_yet() -> TransactionValidityError {
	UnknownTransaction::CannotLookup.into()
}
