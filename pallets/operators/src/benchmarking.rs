//! Benchmarks of the operator staking pallet (`frame_benchmarking::v2`), run as tests against
//! the mock. Each call is measured in its worst case: the most models in the fullest model
//! indexes, the most unbonding chunks, pending rewards to auto-claim, and (for
//! `withdraw_unbonded`) every chunk redelegated to a different operator, the position removed
//! and its leaving operator reaped with it.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::{Inspect, Mutate};
use frame_system::RawOrigin;
use sp_runtime::traits::{One, UniqueSaturatedFrom};
use verity_primitives::operators::OperatorProvider;

/// A large enough amount to bond and delegate many times over.
fn plenty<T: Config>() -> BalanceOf<T> {
	T::MinSelfBond::get()
		.saturating_add(T::MinDelegation::get())
		.saturating_add(T::Currency::minimum_balance())
		.saturating_mul(BalanceOf::<T>::unique_saturated_from(1_000u32))
}

/// A funded account.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, plenty::<T>());
	who
}

/// `MaxModelsPerOperator` model ids, distinct per `set`.
fn model_set<T: Config>(set: u64) -> ModelsOf<T> {
	let models = (0..T::MaxModelsPerOperator::get() as u64)
		.map(|j| {
			let mut id = [0u8; 32];
			id.iter_mut().zip((set * 1_000 + j).to_le_bytes()).for_each(|(d, s)| *d = s);
			ModelId::from(id)
		})
		.collect::<Vec<_>>();
	ModelsOf::<T>::truncate_from(models)
}

/// Register a funded operator serving `models`.
fn operator<T: Config>(index: u32, models: ModelsOf<T>) -> T::AccountId {
	let who = funded::<T>("operator", index);
	Pallet::<T>::ensure_pot_exists();
	frame_support::assert_ok!(Pallet::<T>::do_register(
		&who,
		T::MinSelfBond::get(),
		T::MaxCommission::get(),
		models
	));
	who
}

/// Fill the indexes of `models` up to one below `MaxOperatorsPerModel` with other operators
/// (fewer if `MaxOperators` would be exceeded, keeping room for `spare` more operators).
fn crowd<T: Config>(models: &ModelsOf<T>, first_index: u32, spare: u32) {
	let room = T::MaxOperators::get().saturating_sub(Operators::<T>::count()).saturating_sub(spare);
	for i in 0..T::MaxOperatorsPerModel::get().saturating_sub(1).min(room) {
		operator::<T>(first_index + i, models.clone());
	}
}

/// Pay `operator` a reward, so every position with it has something to claim.
fn rewarded<T: Config>(operator: &T::AccountId) {
	let payer = funded::<T>("payer", 0);
	frame_support::assert_ok!(Pallet::<T>::reward(operator, T::MinSelfBond::get(), &payer));
}

/// Move to block `n`.
fn at_block<T: Config>(n: u32) {
	frame_system::Pallet::<T>::set_block_number(n.into());
}

/// Give the position of `staker` with `operator` `MaxUnbondingChunks - 1` chunks, one per
/// block from block 1.
fn chunks<T: Config>(operator: &T::AccountId, staker: &T::AccountId) {
	for b in 0..T::MaxUnbondingChunks::get().saturating_sub(1) {
		at_block::<T>(b + 1);
		frame_support::assert_ok!(Pallet::<T>::do_unbond(
			operator,
			staker,
			T::MinDelegation::get(),
			None
		));
	}
	at_block::<T>(T::MaxUnbondingChunks::get());
}

/// A delegator of `operator` with a large delegation.
fn delegator<T: Config>(index: u32, operator: &T::AccountId) -> T::AccountId {
	let who = funded::<T>("delegator", index);
	let amount =
		T::MinDelegation::get().saturating_mul(BalanceOf::<T>::unique_saturated_from(100u32));
	frame_support::assert_ok!(Pallet::<T>::do_delegate(&who, operator, amount));
	who
}

/// Fill `operator` with delegators up to one below `MaxDelegatorsPerOperator`.
fn crowd_delegators<T: Config>(operator: &T::AccountId, first_index: u32) {
	for i in 0..T::MaxDelegatorsPerOperator::get().saturating_sub(1) {
		delegator::<T>(first_index + i, operator);
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The most models, each in an index one short of full.
	#[benchmark]
	fn register() {
		let models = model_set::<T>(1);
		crowd::<T>(&models, 100, 1);
		let who = funded::<T>("caller", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::MinSelfBond::get(), T::MaxCommission::get(), models);
		assert!(Operators::<T>::contains_key(&who));
	}

	/// With rewards to auto-claim.
	#[benchmark]
	fn bond_more() {
		let who = operator::<T>(0, model_set::<T>(1));
		rewarded::<T>(&who);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::MinSelfBond::get());
		assert_eq!(Stakes::<T>::get(&who, &who).map(|p| p.unclaimed), Some(Zero::zero()));
	}

	/// With rewards to auto-claim and all but one chunk taken.
	#[benchmark]
	fn unbond() {
		let who = operator::<T>(0, model_set::<T>(1));
		frame_support::assert_ok!(Pallet::<T>::do_bond_more(&who, plenty::<T>() / 4u32.into()));
		chunks::<T>(&who, &who);
		rewarded::<T>(&who);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::MinDelegation::get());
		assert_eq!(
			Stakes::<T>::get(&who, &who).map(|p| p.unbonding.len() as u32),
			Some(T::MaxUnbondingChunks::get())
		);
	}

	/// An increase (scheduled).
	#[benchmark]
	fn set_commission() {
		let who = operator::<T>(0, model_set::<T>(1));
		frame_support::assert_ok!(Pallet::<T>::do_set_commission(&who, Perbill::zero()));
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::MaxCommission::get());
		assert!(Operators::<T>::get(&who).is_some_and(|i| i.pending_commission.is_some()));
	}

	/// Replace the most models by as many in indexes one short of full (the old indexes as
	/// crowded as `MaxOperators` still allows).
	#[benchmark]
	fn set_models() {
		let old = model_set::<T>(1);
		let new = model_set::<T>(2);
		crowd::<T>(&new, 200, 1);
		crowd::<T>(&old, 100, 1);
		let who = operator::<T>(0, old);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), new.clone());
		assert!(Operators::<T>::get(&who).is_some_and(|i| i.models == new));
	}

	#[benchmark]
	fn chill() {
		let who = operator::<T>(0, model_set::<T>(1));
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Operators::<T>::get(&who).is_some_and(|i| i.status == OperatorStatus::Chilled));
	}

	#[benchmark]
	fn resume() {
		let who = operator::<T>(0, model_set::<T>(1));
		frame_support::assert_ok!(Pallet::<T>::do_set_status(
			&who,
			OperatorStatus::Active,
			OperatorStatus::Chilled
		));
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Operators::<T>::get(&who).is_some_and(|i| i.status == OperatorStatus::Active));
	}

	/// The most models in crowded indexes, all but one chunk taken, rewards to auto-claim.
	#[benchmark]
	fn deregister() {
		let models = model_set::<T>(1);
		crowd::<T>(&models, 100, 1);
		let who = operator::<T>(0, models);
		frame_support::assert_ok!(Pallet::<T>::do_bond_more(&who, plenty::<T>() / 4u32.into()));
		chunks::<T>(&who, &who);
		rewarded::<T>(&who);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Operators::<T>::get(&who).is_some_and(|i| i.status == OperatorStatus::Leaving));
	}

	/// Topping up a delegation with rewards to auto-claim, the operator full of delegators.
	#[benchmark]
	fn delegate() {
		let op = operator::<T>(0, model_set::<T>(1));
		crowd_delegators::<T>(&op, 100);
		let who = delegator::<T>(0, &op);
		rewarded::<T>(&op);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), op.clone(), T::MinDelegation::get());
		assert_eq!(Stakes::<T>::get(&op, &who).map(|p| p.unclaimed), Some(Zero::zero()));
	}

	/// With rewards to auto-claim and all but one chunk taken.
	#[benchmark]
	fn undelegate() {
		let op = operator::<T>(0, model_set::<T>(1));
		let who = delegator::<T>(0, &op);
		chunks::<T>(&op, &who);
		rewarded::<T>(&op);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), op.clone(), T::MinDelegation::get());
		assert_eq!(
			Stakes::<T>::get(&op, &who).map(|p| p.unbonding.len() as u32),
			Some(T::MaxUnbondingChunks::get())
		);
	}

	/// Every chunk unlocked: all but one redelegated, each to a different operator; the last
	/// released; the emptied position removed; its leaving operator reaped.
	#[benchmark]
	fn withdraw_unbonded() {
		let op = operator::<T>(0, model_set::<T>(1));
		let who = delegator::<T>(0, &op);
		rewarded::<T>(&op);
		let active = Stakes::<T>::get(&op, &who).map(|p| p.active).unwrap_or_default();
		let redelegations = T::MaxUnbondingChunks::get().saturating_sub(1);
		let mut moved: BalanceOf<T> = Zero::zero();
		for i in 0..redelegations {
			let target = operator::<T>(10 + i, model_set::<T>(10 + i as u64));
			at_block::<T>(i + 1);
			frame_support::assert_ok!(Pallet::<T>::do_redelegate(
				&who,
				&op,
				&target,
				T::MinDelegation::get()
			));
			moved = moved.saturating_add(T::MinDelegation::get());
		}
		at_block::<T>(redelegations + 1);
		frame_support::assert_ok!(Pallet::<T>::do_unbond(
			&op,
			&who,
			active.saturating_sub(moved),
			None
		));
		frame_support::assert_ok!(Pallet::<T>::do_deregister(&op));
		let unlock = T::UnbondingPeriod::get().saturating_add((redelegations + 1).into());
		frame_system::Pallet::<T>::set_block_number(unlock);
		frame_support::assert_ok!(Pallet::<T>::do_withdraw_unbonded(&op, &op));
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), op.clone());
		assert!(!Operators::<T>::contains_key(&op));
	}

	/// A new delegator at a target one delegator short of full, rewards to auto-claim, all
	/// but one chunk taken.
	#[benchmark]
	fn redelegate() {
		let from = operator::<T>(0, model_set::<T>(1));
		let to = operator::<T>(1, model_set::<T>(2));
		crowd_delegators::<T>(&to, 100);
		let who = delegator::<T>(0, &from);
		chunks::<T>(&from, &who);
		rewarded::<T>(&from);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), from.clone(), to.clone(), T::MinDelegation::get());
		assert_eq!(
			Stakes::<T>::get(&from, &who).map(|p| p.unbonding.len() as u32),
			Some(T::MaxUnbondingChunks::get())
		);
	}

	#[benchmark]
	fn claim() {
		let op = operator::<T>(0, model_set::<T>(1));
		let who = delegator::<T>(0, &op);
		rewarded::<T>(&op);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), op.clone());
		assert_eq!(Stakes::<T>::get(&op, &who).map(|p| p.unclaimed), Some(Zero::zero()));
	}

	/// The provider's `reward`: a scheduled commission increase applied on the way.
	#[benchmark]
	fn reward() {
		let op = operator::<T>(0, model_set::<T>(1));
		delegator::<T>(0, &op);
		frame_support::assert_ok!(Pallet::<T>::do_set_commission(&op, Perbill::zero()));
		frame_support::assert_ok!(Pallet::<T>::do_set_commission(&op, T::MaxCommission::get()));
		let effective_at = Operators::<T>::get(&op)
			.and_then(|i| i.pending_commission)
			.map_or_else(One::one, |c| c.effective_at);
		frame_system::Pallet::<T>::set_block_number(effective_at);
		let payer = funded::<T>("payer", 1);
		let amount = T::MinSelfBond::get();
		#[block]
		{
			frame_support::assert_ok!(<Pallet<T> as OperatorProvider<_, _>>::reward(
				&op, amount, &payer
			));
		}
		assert!(Operators::<T>::get(&op).is_some_and(|i| i.pending_commission.is_none()));
	}

	/// The provider's `slash` of an operator with `d` delegators, each with an unbonding
	/// chunk and rewards to settle.
	#[benchmark]
	fn slash(d: Linear<0, { T::MaxDelegatorsPerOperator::get() }>) {
		let op = operator::<T>(0, model_set::<T>(1));
		for i in 0..d {
			let who = delegator::<T>(i, &op);
			frame_support::assert_ok!(Pallet::<T>::do_unbond(
				&op,
				&who,
				T::MinDelegation::get(),
				None
			));
		}
		rewarded::<T>(&op);
		let before = Pallet::<T>::stake_of(&op);
		#[block]
		{
			<Pallet<T> as OperatorProvider<_, _>>::slash(&op, Perbill::from_percent(10), 1);
		}
		assert!(Pallet::<T>::stake_of(&op) < before);
	}

	/// Selecting the validators among `n` eligible operators.
	#[benchmark]
	fn new_session(n: Linear<1, { T::MaxOperators::get() }>) {
		// Genesis may have registered operators already: top the set up to `n`.
		for i in Operators::<T>::count()..n {
			let op = operator::<T>(i, ModelsOf::<T>::default());
			// Distinct stakes, so the sort does real work.
			let extra = BalanceOf::<T>::unique_saturated_from(i as u128);
			if !extra.is_zero() {
				frame_support::assert_ok!(Pallet::<T>::do_bond_more(&op, extra));
			}
		}
		#[block]
		{
			let _ = Pallet::<T>::select_validators(1);
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::empty().build(), crate::mock::Test);
}
