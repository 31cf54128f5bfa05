//! Delegator calls: `delegate`, `undelegate`, `withdraw_unbonded`, `redelegate`.

use crate::{mock::*, Error, Event, Stakes};
use frame_support::{assert_noop, assert_ok};

#[test]
fn delegate_holds_and_counts_the_delegator_once() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), ALICE, 300));
		assert_eq!(last_event(), Event::Delegated { delegator: EVE, operator: ALICE, amount: 300 });
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), ALICE, 50));
		assert_eq!(delegation_held(EVE), 350);
		assert_eq!(free(EVE), FUNDS - 350);
		assert_eq!(position(ALICE, EVE).active, 350);
		let info = operator(ALICE);
		assert_eq!((info.delegated, info.delegators), (350, 1));
		assert_eq!(info.active_stake(), 1_350);
	});
}

#[test]
fn delegate_to_a_chilled_operator_is_allowed() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::chill(RuntimeOrigin::signed(ALICE)));
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), ALICE, 300));
	});
}

#[test]
fn delegate_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(ALICE), ALICE, 100),
			Error::<Test>::SelfDelegation
		);
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(EVE), FERDIE, 100),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(EVE), ALICE, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(EVE), ALICE, MIN_DELEGATION - 1),
			Error::<Test>::DelegationTooLow
		);
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(POOR), ALICE, 100),
			Error::<Test>::InsufficientBalance
		);
		for who in [EVE, FERDIE, GREG, HANS] {
			assert_ok!(Operators::delegate(RuntimeOrigin::signed(who), ALICE, 10));
		}
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(IDA), ALICE, 10),
			Error::<Test>::TooManyDelegators
		);
		// Topping up an existing delegation still works when full.
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), ALICE, 1));
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(BOB)));
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(EVE), BOB, 100),
			Error::<Test>::OperatorLeaving
		);
	});
}

#[test]
fn a_delegator_of_several_operators_keeps_them_apart() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), ALICE, 1_000));
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), BOB, 500));
		assert_eq!(delegation_held(EVE), 1_500);

		// Alice: 10% commission, 2_000 active. Bob: 20%, 1_000 active.
		assert_ok!(reward(ALICE, 1_000, GREG));
		assert_ok!(reward(BOB, 1_000, GREG));
		assert_eq!(claimable(ALICE, EVE), 450);
		assert_eq!(claimable(BOB, EVE), 400);

		// A slash of Bob leaves the delegation with Alice alone.
		slash(BOB, 10, 9);
		assert_eq!(position(BOB, EVE).active, 450);
		assert_eq!(position(ALICE, EVE).active, 1_000);
		// Held until Eve's position with Bob syncs.
		assert_eq!(delegation_held(EVE), 1_500);

		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), BOB, 450));
		assert_eq!(delegation_held(EVE), 1_450);
		// Undelegating paid Eve's rewards with Bob, not with Alice.
		assert_eq!(free(EVE), FUNDS - 1_500 + 400);
		assert_eq!(claimable(ALICE, EVE), 450);
		run_to_block(1 + UNBONDING);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), BOB));
		assert!(!Stakes::<Test>::contains_key(BOB, EVE));
		assert_eq!(delegation_held(EVE), 1_000);
		assert_eq!(operator(BOB).delegators, 0);
		assert_eq!(operator(ALICE).delegators, 1);
	});
}

#[test]
fn undelegate_queues_and_withdraw_releases_and_removes_the_position() {
	ExtBuilder::default().delegation(EVE, ALICE, 300).build_and_execute(|| {
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 100));
		let unlock_at = 1 + UNBONDING;
		assert_eq!(
			last_event(),
			Event::Undelegated { delegator: EVE, operator: ALICE, amount: 100, unlock_at }
		);
		let info = operator(ALICE);
		assert_eq!((info.delegated, info.unbonding), (200, 100));
		assert_eq!(delegation_held(EVE), 300);

		run_to_block(5);
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 200));
		assert_eq!(position(ALICE, EVE).unbonding.len(), 2);

		run_to_block(unlock_at);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), ALICE));
		assert_eq!(last_event(), Event::Withdrawn { staker: EVE, operator: ALICE, amount: 100 });
		assert_eq!(delegation_held(EVE), 200);
		assert_eq!(position(ALICE, EVE).unbonding.len(), 1);
		assert_noop!(
			Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), ALICE),
			Error::<Test>::NothingToWithdraw
		);

		run_to_block(5 + UNBONDING);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), ALICE));
		assert_eq!((delegation_held(EVE), free(EVE)), (0, FUNDS));
		assert!(!Stakes::<Test>::contains_key(ALICE, EVE));
		assert_eq!(operator(ALICE).delegators, 0);
	});
}

#[test]
fn undelegate_errors() {
	ExtBuilder::default().delegation(EVE, ALICE, 300).build_and_execute(|| {
		assert_noop!(
			Operators::undelegate(RuntimeOrigin::signed(ALICE), ALICE, 100),
			Error::<Test>::SelfDelegation
		);
		assert_noop!(
			Operators::undelegate(RuntimeOrigin::signed(EVE), FERDIE, 100),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Operators::undelegate(RuntimeOrigin::signed(FERDIE), ALICE, 100),
			Error::<Test>::NotStaker
		);
		assert_noop!(
			Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 301),
			Error::<Test>::InsufficientStake
		);
		assert_noop!(
			Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 300 - MIN_DELEGATION + 1),
			Error::<Test>::DelegationTooLow
		);
		for block in 1..=MAX_CHUNKS as u64 {
			run_to_block(block);
			assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 10));
		}
		run_to_block(10);
		assert_noop!(
			Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 10),
			Error::<Test>::TooManyUnbondingChunks
		);
	});
}

#[test]
fn withdraw_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), FERDIE),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), ALICE),
			Error::<Test>::NotStaker
		);
		assert_noop!(
			Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE),
			Error::<Test>::NothingToWithdraw
		);
	});
}

#[test]
fn redelegate_moves_stake_after_the_period_without_freeing_it() {
	ExtBuilder::default().delegation(EVE, ALICE, 300).build_and_execute(|| {
		assert_ok!(Operators::redelegate(RuntimeOrigin::signed(EVE), ALICE, BOB, 200));
		let unlock_at = 1 + UNBONDING;
		assert_eq!(
			last_event(),
			Event::RedelegationScheduled {
				delegator: EVE,
				from: ALICE,
				to: BOB,
				amount: 200,
				unlock_at
			}
		);
		let chunk = &position(ALICE, EVE).unbonding[0];
		assert_eq!((chunk.amount, chunk.redelegate_to), (200, Some(BOB)));
		assert_eq!(operator(ALICE).unbonding, 200);
		assert!(!Stakes::<Test>::contains_key(BOB, EVE));

		run_to_block(unlock_at);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), ALICE));
		assert_eq!(
			last_event(),
			Event::Redelegated { delegator: EVE, from: ALICE, to: BOB, amount: 200 }
		);
		assert_eq!(position(BOB, EVE).active, 200);
		assert_eq!(position(ALICE, EVE).active, 100);
		assert_eq!(operator(BOB).delegated, 200);
		assert_eq!(operator(BOB).delegators, 1);
		assert_eq!(operator(ALICE).unbonding, 0);
		// Held all along.
		assert_eq!((delegation_held(EVE), free(EVE)), (300, FUNDS - 300));
	});
}

#[test]
fn a_redelegation_whose_target_left_is_released() {
	ExtBuilder::default().delegation(EVE, ALICE, 300).build_and_execute(|| {
		assert_ok!(Operators::redelegate(RuntimeOrigin::signed(EVE), ALICE, BOB, 300));
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(BOB)));
		run_to_block(1 + UNBONDING);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), ALICE));
		assert_eq!(last_event(), Event::Withdrawn { staker: EVE, operator: ALICE, amount: 300 });
		assert_eq!((delegation_held(EVE), free(EVE)), (0, FUNDS));
		assert!(!Stakes::<Test>::contains_key(ALICE, EVE));
		assert!(!Stakes::<Test>::contains_key(BOB, EVE));
	});
}

#[test]
fn redelegate_errors() {
	ExtBuilder::default().delegation(EVE, ALICE, 300).build_and_execute(|| {
		let r = |who, from, to, amount| {
			Operators::redelegate(RuntimeOrigin::signed(who), from, to, amount)
		};
		assert_noop!(r(ALICE, ALICE, BOB, 100), Error::<Test>::SelfDelegation);
		assert_noop!(r(EVE, ALICE, EVE, 100), Error::<Test>::SelfDelegation);
		assert_noop!(r(EVE, ALICE, ALICE, 100), Error::<Test>::SameOperator);
		assert_noop!(r(EVE, ALICE, FERDIE, 100), Error::<Test>::NotOperator);
		assert_noop!(r(EVE, ALICE, BOB, 0), Error::<Test>::ZeroAmount);
		assert_noop!(r(EVE, ALICE, BOB, MIN_DELEGATION - 1), Error::<Test>::DelegationTooLow);
		assert_noop!(r(EVE, ALICE, BOB, 301), Error::<Test>::InsufficientStake);
		assert_noop!(r(FERDIE, ALICE, BOB, 100), Error::<Test>::NotStaker);
		assert_noop!(r(EVE, CHARLIE, BOB, 100), Error::<Test>::NotOperator);
		for who in [FERDIE, GREG, HANS, IDA] {
			assert_ok!(Operators::delegate(RuntimeOrigin::signed(who), BOB, 10));
		}
		assert_noop!(r(EVE, ALICE, BOB, 100), Error::<Test>::TooManyDelegators);
		assert_ok!(Operators::register(
			RuntimeOrigin::signed(CHARLIE),
			100,
			sp_runtime::Perbill::zero(),
			models(&[])
		));
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(CHARLIE)));
		assert_noop!(r(EVE, ALICE, CHARLIE, 100), Error::<Test>::OperatorLeaving);
	});
}
