//! Human-readable text for each report. Full ids and addresses are printed (people copy
//! them into the next command); amounts in VRT.

use verity_client::{
	amount::{format_percent, format_vrt},
	chain::ChainStatus,
	jobs::{Job, JobOutcome, JobProgress, JobResult, Phase, SubmittedJob},
	models::{Model, ModelSpec, ModelStatus},
	operators::{Operator, StakeReceipt, Status},
	output::DecodedOutput,
	Balance,
};

pub fn spec(spec: &ModelSpec) -> String {
	format!(
		"  architecture {}, input ≤ {} bytes, output ≤ {} bytes, contract {}\n  \
		 price {} VRT per operator, replication {}, quorum {}, royalty {}\n",
		spec.architecture,
		spec.max_input_len,
		spec.max_output_len,
		spec.contract,
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
		"{:?}{}\n  owner {}, {status}, {} open job(s), registered at block #{}\n{}",
		model.id,
		name.map(|n| format!(" ({n})")).unwrap_or_default(),
		model.owner,
		model.open_jobs,
		model.registered_at,
		spec(&model.spec),
	)
}

pub fn submitted(job: &SubmittedJob) -> String {
	format!(
		"job {} submitted in block #{} ({:?})\n  model {:?}\n  fee {} VRT held in escrow\n  \
		 operators: {}\n  commits close at block #{}, deadline block #{}\n",
		job.job_id,
		job.block_number,
		job.block_hash,
		job.model,
		format_vrt(job.fee),
		accounts(&job.operators),
		job.commit_end,
		job.deadline,
	)
}

pub fn progress(progress: &JobProgress) -> String {
	match progress {
		JobProgress::Committed { operator, block, commits, assigned } => {
			format!("block #{block}: {operator} committed ({commits}/{assigned})")
		}
		JobProgress::Revealed { operator, output_digest, block, reveals, assigned } => format!(
			"block #{block}: {operator} revealed output 0x{} ({reveals}/{assigned})",
			hex::encode(output_digest)
		),
		JobProgress::Settled { block, output_digest, agreeing } => format!(
			"block #{block}: settled on output 0x{}, agreed by {} operator(s); waiting for finality",
			hex::encode(output_digest),
			agreeing.len()
		),
		JobProgress::Failed { block, reason, refunded } => format!(
			"block #{block}: failed ({reason}); {} VRT refunded; waiting for finality",
			format_vrt(*refunded)
		),
		JobProgress::Cancelled { block, refunded } => format!(
			"block #{block}: cancelled; {} VRT refunded; waiting for finality",
			format_vrt(*refunded)
		),
		JobProgress::Finalized { block } => format!("finalized at block #{block}"),
	}
}

/// The error text of a job that ended without a result.
pub fn unsettled(job_id: u64, outcome: &JobOutcome) -> String {
	match outcome {
		JobOutcome::Failed { reason, refunded, finalized_block } => format!(
			"job {job_id} failed: {reason}; its fee of {} VRT was refunded (final at block #{finalized_block})",
			format_vrt(*refunded)
		),
		JobOutcome::Cancelled { refunded, finalized_block } => format!(
			"job {job_id} was cancelled; {} VRT refunded (final at block #{finalized_block})",
			format_vrt(*refunded)
		),
		JobOutcome::Settled { .. } => format!("job {job_id} settled"),
	}
}

pub fn result(result: &JobResult, decoded: Option<&DecodedOutput>) -> String {
	let mut text = format!(
		"  model {:?}\n  output 0x{} ({} bytes)\n  output digest 0x{}\n",
		result.model,
		hex::encode(&result.output),
		result.output.len(),
		hex::encode(&result.output_digest),
	);
	match decoded {
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
