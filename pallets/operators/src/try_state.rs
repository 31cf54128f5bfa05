//! The pallet's invariants (see the crate docs), checked after every test and by try-runtime.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use frame_support::traits::fungible::Inspect;

impl<T: Config> Pallet<T> {
	/// Check the pallet's invariants.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		/// Sums over one operator's positions: as stored, and as worth now (unsynced slashes
		/// applied).
		#[derive(Default)]
		struct Totals<B> {
			own: B,
			delegated: B,
			unbonding: B,
			own_now: B,
			delegated_now: B,
			unbonding_now: B,
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
			ensure!(
				position.slash_factor_synced >= info.slash_factor,
				"a position synced at a slash factor below its operator's"
			);
			owed.saturating_accrue(position.unclaimed);
			owed.saturating_accrue(Self::pending(&position, info.reward_per_stake));

			let (synced, factor) = (position.slash_factor_synced, info.slash_factor);
			let active_now = Self::slashed_value(position.active, synced, factor);
			let unbonding_now = position.unbonding.iter().fold(BalanceOf::<T>::zero(), |acc, c| {
				acc.saturating_add(Self::slashed_value(c.amount, synced, factor))
			});
			let held = position.held();
			let sums = totals.entry(operator.clone()).or_default();
			sums.unbonding.saturating_accrue(position.unbonding_total());
			sums.unbonding_now.saturating_accrue(unbonding_now);
			let expected = holds.entry(staker.clone()).or_default();
			if operator == staker {
				sums.own = position.active;
				sums.own_now = active_now;
				sums.has_own = true;
				expected.0.saturating_accrue(held);
			} else {
				sums.delegated.saturating_accrue(position.active);
				sums.delegated_now.saturating_accrue(active_now);
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
			// Stored stake = the totals plus what slashes took from them but not yet from the
			// positions; and the totals cover what the positions are worth now (rounding dust
			// only in the totals' favour), so rewards shared by the totals can be paid.
			ensure!(
				info.self_bond.saturating_add(info.untaken.own) == sums.own,
				"an operator's self-bond (with its untaken slash) differs from its position"
			);
			ensure!(
				info.delegated.saturating_add(info.untaken.delegated) == sums.delegated,
				"an operator's delegated total (with its untaken slash) is off"
			);
			ensure!(
				info.unbonding.saturating_add(info.untaken.unbonding) == sums.unbonding,
				"an operator's unbonding total (with its untaken slash) is off"
			);
			ensure!(
				info.self_bond >= sums.own_now
					&& info.delegated >= sums.delegated_now
					&& info.unbonding >= sums.unbonding_now,
				"an operator's totals are below what its positions are worth"
			);
			ensure!(
				info.slash_factor <= SLASH_FACTOR_ONE
					&& (info.slash_factor == 0 || info.slash_factor >= MIN_SLASH_FACTOR),
				"a slash factor out of range"
			);
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

		// Every account, so that a hold with no position (an orphan) is caught too.
		for who in frame_system::Account::<T>::iter_keys() {
			let (bond, delegation) = holds.remove(&who).unwrap_or_default();
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
			holds.values().all(|(b, d)| b.is_zero() && d.is_zero()),
			"a position's staker has no account"
		);

		let now = frame_system::Pallet::<T>::block_number();
		let cursor = SlashAgendaCursor::<T>::get();
		for (block, due) in DeferredSlashes::<T>::iter() {
			ensure!(!due.is_empty(), "an empty deferred-slash entry");
			ensure!(
				block > now || cursor.is_some_and(|c| c <= block),
				"a due deferred slash behind the agenda cursor"
			);
			for (i, entry) in due.iter().enumerate() {
				ensure!(!entry.amount.is_zero(), "a deferred slash of nothing");
				ensure!(
					!due.iter().take(i).any(|e| e.operator == entry.operator),
					"two deferred slashes of one operator in one block"
				);
			}
		}
		for (operator, span) in SlashSpans::<T>::iter() {
			ensure!(Operators::<T>::contains_key(&operator), "a slashing span of no operator");
			ensure!(span.index <= Self::slash_span(now), "a slashing span in the future");
		}

		ensure!(
			T::Currency::balance(&Self::pot()) >= owed,
			"the reward pot cannot pay what is owed"
		);
		Ok(())
	}
}
