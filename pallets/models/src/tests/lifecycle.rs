//! `update_price`, `set_status`, `transfer_ownership`, `deregister` and the registry trait.

use crate::{mock::*, Error, Event, HoldReason, ModelRegistry, ModelStatus, Models as ModelsMap};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &who)
}

fn registered() {
	assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), model_id(1), spec()));
}

#[test]
fn update_price_works() {
	ExtBuilder::build_and_execute(|| {
		registered();
		assert_ok!(Models::update_price(RuntimeOrigin::signed(ALICE), model_id(1), 42));
		assert_eq!(ModelsMap::<Test>::get(model_id(1)).unwrap().spec.price, 42);
		assert_eq!(
			last_event(),
			Event::PriceUpdated { model: model_id(1), old_price: 10, new_price: 42 }
		);
	});
}

#[test]
fn update_price_errors() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::update_price(RuntimeOrigin::signed(ALICE), model_id(1), 42),
			Error::<Test>::ModelNotFound
		);
		registered();
		assert_noop!(
			Models::update_price(RuntimeOrigin::signed(BOB), model_id(1), 42),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Models::update_price(RuntimeOrigin::signed(ALICE), model_id(1), MIN_PRICE - 1),
			Error::<Test>::PriceTooLow
		);
		assert_noop!(
			Models::update_price(RuntimeOrigin::root(), model_id(1), 42),
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
			model_id(1),
			ModelStatus::Deprecated
		));
		assert_eq!(ModelsMap::<Test>::get(model_id(1)).unwrap().status, ModelStatus::Deprecated);
		assert_eq!(
			last_event(),
			Event::StatusChanged { model: model_id(1), status: ModelStatus::Deprecated }
		);
		assert_ok!(Models::set_status(
			RuntimeOrigin::signed(ALICE),
			model_id(1),
			ModelStatus::Active
		));
		assert_eq!(ModelsMap::<Test>::get(model_id(1)).unwrap().status, ModelStatus::Active);
	});
}

#[test]
fn set_status_errors() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::set_status(RuntimeOrigin::signed(ALICE), model_id(1), ModelStatus::Deprecated),
			Error::<Test>::ModelNotFound
		);
		registered();
		assert_noop!(
			Models::set_status(RuntimeOrigin::signed(BOB), model_id(1), ModelStatus::Deprecated),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Models::set_status(RuntimeOrigin::signed(ALICE), model_id(1), ModelStatus::Active),
			Error::<Test>::StatusUnchanged
		);
	});
}

#[test]
fn transfer_ownership_moves_the_deposit() {
	ExtBuilder::build_and_execute(|| {
		registered();
		assert_ok!(Models::transfer_ownership(RuntimeOrigin::signed(ALICE), model_id(1), BOB));
		assert_eq!(ModelsMap::<Test>::get(model_id(1)).unwrap().owner, BOB);
		assert_eq!(held(ALICE), 0);
		assert_eq!(held(BOB), DEPOSIT);
		assert_eq!(Balances::free_balance(ALICE), 1_000 - DEPOSIT);
		assert_eq!(
			last_event(),
			Event::OwnershipTransferred { model: model_id(1), from: ALICE, to: BOB }
		);
		// The old owner lost its rights; the new one has them.
		assert_noop!(
			Models::update_price(RuntimeOrigin::signed(ALICE), model_id(1), 42),
			Error::<Test>::NotOwner
		);
		assert_ok!(Models::deregister(RuntimeOrigin::signed(BOB), model_id(1)));
		assert_eq!(held(BOB), 0);
		assert_eq!(Balances::free_balance(BOB), 1_000 + DEPOSIT);
	});
}

#[test]
fn transfer_ownership_errors() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::transfer_ownership(RuntimeOrigin::signed(ALICE), model_id(1), BOB),
			Error::<Test>::ModelNotFound
		);
		registered();
		assert_noop!(
			Models::transfer_ownership(RuntimeOrigin::signed(BOB), model_id(1), BOB),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Models::transfer_ownership(RuntimeOrigin::signed(ALICE), model_id(1), ALICE),
			Error::<Test>::AlreadyOwner
		);
		// A deposit cannot be held on an account that does not exist.
		assert!(
			Models::transfer_ownership(RuntimeOrigin::signed(ALICE), model_id(1), NOBODY).is_err()
		);
		assert_eq!(ModelsMap::<Test>::get(model_id(1)).unwrap().owner, ALICE);
		assert_eq!(held(ALICE), DEPOSIT);
	});
}

#[test]
fn deregister_returns_the_deposit() {
	ExtBuilder::build_and_execute(|| {
		registered();
		assert_ok!(Models::deregister(RuntimeOrigin::signed(ALICE), model_id(1)));
		assert!(!ModelsMap::<Test>::contains_key(model_id(1)));
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::free_balance(ALICE), 1_000);
		assert_eq!(
			last_event(),
			Event::ModelDeregistered {
				model: model_id(1),
				owner: ALICE,
				deposit_returned: DEPOSIT
			}
		);
		// The id is free again.
		assert_ok!(Models::register(RuntimeOrigin::signed(BOB), model_id(1), spec()));
	});
}

#[test]
fn deregister_errors() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::deregister(RuntimeOrigin::signed(ALICE), model_id(1)),
			Error::<Test>::ModelNotFound
		);
		registered();
		assert_noop!(
			Models::deregister(RuntimeOrigin::signed(BOB), model_id(1)),
			Error::<Test>::NotOwner
		);
		assert_ok!(<Models as ModelRegistry<_, _>>::job_opened(&model_id(1)));
		assert_noop!(
			Models::deregister(RuntimeOrigin::signed(ALICE), model_id(1)),
			Error::<Test>::JobsOpen
		);
		<Models as ModelRegistry<_, _>>::job_closed(&model_id(1));
		assert_ok!(Models::deregister(RuntimeOrigin::signed(ALICE), model_id(1)));
	});
}

#[test]
fn a_deprecated_model_can_still_be_deregistered() {
	ExtBuilder::build_and_execute(|| {
		registered();
		assert_ok!(Models::set_status(
			RuntimeOrigin::signed(ALICE),
			model_id(1),
			ModelStatus::Deprecated
		));
		assert_ok!(Models::deregister(RuntimeOrigin::signed(ALICE), model_id(1)));
	});
}

#[test]
fn registry_counts_open_jobs() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			<Models as ModelRegistry<_, _>>::job_opened(&model_id(1)),
			Error::<Test>::ModelNotFound
		);
		registered();
		assert_ok!(<Models as ModelRegistry<_, _>>::job_opened(&model_id(1)));
		assert_ok!(<Models as ModelRegistry<_, _>>::job_opened(&model_id(1)));
		assert_eq!(<Models as ModelRegistry<_, _>>::model(&model_id(1)).unwrap().open_jobs, 2);
		<Models as ModelRegistry<_, _>>::job_closed(&model_id(1));
		<Models as ModelRegistry<_, _>>::job_closed(&model_id(1));
		assert_eq!(<Models as ModelRegistry<_, _>>::model(&model_id(1)).unwrap().open_jobs, 0);
		assert_eq!(<Models as ModelRegistry<_, _>>::min_quorum(), MinQuorum::get());
	});
}

#[test]
fn try_state_catches_a_missing_deposit() {
	ExtBuilder::build().execute_with(|| {
		registered();
		assert!(Models::do_try_state().is_ok());
		ModelsMap::<Test>::mutate(model_id(1), |m| m.as_mut().unwrap().deposit = DEPOSIT + 1);
		assert!(Models::do_try_state().is_err());
	});
}
