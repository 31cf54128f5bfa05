//! The session manager: top operators by active stake, bounds, and falling out of the set.

use crate::{mock::*, Event};
use frame_support::assert_ok;

/// Alice 1_000, Bob 500, Charlie 700, Dave 300.
fn four() -> ExtBuilder {
	ExtBuilder::default().operator(CHARLIE, 700, 0, &[]).operator(DAVE, 300, 0, &[])
}

#[test]
fn the_top_operators_by_active_stake_are_elected() {
	four().build_and_execute(|| {
		assert_eq!(new_session(1), Some(vec![ALICE, CHARLIE, BOB]));
		assert_eq!(
			last_event(),
			Event::ValidatorsSelected { session: 1, validators: vec![ALICE, CHARLIE, BOB] }
		);
	});
}

#[test]
fn delegations_count_and_an_operator_falls_out_of_the_set() {
	four().build_and_execute(|| {
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), DAVE, 600));
		// Dave 900 overtakes Charlie 700 and Bob 500; Bob falls out.
		assert_eq!(new_session(1), Some(vec![ALICE, DAVE, CHARLIE]));
		// Unbonding stake does not count.
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), DAVE, 600));
		assert_eq!(new_session(2), Some(vec![ALICE, CHARLIE, BOB]));
		// Nor does slashed stake.
		slash(ALICE, 60, 1);
		assert_eq!(new_session(3), Some(vec![CHARLIE, BOB, ALICE]));
	});
}

#[test]
fn ineligible_operators_are_skipped() {
	four().build_and_execute(|| {
		assert_ok!(Operators::chill(RuntimeOrigin::signed(ALICE)));
		assert_eq!(new_session(1), Some(vec![CHARLIE, BOB, DAVE]));
		NO_KEYS.with(|n| n.borrow_mut().push(CHARLIE));
		assert_eq!(new_session(2), Some(vec![BOB, DAVE]));
		// Below the minimum self-bond.
		slash(DAVE, 90, 1);
		assert_ok!(Operators::resume(RuntimeOrigin::signed(ALICE)));
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(BOB)));
		assert_eq!(new_session(3), None);
		assert_eq!(last_event(), Event::ValidatorSelectionSkipped { session: 3, eligible: 1 });
		NO_KEYS.with(|n| n.borrow_mut().clear());
		assert_eq!(new_session(4), Some(vec![ALICE, CHARLIE]));
	});
}

#[test]
fn too_few_operators_keep_the_current_set() {
	ExtBuilder::empty().operator(ALICE, 1_000, 0, &[]).build_and_execute(|| {
		assert_eq!(new_session(1), None);
		assert_eq!(last_event(), Event::ValidatorSelectionSkipped { session: 1, eligible: 1 });
	});
}

#[test]
fn ties_are_broken_by_account() {
	ExtBuilder::empty()
		.operator(DAVE, 500, 0, &[])
		.operator(BOB, 500, 0, &[])
		.operator(CHARLIE, 500, 0, &[])
		.operator(ALICE, 400, 0, &[])
		.build_and_execute(|| {
			assert_eq!(new_session(1), Some(vec![BOB, CHARLIE, DAVE]));
		});
}

#[test]
fn genesis_session_uses_the_same_rule() {
	four().build_and_execute(|| {
		assert_eq!(
			<Operators as pallet_session::SessionManager<AccountId>>::new_session_genesis(0),
			Some(vec![ALICE, CHARLIE, BOB])
		);
		<Operators as pallet_session::SessionManager<AccountId>>::start_session(1);
		<Operators as pallet_session::SessionManager<AccountId>>::end_session(1);
	});
}

#[test]
fn pallet_session_follows_the_selection() {
	use crate::SessionKeysRegistered;
	use frame_support::traits::Contains;
	use pallet_session::Validators;
	use sp_runtime::testing::UintAuthorityId;

	four().build_and_execute(|| {
		for who in [ALICE, BOB, CHARLIE, DAVE] {
			assert_ok!(Session::set_keys(RuntimeOrigin::signed(who), UintAuthorityId(who), vec![]));
		}
		assert!(SessionKeysRegistered::<Test>::contains(&ALICE));
		assert!(!SessionKeysRegistered::<Test>::contains(&EVE));
		// Sessions are planned one ahead: the set chosen now applies from the next but one.
		Session::rotate_session();
		Session::rotate_session();
		assert_eq!(Validators::<Test>::get(), vec![ALICE, CHARLIE, BOB]);
		// Dave gains delegations and replaces Bob two sessions later.
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), DAVE, 600));
		Session::rotate_session();
		assert_eq!(Validators::<Test>::get(), vec![ALICE, CHARLIE, BOB]);
		Session::rotate_session();
		assert_eq!(Validators::<Test>::get(), vec![ALICE, DAVE, CHARLIE]);
		// Purging its keys makes an operator ineligible.
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(CHARLIE)));
		assert!(!SessionKeysRegistered::<Test>::contains(&CHARLIE));
	});
}
