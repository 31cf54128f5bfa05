//! Settlement: grouping revealed outputs under the model's contract, choosing the winner, and
//! moving the money.
//!
//! ## The decision ([`decide`])
//!
//! Every revealed output anchors a group: the operators whose outputs agree with it under the
//! contract (itself included when well formed). Under `Tolerance` agreement is not
//! transitive, so one operator may sit in several groups. Groups with the same members are
//! the same group; its result is the output of its first anchor in assignment order.
//! The group with the most stake wins if it holds at least `quorum × assigned stake`
//! (rounded up); when another group with different members holds exactly as much, nobody
//! wins ([`FailureReason::Tie`]).
//!
//! ## The money ([`Pallet::settle`])
//!
//! The fee `F` sits on hold (`JobEscrow`) on the submitter's account.
//! - royalty `R = royalty × F` (rounded down) goes to the model's current owner;
//! - each agreeing operator `i` is paid `(F − R) × stake_i / attesting_stake` (rounded
//!   down) through `OperatorProvider::reward`, which applies commission and delegator shares;
//! - the remainder (rounding dust, any payment the provider refused) is released to the
//!   submitter. Nothing is burnt: `F = R + paid + refunded`.
//! - Operators that revealed an output outside the winning group are slashed `DissentSlash`,
//!   assigned operators that did not reveal `SilentSlash`, through `OperatorProvider::slash`
//!   (the provider's policy says where slashed funds go).
//!
//! A job without a winner is refunded in full; its silent operators are still slashed
//! `SilentSlash`, operators that revealed are not (no output was established to dissent from).

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
use verity_primitives::{contract::NumericalContract, operators::OperatorProvider, JobId};

/// The outcome of comparing a job's reveals.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Decision<Balance> {
	/// A group reached the quorum.
	Winner {
		/// The index (in assignment order) of the operator whose output is the result.
		anchor: usize,
		/// The members of the winning group, bit `i` for the `i`-th assigned operator.
		members: u32,
		/// Their total stake.
		stake: Balance,
	},
	/// Nobody won.
	Failed(FailureReason),
}

/// Decide a job from its reveals: `revealed` holds `(seat, output, stake)` for every operator
/// that revealed, seats below 32. See the [module docs](self).
pub fn decide<Balance>(
	contract: &NumericalContract,
	revealed: &[(usize, &[u8], Balance)],
	quorum: Perbill,
	assigned_stake: Balance,
) -> Decision<Balance>
where
	Balance: sp_runtime::traits::AtLeast32BitUnsigned + Copy,
{
	if revealed.is_empty() {
		return Decision::Failed(FailureReason::NoReveals);
	}
	// (anchor, members, stake) of the best group so far, and whether another group ties it.
	let mut best: Option<(usize, u32, Balance)> = None;
	let mut tied = false;
	for (anchor, output, _) in revealed {
		let (members, stake) = revealed
			.iter()
			.filter(|(_, other, _)| contract.agrees(output, other))
			.fold((0u32, Balance::zero()), |(mask, sum), (seat, _, stake)| {
				(mask | 1u32.checked_shl(*seat as u32).unwrap_or(0), sum.saturating_add(*stake))
			});
		match best {
			None => best = Some((*anchor, members, stake)),
			Some((_, best_members, best_stake)) => {
				if stake > best_stake {
					best = Some((*anchor, members, stake));
					tied = false;
				} else if stake == best_stake && members != best_members {
					tied = true;
				}
			}
		}
	}
	let Some((anchor, members, stake)) = best else {
		return Decision::Failed(FailureReason::NoReveals);
	};
	let needed = quorum.mul_ceil(assigned_stake);
	if stake.is_zero() || stake < needed {
		Decision::Failed(FailureReason::QuorumNotReached)
	} else if tied {
		Decision::Failed(FailureReason::Tie)
	} else {
		Decision::Winner { anchor, members, stake }
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
	slashed: Balance,
}

impl<T: Config> Pallet<T> {
	/// Settle or refund `job` (already taken out of `Jobs`) at block `now`: decide, pay, slash,
	/// store the result, clean up. Never fails: payment errors leave the money with the
	/// submitter.
	pub(crate) fn settle(job_id: JobId, job: Job<T>, now: BlockNumberOf<T>) {
		let outputs: Vec<(usize, OutputOf<T>)> = job
			.assignments
			.iter()
			.enumerate()
			.filter(|(_, a)| a.revealed)
			.filter_map(|(seat, _)| Reveals::<T>::get(job_id, seat as u32).map(|o| (seat, o)))
			.collect();
		let revealed: Vec<(usize, &[u8], BalanceOf<T>)> = outputs
			.iter()
			.filter_map(|(seat, output)| {
				job.assignments.get(*seat).map(|a| (*seat, output.as_slice(), a.stake))
			})
			.collect();
		let decision = decide(&job.contract, &revealed, job.quorum, job.assigned_stake);

		match decision {
			Decision::Winner { anchor, members, stake } => {
				let output = outputs
					.iter()
					.find(|(seat, _)| *seat == anchor)
					.map(|(_, o)| o.clone())
					.unwrap_or_default();
				Self::pay_winners(job_id, &job, output, members, stake, now);
			}
			Decision::Failed(reason) => {
				let mut payout = Payout::<BalanceOf<T>> {
					refunded: Self::release_escrow(&job.submitter, job.fee),
					..Default::default()
				};
				for a in job.assignments.iter().filter(|a| !a.revealed) {
					payout.slashed.saturating_accrue(Self::slash(a, T::SilentSlash::get(), job_id));
				}
				Self::deposit_event(Event::JobFailed {
					job_id,
					model: job.model,
					reason,
					refunded: payout.refunded,
					slashed: payout.slashed,
				});
			}
		}
		Self::close(job_id, &job);
	}

	/// Pay the winning group of `job`, slash the others, record the result.
	fn pay_winners(
		job_id: JobId,
		job: &Job<T>,
		output: OutputOf<T>,
		members: u32,
		attesting_stake: BalanceOf<T>,
		now: BlockNumberOf<T>,
	) {
		let mut payout = Payout::<BalanceOf<T>>::default();
		let mut held = job.fee;
		let is_member = |seat: usize| seat < 32 && members & (1u32 << seat) != 0;

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

		// The operators' pool, by stake among the agreeing operators.
		let pool = job.fee.saturating_sub(royalty);
		let mut agreeing = BoundedVec::<T::AccountId, crate::MaxReplicationOf<T>>::new();
		for (seat, a) in job.assignments.iter().enumerate() {
			if !is_member(seat) {
				let fraction =
					if a.revealed { T::DissentSlash::get() } else { T::SilentSlash::get() };
				payout.slashed.saturating_accrue(Self::slash(a, fraction, job_id));
				continue;
			}
			if agreeing.try_push(a.operator.clone()).is_err() {
				defensive!("more agreeing operators than assigned");
			}
			let share = pro_rata(pool, a.stake, attesting_stake).min(held);
			if share.is_zero() {
				continue;
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
		payout.refunded.saturating_accrue(Self::release_escrow(&job.submitter, held));

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
			agreeing,
			attesting_stake,
			operators_paid: payout.operators_paid,
			royalty: payout.royalty,
			refunded: payout.refunded,
			slashed: payout.slashed,
		});
	}

	/// Slash `fraction` of the stake behind `a`'s operator.
	fn slash(
		a: &Assignment<T::AccountId, BalanceOf<T>>,
		fraction: Perbill,
		job_id: JobId,
	) -> BalanceOf<T> {
		if fraction.is_zero() {
			return Zero::zero();
		}
		T::Operators::slash(&a.operator, fraction, job_id)
	}

	/// Release `amount` of the submitter's escrow; returns what was released.
	pub(crate) fn release_escrow(submitter: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		T::Currency::release(
			&HoldReason::JobEscrow.into(),
			submitter,
			amount,
			Precision::BestEffort,
		)
		.unwrap_or_else(|e| {
			defensive!("job escrow could not be released", e);
			Zero::zero()
		})
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
		T::Models::job_closed(&job.model);
	}
}
