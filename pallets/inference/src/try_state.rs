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
		let mut per_model: BTreeMap<ModelId, u32> = BTreeMap::new();
		let mut jobs = 0u32;

		for (job_id, job) in Jobs::<T>::iter() {
			jobs.saturating_inc();
			escrow.entry(job.submitter.clone()).or_default().saturating_accrue(job.fee);
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
			ensure!(!job.assignments.is_empty(), "a job without operators");
		}

		ensure!(OpenJobs::<T>::get() == jobs, "OpenJobs differs from the number of jobs");
		ensure!(Inputs::<T>::iter_keys().count() as u32 == jobs, "inputs of closed jobs remain");
		for (job_id, _) in Reveals::<T>::iter_keys() {
			ensure!(Jobs::<T>::contains_key(job_id), "reveals of a closed job remain");
		}
		for (_, job_id) in OperatorJobs::<T>::iter_keys() {
			ensure!(Jobs::<T>::contains_key(job_id), "an operator index entry of a closed job");
		}
		for (block, due) in Agenda::<T>::iter() {
			ensure!(!due.is_empty(), "an empty agenda entry is stored");
			for job_id in due.iter() {
				let deadline = Jobs::<T>::get(job_id).map(|j| j.deadline);
				ensure!(deadline == Some(block), "an agenda entry of a closed or other job");
			}
		}
		for (model, count) in per_model {
			let open = T::Models::model(&model).map(|m| m.open_jobs);
			ensure!(open == Some(count), "a model's open-job counter is off");
		}

		// The money: escrow held equals the fees of open jobs, per submitter.
		for (submitter, fees) in escrow {
			let held = T::Currency::balance_on_hold(&HoldReason::JobEscrow.into(), &submitter);
			ensure!(held == fees, "held escrow differs from the fees of open jobs");
		}

		// Results and their expiry queue.
		let (head, tail) = (ResultQueueHead::<T>::get(), ResultQueueTail::<T>::get());
		ensure!(head <= tail, "the result queue's head passed its tail");
		let mut queued = 0u64;
		for slot in head..tail {
			let (job_id, expires_at) =
				ResultQueue::<T>::get(slot).ok_or("a result queue slot is empty")?;
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
