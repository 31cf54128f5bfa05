//! Human-readable text for each report. Full ids and addresses are printed (people copy
//! them into the next command); amounts in VRT.

use verity_client::{
	amount::{format_percent, format_vrt},
	chain::ChainStatus,
	jobs::{CancelledJob, Job, JobOutcome, JobProgress, JobResult, Phase, SubmittedJob},
	models::{Model, ModelSpec, ModelStatus},
	operators::{Operator, StakeReceipt, Status},
	output::DecodedOutput,
	Balance,
};

pub fn spec(spec: &ModelSpec) -> String {
	format!(
		"  architecture {}, input ≤ {} bytes, output ≤ {} bytes, contract {}, compute {} block(s)\n  \
		 price {} VRT per operator, replication {}, quorum {}, royalty {}\n",
		spec.architecture,
		spec.max_input_len,
		spec.max_output_len,
		spec.contract,
		spec.compute_blocks,
		format_vrt(spec.price),
		spec.replication,
		format_percent(spec.quorum),
		format_percent(spec.royalty),
	)
}

pub fn model(model: &Model, name: Option<&str>) -> String {
	let status = match model.status {
		ModelStatus::Active => "active",
		ModelStatus::Deprecated => "deprecated",
	};
	format!(
		"{:?}{}\n  manifest {:?}\n  owner {}, {status}, {} open job(s), registered at block #{}\n{}",
		model.id,
		name.map(|n| format!(" ({n})")).unwrap_or_default(),
		model.manifest,
		model.owner,
		model.open_jobs,
		model.registered_at,
		spec(&model.spec),
	)
}

pub fn submitted(job: &SubmittedJob) -> String {
	format!(
		"job {} submitted in block #{} ({:?})\n  model {:?}\n  fee {} VRT held in escrow, \
		 deposit {} VRT held\n  {} operator(s) are drawn at the start of the next block\n  \
		 commits close at block #{}, deadline block #{}\n",
		job.job_id,
		job.block_number,
		job.block_hash,
		job.model,
		format_vrt(job.fee),
		format_vrt(job.deposit),
		job.replication,
		job.commit_end,
		job.deadline,
	)
}

pub fn cancelled(job: &CancelledJob) -> String {
	let deposit = if job.deposit_forfeited == 0 {
		"the deposit was returned".to_string()
	} else {
		format!(
			"the deposit of {} VRT was forfeited (drawn already)",
			format_vrt(job.deposit_forfeited)
		)
	};
	format!(
		"job {} cancelled in block #{} ({:?}): {} VRT refunded; {deposit}\n",
		job.job_id,
		job.block_number,
		job.block_hash,
		format_vrt(job.refunded),
	)
}

pub fn progress(progress: &JobProgress) -> String {
	match progress {
		JobProgress::Assigned { block, operators } => {
			format!("block #{block}: operators drawn: {}", accounts(operators))
		}
		JobProgress::Committed { operator, block, commits, assigned } => {
			format!("block #{block}: {operator} committed ({commits}/{assigned})")
		}
		JobProgress::Revealed { operator, output_digest, block, reveals, assigned } => format!(
			"block #{block}: {operator} revealed output 0x{} ({reveals}/{assigned})",
			hex::encode(output_digest)
		),
		JobProgress::Settled { block, input_rejected: true, agreeing, deposit_forfeited, .. } => {
			format!(
				"block #{block}: settled: {} operator(s) attested that the engine rejects the input; \
				 deposit of {} VRT forfeited; waiting for finality",
				agreeing.len(),
				format_vrt(*deposit_forfeited)
			)
		}
		JobProgress::Settled { block, output_digest, agreeing, .. } => format!(
			"block #{block}: settled on output 0x{}, agreed by {} operator(s); waiting for finality",
			hex::encode(output_digest),
			agreeing.len()
		),
		JobProgress::Failed { block, reason, operators_paid, refunded } => format!(
			"block #{block}: failed ({reason}); {} VRT paid to the operators that revealed, {} VRT refunded; waiting for finality",
			format_vrt(*operators_paid),
			format_vrt(*refunded)
		),
		JobProgress::Cancelled { block, refunded, deposit_forfeited } => format!(
			"block #{block}: cancelled; {} VRT refunded, {} VRT of deposit forfeited; waiting for finality",
			format_vrt(*refunded),
			format_vrt(*deposit_forfeited)
		),
		JobProgress::Finalized { block } => format!("finalized at block #{block}"),
	}
}

/// The error text of a job that ended without a result.
pub fn unsettled(job_id: u64, outcome: &JobOutcome) -> String {
	match outcome {
		JobOutcome::Failed { reason, operators_paid, refunded, finalized_block } => format!(
			"job {job_id} failed: {reason}; {} VRT of its fee paid the operators that revealed, {} VRT was refunded (final at block #{finalized_block})",
			format_vrt(*operators_paid),
			format_vrt(*refunded)
		),
		JobOutcome::Cancelled { refunded, deposit_forfeited, finalized_block } => format!(
			"job {job_id} was cancelled; {} VRT refunded, {} VRT of deposit forfeited (final at block #{finalized_block})",
			format_vrt(*refunded),
			format_vrt(*deposit_forfeited)
		),
		JobOutcome::Settled { .. } => format!("job {job_id} settled"),
	}
}

pub fn result(result: &JobResult, decoded: Option<&DecodedOutput>) -> String {
	let mut text = format!("  model {:?}\n", result.model);
	if result.input_rejected {
		text += "  INPUT REJECTED: the operators attested that the engine refuses this input \
		         (empty result; the fee paid for the verdict, the deposit was forfeited)\n";
	} else {
		text += &format!(
			"  output 0x{} ({} bytes)\n",
			hex::encode(&result.output),
			result.output.len()
		);
	}
	text += &format!("  output digest 0x{}\n", hex::encode(&result.output_digest));
	match decoded {
		Some(DecodedOutput::InputRejected) => {}
		Some(decoded) => text += &format!("  {decoded}\n"),
		None => text += "  (the model is no longer registered; output not decoded)\n",
	}
	text += &format!(
		"  attested by {} operator(s) with {} VRT of stake ({} VRT assigned; {} VRT was at risk of slashing; {} VRT behind them now)\n",
		result.agreeing.len(),
		format_vrt(result.attesting_stake),
		format_vrt(result.assigned_stake),
		format_vrt(result.slashable),
		format_vrt(result.current_stake),
	);
	for operator in &result.agreeing {
		text += &format!("    {operator}\n");
	}
	text += &format!(
		"  settled at block #{}, kept until block #{}\n",
		result.settled_at, result.expires_at
	);
	text
}

pub fn open_job(job: &Job) -> String {
	let phase = match job.phase {
		Phase::Draw => "operators drawn at the start of the next block",
		Phase::Commit => "commit phase",
		Phase::Reveal => "reveal phase",
		Phase::Expired => "past its deadline (settling)",
	};
	let mut text = format!(
		"job {} open, {phase}\n  model {:?}\n  submitter {}\n  input {} bytes: 0x{}\n  \
		 fee {} VRT in escrow, quorum {}, contract {}\n  commits close at block #{}, deadline block #{}\n  operators:\n",
		job.job_id,
		job.model,
		job.submitter,
		job.input.len(),
		hex::encode(&job.input),
		format_vrt(job.fee),
		format_percent(job.quorum),
		job.contract,
		job.commit_end,
		job.deadline,
	);
	if job.operators.is_empty() {
		text += "    none yet\n";
	}
	for seat in &job.operators {
		text += &format!(
			"    {} stake {} VRT, {}, {}\n",
			seat.operator,
			format_vrt(seat.stake),
			if seat.committed { "committed" } else { "not committed" },
			if seat.revealed { "revealed" } else { "not revealed" },
		);
	}
	text
}

pub fn operators(operators: &[Operator], min_self_bond: Balance) -> String {
	if operators.is_empty() {
		return "no operators registered".into();
	}
	let mut text = String::new();
	for o in operators {
		let status = match o.status {
			Status::Active if o.is_eligible(min_self_bond) => "active",
			Status::Active => "active, bond below minimum",
			Status::Chilled => "chilled",
			Status::Leaving => "leaving",
		};
		text += &format!(
			"{}{}\n  {status}, stake {} VRT ({} own + {} delegated by {}), {} unbonding, commission {}\n  \
			 session keys: {}; models: {}\n",
			o.account,
			if o.validator { " (validator)" } else { "" },
			format_vrt(o.active_stake()),
			format_vrt(o.self_bond),
			format_vrt(o.delegated),
			o.delegators,
			format_vrt(o.unbonding),
			format_percent(o.commission),
			if o.has_session_keys { "set" } else { "none" },
			if o.models.is_empty() {
				"none".to_string()
			} else {
				o.models.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", ")
			},
		);
	}
	text
}

pub fn receipt(receipt: &StakeReceipt) -> String {
	format!("{} (block #{}, {:?})\n", receipt.action, receipt.block_number, receipt.block_hash)
}

pub fn chain_status(s: &ChainStatus) -> String {
	format!(
		"{} at {} ({})\n  runtime spec version {}\n  best block #{} {:?}\n  finalized block #{} {:?}\n  \
		 peers {}{}\n  session {}, validators: {}\n  {} model(s), {} open job(s), next job id {}\n",
		s.chain,
		s.url,
		s.node,
		s.spec_version,
		s.best.number,
		s.best.hash,
		s.finalized.number,
		s.finalized.hash,
		s.peers,
		if s.syncing { ", syncing" } else { "" },
		s.session,
		accounts(&s.validators),
		s.models,
		s.open_jobs,
		s.next_job_id,
	)
}

fn accounts(accounts: &[verity_client::AccountId]) -> String {
	if accounts.is_empty() {
		return "none".into();
	}
	accounts.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
}
