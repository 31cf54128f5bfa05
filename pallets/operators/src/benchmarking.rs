//! Benchmarks of the operator staking pallet (`frame_benchmarking::v2`), run as tests against
//! the mock. Each call is measured in its worst case: the most models in the fullest model
//! indexes, the most unbonding chunks, pending rewards to auto-claim, an applied slash the
//! position has not synced yet (so the call cuts its hold), and (for `withdraw_unbonded`)
//! every chunk redelegated to a different operator, the position removed and its leaving
//! operator reaped with it. The slashing benchmarks use a full block of deferred slashes.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::{Inspect, Mutate};
use frame_system::RawOrigin;
use sp_runtime::traits::{One, UniqueSaturatedFrom};
use verity_primitives::operators::{Offence, OperatorProvider};

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

/// Fill the indexes of `models` completely with minimum-bond operators (fewer if
/// `MaxOperators` would be exceeded, keeping room for `spare` more), so that declaring them
/// evicts.
fn crowd_full<T: Config>(models: &ModelsOf<T>, first_index: u32, spare: u32) {
	let room = T::MaxOperators::get().saturating_sub(Operators::<T>::count()).saturating_sub(spare);
	for i in 0..T::MaxOperatorsPerModel::get().min(room) {
		operator::<T>(first_index + i, models.clone());
	}
}

/// Pay `operator` a reward, so every position with it has something to claim.
fn rewarded<T: Config>(operator: &T::AccountId) {
	let payer = funded::<T>("payer", 0);
	frame_support::assert_ok!(Pallet::<T>::reward(operator, T::MinSelfBond::get(), &payer));
}

/// Apply a 10% slash to `operator` at once, leaving every position with it to sync.
fn slashed<T: Config>(operator: &T::AccountId) {
	let total = Operators::<T>::get(operator).map(|i| i.total_stake()).unwrap_or_default();
	Pallet::<T>::apply_slash(&DeferredSlash {
		operator: operator.clone(),
		job: 0,
		offence: Offence::Dissent,
		amount: Perbill::from_percent(10).mul_floor(total),
	});
}

/// Fill the deferred slashes of block `at` with slashes of other (unregistered) accounts,
/// leaving room for `spare` more.
fn crowd_agenda<T: Config>(at: BlockNumberFor<T>, spare: u32) {
	let entries = (0..T::MaxOperators::get().saturating_sub(spare))
		.map(|i| DeferredSlash::<T> {
			operator: account("squatter", i, 0),
			job: i.into(),
			offence: Offence::Silence,
			amount: One::one(),
		})
		.collect::<Vec<_>>();
	DeferredSlashes::<T>::insert(at, DeferredSlashesOf::<T>::truncate_from(entries));
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

	/// The most models, each index full: the caller, with more stake, evicts one operator
	/// from each after reading them all.
	#[benchmark]
	fn register() {
		let models = model_set::<T>(1);
		crowd_full::<T>(&models, 100, 1);
		let who = funded::<T>("caller", 0);
		let bond = T::MinSelfBond::get().saturating_mul(2u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), bond, T::MaxCommission::get(), models.clone());
		assert!(Operators::<T>::contains_key(&who));
		assert!(models.iter().all(|m| ModelOperators::<T>::get(m).contains(&who)));
	}

	/// With rewards to auto-claim.
	#[benchmark]
	fn bond_more() {
		let who = operator::<T>(0, model_set::<T>(1));
		rewarded::<T>(&who);
		slashed::<T>(&who);
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
		slashed::<T>(&who);
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

	/// Replace the most models by as many in full indexes, evicting from each (the old
	/// indexes as crowded as `MaxOperators` still allows).
	#[benchmark]
	fn set_models() {
		let old = model_set::<T>(1);
		let new = model_set::<T>(2);
		crowd_full::<T>(&new, 200, 1);
		crowd::<T>(&old, 100, 1);
		let who = operator::<T>(0, old);
		frame_support::assert_ok!(Pallet::<T>::do_bond_more(&who, T::MinSelfBond::get()));
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
		slashed::<T>(&op);
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
		slashed::<T>(&op);
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
		// Twice the minimum, so that each chunk still reaches it after the slash below.
		let each = T::MinDelegation::get().saturating_mul(2u32.into());
		for i in 0..redelegations {
			let target = operator::<T>(10 + i, model_set::<T>(10 + i as u64));
			at_block::<T>(i + 1);
			frame_support::assert_ok!(Pallet::<T>::do_redelegate(&who, &op, &target, each));
			moved = moved.saturating_add(each);
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
		slashed::<T>(&op);
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
		slashed::<T>(&from);
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
		slashed::<T>(&op);
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

	/// The provider's `report_offence`: a larger second report in the operator's span, merged
	/// into its entry at the end of a full block of deferred slashes.
	#[benchmark]
	fn report_offence() {
		// The harness moves a chain at block 0 to block 1 between set-up and the measured block,
		// which would move the report's due block away from the crowded one: start at 1.
		at_block::<T>(1);
		let op = operator::<T>(0, model_set::<T>(1));
		frame_support::assert_ok!(Pallet::<T>::set_up_delegators_for_benchmark(&op, 10));
		let exposure = <Pallet<T> as OperatorProvider<_, _>>::stake_of(&op);
		let now = frame_system::Pallet::<T>::block_number();
		let apply_at = now.saturating_add(T::SlashDeferDuration::get());
		crowd_agenda::<T>(apply_at, 1);
		let small = Perbill::from_percent(1);
		Pallet::<T>::do_report_offence(&op, 1, Offence::Silence, small, exposure);
		let scheduled;
		#[block]
		{
			scheduled = <Pallet<T> as OperatorProvider<_, _>>::report_offence(
				&op,
				2,
				Offence::Dissent,
				Perbill::from_percent(10),
				exposure,
			);
		}
		assert!(!scheduled.is_zero());
		let due = DeferredSlashes::<T>::get(apply_at);
		assert_eq!(due.len() as u32, T::MaxOperators::get());
		assert_eq!(
			due.last().map(|e| e.amount),
			Some(Perbill::from_percent(10).mul_floor(exposure))
		);
	}

	/// The agenda applying `s` deferred slashes due in the current block, each of a
	/// different operator (with delegators and unbonding stake: the cost does not depend on
	/// them).
	#[benchmark]
	// Up to half the registry: a chain's genesis operators take places in it too, and the cost
	// is linear per slash, which the regression finds on any range.
	fn apply_deferred_slashes(s: Linear<0, { T::MaxOperators::get() / 2 }>) {
		let registered = Operators::<T>::count();
		let mut entries = Vec::new();
		for i in 0..s {
			let op = operator::<T>(registered + i, ModelsOf::<T>::default());
			if i == 0 {
				let who = delegator::<T>(0, &op);
				frame_support::assert_ok!(Pallet::<T>::do_unbond(
					&op,
					&who,
					T::MinDelegation::get(),
					None
				));
			}
			entries.push(DeferredSlash::<T> {
				operator: op,
				job: i.into(),
				offence: Offence::Dissent,
				amount: T::MinDelegation::get(),
			});
		}
		let now = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(now);
		DeferredSlashes::<T>::insert(now, DeferredSlashesOf::<T>::truncate_from(entries));
		#[block]
		{
			// Unmetered, so all `s` are applied: this is the cost per slash that `on_initialize`
			// charges its `SlashAgendaWeight` meter (a runtime's meter may hold fewer per block).
			Pallet::<T>::service_slash_agenda(now, &mut WeightMeter::new());
		}
		assert!(!DeferredSlashes::<T>::contains_key(now));
		assert!(!SlashAgendaCursor::<T>::exists());
	}

	/// Cancelling the last of a full block of deferred slashes.
	#[benchmark]
	fn cancel_deferred_slash() -> Result<(), BenchmarkError> {
		let origin =
			T::CancelOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let op = operator::<T>(0, model_set::<T>(1));
		let exposure = <Pallet<T> as OperatorProvider<_, _>>::stake_of(&op);
		let now = frame_system::Pallet::<T>::block_number();
		let apply_at = now.saturating_add(T::SlashDeferDuration::get());
		crowd_agenda::<T>(apply_at, 1);
		Pallet::<T>::do_report_offence(&op, 1, Offence::Dissent, Perbill::one(), exposure);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, op.clone(), apply_at);
		assert!(!DeferredSlashes::<T>::get(apply_at).iter().any(|e| e.operator == op));
		Ok(())
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
