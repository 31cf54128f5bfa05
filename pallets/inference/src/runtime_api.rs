//! The runtime API of the inference pallet, for dApps, explorers and the operators' off-chain
//! workers, and the pallet functions a runtime implements it with.

use crate::{pallet::*, BalanceOf, JobView, ResultSecurity, ResultView};
use alloc::vec::Vec;
use codec::Codec;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Get, Saturating};
use verity_primitives::{operators::OperatorProvider, JobId};

sp_api::decl_runtime_apis! {
	/// Read access to jobs and results.
	pub trait InferenceApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// An open job with its input and the phase it is in; `None` once it is closed.
		fn job(job_id: JobId) -> Option<JobView<AccountId, Balance, BlockNumber>>;

		/// A settled job's result while it is kept; `None` otherwise.
		fn result(job_id: JobId) -> Option<ResultView<AccountId, Balance, BlockNumber>>;

		/// The open jobs `operator` is assigned to, oldest first. The off-chain worker reads
		/// these to know what to run, commit and reveal.
		fn jobs_for_operator(operator: AccountId) -> Vec<JobView<AccountId, Balance, BlockNumber>>;

		/// The stake behind a kept result and what it put at risk.
		fn result_security(job_id: JobId) -> Option<ResultSecurity<Balance>>;
	}
}

impl<T: Config> Pallet<T> {
	/// The view of open job `job_id`.
	pub fn job_view(
		job_id: JobId,
	) -> Option<JobView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let job = Jobs::<T>::get(job_id)?;
		let now = frame_system::Pallet::<T>::block_number();
		Some(JobView {
			job_id,
			submitter: job.submitter.clone(),
			model: job.model,
			input: Inputs::<T>::get(job_id).map(|i| i.into_inner()).unwrap_or_default(),
			fee: job.fee,
			quorum: job.quorum,
			contract: job.contract,
			max_output_len: job.max_output_len,
			phase: job.phase(now),
			commit_end: job.commit_end,
			deadline: job.deadline,
			operators: job
				.assignments
				.iter()
				.map(|a| (a.operator.clone(), a.stake, a.commitment.is_some(), a.revealed))
				.collect(),
		})
	}

	/// The view of the kept result of `job_id`.
	pub fn result_view(
		job_id: JobId,
	) -> Option<ResultView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let r = Results::<T>::get(job_id)?;
		Some(ResultView {
			job_id,
			model: r.model,
			submitter: r.submitter,
			output: r.output.into_inner(),
			output_digest: r.output_digest,
			agreeing: r.agreeing.into_inner(),
			attesting_stake: r.attesting_stake,
			assigned_stake: r.assigned_stake,
			settled_at: r.settled_at,
			expires_at: r.expires_at,
		})
	}

	/// The open jobs `operator` is assigned to, by ascending id.
	pub fn jobs_for_operator(
		operator: &T::AccountId,
	) -> Vec<JobView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let mut ids: Vec<JobId> = OperatorJobs::<T>::iter_key_prefix(operator).collect();
		ids.sort_unstable();
		ids.into_iter().filter_map(Self::job_view).collect()
	}

	/// The security behind the kept result of `job_id`.
	pub fn result_security(job_id: JobId) -> Option<ResultSecurity<BalanceOf<T>>> {
		let r = Results::<T>::get(job_id)?;
		let current_stake = r.agreeing.iter().fold(BalanceOf::<T>::default(), |acc, op| {
			acc.saturating_add(T::Operators::stake_of(op))
		});
		Some(ResultSecurity {
			attesting_stake: r.attesting_stake,
			assigned_stake: r.assigned_stake,
			slashable: T::DissentSlash::get().mul_floor(r.attesting_stake),
			current_stake,
		})
	}
}
