//! Slashing: pro rata over own bond, delegations and unbonding stake; destinations; rewards.

use crate::{mock::*, Event, Stakes};
use frame_support::assert_ok;

#[test]
fn slash_takes_the_fraction_of_every_position() {
	ExtBuilder::default()
		.delegation(EVE, ALICE, 500)
		.delegation(FERDIE, ALICE, 300)
		.build_and_execute(|| {
			assert_ok!(Operators::undelegate(RuntimeOrigin::signed(FERDIE), ALICE, 100));
			let treasury = free(TREASURY);
			assert_eq!(slash(ALICE, 10, 7), 100 + 50 + 20 + 10);
			assert_eq!(
				last_event(),
				Event::Slashed {
					operator: ALICE,
					job: 7,
					fraction: sp_runtime::Perbill::from_percent(10),
					own: 100,
					delegated: 80,
					unbonding: 10,
				}
			);
			assert_eq!(free(TREASURY), treasury + 180);
			assert_eq!(
				(bond_held(ALICE), delegation_held(EVE), delegation_held(FERDIE)),
				(900, 450, 270)
			);
			assert_eq!(position(ALICE, FERDIE).active, 180);
			assert_eq!(position(ALICE, FERDIE).unbonding[0].amount, 90);
			let info = operator(ALICE);
			assert_eq!((info.self_bond, info.delegated, info.unbonding), (900, 630, 90));
			assert_eq!(stake_of(ALICE), 1_620);
			// Bob is untouched.
			assert_eq!(bond_held(BOB), 500);
		});
}

#[test]
fn unbonding_stake_stays_slashable_until_withdrawn() {
	ExtBuilder::default().delegation(EVE, ALICE, 500).build_and_execute(|| {
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 500));
		run_to_block(10);
		slash(ALICE, 20, 1);
		assert_eq!(position(ALICE, EVE).unbonding[0].amount, 400);
		// Unlocked but not withdrawn: still held, still slashable.
		run_to_block(1 + UNBONDING);
		slash(ALICE, 50, 2);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), ALICE));
		assert_eq!(last_event(), Event::Withdrawn { staker: EVE, operator: ALICE, amount: 200 });
		assert_eq!((delegation_held(EVE), free(EVE)), (0, FUNDS - 300));
		assert!(!Stakes::<Test>::contains_key(ALICE, EVE));
	});
}

#[test]
fn a_redelegation_in_flight_answers_to_the_old_operator() {
	ExtBuilder::default().delegation(EVE, ALICE, 500).build_and_execute(|| {
		assert_ok!(Operators::redelegate(RuntimeOrigin::signed(EVE), ALICE, BOB, 500));
		slash(BOB, 50, 1);
		assert_eq!(position(ALICE, EVE).unbonding[0].amount, 500);
		slash(ALICE, 10, 2);
		assert_eq!(position(ALICE, EVE).unbonding[0].amount, 450);
		run_to_block(1 + UNBONDING);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), ALICE));
		assert_eq!(position(BOB, EVE).active, 450);
		assert_eq!(delegation_held(EVE), 450);
	});
}

#[test]
fn burnt_slashes_leave_the_issuance() {
	ExtBuilder::default().build_and_execute(|| {
		BURN_SLASHES.with(|b| *b.borrow_mut() = true);
		let issuance = pallet_balances::TotalIssuance::<Test>::get();
		let treasury = free(TREASURY);
		assert_eq!(slash(BOB, 10, 3), 50);
		assert_eq!(pallet_balances::TotalIssuance::<Test>::get(), issuance - 50);
		assert_eq!(free(TREASURY), treasury);
		assert_eq!(bond_held(BOB), 450);
	});
}

#[test]
fn slash_rounds_each_position_down() {
	ExtBuilder::default().delegation(EVE, BOB, 15).delegation(FERDIE, BOB, 15).build_and_execute(
		|| {
			// 33% of 500 = 165, of 15 = 4.95 → 4 each.
			assert_eq!(slash(BOB, 33, 1), 165 + 4 + 4);
			assert_eq!(position(BOB, EVE).active, 11);
		},
	);
}

#[test]
fn rewards_earned_before_a_slash_are_kept() {
	ExtBuilder::default().delegation(EVE, ALICE, 1_000).build_and_execute(|| {
		assert_ok!(reward(ALICE, 1_000, GREG));
		slash(ALICE, 50, 1);
		assert_eq!(claimable(ALICE, EVE), 450);
		assert_eq!(claimable(ALICE, ALICE), 550);
		// Later rewards follow the slashed stakes: 500 and 500.
		assert_ok!(reward(ALICE, 1_000, GREG));
		assert_eq!(claimable(ALICE, EVE), 450 + 450);
	});
}

#[test]
fn nothing_to_slash() {
	ExtBuilder::default().build_and_execute(|| {
		System::reset_events();
		assert_eq!(slash(EVE, 10, 1), 0);
		assert_eq!(slash(ALICE, 0, 1), 0);
		assert!(events().is_empty());
	});
}

#[test]
fn a_full_slash_empties_positions() {
	ExtBuilder::default().delegation(EVE, ALICE, 500).build_and_execute(|| {
		assert_eq!(slash(ALICE, 100, 1), 1_500);
		// Eve's empty delegation is gone; Alice keeps her (empty) own position.
		assert!(!Stakes::<Test>::contains_key(ALICE, EVE));
		assert_eq!(operator(ALICE).delegators, 0);
		assert_eq!(position(ALICE, ALICE).active, 0);
		assert!(!Operators::is_eligible(&operator(ALICE)));
		assert_eq!((bond_held(ALICE), delegation_held(EVE)), (0, 0));
	});
}

#[test]
fn a_slashed_delegation_with_unpaid_rewards_stays_until_claimed() {
	ExtBuilder::default().delegation(EVE, ALICE, 500).build_and_execute(|| {
		assert_ok!(reward(ALICE, 150, GREG));
		slash(ALICE, 100, 1);
		// 135 shared by 1_500: Eve earned 45.
		assert_eq!(claimable(ALICE, EVE), 45);
		assert_ok!(Operators::claim(RuntimeOrigin::signed(EVE), ALICE));
		assert!(!Stakes::<Test>::contains_key(ALICE, EVE));
		assert_eq!(operator(ALICE).delegators, 0);
	});
}
