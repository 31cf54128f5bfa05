//! Slashing: a fraction of every position with an operator, active and unbonding alike.
//!
//! The slash walks the operator's positions (its own and at most `MaxDelegatorsPerOperator`
//! delegations): for each it settles the rewards earned so far, cuts `fraction` of the active
//! stake and of every unbonding chunk (each rounded down, so a staker never loses more than
//! its share), and takes the cut from the staker's held balance. The credits are merged and
//! handed to `OnSlash` once. Unbonding chunks stay slashable until withdrawn.

use crate::*;
use frame_support::traits::{fungible::hold::Balanced as _, Imbalance};

impl<T: Config> Pallet<T> {
	/// Slash `fraction` of the stake behind `operator` for `job` (the provider's `slash`).
	/// Returns the amount taken from the holds.
	pub(crate) fn do_slash(
		operator: &T::AccountId,
		fraction: Perbill,
		job: verity_primitives::JobId,
	) -> BalanceOf<T> {
		if fraction.is_zero() {
			return Zero::zero();
		}
		let Some(mut info) = Operators::<T>::get(operator) else {
			return Zero::zero();
		};
		let positions: Vec<_> = Stakes::<T>::iter_prefix(operator).collect();
		let mut credit = CreditOf::<T>::zero();
		let mut own: BalanceOf<T> = Zero::zero();
		let mut delegated: BalanceOf<T> = Zero::zero();
		let mut unbonding: BalanceOf<T> = Zero::zero();

		for (staker, mut position) in positions {
			Self::settle(&mut position, info.reward_per_stake);
			let active_cut = fraction.mul_floor(position.active);
			let mut unbonding_cut: BalanceOf<T> = Zero::zero();
			for chunk in position.unbonding.iter_mut() {
				let cut = fraction.mul_floor(chunk.amount);
				chunk.amount.saturating_reduce(cut);
				unbonding_cut.saturating_accrue(cut);
			}
			position.active.saturating_reduce(active_cut);
			let cut = active_cut.saturating_add(unbonding_cut);
			let is_own = &staker == operator;
			if is_own {
				info.self_bond.saturating_reduce(active_cut);
				own.saturating_accrue(cut);
			} else {
				info.delegated.saturating_reduce(active_cut);
				delegated.saturating_accrue(cut);
			}
			info.unbonding.saturating_reduce(unbonding_cut);
			unbonding.saturating_accrue(unbonding_cut);

			let reason = Self::hold_reason(operator, &staker);
			let (taken, missing) = T::Currency::slash(&reason.into(), &staker, cut);
			if !missing.is_zero() {
				log::error!(
					target: LOG_TARGET,
					"slash of {staker:?} with {operator:?} found {missing:?} less held than staked"
				);
				frame_support::defensive!("held stake below the position");
			}
			credit.subsume(taken);
			Self::store_position(operator, &staker, &mut info, position);
		}

		let total = credit.peek();
		Self::store_operator(operator, info);
		// Last: the destination may run arbitrary code.
		T::OnSlash::on_unbalanced(credit);
		Self::deposit_event(Event::Slashed {
			operator: operator.clone(),
			job,
			fraction,
			own,
			delegated,
			unbonding,
		});
		total
	}
}
