//! Rewards: the per-operator reward-per-stake accumulator, settling positions, paying out.
//!
//! Paying an operator is O(1) in its delegators: the payment goes into the pot, the
//! commission is credited to the operator's own position and the rest raises the operator's
//! accumulator by `rest × slash_factor / active_stake` (rounded down): the accumulator counts
//! reward per unit of *unslashed* stake, stake divided by the slash factor (see
//! `slashing.rs`). A position stored as `active` at factor `f₀` is owed
//! `active × (reward_per_stake − reward_per_stake_paid) / f₀` (rounded down). That is exact
//! however rewards and slashes interleave before the position syncs: between syncs its
//! unslashed stake `active / f₀` does not change, and at each reward it was worth
//! `active × factor / f₀`, its share of `active_stake`. The operator's totals are never below
//! the sum of what its positions are worth, so the sum owed never exceeds what was paid in;
//! the rounding dust stays in the pot. Without slashes (`f₀ = SLASH_FACTOR_ONE =
//! REWARD_PRECISION`) this is the plain reward-per-share accumulator.

use crate::*;
use frame_support::traits::{fungible::Mutate, tokens::Preservation};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{UniqueSaturatedFrom, UniqueSaturatedInto},
	DispatchError, Rounding,
};

impl<T: Config> Pallet<T> {
	/// The reward `active` stake, stored at slash factor `synced`, earned while the accumulator
	/// rose by `delta`.
	pub fn earned(active: BalanceOf<T>, delta: u128, synced: u128) -> BalanceOf<T> {
		if active.is_zero() || delta == 0 || synced == 0 {
			return Zero::zero();
		}
		let active: u128 = active.unique_saturated_into();
		match multiply_by_rational_with_rounding(active, delta, synced, Rounding::Down) {
			Some(v) => BalanceOf::<T>::unique_saturated_from(v),
			None => {
				frame_support::defensive!("reward of a position overflows u128");
				Zero::zero()
			}
		}
	}

	/// The rewards `position` is owed but has not been credited yet, with the operator's
	/// accumulator at `reward_per_stake`.
	pub fn pending(position: &StakeInfo<T>, reward_per_stake: u128) -> BalanceOf<T> {
		Self::earned(
			position.active,
			reward_per_stake.saturating_sub(position.reward_per_stake_paid),
			position.slash_factor_synced,
		)
	}

	/// Credit `position`'s pending rewards to its `unclaimed`. Must run before its active
	/// stake or its slash factor changes (part of [`Self::sync`]).
	pub(crate) fn settle(position: &mut StakeInfo<T>, reward_per_stake: u128) {
		let pending = Self::pending(position, reward_per_stake);
		position.unclaimed.saturating_accrue(pending);
		position.reward_per_stake_paid = reward_per_stake;
	}

	/// Pay `amount` from the pot to `to`.
	pub(crate) fn pay_reward(to: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		T::Currency::transfer(&Self::pot(), to, amount, Preservation::Expendable).map(|_| ())
	}

	/// Pay a settled position's unclaimed rewards, best effort: on failure (e.g. a payment
	/// below the existential deposit to an account with no free balance) they stay unclaimed.
	pub(crate) fn auto_claim(
		operator: &T::AccountId,
		staker: &T::AccountId,
		position: &mut StakeInfo<T>,
	) {
		let amount = position.unclaimed;
		if amount.is_zero() {
			return;
		}
		match Self::pay_reward(staker, amount) {
			Ok(()) => {
				position.unclaimed = Zero::zero();
				Self::deposit_event(Event::RewardsClaimed {
					staker: staker.clone(),
					operator: operator.clone(),
					amount,
				});
			}
			Err(e) => log::debug!(target: LOG_TARGET, "auto-claim for {staker:?} deferred: {e:?}"),
		}
	}

	/// Pay `amount` from `payer`'s free balance to `operator` and its stakers (the provider's
	/// `reward`). Returns the amount taken; on error nothing changed.
	pub(crate) fn do_reward(
		operator: &T::AccountId,
		amount: BalanceOf<T>,
		payer: &T::AccountId,
	) -> Result<BalanceOf<T>, DispatchError> {
		let mut info = Operators::<T>::get(operator).ok_or(Error::<T>::NotOperator)?;
		if amount.is_zero() {
			return Ok(amount);
		}
		info.apply_pending_commission(Self::now());
		let own = Stakes::<T>::get(operator, operator);
		let active = info.active_stake();
		let (commission, increment) = match (&own, active.is_zero()) {
			// Nobody earns by stake: all of it is the operator's.
			(Some(_), true) => (amount, 0),
			(None, true) => return Err(Error::<T>::NoActiveStake.into()),
			(maybe_own, false) => {
				// A leaving operator whose own bond is gone takes no commission.
				let commission = if maybe_own.is_some() {
					info.commission.mul_floor(amount)
				} else {
					Zero::zero()
				};
				let rest: u128 = amount.saturating_sub(commission).unique_saturated_into();
				let active: u128 = active.unique_saturated_into();
				let increment = multiply_by_rational_with_rounding(
					rest,
					info.slash_factor,
					active,
					Rounding::Down,
				)
				.ok_or(Error::<T>::RewardOverflow)?;
				(commission, increment)
			}
		};
		let reward_per_stake =
			info.reward_per_stake.checked_add(increment).ok_or(Error::<T>::RewardOverflow)?;
		T::Currency::transfer(payer, &Self::pot(), amount, Preservation::Expendable)?;

		info.reward_per_stake = reward_per_stake;
		if let Some(mut own) = own {
			if !commission.is_zero() {
				own.unclaimed.saturating_accrue(commission);
				Stakes::<T>::insert(operator, operator, own);
			}
		}
		Operators::<T>::insert(operator, info);
		Self::deposit_event(Event::Rewarded {
			operator: operator.clone(),
			payer: payer.clone(),
			amount,
			commission,
		});
		Ok(amount)
	}
}
