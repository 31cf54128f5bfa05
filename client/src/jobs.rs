//! Inference jobs: submitting, reading, and following one until its result is final.
//!
//! A job's life on chain: `submit_job` escrows the fee and draws the operators (event
//! `JobSubmitted`); each operator commits (`Committed`) then reveals (`Revealed`); the job is
//! settled (`JobSettled`, the result is kept for a day) or refunded (`JobFailed`), or the
//! submitter cancels it before any commit (`JobCancelled`). [`Verity::wait_for_job`] follows
//! those events in best blocks and returns once the closing event's state is **finalized**.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::{
	amount::{as_percent, as_vrt, format_vrt},
	client::AtBlock,
	error::{ClientError, Result},
	models::{contract_from_chain, Contract, ModelStatus},
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

/// The job duration used when the submitter does not choose one: one minute of 3-second
/// blocks, half to commit and half to reveal.
pub const DEFAULT_DEADLINE_BLOCKS: u32 = 20;

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
	/// Share of assigned stake that must agree, parts per billion; `None` for the model's.
	pub quorum: Option<u32>,
	/// Blocks from inclusion to the deadline (settled or refunded by then).
	pub deadline_blocks: u32,
}

impl JobRequest {
	/// A request with the model's defaults and [`DEFAULT_DEADLINE_BLOCKS`].
	pub fn new(model: ModelId, input: Vec<u8>) -> Self {
		JobRequest {
			model,
			input,
			max_fee: None,
			replication: None,
			quorum: None,
			deadline_blocks: DEFAULT_DEADLINE_BLOCKS,
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
	/// The operators drawn, in seat order.
	pub operators: Vec<AccountId>,
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

/// Where an open job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
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
	/// Its stake when assigned: its vote's weight.
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
	/// Share of assigned stake that must agree (percent in JSON).
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
	/// The assigned operators.
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
	/// The output's canonical bytes (hex in JSON).
	#[serde(serialize_with = "as_hex")]
	pub output: Vec<u8>,
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
		/// The operators that agreed.
		agreeing: Vec<AccountId>,
	},
	/// The job ended without a result; the fee was refunded.
	Failed {
		/// The block.
		block: u64,
		/// Why.
		reason: String,
		/// What was refunded.
		#[serde(serialize_with = "as_vrt::serialize")]
		refunded: Balance,
	},
	/// The submitter cancelled the job.
	Cancelled {
		/// The block.
		block: u64,
		/// What was refunded.
		#[serde(serialize_with = "as_vrt::serialize")]
		refunded: Balance,
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
	/// Refunded without a result.
	Failed {
		/// Why.
		reason: String,
		/// What was refunded.
		#[serde(serialize_with = "as_vrt::serialize")]
		refunded: Balance,
		/// The finalized block it was read at.
		finalized_block: u64,
	},
	/// Cancelled by the submitter.
	Cancelled {
		/// What was refunded.
		#[serde(serialize_with = "as_vrt::serialize")]
		refunded: Balance,
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

/// The bounds a job must respect, from the runtime's constants.
#[derive(Clone, Debug)]
struct JobLimits {
	min_duration: u32,
	max_duration: u32,
}

impl Verity {
	async fn job_limits(&self, at: &AtBlock) -> Result<JobLimits> {
		let constants = runtime::constants().inference();
		let c = at.constants();
		Ok(JobLimits {
			min_duration: c.entry(constants.min_job_duration()).map_err(ClientError::chain)?,
			max_duration: c.entry(constants.max_job_duration()).map_err(ClientError::chain)?,
		})
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

	/// Submits a job and waits until it is in a best block. Checks before signing that the
	/// model exists and is active, the input fits its limit, enough operators serve it, the
	/// fee is within `max_fee` and the submitter can pay it.
	pub async fn submit_job(&self, signer: &Signer, request: &JobRequest) -> Result<SubmittedJob> {
		let model = self.existing_model(request.model).await?;
		if model.status == ModelStatus::Deprecated {
			return Err(ClientError::ModelDeprecated(model.id));
		}
		check_input(&request.input, model.id, model.spec.max_input_len)?;
		let replication = request.replication.unwrap_or(model.spec.replication);
		if replication == 0 {
			return Err(ClientError::InvalidArgument("replication must be at least 1".into()));
		}
		let serving = self.operators_serving(model.id).await?;
		if serving < replication {
			return Err(ClientError::NotEnoughOperators { model: model.id, serving, replication });
		}
		let fee = model
			.spec
			.price
			.checked_mul(Balance::from(replication))
			.ok_or_else(|| ClientError::InvalidArgument("the job's fee overflows".into()))?;
		let max_fee = request.max_fee.unwrap_or(fee);
		if max_fee < fee {
			return Err(ClientError::InvalidArgument(format!(
				"the job costs {} VRT ({replication} × {} VRT) but --max-fee is {} VRT",
				format_vrt(fee),
				format_vrt(model.spec.price),
				format_vrt(max_fee)
			)));
		}
		let submitter = account_of(signer);
		self.ensure_can_pay(&submitter, fee, "the job fee").await?;

		let at = self.at_best().await?;
		let limits = self.job_limits(&at).await?;
		// The deadline counts from the block the job lands in, expected to be the next one; a
		// block of margin either way keeps it inside the runtime's window.
		let allowed = limits.min_duration.saturating_add(1)..=limits.max_duration.saturating_sub(1);
		if !allowed.contains(&request.deadline_blocks) {
			return Err(ClientError::InvalidArgument(format!(
				"the deadline must be {}..={} blocks away, not {}",
				allowed.start(),
				allowed.end(),
				request.deadline_blocks
			)));
		}
		let deadline =
			(at.block_number() as u32).saturating_add(1).saturating_add(request.deadline_blocks);
		let call = runtime::tx().inference().submit_job(
			request.model,
			BoundedVec(request.input.clone()),
			max_fee,
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
			operators: event.operators.0,
			commit_end: event.commit_end,
			deadline: event.deadline,
			block_number: included.block_number,
			block_hash: included.block_hash,
			extrinsic_hash: included.extrinsic_hash,
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
		JobWatch {
			job_id: job.job_id,
			assigned: job.operators.len() as u32,
			commits: 0,
			reveals: 0,
		}
	}

	/// Reports the job's commits and reveals among `events` of block `block`, and returns its
	/// closing event if the block has one (reported too).
	fn scan(
		&mut self,
		events: &subxt::events::Events<crate::VerityConfig>,
		block: u64,
		on_progress: &mut impl FnMut(JobProgress),
	) -> Option<(u64, JobProgress)> {
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
			agreeing: e.agreeing.0,
		});
	}
	if let Some(e) = events.find::<ev::JobFailed>().flatten().find(|e| e.job_id == job_id) {
		return Some(JobProgress::Failed {
			block,
			reason: failure_reason(&e.reason),
			refunded: e.refunded,
		});
	}
	if let Some(e) = events.find::<ev::JobCancelled>().flatten().find(|e| e.job_id == job_id) {
		return Some(JobProgress::Cancelled { block, refunded: e.refunded });
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
		JobProgress::Failed { reason, refunded, .. } if !still_open => Some(JobOutcome::Failed {
			reason: reason.clone(),
			refunded: *refunded,
			finalized_block,
		}),
		JobProgress::Cancelled { refunded, .. } if !still_open => {
			Some(JobOutcome::Cancelled { refunded: *refunded, finalized_block })
		}
		_ => None,
	})
}

fn failure_reason(reason: &FailureReason) -> String {
	match reason {
		FailureReason::NoReveals => "no assigned operator revealed an output by the deadline",
		FailureReason::QuorumNotReached => {
			"no group of agreeing outputs held the quorum of the assigned stake"
		}
		FailureReason::Tie => "two groups held the quorum with exactly the same stake",
	}
	.into()
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
