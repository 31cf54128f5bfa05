//! The deadline agenda and result expiry, served in `on_initialize` under a weight meter.
//!
//! Jobs sit in [`Agenda`] under their deadline block. Each block serves the agenda from the
//! cursor ([`AgendaCursor`], or the current block when there is none) up to the current block,
//! settling or refunding every job found, while the meter allows; a job that does not fit is
//! left in place and the cursor remembers its block, so the next block resumes there. Jobs
//! served late are settled exactly as they would have been on time: their reveal phase closed
//! at the deadline, so nothing about them can change in between.
//!
//! Then results whose lifetime is over are removed from the front of [`ResultQueue`] while the
//! meter allows.

use crate::{pallet::*, weights::WeightInfo, LOG_TARGET};
use frame_support::pallet_prelude::*;
use frame_support::weights::WeightMeter;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::Saturating;

impl<T: Config> Pallet<T> {
	/// Settle or refund the jobs due by `now`, as far as `meter` allows.
	pub(crate) fn service_agenda(now: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let mut block = AgendaCursor::<T>::get().unwrap_or(now).min(now);
		if meter.try_consume(Self::agenda_base_weight()).is_err() {
			AgendaCursor::<T>::put(block);
			return;
		}
		while block <= now {
			if meter.try_consume(Self::agenda_block_weight()).is_err() {
				AgendaCursor::<T>::put(block);
				return;
			}
			let Some(mut due) = Agenda::<T>::take(block) else {
				block.saturating_inc();
				continue;
			};
			let mut served = 0usize;
			for job_id in due.iter() {
				let Some(job) = Jobs::<T>::get(job_id) else {
					defensive!("a job on the agenda is not open", job_id);
					served.saturating_inc();
					continue;
				};
				let weight =
					Self::deadline_weight(job.assignments.len() as u32, job.max_output_len);
				if meter.try_consume(weight).is_err() {
					break;
				}
				Jobs::<T>::remove(job_id);
				// `settle` calls `close`, which looks for the job in the agenda entry we took:
				// it is no longer in storage, so nothing is written back there.
				Self::settle(*job_id, job, now);
				served.saturating_inc();
			}
			if served < due.len() {
				due = BoundedVec::truncate_from(due.into_iter().skip(served).collect());
				log::debug!(
					target: LOG_TARGET,
					"agenda of block {block:?} not done, {} jobs left for the next block",
					due.len()
				);
				Agenda::<T>::insert(block, due);
				AgendaCursor::<T>::put(block);
				return;
			}
			block.saturating_inc();
		}
		if AgendaCursor::<T>::exists() {
			AgendaCursor::<T>::kill();
		}
	}

	/// Remove the results whose lifetime ended by `now`, oldest first, as far as `meter`
	/// allows.
	pub(crate) fn expire_results(now: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let tail = ResultQueueTail::<T>::get();
		let mut head = ResultQueueHead::<T>::get();
		while head < tail && meter.can_consume(T::WeightInfo::expire_result()) {
			let Some((job_id, expires_at)) = ResultQueue::<T>::get(head) else {
				defensive!("a result queue slot is empty", head);
				head = head.saturating_add(1);
				continue;
			};
			if expires_at > now {
				break;
			}
			meter.consume(T::WeightInfo::expire_result());
			ResultQueue::<T>::remove(head);
			Results::<T>::remove(job_id);
			head = head.saturating_add(1);
			Self::deposit_event(Event::ResultExpired { job_id });
		}
		if head != ResultQueueHead::<T>::get() {
			ResultQueueHead::<T>::put(head);
		}
	}
}
