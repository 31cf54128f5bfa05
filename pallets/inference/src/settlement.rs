//! Settlement: grouping revealed outputs under the model's contract, choosing the winner, and
//! moving the money.
//!
//! ## The decision ([`decide`])
//!
//! Every seat has one vote, whatever its stake: stake decides how often an operator is drawn
//! and what it risks, never how much one drawn seat weighs, so no single seat can decide a
//! job of replication two or more. Every revealed output anchors a group: the seats whose
//! outputs agree with it under the contract (itself included when well formed). Under
//! `Tolerance` agreement is not transitive, so one seat may sit in several groups; groups with
//! the same members are the same group. The group with the most seats wins if it holds at
//! least `ceil(quorum × k)` seats; when another group with different members holds as many,
//! nobody wins ([`FailureReason::Tie`]). The settled result is what the group agreed on
//! (`NumericalContract::settled_output`), not any one member's bytes.
//!
//! ## The money ([`Pallet::settle`])
//!
//! The fee `F` sits on hold (`JobEscrow`) on the submitter's account.
//! - **A winner**: royalty `R = royalty × F` (rounded down) to the model's owner; each of the
//!   `m` winning seats is paid `(F − R) / m` (rounded down) through
//!   `OperatorProvider::reward`; the remainder goes back to the submitter. `F = R + paid +
//!   refunded`. Revealing outside the group is reported as [`Offence::Dissent`], not revealing
//!   as [`Offence::Silence`], each as a fraction of the seat's exposure (its stake at risk
//!   when drawn); the provider defers the slash and counts one incident once. When the group
//!   attested that the engine rejected the input, silence is not reported (nothing showed the
//!   job was doable) and the submission deposit is forfeited (burnt).
//! - **No winner, outputs revealed** (quorum not reached, tie): each seat that revealed is
//!   paid its share `F / k` of the fee, the rest is refunded. Revealed outputs are public, so
//!   they are never free; nobody is slashed, as no output was established.
//! - **No reveals, or too few operators at the draw**: the fee is refunded in full and nobody
//!   is slashed: silence against no established outcome proves nothing about the operator.
//!
//! The submission deposit goes back in every case but the rejected input.

use crate::{
	pallet::*, Assignment, BalanceOf, BlockNumberOf, Digest, FailureReason, Job, JobResult,
	OutputOf, LOG_TARGET,
};
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	storage::with_storage_layer,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use pallet_verity_models::ModelRegistry;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill, Rounding,
};
use verity_primitives::{
	contract::{is_input_rejected, NumericalContract},
	operators::{Offence, OperatorProvider},
	JobId,
};

/// The outcome of comparing a job's reveals.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Decision {
	/// A group reached the quorum.
	Winner {
		/// The members of the winning group, bit `i` for the `i`-th seat.
		members: u32,
	},
	/// Nobody won.
	Failed(FailureReason),
}

/// Decide a job from its reveals: `revealed` holds `(seat, output)` for every seat that
/// revealed, seats below 32; `needed` is the number of agreeing seats a winner must hold. See
/// the [module docs](self).
pub fn decide(contract: &NumericalContract, revealed: &[(usize, &[u8])], needed: u32) -> Decision {
	if revealed.is_empty() {
		return Decision::Failed(FailureReason::NoReveals);
	}
	// The members of the best group so far, and whether another group ties it.
	let mut best: Option<u32> = None;
	let mut tied = false;
	for (_, output) in revealed {
		let members = revealed
			.iter()
			.filter(|(_, other)| contract.agrees(output, other))
			.fold(0u32, |mask, (seat, _)| mask | 1u32.checked_shl(*seat as u32).unwrap_or(0));
		match best {
			None => best = Some(members),
			Some(best_members) => {
				if members.count_ones() > best_members.count_ones() {
					best = Some(members);
					tied = false;
				} else if members.count_ones() == best_members.count_ones()
					&& members != best_members
				{
					tied = true;
				}
			}
		}
	}
	let Some(members) = best else {
		return Decision::Failed(FailureReason::NoReveals);
	};
	if members == 0 || members.count_ones() < needed.max(1) {
		Decision::Failed(FailureReason::QuorumNotReached)
	} else if tied {
		Decision::Failed(FailureReason::Tie)
	} else {
		Decision::Winner { members }
	}
}

/// `amount × part / whole`, rounded down, in 128-bit arithmetic (zero when `whole` is zero).
pub fn pro_rata<Balance: sp_runtime::traits::AtLeast32BitUnsigned + Copy>(
	amount: Balance,
	part: Balance,
	whole: Balance,
) -> Balance {
	let (a, p, w): (u128, u128, u128) = (
		amount.unique_saturated_into(),
		part.unique_saturated_into(),
		whole.unique_saturated_into(),
	);
	if w == 0 {
		return Zero::zero();
	}
	sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(a, p, w, Rounding::Down)
		.and_then(|v| Balance::try_from(v).ok())
		.unwrap_or_else(Zero::zero)
}

/// What happened to a job's fee and operators, for the events.
#[derive(Default)]
struct Payout<Balance> {
	royalty: Balance,
	operators_paid: Balance,
	refunded: Balance,
	deposit_forfeited: Balance,
	slash_reported: Balance,
}

/// Whether bit `seat` is set in `members`.
fn is_member(members: u32, seat: usize) -> bool {
	seat < 32 && members & (1u32 << seat) != 0
}

impl<T: Config> Pallet<T> {
	/// Settle or fail `job` (already taken out of `Jobs`) at block `now`: decide, pay, report
	/// offences, store the result, clean up. Never fails: payment errors leave the money with
	/// the submitter.
	pub(crate) fn settle(job_id: JobId, job: Job<T>, now: BlockNumberOf<T>) {
		let outputs: Vec<(usize, OutputOf<T>)> = job
			.assignments
			.iter()
			.enumerate()
			.filter(|(_, a)| a.revealed)
			.filter_map(|(seat, _)| Reveals::<T>::get(job_id, seat as u32).map(|o| (seat, o)))
			.collect();
		let revealed: Vec<(usize, &[u8])> =
			outputs.iter().map(|(seat, output)| (*seat, output.as_slice())).collect();
		match decide(&job.contract, &revealed, job.seats_needed()) {
			Decision::Winner { members } => {
				let group: Vec<&[u8]> = revealed
					.iter()
					.filter(|(seat, _)| is_member(members, *seat))
					.map(|(_, o)| *o)
					.collect();
				let output = OutputOf::<T>::truncate_from(job.contract.settled_output(&group));
				Self::pay_winners(job_id, &job, output, members, now);
				Self::close(job_id, &job);
			}
			Decision::Failed(reason) => Self::fail(job_id, job, reason),
		}
	}

	/// End `job` (already taken out of `Jobs`) without a result: pay each seat that revealed
	/// its share of the fee, refund the rest and the deposit, slash nobody.
	pub(crate) fn fail(job_id: JobId, job: Job<T>, reason: FailureReason) {
		let mut payout = Payout::<BalanceOf<T>>::default();
		let mut held = job.fee;
		let seat_share = pro_rata(job.fee, 1u32.into(), job.replication.max(1).into());
		for a in job.assignments.iter().filter(|a| a.revealed) {
			Self::pay_operator(job_id, &job, a, seat_share, &mut held, &mut payout);
		}
		payout.refunded.saturating_accrue(Self::release_held(
			HoldReason::JobEscrow,
			&job.submitter,
			held,
		));
		Self::release_held(HoldReason::JobDeposit, &job.submitter, job.deposit);
		Self::deposit_event(Event::JobFailed {
			job_id,
			model: job.model,
			reason,
			operators_paid: payout.operators_paid,
			refunded: payout.refunded,
		});
		Self::close(job_id, &job);
	}

	/// Pay the winning group of `job`, report the others, record the result.
	fn pay_winners(
		job_id: JobId,
		job: &Job<T>,
		output: OutputOf<T>,
		members: u32,
		now: BlockNumberOf<T>,
	) {
		let mut payout = Payout::<BalanceOf<T>>::default();
		let mut held = job.fee;
		let input_rejected = is_input_rejected(&output);

		// Royalty to the model's current owner.
		let royalty = job.royalty.mul_floor(job.fee);
		if let Some(owner) = T::Models::model(&job.model).map(|m| m.owner) {
			if !royalty.is_zero() {
				match T::Currency::transfer_on_hold(
					&HoldReason::JobEscrow.into(),
					&job.submitter,
					&owner,
					royalty,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Polite,
				) {
					Ok(paid) => {
						payout.royalty = paid;
						held.saturating_reduce(paid);
					}
					Err(e) => {
						log::warn!(target: LOG_TARGET, "job {job_id}: royalty not paid: {e:?}")
					}
				}
			}
		}

		// The operators' pool, in equal shares among the winning seats.
		let pool = job.fee.saturating_sub(royalty);
		let share = pro_rata(pool, 1u32.into(), members.count_ones().max(1).into());
		let mut agreeing = BoundedVec::<T::AccountId, crate::MaxReplicationOf<T>>::new();
		let mut attesting_stake = BalanceOf::<T>::zero();
		for (seat, a) in job.assignments.iter().enumerate() {
			if !is_member(members, seat) {
				let offence = match (a.revealed, input_rejected) {
					(true, _) => Some((Offence::Dissent, T::DissentSlash::get())),
					(false, false) => Some((Offence::Silence, T::SilentSlash::get())),
					// Nothing showed the job was doable: silence is not an offence.
					(false, true) => None,
				};
				if let Some((offence, fraction)) = offence {
					payout
						.slash_reported
						.saturating_accrue(Self::report(a, job_id, offence, fraction));
				}
				continue;
			}
			if agreeing.try_push(a.operator.clone()).is_err() {
				defensive!("more agreeing operators than assigned");
			}
			attesting_stake.saturating_accrue(a.stake);
			Self::pay_operator(job_id, job, a, share, &mut held, &mut payout);
		}
		payout.refunded.saturating_accrue(Self::release_held(
			HoldReason::JobEscrow,
			&job.submitter,
			held,
		));
		if input_rejected {
			payout.deposit_forfeited = Self::forfeit_deposit(&job.submitter, job.deposit);
		} else {
			Self::release_held(HoldReason::JobDeposit, &job.submitter, job.deposit);
		}

		let output_digest: Digest = sp_io::hashing::blake2_256(&output);
		let expires_at = now.saturating_add(T::ResultLifetime::get());
		Results::<T>::insert(
			job_id,
			JobResult::<T> {
				model: job.model,
				submitter: job.submitter.clone(),
				output,
				output_digest,
				agreeing: agreeing.clone(),
				attesting_stake,
				assigned_stake: job.assigned_stake,
				settled_at: now,
				expires_at,
			},
		);
		let tail = ResultQueueTail::<T>::get();
		ResultQueue::<T>::insert(tail, (job_id, expires_at));
		ResultQueueTail::<T>::put(tail.saturating_add(1));

		Self::deposit_event(Event::JobSettled {
			job_id,
			model: job.model,
			output_digest,
			input_rejected,
			agreeing,
			attesting_stake,
			operators_paid: payout.operators_paid,
			royalty: payout.royalty,
			refunded: payout.refunded,
			deposit_forfeited: payout.deposit_forfeited,
			slash_reported: payout.slash_reported,
		});
	}

	/// Pay `share` of `job`'s escrow (at most what is still `held`) to seat `a`'s operator.
	fn pay_operator(
		job_id: JobId,
		job: &Job<T>,
		a: &Assignment<T::AccountId, BalanceOf<T>>,
		share: BalanceOf<T>,
		held: &mut BalanceOf<T>,
		payout: &mut Payout<BalanceOf<T>>,
	) {
		let share = share.min(*held);
		if share.is_zero() {
			return;
		}
		let paid = with_storage_layer(|| -> Result<BalanceOf<T>, DispatchError> {
			T::Currency::release(
				&HoldReason::JobEscrow.into(),
				&job.submitter,
				share,
				Precision::Exact,
			)?;
			T::Operators::reward(&a.operator, share, &job.submitter)
		});
		match paid {
			Ok(taken) => {
				held.saturating_reduce(share);
				payout.operators_paid.saturating_accrue(taken);
				// Whatever the provider did not take stays free with the submitter.
				payout.refunded.saturating_accrue(share.saturating_sub(taken));
			}
			Err(e) => log::warn!(
				target: LOG_TARGET,
				"job {job_id}: reward to an operator failed, refunding its share: {e:?}"
			),
		}
	}

	/// Report seat `a`'s `offence` in `job_id` to the operator provider: a slash of
	/// `fraction` of its exposure, deferred by the provider.
	fn report(
		a: &Assignment<T::AccountId, BalanceOf<T>>,
		job_id: JobId,
		offence: Offence,
		fraction: Perbill,
	) -> BalanceOf<T> {
		if fraction.is_zero() {
			return Zero::zero();
		}
		T::Operators::report_offence(&a.operator, job_id, offence, fraction, a.stake)
	}

	/// Remove every trace of an open job: its input, reveals, operator index, agenda entry and
	/// the open-job counters.
	pub(crate) fn close(job_id: JobId, job: &Job<T>) {
		Inputs::<T>::remove(job_id);
		for (seat, a) in job.assignments.iter().enumerate() {
			if a.revealed {
				Reveals::<T>::remove(job_id, seat as u32);
			}
			OperatorJobs::<T>::remove(&a.operator, job_id);
		}
		Agenda::<T>::mutate_exists(job.deadline, |maybe| {
			if let Some(jobs) = maybe {
				jobs.retain(|j| *j != job_id);
				if jobs.is_empty() {
					*maybe = None;
				}
			}
		});
		OpenJobs::<T>::mutate(|n| *n = n.saturating_sub(1));
		OpenJobsOf::<T>::mutate_exists(&job.submitter, |n| {
			*n = n.map(|n| n.saturating_sub(1)).filter(|n| *n > 0);
		});
		T::Models::job_closed(&job.model);
	}
}
