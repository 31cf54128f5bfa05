//! Inference jobs: submitting, reading, and following one until its result is final.
//!
//! A job's life on chain: `submit_job` holds the fee and a submission deposit (event
//! `JobSubmitted`); the operators are drawn at the start of the next block (`JobAssigned`);
//! each operator commits (`Committed`) then reveals (`Revealed`); the job is settled
//! (`JobSettled`, the result is kept for a day), or fails without a result (`JobFailed`: the
//! operators that revealed are paid their seats' share, the rest of the fee is refunded), or
//! the submitter cancels it before any commit (`JobCancelled`; after the draw that costs the
//! deposit). [`Verity::wait_for_job`] follows those events in best blocks and returns once the
//! closing event's state is **finalized**.
//!
//! A settled result is what the winning group of operators agreed on: the common bytes
//! (`Exact`), the element-wise median (`Tolerance`), or only the token ids of a generation
//! (`TokenMatch`; the client derives the text itself, see [`crate::output`]). An **empty**
//! result means the operators attested that the engine rejected the input
//! ([`JobResult::input_rejected`]): the submitter paid for the verdict and forfeited the
//! deposit.
//!
//! [`JobRules`] holds what the runtime enforces on a submission (replication, quorum, deadline,
//! queue caps, the deposit), read from its constants and storage, so that [`Verity::submit_job`]
//! refuses a job the chain would refuse before anything is signed.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::{
	amount::{as_percent, as_vrt, format_vrt},
	client::AtBlock,
	error::{ClientError, Result},
	models::{contract_from_chain, Contract, Model, ModelStatus},
	runtime::{
		self,
		inference::events as ev,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_verity_inference::types::{FailureReason, JobPhase, JobView, ResultView},
			sp_arithmetic::per_things::Perbill,
		},
	},
	signer::{account_of, Signer},
	AccountId, Balance, BlockNumber, JobId, ModelId, Verity,
};

/// The job duration used when the submitter does not choose one, for models that compute
/// within a few blocks: one minute of 3-second blocks, half to commit and half to reveal. A
/// slower model gets longer ([`JobRules::default_deadline_blocks`]).
pub const DEFAULT_DEADLINE_BLOCKS: u32 = 20;

/// The chain's rules for a submission, from the runtime's constants and storage at one block.
#[derive(Clone, Debug, Serialize)]
pub struct JobRules {
	/// The longest job, in blocks from its submission (`MaxJobDuration`).
	pub max_duration: u32,
	/// Blocks an attestation may take beyond the first it can land in (`PropagationSlack`).
	pub propagation_slack: u32,
	/// The smallest quorum, parts per billion (the registry's `MinQuorum`).
	pub min_quorum: u32,
	/// The largest quorum, parts per billion (`MaxQuorum`, two thirds).
	pub max_quorum: u32,
	/// The fewest seats of any job (`MinReplication`, storage).
	pub min_replication: u32,
	/// The most seats of any job (the registry's `MaxReplication`).
	pub max_replication: u32,
	/// The deposit with an empty queue (`JobDeposit`).
	#[serde(serialize_with = "as_vrt::serialize")]
	pub job_deposit: Balance,
	/// How much the deposit rises with the queue's occupancy (`DepositSurge`).
	pub deposit_surge: u32,
	/// The most jobs open at once (`MaxOpenJobs`).
	pub max_open_jobs: u32,
	/// The most jobs one account may have open (`MaxOpenJobsPerAccount`).
	pub max_open_jobs_per_account: u32,
	/// Jobs open now (`OpenJobs`).
	pub open_jobs: u32,
}

/// The terms a job will be submitted on, after every check the client can make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobTerms {
	/// Seats drawn.
	pub replication: u32,
	/// The share of the seats that must agree, parts per billion (explicit or the model's,
	/// capped at `MaxQuorum`).
	#[serde(serialize_with = "as_percent::serialize")]
	pub quorum: u32,
	/// Blocks from inclusion to the deadline.
	pub deadline_blocks: u32,
	/// `replication × price`.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub fee: Balance,
	/// The submission deposit at the current queue occupancy.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub deposit: Balance,
}

impl JobRules {
	/// The shortest job the runtime accepts for a model declaring `compute_blocks`, in blocks
	/// from the block it is included in (`Pallet::schedule`): the draw (1), the first block a
	/// commit lands in (1) and the one after, the model's compute time and a slack block, then
	/// two blocks to reveal and a slack block: `5 + compute_blocks + 2 × PropagationSlack`.
	pub fn shortest_deadline_blocks(&self, compute_blocks: u32) -> u32 {
		5u32.saturating_add(compute_blocks).saturating_add(self.propagation_slack.saturating_mul(2))
	}

	/// The duration used when the submitter does not choose one: [`DEFAULT_DEADLINE_BLOCKS`],
	/// or for a slow model twice its commit window (the runtime splits a job in halves).
	pub fn default_deadline_blocks(&self, compute_blocks: u32) -> u32 {
		let commit_window =
			3u32.saturating_add(compute_blocks).saturating_add(self.propagation_slack);
		DEFAULT_DEADLINE_BLOCKS.max(commit_window.saturating_mul(2).saturating_add(2))
	}

	/// The deposit a submission holds now: `JobDeposit × (1 + DepositSurge × open / max)`,
	/// rounded down as the runtime does.
	pub fn current_deposit(&self) -> Balance {
		let surge = self
			.job_deposit
			.saturating_mul(Balance::from(self.deposit_surge))
			.saturating_mul(Balance::from(self.open_jobs))
			/ Balance::from(self.max_open_jobs.max(1));
		self.job_deposit.saturating_add(surge)
	}

	/// Checks `request` on `model` against the runtime's rules, as `submit_job` will, for a
	/// submitter with `open_of` jobs open; returns the terms the job gets.
	pub fn check(&self, request: &JobRequest, model: &Model, open_of: u32) -> Result<JobTerms> {
		use crate::amount::format_percent;
		let bad = |m: String| Err(ClientError::InvalidArgument(m));
		if model.status == ModelStatus::Deprecated {
			return Err(ClientError::ModelDeprecated(model.id));
		}
		check_input(&request.input, model.id, model.spec.max_input_len)?;
		// The model's replication is the minimum, and so is the chain's.
		let min_k = model.spec.replication.max(self.min_replication);
		let replication = request.replication.unwrap_or(min_k);
		if replication < min_k {
			return bad(format!(
				"replication {replication} is below this job's minimum of {min_k} (the model's \
				 replication {}, the chain's minimum {}): one seat never decides alone",
				model.spec.replication, self.min_replication
			));
		}
		if replication > self.max_replication {
			return bad(format!(
				"replication {replication} is above the chain's maximum of {}",
				self.max_replication
			));
		}
		// An explicit quorum above the cap is refused; the model's default is capped.
		let quorum = match request.quorum {
			Some(q) if q > self.max_quorum => {
				return bad(format!(
					"quorum {} is above the chain's maximum of {} (two thirds: one dissenting \
					 seat of three cannot veto a job); pass --quorum 2/3 or less",
					format_percent(q),
					format_percent(self.max_quorum)
				))
			}
			Some(q) => q,
			None => model.spec.quorum.min(self.max_quorum),
		};
		if quorum < self.min_quorum {
			return bad(format!(
				"quorum {} is below the chain's minimum of {}",
				format_percent(quorum),
				format_percent(self.min_quorum)
			));
		}
		let compute = model.spec.compute_blocks;
		let deadline_blocks =
			request.deadline_blocks.unwrap_or_else(|| self.default_deadline_blocks(compute));
		// The deadline counts from the block the job lands in, expected to be the next one; a
		// block of margin either way keeps it inside the runtime's window.
		let shortest = self.shortest_deadline_blocks(compute).saturating_add(1);
		let longest = self.max_duration.saturating_sub(1);
		if !(shortest..=longest).contains(&deadline_blocks) {
			return bad(format!(
				"the deadline must be {shortest}..={longest} blocks away for this model (it \
				 computes for {compute} block(s)), not {deadline_blocks}"
			));
		}
		let fee = model
			.spec
			.price
			.checked_mul(Balance::from(replication))
			.ok_or_else(|| ClientError::InvalidArgument("the job's fee overflows".into()))?;
		if let Some(max_fee) = request.max_fee.filter(|max_fee| *max_fee < fee) {
			return bad(format!(
				"the job costs {} VRT ({replication} × {} VRT) but --max-fee is {} VRT",
				format_vrt(fee),
				format_vrt(model.spec.price),
				format_vrt(max_fee)
			));
		}
		if self.open_jobs >= self.max_open_jobs {
			return bad(format!(
				"the chain's job queue is full ({} jobs open): wait for open jobs to settle",
				self.open_jobs
			));
		}
		if open_of >= self.max_open_jobs_per_account {
			return bad(format!(
				"this account already has {open_of} jobs open, the most one account may have: \
				 wait for some to settle, or submit from another account"
			));
		}
		Ok(JobTerms { replication, quorum, deadline_blocks, fee, deposit: self.current_deposit() })
	}
}

/// What to run and on what terms.
#[derive(Clone, Debug)]
pub struct JobRequest {
	/// The model.
	pub model: ModelId,
	/// The canonical input bytes (UTF-8 text, or the model's feature encoding).
	pub input: Vec<u8>,
	/// The most the submitter pays; `None` for exactly the job's fee.
	pub max_fee: Option<Balance>,
	/// Operators to run it; `None` for the model's default.
	pub replication: Option<u32>,
	/// Share of the seats that must agree, parts per billion, at most two thirds; `None` for
	/// the model's (capped at two thirds).
	pub quorum: Option<u32>,
	/// Blocks from inclusion to the deadline (settled or failed by then); `None` for
	/// [`JobRules::default_deadline_blocks`] of the model.
	pub deadline_blocks: Option<u32>,
}

impl JobRequest {
	/// A request with the model's defaults and the default deadline.
	pub fn new(model: ModelId, input: Vec<u8>) -> Self {
		JobRequest {
			model,
			input,
			max_fee: None,
			replication: None,
			quorum: None,
			deadline_blocks: None,
		}
	}
}

/// A job that made it into a block.
#[derive(Clone, Debug, Serialize)]
pub struct SubmittedJob {
	/// Its id.
	pub job_id: JobId,
	/// The model.
	pub model: ModelId,
	/// Who pays.
	pub submitter: AccountId,
	/// The fee held in escrow.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub fee: Balance,
	/// The submission deposit held (returned when the job ends, forfeited for a rejected input
	/// or a cancel after the draw).
	#[serde(serialize_with = "as_vrt::serialize")]
	pub deposit: Balance,
	/// How many operators are drawn, at the start of the next block.
	pub replication: u32,
	/// Commits close at the start of this block.
	pub commit_end: BlockNumber,
	/// Reveals close, and the job is settled or refunded, at the start of this block.
	pub deadline: BlockNumber,
	/// The block it was included in.
	pub block_number: u64,
	/// That block's hash.
	pub block_hash: subxt::utils::H256,
	/// The transaction's hash.
	pub extrinsic_hash: subxt::utils::H256,
}

/// A cancellation that made it into a block.
#[derive(Clone, Debug, Serialize)]
pub struct CancelledJob {
	/// The job.
	pub job_id: JobId,
	/// The fee refunded.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub refunded: Balance,
	/// The deposit forfeited (all of it once the operators were drawn).
	#[serde(serialize_with = "as_vrt::serialize")]
	pub deposit_forfeited: Balance,
	/// The block.
	pub block_number: u64,
	/// Its hash.
	pub block_hash: subxt::utils::H256,
}

/// Where an open job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
	/// Submitted in the block read; the operators are drawn at the start of the next.
	Draw,
	/// Operators may commit.
	Commit,
	/// Operators who committed may reveal.
	Reveal,
	/// The deadline passed; settlement or refund is imminent.
	Expired,
}

/// One operator's seat on a job.
#[derive(Clone, Debug, Serialize)]
pub struct Seat {
	/// The operator.
	pub operator: AccountId,
	/// Its stake at risk when drawn: what a slash for this job is a share of (every seat has
	/// one vote).
	#[serde(serialize_with = "as_vrt::serialize")]
	pub stake: Balance,
	/// Whether it committed.
	pub committed: bool,
	/// Whether it revealed.
	pub revealed: bool,
}

/// An open job.
#[derive(Clone, Debug, Serialize)]
pub struct Job {
	/// Its id.
	pub job_id: JobId,
	/// Who submitted it.
	pub submitter: AccountId,
	/// The model.
	pub model: ModelId,
	/// The input, as hex in JSON.
	#[serde(serialize_with = "as_hex")]
	pub input: Vec<u8>,
	/// The fee in escrow.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub fee: Balance,
	/// Share of the seats that must agree (percent in JSON).
	#[serde(serialize_with = "as_percent::serialize")]
	pub quorum: u32,
	/// How outputs are compared.
	pub contract: Contract,
	/// The longest output accepted.
	pub max_output_len: u32,
	/// The phase at the block read.
	pub phase: Phase,
	/// Commits close at the start of this block.
	pub commit_end: BlockNumber,
	/// Reveals close at the start of this block.
	pub deadline: BlockNumber,
	/// The assigned operators; none until the draw.
	pub operators: Vec<Seat>,
}

/// A settled job's result, with the stake behind it.
#[derive(Clone, Debug, Serialize)]
pub struct JobResult {
	/// The job.
	pub job_id: JobId,
	/// The model that produced it.
	pub model: ModelId,
	/// Who paid.
	pub submitter: AccountId,
	/// What the winning group agreed on (hex in JSON): the common bytes, the element-wise
	/// median, or a generation's token ids only. Empty when the input was rejected.
	#[serde(serialize_with = "as_hex")]
	pub output: Vec<u8>,
	/// Whether the operators attested that the engine rejected the input (the output is then
	/// empty, and the submitter's deposit was forfeited).
	pub input_rejected: bool,
	/// `blake2_256(output)`.
	#[serde(serialize_with = "as_hex")]
	pub output_digest: Vec<u8>,
	/// The operators whose outputs agreed.
	pub agreeing: Vec<AccountId>,
	/// Their stake when assigned.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub attesting_stake: Balance,
	/// The stake of every assigned operator.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub assigned_stake: Balance,
	/// What the agreeing operators would have lost by being outvoted.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub slashable: Balance,
	/// The agreeing operators' stake now.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub current_stake: Balance,
	/// The block it was settled in.
	pub settled_at: BlockNumber,
	/// The block it is removed at.
	pub expires_at: BlockNumber,
}

/// What is known about a job id: open, settled (result kept), or neither.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
	/// Submitted and not yet closed.
	Open(Job),
	/// Settled; the result is kept until it expires.
	Settled(JobResult),
}

/// Something that happened to a job while [`Verity::wait_for_job`] followed it.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JobProgress {
	/// The operators were drawn.
	Assigned {
		/// The block.
		block: u64,
		/// The operators, in seat order.
		operators: Vec<AccountId>,
	},
	/// An operator committed to its output.
	Committed {
		/// The operator.
		operator: AccountId,
		/// The block.
		block: u64,
		/// Commits so far.
		commits: u32,
		/// Operators assigned.
		assigned: u32,
	},
	/// An operator revealed its output.
	Revealed {
		/// The operator.
		operator: AccountId,
		/// `blake2_256` of its output (hex).
		#[serde(serialize_with = "as_hex")]
		output_digest: Vec<u8>,
		/// The block.
		block: u64,
		/// Reveals so far.
		reveals: u32,
		/// Operators assigned.
		assigned: u32,
	},
	/// The job settled in a best block (not final yet).
	Settled {
		/// The block.
		block: u64,
		/// `blake2_256` of the result (hex).
		#[serde(serialize_with = "as_hex")]
		output_digest: Vec<u8>,
		/// Whether the operators attested that the engine rejected the input.
		input_rejected: bool,
		/// The operators that agreed.
		agreeing: Vec<AccountId>,
		/// The submission deposit forfeited (a rejected input).
		#[serde(serialize_with = "as_vrt::serialize")]
		deposit_forfeited: Balance,
	},
	/// The job ended without a result.
	Failed {
		/// The block.
		block: u64,
		/// Why.
		reason: String,
		/// What the operators that revealed were paid (their seats' share of the fee).
		#[serde(serialize_with = "as_vrt::serialize")]
		operators_paid: Balance,
		/// The rest of the fee, refunded.
		#[serde(serialize_with = "as_vrt::serialize")]
		refunded: Balance,
	},
	/// The submitter cancelled the job.
	Cancelled {
		/// The block.
		block: u64,
		/// The fee refunded.
		#[serde(serialize_with = "as_vrt::serialize")]
		refunded: Balance,
		/// The deposit forfeited (all of it once the operators were drawn).
		#[serde(serialize_with = "as_vrt::serialize")]
		deposit_forfeited: Balance,
	},
	/// The block holding the outcome is finalized.
	Finalized {
		/// The finalized block read from.
		block: u64,
	},
}

/// How a job ended, as read from a finalized block.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum JobOutcome {
	/// Settled with a result.
	Settled {
		/// The result.
		result: JobResult,
		/// The finalized block it was read at.
		finalized_block: u64,
	},
	/// Ended without a result.
	Failed {
		/// Why.
		reason: String,
		/// What the operators that revealed were paid.
		#[serde(serialize_with = "as_vrt::serialize")]
		operators_paid: Balance,
		/// The rest of the fee, refunded.
		#[serde(serialize_with = "as_vrt::serialize")]
		refunded: Balance,
		/// The finalized block it was read at.
		finalized_block: u64,
	},
	/// Cancelled by the submitter.
	Cancelled {
		/// The fee refunded.
		#[serde(serialize_with = "as_vrt::serialize")]
		refunded: Balance,
		/// The deposit forfeited.
		#[serde(serialize_with = "as_vrt::serialize")]
		deposit_forfeited: Balance,
		/// The finalized block it was read at.
		finalized_block: u64,
	},
}

/// Serializes bytes as `0x`-prefixed hex.
pub(crate) fn as_hex<S: serde::Serializer>(
	bytes: &[u8],
	s: S,
) -> std::result::Result<S::Ok, S::Error> {
	s.serialize_str(&format!("0x{}", hex::encode(bytes)))
}

impl Verity {
	/// The chain's rules for a submission at the best block.
	pub async fn job_rules(&self) -> Result<JobRules> {
		let at = self.at_best().await?;
		job_rules_at(&at).await
	}

	/// How many jobs `who` has open at the best block.
	pub async fn open_jobs_of(&self, who: &AccountId) -> Result<u32> {
		let at = self.at_best().await?;
		let value = at
			.storage()
			.try_fetch(runtime::storage().inference().open_jobs_of(), (*who,))
			.await
			.map_err(ClientError::chain)?;
		match value {
			Some(value) => value.decode().map_err(ClientError::chain),
			None => Ok(0),
		}
	}

	/// How many eligible operators (active, bonded at least the minimum) serve `model` now:
	/// the most a job on it can be replicated to.
	pub async fn operators_serving(&self, model: ModelId) -> Result<u32> {
		let operators = self.operators().await?;
		let min_self_bond = self.min_self_bond().await?;
		Ok(operators
			.iter()
			.filter(|o| o.models.contains(&model) && o.is_eligible(min_self_bond))
			.count() as u32)
	}

	/// Checks `request` as the runtime will and returns the terms it would get now, without
	/// signing anything: the model exists and is active, the input fits, the replication,
	/// quorum and deadline are within the chain's bounds, enough operators serve the model,
	/// the queue and the submitter's open jobs are below their caps, and `submitter` can pay
	/// the fee and the deposit.
	pub async fn check_job(&self, submitter: &AccountId, request: &JobRequest) -> Result<JobTerms> {
		let model = self.existing_model(request.model).await?;
		let rules = self.job_rules().await?;
		let open_of = self.open_jobs_of(submitter).await?;
		let terms = rules.check(request, &model, open_of)?;
		let serving = self.operators_serving(model.id).await?;
		if serving < terms.replication {
			return Err(ClientError::NotEnoughOperators {
				model: model.id,
				serving,
				replication: terms.replication,
			});
		}
		let needed = terms.fee.saturating_add(terms.deposit);
		let what = format!(
			"the job fee ({} VRT) and deposit ({} VRT)",
			format_vrt(terms.fee),
			format_vrt(terms.deposit)
		);
		self.ensure_can_pay(submitter, needed, &what).await?;
		Ok(terms)
	}

	/// Submits a job and waits until it is in a best block. Checks everything
	/// [`Verity::check_job`] does before signing. The operators are drawn in the next block
	/// ([`Verity::wait_for_job`] reports them).
	pub async fn submit_job(&self, signer: &Signer, request: &JobRequest) -> Result<SubmittedJob> {
		let submitter = account_of(signer);
		let terms = self.check_job(&submitter, request).await?;
		let at = self.at_best().await?;
		let deadline =
			(at.block_number() as u32).saturating_add(1).saturating_add(terms.deadline_blocks);
		let call = runtime::tx().inference().submit_job(
			request.model,
			BoundedVec(request.input.clone()),
			request.max_fee.unwrap_or(terms.fee),
			request.replication,
			request.quorum.map(Perbill),
			deadline,
		);
		let included = self.submit(&call, signer).await?;
		let event: ev::JobSubmitted = included.event("Inference.JobSubmitted")?;
		Ok(SubmittedJob {
			job_id: event.job_id,
			model: event.model,
			submitter: event.submitter,
			fee: event.fee,
			deposit: event.deposit,
			replication: event.replication,
			commit_end: event.commit_end,
			deadline: event.deadline,
			block_number: included.block_number,
			block_hash: included.block_hash,
			extrinsic_hash: included.extrinsic_hash,
		})
	}

	/// Withdraws open job `job_id`, submitted by `signer`, before any operator committed. The
	/// fee comes back; the deposit too if the operators were not drawn yet, else it is
	/// forfeited. Checks the job is open, `signer`'s, and has no commit before signing.
	pub async fn cancel_job(&self, signer: &Signer, job_id: JobId) -> Result<CancelledJob> {
		let job = self.job(job_id).await?.ok_or(ClientError::JobNotFound(job_id))?;
		let who = account_of(signer);
		if job.submitter != who {
			return Err(ClientError::InvalidArgument(format!(
				"job {job_id} was submitted by {}, not {who}: only its submitter may cancel it",
				job.submitter
			)));
		}
		if job.operators.iter().any(|seat| seat.committed) {
			return Err(ClientError::InvalidArgument(format!(
				"job {job_id} can no longer be cancelled: an operator has committed to its output"
			)));
		}
		let call = runtime::tx().inference().cancel(job_id);
		let included = self.submit(&call, signer).await?;
		let event: ev::JobCancelled = included.event("Inference.JobCancelled")?;
		Ok(CancelledJob {
			job_id,
			refunded: event.refunded,
			deposit_forfeited: event.deposit_forfeited,
			block_number: included.block_number,
			block_hash: included.block_hash,
		})
	}

	/// Open job `job_id` at the best block, with its input and phase.
	pub async fn job(&self, job_id: JobId) -> Result<Option<Job>> {
		let at = self.at_best().await?;
		job_at(&at, job_id).await
	}

	/// The kept result of `job_id` at the best block, with the stake behind it.
	pub async fn job_result(&self, job_id: JobId) -> Result<Option<JobResult>> {
		let at = self.at_best().await?;
		result_at(&at, job_id).await
	}

	/// Job `job_id` open or settled, or [`ClientError::JobNotFound`].
	pub async fn job_state(&self, job_id: JobId) -> Result<JobState> {
		let at = self.at_best().await?;
		if let Some(job) = job_at(&at, job_id).await? {
			return Ok(JobState::Open(job));
		}
		match result_at(&at, job_id).await? {
			Some(result) => Ok(JobState::Settled(result)),
			None => Err(ClientError::JobNotFound(job_id)),
		}
	}

	/// Follows `job` block by block, calling `on_progress` for each commit, reveal and the
	/// closing event, until that closing event's state is in a finalized block; returns the
	/// outcome read there. `timeout` bounds the whole wait (`None`: until the deadline has
	/// passed by [`DEADLINE_GRACE_BLOCKS`] and the job is still not closed).
	pub async fn wait_for_job(
		&self,
		job: &SubmittedJob,
		on_progress: impl FnMut(JobProgress),
	) -> Result<JobOutcome> {
		self.wait_for_job_with_timeout(job, None, on_progress).await
	}

	/// [`Verity::wait_for_job`] with a wall-clock limit.
	pub async fn wait_for_job_with_timeout(
		&self,
		job: &SubmittedJob,
		timeout: Option<Duration>,
		mut on_progress: impl FnMut(JobProgress),
	) -> Result<JobOutcome> {
		let started = Instant::now();
		let mut watch = JobWatch::new(job);
		// Blocks are scanned in order from the one after inclusion, so none is skipped when
		// several arrive between two polls.
		let mut next_block = job.block_number + 1;
		// The closing event (settled, failed, cancelled) and the best block it was seen in.
		let mut closing: Option<(u64, JobProgress)> = None;
		loop {
			if let Some(limit) = timeout.filter(|limit| started.elapsed() > *limit) {
				return Err(ClientError::Timeout(format!(
					"job {} did not reach a final outcome within {limit:?}",
					job.job_id
				)));
			}
			match closing.take() {
				None => {
					let best = self.best_number().await?;
					while next_block <= best && closing.is_none() {
						let at =
							self.api().at_block(next_block).await.map_err(ClientError::chain)?;
						let events = at.events().fetch().await.map_err(ClientError::chain)?;
						closing = watch.scan(&events, next_block, &mut on_progress);
						next_block += 1;
					}
					if closing.is_none() && best > u64::from(job.deadline) + DEADLINE_GRACE_BLOCKS {
						return Err(ClientError::Timeout(format!(
							"job {} is {DEADLINE_GRACE_BLOCKS} blocks past its deadline (block {}) and no settlement or refund was seen",
							job.job_id, job.deadline
						)));
					}
				}
				Some((block, event)) => {
					let finalized = self.at_finalized().await?;
					if finalized.block_number() < block {
						closing = Some((block, event));
					} else if let Some(outcome) = outcome_at(&finalized, job.job_id, &event).await?
					{
						on_progress(JobProgress::Finalized { block: finalized.block_number() });
						return Ok(outcome);
					} else {
						// The finalized chain does not hold what the best block showed (a
						// re-org): watch again from the finalized block on.
						next_block = finalized.block_number() + 1;
					}
				}
			}
			tokio::time::sleep(POLL_INTERVAL).await;
		}
	}

	/// The best block's number.
	pub(crate) async fn best_number(&self) -> Result<u64> {
		let header = self
			.rpc()
			.chain_get_header(None)
			.await
			.map_err(ClientError::chain)?
			.ok_or_else(|| ClientError::Chain("the node reports no best block".into()))?;
		Ok(header.number)
	}
}

/// How often the chain is polled while following a job (a third of a block).
const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How many blocks past its deadline a job may stay open before waiting gives up: the
/// runtime closes due jobs at the start of the deadline block, or shortly after when a block's
/// agenda is full.
pub const DEADLINE_GRACE_BLOCKS: u64 = 10;

/// Fails when the input is empty or longer than the model accepts.
pub fn check_input(input: &[u8], model: ModelId, max_input_len: u32) -> Result<()> {
	if input.is_empty() {
		return Err(ClientError::EmptyInput);
	}
	if input.len() > max_input_len as usize {
		return Err(ClientError::InputTooLong { model, len: input.len(), max: max_input_len });
	}
	Ok(())
}

/// What [`Verity::wait_for_job`] has seen of one job so far.
struct JobWatch {
	job_id: JobId,
	assigned: u32,
	commits: u32,
	reveals: u32,
}

impl JobWatch {
	fn new(job: &SubmittedJob) -> Self {
		JobWatch { job_id: job.job_id, assigned: job.replication, commits: 0, reveals: 0 }
	}

	/// Reports the job's commits and reveals among `events` of block `block`, and returns its
	/// closing event if the block has one (reported too).
	fn scan(
		&mut self,
		events: &subxt::events::Events<crate::VerityConfig>,
		block: u64,
		on_progress: &mut impl FnMut(JobProgress),
	) -> Option<(u64, JobProgress)> {
		for event in events.find::<ev::JobAssigned>().flatten().filter(|e| e.job_id == self.job_id)
		{
			self.assigned = event.operators.0.len() as u32;
			on_progress(JobProgress::Assigned { block, operators: event.operators.0 });
		}
		for event in events.find::<ev::Committed>().flatten().filter(|e| e.job_id == self.job_id) {
			self.commits += 1;
			on_progress(JobProgress::Committed {
				operator: event.operator,
				block,
				commits: self.commits,
				assigned: self.assigned,
			});
		}
		for event in events.find::<ev::Revealed>().flatten().filter(|e| e.job_id == self.job_id) {
			self.reveals += 1;
			on_progress(JobProgress::Revealed {
				operator: event.operator,
				output_digest: event.output_digest.to_vec(),
				block,
				reveals: self.reveals,
				assigned: self.assigned,
			});
		}
		let closing = closing_event(events, self.job_id, block)?;
		on_progress(closing.clone());
		Some((block, closing))
	}
}

fn closing_event(
	events: &subxt::events::Events<crate::VerityConfig>,
	job_id: JobId,
	block: u64,
) -> Option<JobProgress> {
	if let Some(e) = events.find::<ev::JobSettled>().flatten().find(|e| e.job_id == job_id) {
		return Some(JobProgress::Settled {
			block,
			output_digest: e.output_digest.to_vec(),
			input_rejected: e.input_rejected,
			agreeing: e.agreeing.0,
			deposit_forfeited: e.deposit_forfeited,
		});
	}
	if let Some(e) = events.find::<ev::JobFailed>().flatten().find(|e| e.job_id == job_id) {
		return Some(JobProgress::Failed {
			block,
			reason: failure_reason(&e.reason),
			operators_paid: e.operators_paid,
			refunded: e.refunded,
		});
	}
	if let Some(e) = events.find::<ev::JobCancelled>().flatten().find(|e| e.job_id == job_id) {
		return Some(JobProgress::Cancelled {
			block,
			refunded: e.refunded,
			deposit_forfeited: e.deposit_forfeited,
		});
	}
	None
}

/// The outcome as the finalized state shows it, or `None` when that state does not match the
/// closing event seen (a re-org).
async fn outcome_at(at: &AtBlock, job_id: JobId, seen: &JobProgress) -> Result<Option<JobOutcome>> {
	let finalized_block = at.block_number();
	let still_open = job_at(at, job_id).await?.is_some();
	Ok(match seen {
		JobProgress::Settled { .. } => result_at(at, job_id)
			.await?
			.map(|result| JobOutcome::Settled { result, finalized_block }),
		JobProgress::Failed { reason, operators_paid, refunded, .. } if !still_open => {
			Some(JobOutcome::Failed {
				reason: reason.clone(),
				operators_paid: *operators_paid,
				refunded: *refunded,
				finalized_block,
			})
		}
		JobProgress::Cancelled { refunded, deposit_forfeited, .. } if !still_open => {
			Some(JobOutcome::Cancelled {
				refunded: *refunded,
				deposit_forfeited: *deposit_forfeited,
				finalized_block,
			})
		}
		_ => None,
	})
}

fn failure_reason(reason: &FailureReason) -> String {
	match reason {
		FailureReason::NoReveals => "no assigned operator revealed an output by the deadline",
		FailureReason::QuorumNotReached => {
			"no group of agreeing outputs held the quorum of the seats"
		}
		FailureReason::Tie => "two groups held the quorum with exactly as many seats",
		FailureReason::NotEnoughOperators => {
			"too few operators with stake served the model when the seats were drawn"
		}
	}
	.into()
}

async fn job_rules_at(at: &AtBlock) -> Result<JobRules> {
	let inference = runtime::constants().inference();
	let models = runtime::constants().models();
	let c = at.constants();
	let get = |e| ClientError::chain(e);
	let min_replication =
		Verity::storage_value(at, runtime::storage().inference().min_replication(), ()).await?;
	let open_jobs =
		Verity::storage_value(at, runtime::storage().inference().open_jobs(), ()).await?;
	Ok(JobRules {
		max_duration: c.entry(inference.max_job_duration()).map_err(get)?,
		propagation_slack: c.entry(inference.propagation_slack()).map_err(get)?,
		min_quorum: c.entry(models.min_quorum()).map_err(get)?.0,
		max_quorum: c.entry(inference.max_quorum()).map_err(get)?.0,
		min_replication,
		max_replication: c.entry(models.max_replication()).map_err(get)?,
		job_deposit: c.entry(inference.job_deposit()).map_err(get)?,
		deposit_surge: c.entry(inference.deposit_surge()).map_err(get)?,
		max_open_jobs: c.entry(inference.max_open_jobs()).map_err(get)?,
		max_open_jobs_per_account: c.entry(inference.max_open_jobs_per_account()).map_err(get)?,
		open_jobs,
	})
}

async fn job_at(at: &AtBlock, job_id: JobId) -> Result<Option<Job>> {
	let call = runtime::runtime_apis().inference_api().job(job_id);
	let view = at.runtime_apis().call(call).await.map_err(ClientError::chain)?;
	Ok(view.map(job_from_view))
}

async fn result_at(at: &AtBlock, job_id: JobId) -> Result<Option<JobResult>> {
	let apis = runtime::runtime_apis().inference_api();
	let Some(view) =
		at.runtime_apis().call(apis.result(job_id)).await.map_err(ClientError::chain)?
	else {
		return Ok(None);
	};
	let security =
		at.runtime_apis().call(apis.result_security(job_id)).await.map_err(ClientError::chain)?;
	Ok(Some(result_from_view(view, security)))
}

fn job_from_view(v: JobView<AccountId, Balance, BlockNumber>) -> Job {
	Job {
		job_id: v.job_id,
		submitter: v.submitter,
		model: v.model,
		input: v.input,
		fee: v.fee,
		quorum: v.quorum.0,
		contract: contract_from_chain(v.contract),
		max_output_len: v.max_output_len,
		phase: match v.phase {
			JobPhase::Draw => Phase::Draw,
			JobPhase::Commit => Phase::Commit,
			JobPhase::Reveal => Phase::Reveal,
			JobPhase::Expired => Phase::Expired,
		},
		commit_end: v.commit_end,
		deadline: v.deadline,
		operators: v
			.operators
			.into_iter()
			.map(|(operator, stake, committed, revealed)| Seat {
				operator,
				stake,
				committed,
				revealed,
			})
			.collect(),
	}
}

fn result_from_view(
	v: ResultView<AccountId, Balance, BlockNumber>,
	security: Option<
		runtime::runtime_types::pallet_verity_inference::types::ResultSecurity<Balance>,
	>,
) -> JobResult {
	let (slashable, current_stake) =
		security.map(|s| (s.slashable, s.current_stake)).unwrap_or_default();
	JobResult {
		job_id: v.job_id,
		model: v.model,
		submitter: v.submitter,
		input_rejected: v.output.is_empty(),
		output: v.output,
		output_digest: v.output_digest.to_vec(),
		agreeing: v.agreeing,
		attesting_stake: v.attesting_stake,
		assigned_stake: v.assigned_stake,
		slashable,
		current_stake,
		settled_at: v.settled_at,
		expires_at: v.expires_at,
	}
}
