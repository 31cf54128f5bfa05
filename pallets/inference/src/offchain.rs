//! The off-chain worker: serves the jobs assigned to this node's operators.
//!
//! After each imported best block, for every `infr` key in the node's keystore whose owner is an
//! operator, it walks that operator's open jobs:
//! 1. **Commit phase, not yet committed, from the block after the job's** (so peers have the
//!    job when the commit reaches them): run the model through the node's engine
//!    ([`verity_primitives::inference::run`]), draw a salt, keep `(output, salt)` in the node's
//!    local storage, and send [`Pallet::commit_attested`].
//! 2. **Reveal phase, committed, not yet revealed:** send [`Pallet::reveal_attested`] with the
//!    kept output and salt.
//!
//! Local storage makes each step happen once per job and operator even though workers of
//! consecutive blocks run concurrently: a job is claimed with a compare-and-set before the
//! model runs; a transaction is re-sent only if the chain has not seen it after
//! [`RESEND_AFTER`] blocks (dropped from the pool, e.g. across a restart). The state is keyed
//! by the job's *fingerprint* (model, input digest, submission block) as well as its id, so
//! after a reorg that gives the same id to another job the worker starts afresh instead of
//! re-sending the old job's output. A claim left `Running` by a crash is taken again after
//! [`RETRY_RUNNING_AFTER`] blocks.
//!
//! When the engine deterministically refuses the input ([`InferenceError::InvalidInput`]) the
//! worker commits to `INPUT_REJECTED`, the outcome every honest operator reaches, and the chain
//! settles it like an output. When this node cannot run the model (no engine, model missing,
//! engine failure) it *declines*, logs why, never guesses, and tries again after
//! [`RESEND_AFTER`] blocks while the commit phase lasts.

use crate::*;
use frame_system::offchain::{CreateAuthorizedTransaction, SubmitTransaction};
use sp_runtime::{
	offchain::storage::{StorageRetrievalError, StorageValueRef},
	RuntimeAppPublic,
};
use verity_primitives::{
	contract::{commitment as commitment_of, INPUT_REJECTED},
	host::InferenceError,
	inference, infr,
};

/// Blocks to wait for a sent commit or reveal to show up on chain before sending it again (a
/// re-send is signed anew, so the network gossips it as a new transaction).
pub const RESEND_AFTER: u32 = 3;

/// Blocks after which a `Running` claim is taken to be a crashed worker's and run again.
pub const RETRY_RUNNING_AFTER: u32 = 5;

/// Prefix of this worker's local-storage keys.
const LOCAL_PREFIX: &[u8] = b"verity/inference/ocw/";

/// What this node did for one (job, operator), kept in local storage.
#[derive(Clone, PartialEq, Eq, Encode, Decode, Debug)]
pub enum LocalJob<BlockNumber> {
	/// The model is running (claimed at this block).
	Running { since: BlockNumber },
	/// The model could not run here at this block; retried after [`RESEND_AFTER`] blocks.
	Declined { at: BlockNumber },
	/// The output is known and the commit was sent at `commit_sent`; the reveal, if sent, at
	/// `reveal_sent`.
	Computed {
		output: Vec<u8>,
		salt: [u8; 32],
		commit_sent: BlockNumber,
		reveal_sent: Option<BlockNumber>,
	},
}

type LocalJobOf<T> = LocalJob<BlockNumberFor<T>>;

/// The local-storage key of `(job_id, operator)` for the job with `fingerprint` (see
/// [`fingerprint`]).
pub fn local_key<AccountId: Encode>(
	job_id: JobId,
	operator: &AccountId,
	fingerprint: &Digest,
) -> Vec<u8> {
	let mut key = LOCAL_PREFIX.to_vec();
	(job_id, operator, fingerprint).encode_to(&mut key);
	key
}

/// What identifies a job across reorgs, where ids may be reused:
/// `blake2_256(model ‖ blake2_256(input) ‖ submitted_at)`.
pub fn fingerprint<T: Config>(job: &Job<T>, input: &[u8]) -> Digest {
	(job.model, sp_io::hashing::blake2_256(input), job.submitted_at)
		.using_encoded(sp_io::hashing::blake2_256)
}

/// Serves every job assigned to an operator whose `infr` key this node holds.
pub fn serve_assigned_jobs<T: Config>(now: BlockNumberFor<T>) {
	for key in infr::Public::all() {
		let Some(operator) = T::KeyOwner::owner_of(&key) else {
			log::debug!(target: LOG_TARGET, "infr key {key:?} has no operator; skipped");
			continue;
		};
		for job_id in OperatorJobs::<T>::iter_key_prefix(&operator) {
			if let Some(job) = Jobs::<T>::get(job_id) {
				serve_job::<T>(now, job_id, &job, &operator, &key);
			}
		}
	}
}

fn serve_job<T: Config>(
	now: BlockNumberFor<T>,
	job_id: JobId,
	job: &Job<T>,
	operator: &T::AccountId,
	key: &infr::Public,
) {
	let Some(seat) = job.seat_of(operator).and_then(|s| job.assignments.get(s)) else {
		return;
	};
	let input = Inputs::<T>::get(job_id).map(|i| i.into_inner()).unwrap_or_default();
	let key_bytes = local_key(job_id, operator, &fingerprint::<T>(job, &input));
	let mut store = StorageValueRef::persistent(&key_bytes);
	let phase = job.phase(now);
	if seat.revealed {
		// Nothing left to do for this job; forget it.
		store.clear();
		return;
	}
	let may_run = phase == JobPhase::Commit && seat.commitment.is_none();
	let due = |since: BlockNumberFor<T>, after: u32| now >= since.saturating_add(after.into());
	match store.get::<LocalJobOf<T>>() {
		// Jobs are drawn at the start of the block after their submission, so a worker first
		// sees its seat one block after the job: its peers have the job by then.
		Ok(None) if may_run => {
			if claim(&store, None, LocalJob::Running { since: now }) {
				run_and_commit::<T>(now, job_id, job, &input, operator, key, &store);
			}
		}
		// A crashed worker's claim, or a model this node could not run a while ago.
		Ok(Some(local @ LocalJob::Running { since }))
			if may_run && due(since, RETRY_RUNNING_AFTER) =>
		{
			if claim(&store, Some(local), LocalJob::Running { since: now }) {
				log::info!(target: LOG_TARGET, "job {job_id}: stale claim; running it again");
				run_and_commit::<T>(now, job_id, job, &input, operator, key, &store);
			}
		}
		Ok(Some(local @ LocalJob::Declined { at })) if may_run && due(at, RESEND_AFTER) => {
			if claim(&store, Some(local), LocalJob::Running { since: now }) {
				run_and_commit::<T>(now, job_id, job, &input, operator, key, &store);
			}
		}
		Ok(Some(local @ LocalJob::Computed { .. })) => {
			resend_or_reveal::<T>(now, job_id, job, seat, operator, key, &store, local)
		}
		Ok(_) => {}
		Err(StorageRetrievalError::Undecodable) => {
			log::warn!(target: LOG_TARGET, "job {job_id}: unreadable local state; left alone");
		}
	}
}

/// Runs the model, keeps the output, sends the commit.
fn run_and_commit<T: Config>(
	now: BlockNumberFor<T>,
	job_id: JobId,
	job: &Job<T>,
	input: &[u8],
	operator: &T::AccountId,
	key: &infr::Public,
	store: &StorageValueRef,
) {
	let max_output_len = job.max_output_len as usize;
	let output = match inference::run(job.manifest.to_fixed_bytes(), input) {
		// An empty output would read as a rejected input; no engine produces one.
		Ok(output) if !output.is_empty() && output.len() <= max_output_len => output,
		// Every honest engine refuses this input the same way: attest to it.
		Err(InferenceError::InvalidInput(why)) => {
			log::info!(target: LOG_TARGET, "job {job_id}: input rejected by the engine: {why}");
			INPUT_REJECTED.to_vec()
		}
		Ok(output) => {
			log::warn!(
				target: LOG_TARGET,
				"job {job_id}: declined: the engine's output is {} bytes, the model allows {}",
				output.len(),
				job.max_output_len,
			);
			// The same every time: not worth running again.
			store.set(&LocalJobOf::<T>::Declined { at: job.deadline });
			return;
		}
		Err(error) => {
			log_declined(job_id, &job.model, &error);
			store.set(&LocalJobOf::<T>::Declined { at: now });
			return;
		}
	};
	let salt = sp_io::offchain::random_seed();
	let commitment = commitment_of(&output, &salt, &operator.encode());
	store.set(&LocalJobOf::<T>::Computed { output, salt, commit_sent: now, reveal_sent: None });
	send_commit::<T>(job_id, commitment, key);
}

/// Re-sends a commit the chain has not seen, or sends (or re-sends) the reveal once its phase
/// is open.
#[allow(clippy::too_many_arguments)]
fn resend_or_reveal<T: Config>(
	now: BlockNumberFor<T>,
	job_id: JobId,
	job: &Job<T>,
	seat: &Assignment<T::AccountId, BalanceOf<T>>,
	operator: &T::AccountId,
	key: &infr::Public,
	store: &StorageValueRef,
	local: LocalJobOf<T>,
) {
	let LocalJob::Computed { output, salt, commit_sent, reveal_sent } = local.clone() else {
		return;
	};
	let resend_due = |sent: BlockNumberFor<T>| now >= sent.saturating_add(RESEND_AFTER.into());
	match (job.phase(now), seat.commitment) {
		(JobPhase::Commit, None) if resend_due(commit_sent) => {
			let updated =
				LocalJob::Computed { output: output.clone(), salt, commit_sent: now, reveal_sent };
			if claim(store, Some(local), updated) {
				log::info!(target: LOG_TARGET, "job {job_id}: commit not on chain yet; re-sent");
				send_commit::<T>(job_id, commitment_of(&output, &salt, &operator.encode()), key);
			}
		}
		(JobPhase::Reveal, Some(_)) if reveal_sent.is_none_or(resend_due) => {
			let updated = LocalJob::Computed {
				output: output.clone(),
				salt,
				commit_sent,
				reveal_sent: Some(now),
			};
			if claim(store, Some(local), updated) {
				send_reveal::<T>(job_id, output, salt, key);
			}
		}
		_ => {}
	}
}

/// Atomically replaces `expected` by `new`; false if another worker got there first.
fn claim<V: Encode + Decode + PartialEq>(
	store: &StorageValueRef,
	expected: Option<V>,
	new: V,
) -> bool {
	store
		.mutate(|current: Result<Option<V>, StorageRetrievalError>| match current {
			Ok(current) if current == expected => Ok(new),
			_ => Err(()),
		})
		.is_ok()
}

fn send_commit<T: Config>(job_id: JobId, commitment: Digest, key: &infr::Public) {
	let payload = attestation::commit_payload(&Pallet::<T>::genesis_hash(), job_id, &commitment);
	let Some(attestation) = attest(key, &payload) else { return };
	submit::<T>(job_id, "commit", Call::commit_attested { job_id, commitment, attestation });
}

fn send_reveal<T: Config>(job_id: JobId, output: Vec<u8>, salt: [u8; 32], key: &infr::Public) {
	let payload = attestation::reveal_payload(&Pallet::<T>::genesis_hash(), job_id, &output, &salt);
	let Some(attestation) = attest(key, &payload) else { return };
	let Ok(output) = OutputOf::<T>::try_from(output) else {
		log::error!(target: LOG_TARGET, "job {job_id}: output exceeds MaxOutputLen; not revealed");
		return;
	};
	submit::<T>(job_id, "reveal", Call::reveal_attested { job_id, output, salt, attestation });
}

fn attest(key: &infr::Public, payload: &[u8]) -> Option<Attestation> {
	let signature = key.sign(&payload);
	if signature.is_none() {
		log::error!(target: LOG_TARGET, "the keystore no longer holds infr key {key:?}");
	}
	signature.map(|signature| Attestation { key: key.clone(), signature })
}

fn submit<T: Config>(job_id: JobId, what: &str, call: Call<T>) {
	let xt =
		<T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(call.into());
	match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
		Ok(()) => log::info!(target: LOG_TARGET, "job {job_id}: {what} sent"),
		Err(()) => log::warn!(target: LOG_TARGET, "job {job_id}: the pool refused the {what}"),
	}
}

fn log_declined(job_id: JobId, model: &ModelId, error: &InferenceError) {
	let why = match error {
		InferenceError::NoEngine => "this node has no inference engine (no model store)".into(),
		InferenceError::ModelUnavailable(e) => alloc::format!("model not in the store: {e}"),
		InferenceError::InvalidInput(e) => alloc::format!("the model refused the input: {e}"),
		InferenceError::Failed(e) => alloc::format!("the engine failed: {e}"),
	};
	log::warn!(target: LOG_TARGET, "job {job_id}: declined model {model:?}: {why}");
}
