//! `update_price`, `set_status`, `transfer_ownership`, `deregister`, `force_set_status`, the
//! registry trait and `try_state`.

use crate::{
	mock::*, Error, Event, ForceDeprecated, HoldReason, ModelRegistry, ModelStatus,
	Models as ModelsMap,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &who)
}

fn registered() {
	assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), manifest(1), spec()));
}

#[test]
fn update_price_works() {
	ExtBuilder::build_and_execute(|| {
		registered();
		assert_ok!(Models::update_price(RuntimeOrigin::signed(ALICE), id(1), 42));
		assert_eq!(ModelsMap::<Test>::get(id(1)).unwrap().spec.price, 42);
		assert_eq!(
			last_event(),
			Event::PriceUpdated { model: id(1), old_price: 10, new_price: 42 }
		);
	});
}

#[test]
fn update_price_errors() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::update_price(RuntimeOrigin::signed(ALICE), id(1), 42),
			Error::<Test>::ModelNotFound
		);
		registered();
		assert_noop!(
			Models::update_price(RuntimeOrigin::signed(BOB), id(1), 42),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Models::update_price(RuntimeOrigin::signed(ALICE), id(1), MIN_PRICE - 1),
			Error::<Test>::PriceTooLow
		);
		assert_noop!(
			Models::update_price(RuntimeOrigin::root(), id(1), 42),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}

#[test]
fn set_status_deprecates_and_reactivates() {
	ExtBuilder::build_and_execute(|| {
		registered();
		assert_ok!(Models::set_status(
			RuntimeOrigin::signed(ALICE),
			id(1),
			ModelStatus::Deprecated
		));
		assert_eq!(ModelsMap::<Test>::get(id(1)).unwrap().status, ModelStatus::Deprecated);
		assert_eq!(
			last_event(),
			Event::StatusChanged { model: id(1), status: ModelStatus::Deprecated }
		);
		assert_ok!(Models::set_status(RuntimeOrigin::signed(ALICE), id(1), ModelStatus::Active));
		assert_eq!(ModelsMap::<Test>::get(id(1)).unwrap().status, ModelStatus::Active);
	});
}

#[test]
fn set_status_errors() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::set_status(RuntimeOrigin::signed(ALICE), id(1), ModelStatus::Deprecated),
			Error::<Test>::ModelNotFound
		);
		registered();
		assert_noop!(
			Models::set_status(RuntimeOrigin::signed(BOB), id(1), ModelStatus::Deprecated),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Models::set_status(RuntimeOrigin::signed(ALICE), id(1), ModelStatus::Active),
			Error::<Test>::StatusUnchanged
		);
	});
}

#[test]
fn transfer_ownership_moves_the_deposit() {
	ExtBuilder::build_and_execute(|| {
		registered();
		assert_ok!(Models::transfer_ownership(RuntimeOrigin::signed(ALICE), id(1), BOB));
		assert_eq!(ModelsMap::<Test>::get(id(1)).unwrap().owner, BOB);
		assert_eq!(held(ALICE), 0);
		assert_eq!(held(BOB), DEPOSIT);
		assert_eq!(Balances::free_balance(ALICE), 1_000 - DEPOSIT);
		assert_eq!(
			last_event(),
			Event::OwnershipTransferred { model: id(1), from: ALICE, to: BOB }
		);
		// The old owner lost its rights; the new one has them.
		assert_noop!(
			Models::update_price(RuntimeOrigin::signed(ALICE), id(1), 42),
			Error::<Test>::NotOwner
		);
		assert_ok!(Models::deregister(RuntimeOrigin::signed(BOB), id(1)));
		assert_eq!(held(BOB), 0);
		assert_eq!(Balances::free_balance(BOB), 1_000 + DEPOSIT);
	});
}

#[test]
fn transfer_ownership_errors() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::transfer_ownership(RuntimeOrigin::signed(ALICE), id(1), BOB),
			Error::<Test>::ModelNotFound
		);
		registered();
		assert_noop!(
			Models::transfer_ownership(RuntimeOrigin::signed(BOB), id(1), BOB),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Models::transfer_ownership(RuntimeOrigin::signed(ALICE), id(1), ALICE),
			Error::<Test>::AlreadyOwner
		);
		// A deposit cannot be held on an account that does not exist.
		assert!(Models::transfer_ownership(RuntimeOrigin::signed(ALICE), id(1), NOBODY).is_err());
		assert_eq!(ModelsMap::<Test>::get(id(1)).unwrap().owner, ALICE);
		assert_eq!(held(ALICE), DEPOSIT);
	});
}

#[test]
fn deregister_returns_the_deposit() {
	ExtBuilder::build_and_execute(|| {
		registered();
		assert_ok!(Models::deregister(RuntimeOrigin::signed(ALICE), id(1)));
		assert!(!ModelsMap::<Test>::contains_key(id(1)));
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::free_balance(ALICE), 1_000);
		assert_eq!(
			last_event(),
			Event::ModelDeregistered { model: id(1), owner: ALICE, deposit_returned: DEPOSIT }
		);
		// The id is free again.
		assert_ok!(Models::register(RuntimeOrigin::signed(BOB), manifest(1), spec()));
	});
}

#[test]
fn deregister_errors() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::deregister(RuntimeOrigin::signed(ALICE), id(1)),
			Error::<Test>::ModelNotFound
		);
		registered();
		assert_noop!(
			Models::deregister(RuntimeOrigin::signed(BOB), id(1)),
			Error::<Test>::NotOwner
		);
		assert_ok!(<Models as ModelRegistry<_, _>>::job_opened(&id(1)));
		assert_noop!(
			Models::deregister(RuntimeOrigin::signed(ALICE), id(1)),
			Error::<Test>::JobsOpen
		);
		<Models as ModelRegistry<_, _>>::job_closed(&id(1));
		assert_ok!(Models::deregister(RuntimeOrigin::signed(ALICE), id(1)));
	});
}

#[test]
fn a_deprecated_model_can_still_be_deregistered() {
	ExtBuilder::build_and_execute(|| {
		registered();
		assert_ok!(Models::set_status(
			RuntimeOrigin::signed(ALICE),
			id(1),
			ModelStatus::Deprecated
		));
		assert_ok!(Models::deregister(RuntimeOrigin::signed(ALICE), id(1)));
	});
}

#[test]
fn registry_counts_open_jobs() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			<Models as ModelRegistry<_, _>>::job_opened(&id(1)),
			Error::<Test>::ModelNotFound
		);
		registered();
		assert_ok!(<Models as ModelRegistry<_, _>>::job_opened(&id(1)));
		assert_ok!(<Models as ModelRegistry<_, _>>::job_opened(&id(1)));
		assert_eq!(<Models as ModelRegistry<_, _>>::model(&id(1)).unwrap().open_jobs, 2);
		<Models as ModelRegistry<_, _>>::job_closed(&id(1));
		<Models as ModelRegistry<_, _>>::job_closed(&id(1));
		assert_eq!(<Models as ModelRegistry<_, _>>::model(&id(1)).unwrap().open_jobs, 0);
		assert_eq!(<Models as ModelRegistry<_, _>>::min_quorum(), MinQuorum::get());
	});
}

#[test]
fn try_state_catches_a_missing_deposit() {
	ExtBuilder::build().execute_with(|| {
		registered();
		assert!(Models::do_try_state().is_ok());
		ModelsMap::<Test>::mutate(id(1), |m| m.as_mut().unwrap().deposit = DEPOSIT + 1);
		assert!(Models::do_try_state().is_err());
	});
}

#[test]
fn try_state_catches_an_orphan_hold() {
	ExtBuilder::build().execute_with(|| {
		registered();
		assert!(Models::do_try_state().is_ok());
		// BOB owns no model but holds a model deposit.
		assert_ok!(<Balances as frame_support::traits::fungible::MutateHold<_>>::hold(
			&HoldReason::ModelDeposit.into(),
			&BOB,
			DEPOSIT
		));
		assert!(Models::do_try_state().is_err());
	});
}

#[test]
fn try_state_catches_an_out_of_bounds_spec() {
	ExtBuilder::build().execute_with(|| {
		registered();
		ModelsMap::<Test>::mutate(id(1), |m| m.as_mut().unwrap().spec.compute_blocks = 21);
		assert!(Models::do_try_state().is_err());
	});
}

#[test]
fn try_state_catches_a_stray_force_lock() {
	ExtBuilder::build().execute_with(|| {
		registered();
		// Locked but active.
		ForceDeprecated::<Test>::insert(id(1), ());
		assert!(Models::do_try_state().is_err());
		// Locked but not registered.
		ForceDeprecated::<Test>::remove(id(1));
		ForceDeprecated::<Test>::insert(id(2), ());
		assert!(Models::do_try_state().is_err());
	});
}

#[test]
fn force_set_status_locks_the_model_until_lifted() {
	ExtBuilder::build_and_execute(|| {
		registered();
		assert_ok!(Models::force_set_status(RuntimeOrigin::root(), id(1), ModelStatus::Deprecated));
		assert_eq!(ModelsMap::<Test>::get(id(1)).unwrap().status, ModelStatus::Deprecated);
		assert!(ForceDeprecated::<Test>::contains_key(id(1)));
		assert_eq!(
			last_event(),
			Event::StatusForced { model: id(1), status: ModelStatus::Deprecated }
		);
		// The owner can neither reactivate nor deregister it.
		assert_noop!(
			Models::set_status(RuntimeOrigin::signed(ALICE), id(1), ModelStatus::Active),
			Error::<Test>::DeprecatedByForce
		);
		assert_noop!(
			Models::deregister(RuntimeOrigin::signed(ALICE), id(1)),
			Error::<Test>::DeprecatedByForce
		);
		// Forcing `Active` lifts the lock.
		assert_ok!(Models::force_set_status(RuntimeOrigin::root(), id(1), ModelStatus::Active));
		assert_eq!(ModelsMap::<Test>::get(id(1)).unwrap().status, ModelStatus::Active);
		assert!(!ForceDeprecated::<Test>::contains_key(id(1)));
		assert_ok!(Models::deregister(RuntimeOrigin::signed(ALICE), id(1)));
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn force_set_status_locks_a_model_its_owner_deprecated() {
	ExtBuilder::build_and_execute(|| {
		registered();
		assert_ok!(Models::set_status(
			RuntimeOrigin::signed(ALICE),
			id(1),
			ModelStatus::Deprecated
		));
		assert_ok!(Models::force_set_status(RuntimeOrigin::root(), id(1), ModelStatus::Deprecated));
		assert!(ForceDeprecated::<Test>::contains_key(id(1)));
		assert_noop!(
			Models::set_status(RuntimeOrigin::signed(ALICE), id(1), ModelStatus::Active),
			Error::<Test>::DeprecatedByForce
		);
	});
}

#[test]
fn force_set_status_errors() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::force_set_status(RuntimeOrigin::root(), id(1), ModelStatus::Deprecated),
			Error::<Test>::ModelNotFound
		);
		registered();
		assert_noop!(
			Models::force_set_status(RuntimeOrigin::signed(ALICE), id(1), ModelStatus::Deprecated),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Models::force_set_status(RuntimeOrigin::root(), id(1), ModelStatus::Active),
			Error::<Test>::StatusUnchanged
		);
		assert_ok!(Models::force_set_status(RuntimeOrigin::root(), id(1), ModelStatus::Deprecated));
		assert_noop!(
			Models::force_set_status(RuntimeOrigin::root(), id(1), ModelStatus::Deprecated),
			Error::<Test>::StatusUnchanged
		);
		assert_noop!(
			Models::set_status(RuntimeOrigin::signed(ALICE), id(1), ModelStatus::Deprecated),
			Error::<Test>::StatusUnchanged
		);
	});
}

#[test]
fn force_deregister_errors() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::force_deregister(RuntimeOrigin::root(), id(1)),
			Error::<Test>::ModelNotFound
		);
	});
}
