//! The pallet's invariants (see the crate docs), checked after every test and by try-runtime.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use frame_support::traits::fungible::Inspect;

impl<T: Config> Pallet<T> {
	/// Check the pallet's invariants.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		/// Sums over one operator's positions.
		#[derive(Default)]
		struct Totals<B> {
			own: B,
			delegated: B,
			unbonding: B,
			delegators: u32,
			has_own: bool,
		}

		let mut totals: BTreeMap<T::AccountId, Totals<BalanceOf<T>>> = BTreeMap::new();
		// Per account: expected `OperatorBond` and `Delegation` holds.
		let mut holds: BTreeMap<T::AccountId, (BalanceOf<T>, BalanceOf<T>)> = BTreeMap::new();
		let mut owed: BalanceOf<T> = Zero::zero();

		for (operator, staker, position) in Stakes::<T>::iter() {
			let info = Operators::<T>::get(&operator).ok_or("a position with no operator")?;
			ensure!(
				position.reward_per_stake_paid <= info.reward_per_stake,
				"a reward debt exceeds the accrued rewards"
			);
			owed.saturating_accrue(position.unclaimed);
			owed.saturating_accrue(Self::pending(&position, info.reward_per_stake));

			let held = position.held();
			let sums = totals.entry(operator.clone()).or_default();
			sums.unbonding.saturating_accrue(position.unbonding_total());
			let expected = holds.entry(staker.clone()).or_default();
			if operator == staker {
				sums.own = position.active;
				sums.has_own = true;
				expected.0.saturating_accrue(held);
			} else {
				sums.delegated.saturating_accrue(position.active);
				sums.delegators.saturating_inc();
				expected.1.saturating_accrue(held);
			}
			ensure!(
				!position.is_empty()
					|| (operator == staker && info.status != OperatorStatus::Leaving),
				"an empty position is stored"
			);
		}

		let mut count = 0u32;
		for (operator, info) in Operators::<T>::iter() {
			count.saturating_inc();
			let sums = totals.remove(&operator).unwrap_or_default();
			ensure!(
				info.self_bond == sums.own,
				"an operator's self-bond differs from its position"
			);
			ensure!(info.delegated == sums.delegated, "an operator's delegated total is off");
			ensure!(info.unbonding == sums.unbonding, "an operator's unbonding total is off");
			ensure!(info.delegators == sums.delegators, "an operator's delegator count is off");
			ensure!(
				info.delegators <= T::MaxDelegatorsPerOperator::get(),
				"an operator has too many delegators"
			);
			ensure!(info.commission <= T::MaxCommission::get(), "a commission is too high");
			let leaving = info.status == OperatorStatus::Leaving;
			ensure!(leaving || sums.has_own, "an operator has no own position");
			for model in info.models.iter() {
				ensure!(
					ModelOperators::<T>::get(model).contains(&operator) != leaving,
					"the model index disagrees with an operator's models"
				);
			}
		}
		ensure!(count == Operators::<T>::count(), "the operator counter is off");
		ensure!(count <= T::MaxOperators::get(), "too many operators");

		for (model, operators) in ModelOperators::<T>::iter() {
			ensure!(!operators.is_empty(), "an empty model index entry");
			for operator in operators.iter() {
				let info = Operators::<T>::get(operator).ok_or("an unknown operator indexed")?;
				ensure!(info.status != OperatorStatus::Leaving, "a leaving operator indexed");
				ensure!(info.models.contains(&model), "an operator indexed for a model it dropped");
			}
		}

		for (who, (bond, delegation)) in holds {
			let held_bond = T::Currency::balance_on_hold(&HoldReason::OperatorBond.into(), &who);
			let held_delegation =
				T::Currency::balance_on_hold(&HoldReason::Delegation.into(), &who);
			if held_bond != bond || held_delegation != delegation {
				log::error!(
					target: LOG_TARGET,
					"{who:?} holds {held_bond:?} bond and {held_delegation:?} delegation, \
					 positions say {bond:?} and {delegation:?}"
				);
				return Err("held stake differs from bonds plus delegations plus unbonding".into());
			}
		}

		ensure!(
			T::Currency::balance(&Self::pot()) >= owed,
			"the reward pot cannot pay what is owed"
		);
		Ok(())
	}
}
