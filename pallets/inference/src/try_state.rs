//! The pallet's invariants (listed in the crate docs), checked after every test and by
//! `try-runtime`.

use crate::{pallet::*, BalanceOf};
use alloc::collections::btree_map::BTreeMap;
use frame_support::{pallet_prelude::*, traits::fungible::InspectHold};
use pallet_verity_models::ModelRegistry;
use sp_runtime::{Saturating, TryRuntimeError};
use verity_primitives::ModelId;

impl<T: Config> Pallet<T> {
	/// Check every invariant of the pallet.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		let cursor = AgendaCursor::<T>::get();
		let mut escrow: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut open_of: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let pending = PendingDraws::<T>::get();
		let mut per_model: BTreeMap<ModelId, u32> = BTreeMap::new();
		let mut jobs = 0u32;

		for (job_id, job) in Jobs::<T>::iter() {
			jobs.saturating_inc();
			escrow.entry(job.submitter.clone()).or_default().saturating_accrue(job.fee);
			deposits.entry(job.submitter.clone()).or_default().saturating_accrue(job.deposit);
			open_of.entry(job.submitter.clone()).or_default().saturating_inc();
			ensure!(
				job.submitted_at < job.commit_end && job.commit_end < job.deadline,
				"a job's phases are out of order"
			);
			ensure!(
				job.deadline.saturating_sub(job.submitted_at) <= T::MaxJobDuration::get(),
				"a job outlasts MaxJobDuration"
			);
			ensure!(job.reveals <= job.commits, "more reveals than commits");
			ensure!(
				job.is_drawn() || pending.contains(&job_id),
				"a job is neither drawn nor pending a draw"
			);
			ensure!(
				!job.is_drawn() || job.assignments.len() as u32 == job.replication,
				"a drawn job has the wrong number of seats"
			);
			per_model.entry(job.model).or_default().saturating_inc();
			ensure!(Inputs::<T>::contains_key(job_id), "an open job has no input");
			ensure!(job_id < NextJobId::<T>::get(), "an open job has an unissued id");

			let in_agenda = Agenda::<T>::get(job.deadline)
				.map_or(0, |a| a.iter().filter(|j| **j == job_id).count());
			ensure!(in_agenda == 1, "an open job is not on the agenda exactly once");
			// A job whose deadline was served is gone, unless the cursor held it back.
			ensure!(
				job.deadline > now || cursor.is_some_and(|c| c <= job.deadline),
				"an open job outlived its deadline"
			);

			let (mut commits, mut reveals, mut stake) = (0u32, 0u32, BalanceOf::<T>::default());
			for (seat, a) in job.assignments.iter().enumerate() {
				commits.saturating_accrue(a.commitment.is_some() as u32);
				reveals.saturating_accrue(a.revealed as u32);
				stake.saturating_accrue(a.stake);
				ensure!(a.commitment.is_some() || !a.revealed, "a reveal without a commitment");
				ensure!(
					Reveals::<T>::contains_key(job_id, seat as u32) == a.revealed,
					"stored reveals differ from the assignments"
				);
				ensure!(
					OperatorJobs::<T>::contains_key(&a.operator, job_id),
					"an assignment is missing from the operator index"
				);
				ensure!(
					job.assignments.iter().filter(|b| b.operator == a.operator).count() == 1,
					"an operator holds two seats"
				);
			}
			ensure!(job.commits == commits, "a job's commit counter is off");
			ensure!(job.reveals == reveals, "a job's reveal counter is off");
			ensure!(job.assigned_stake == stake, "a job's assigned stake is off");
		}

		ensure!(OpenJobs::<T>::get() == jobs, "OpenJobs differs from the number of jobs");
		ensure!(Inputs::<T>::iter_keys().count() as u32 == jobs, "inputs of closed jobs remain");
		for (job_id, _) in Reveals::<T>::iter_keys() {
			ensure!(Jobs::<T>::contains_key(job_id), "reveals of a closed job remain");
		}
		for (operator, job_id) in OperatorJobs::<T>::iter_keys() {
			let job = Jobs::<T>::get(job_id).ok_or("an operator index entry of a closed job")?;
			ensure!(job.seat_of(&operator).is_some(), "an operator index entry without a seat");
		}
		for job_id in pending.iter() {
			ensure!(Jobs::<T>::contains_key(job_id), "a pending draw of a closed job");
		}
		ensure!(cursor.is_none_or(|c| c <= now), "the agenda cursor is ahead of the chain");
		for (who, count) in OpenJobsOf::<T>::iter() {
			ensure!(open_of.get(&who) == Some(&count), "an account's open-job counter is off");
		}
		ensure!(
			OpenJobsOf::<T>::iter_keys().count() == open_of.len(),
			"an account with open jobs has no counter"
		);
		for (block, due) in Agenda::<T>::iter() {
			ensure!(!due.is_empty(), "an empty agenda entry is stored");
			for job_id in due.iter() {
				let deadline = Jobs::<T>::get(job_id).map(|j| j.deadline);
				ensure!(deadline == Some(block), "an agenda entry of a closed or other job");
			}
		}
		for (model, count) in per_model.iter() {
			let open = T::Models::model(model).map(|m| m.open_jobs);
			ensure!(open == Some(*count), "a model's open-job counter is off");
		}
		for (model, count) in T::Models::open_job_counts() {
			ensure!(
				per_model.get(&model) == Some(&count),
				"a model counts open jobs it does not have"
			);
		}

		// The money: escrow and deposits held equal those of open jobs, for every account
		// (so a hold left behind by a closed job is caught too).
		for who in frame_system::Account::<T>::iter_keys() {
			let held = T::Currency::balance_on_hold(&HoldReason::JobEscrow.into(), &who);
			let fees = escrow.get(&who).copied().unwrap_or_default();
			ensure!(held == fees, "held escrow differs from the fees of open jobs");
			let held = T::Currency::balance_on_hold(&HoldReason::JobDeposit.into(), &who);
			let owed = deposits.get(&who).copied().unwrap_or_default();
			ensure!(held == owed, "held deposits differ from those of open jobs");
		}

		// Results and their expiry queue.
		let (head, tail) = (ResultQueueHead::<T>::get(), ResultQueueTail::<T>::get());
		ensure!(head <= tail, "the result queue's head passed its tail");
		let mut queued = 0u64;
		ensure!(
			ResultQueue::<T>::iter_keys().all(|slot| (head..tail).contains(&slot)),
			"a result queue slot outside head..tail is stored"
		);
		for slot in head..tail {
			let (job_id, expires_at) =
				ResultQueue::<T>::get(slot).ok_or("a result queue slot is empty")?;
			ensure!(job_id < NextJobId::<T>::get(), "a result of an unissued job");
			let result = Results::<T>::get(job_id).ok_or("a queued result is missing")?;
			ensure!(result.expires_at == expires_at, "a queued expiry differs from its result");
			ensure!(!Jobs::<T>::contains_key(job_id), "a job is both open and settled");
			queued.saturating_inc();
		}
		ensure!(
			Results::<T>::iter_keys().count() as u64 == queued,
			"a result is not in the expiry queue"
		);
		Ok(())
	}
}
