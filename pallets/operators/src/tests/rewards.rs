//! Rewards: commission, pro-rata shares, rounding dust, `claim`, auto-claim, commission
//! changes.

use crate::{mock::*, Error, Event, Stakes};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{Perbill, TokenError};

#[test]
fn commission_first_then_pro_rata() {
	ExtBuilder::default().delegation(EVE, ALICE, 1_000).build_and_execute(|| {
		let payer_before = free(GREG);
		assert_eq!(reward(ALICE, 1_000, GREG), Ok(1_000));
		assert_eq!(
			last_event(),
			Event::Rewarded { operator: ALICE, payer: GREG, amount: 1_000, commission: 100 }
		);
		assert_eq!(free(GREG), payer_before - 1_000);
		assert_eq!(pot(), 1 + 1_000);
		// 100 commission; 900 shared by 1_000 own and 1_000 delegated stake.
		assert_eq!(claimable(ALICE, ALICE), 100 + 450);
		assert_eq!(claimable(ALICE, EVE), 450);
		// Nothing moved in the stakes.
		assert_eq!(operator(ALICE).active_stake(), 2_000);
	});
}

#[test]
fn claim_pays_from_the_pot() {
	ExtBuilder::default().delegation(EVE, ALICE, 1_000).build_and_execute(|| {
		assert_ok!(reward(ALICE, 1_000, GREG));
		assert_ok!(Operators::claim(RuntimeOrigin::signed(EVE), ALICE));
		assert_eq!(
			last_event(),
			Event::RewardsClaimed { staker: EVE, operator: ALICE, amount: 450 }
		);
		assert_eq!(free(EVE), FUNDS - 1_000 + 450);
		assert_ok!(Operators::claim(RuntimeOrigin::signed(ALICE), ALICE));
		assert_eq!(free(ALICE), FUNDS - 1_000 + 550);
		assert_eq!(pot(), 1);
		assert_noop!(
			Operators::claim(RuntimeOrigin::signed(EVE), ALICE),
			Error::<Test>::NothingToClaim
		);
		assert_noop!(
			Operators::claim(RuntimeOrigin::signed(FERDIE), ALICE),
			Error::<Test>::NotStaker
		);
		assert_noop!(
			Operators::claim(RuntimeOrigin::signed(EVE), FERDIE),
			Error::<Test>::NotOperator
		);
	});
}

#[test]
fn rounding_dust_stays_in_the_pot() {
	ExtBuilder::default()
		.delegation(EVE, ALICE, 333)
		.delegation(FERDIE, ALICE, 333)
		.build_and_execute(|| {
			// 10 commission; 90 over 1_666 stake: 54.02, 17.99 and 17.99, rounded down.
			assert_ok!(reward(ALICE, 100, GREG));
			assert_eq!(claimable(ALICE, ALICE), 10 + 54);
			assert_eq!(claimable(ALICE, EVE), 17);
			assert_eq!(claimable(ALICE, FERDIE), 17);
			for who in [ALICE, EVE, FERDIE] {
				assert_ok!(Operators::claim(RuntimeOrigin::signed(who), ALICE));
			}
			// Two units of dust, and the pot's existential deposit.
			assert_eq!(pot(), 1 + 2);
			// Many small rewards never owe more than was paid in.
			for _ in 0..50 {
				assert_ok!(reward(ALICE, 7, GREG));
			}
			let owed: Balance = [ALICE, EVE, FERDIE].iter().map(|w| claimable(ALICE, *w)).sum();
			assert!(owed <= 350 && pot() - 3 - owed < 50 * 3, "owed {owed}, pot {}", pot());
		});
}

#[test]
fn late_delegators_do_not_share_earlier_rewards() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(reward(ALICE, 1_000, GREG));
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), ALICE, 1_000));
		assert_eq!(claimable(ALICE, EVE), 0);
		assert_ok!(reward(ALICE, 1_000, GREG));
		assert_eq!(claimable(ALICE, EVE), 450);
		assert_eq!(claimable(ALICE, ALICE), 1_000 + 550);
	});
}

#[test]
fn stake_changes_claim_automatically() {
	ExtBuilder::default().delegation(EVE, ALICE, 1_000).build_and_execute(|| {
		assert_ok!(reward(ALICE, 1_000, GREG));
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), ALICE, 100));
		assert!(events().contains(&Event::RewardsClaimed {
			staker: EVE,
			operator: ALICE,
			amount: 450
		}));
		assert_eq!(free(EVE), FUNDS - 1_100 + 450);
		assert_eq!(claimable(ALICE, EVE), 0);

		assert_ok!(Operators::bond_more(RuntimeOrigin::signed(ALICE), 100));
		assert_eq!(free(ALICE), FUNDS - 1_100 + 550);

		assert_ok!(reward(ALICE, 1_050, GREG));
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 100));
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(ALICE), 100));
		assert_eq!(claimable(ALICE, EVE), 0);
		assert_eq!(claimable(ALICE, ALICE), 0);
		// 945 over 2_200 stake paid 472 twice: one unit of dust.
		assert_eq!(pot(), 1 + 1);
	});
}

#[test]
fn unbonding_stake_earns_nothing() {
	ExtBuilder::default().delegation(EVE, ALICE, 1_000).build_and_execute(|| {
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 1_000));
		assert_ok!(reward(ALICE, 1_000, GREG));
		assert_eq!(claimable(ALICE, EVE), 0);
		assert_eq!(claimable(ALICE, ALICE), 1_000);
	});
}

#[test]
fn commission_changes_apply_to_later_rewards() {
	ExtBuilder::default().delegation(EVE, ALICE, 1_000).build_and_execute(|| {
		assert_ok!(Operators::set_commission(
			RuntimeOrigin::signed(ALICE),
			Perbill::from_percent(30)
		));
		// Still 10% before the delay passes.
		run_to_block(COMMISSION_DELAY);
		assert_ok!(reward(ALICE, 1_000, GREG));
		assert_eq!(claimable(ALICE, EVE), 450);
		run_to_block(1 + COMMISSION_DELAY);
		assert_ok!(reward(ALICE, 1_000, GREG));
		// 300 commission, 700 shared.
		assert_eq!(claimable(ALICE, EVE), 450 + 350);
		assert_eq!(operator(ALICE).commission, Perbill::from_percent(30));
		assert_eq!(operator(ALICE).pending_commission, None);
		// A decrease applies at once.
		assert_ok!(Operators::set_commission(RuntimeOrigin::signed(ALICE), Perbill::zero()));
		assert_ok!(reward(ALICE, 1_000, GREG));
		assert_eq!(claimable(ALICE, EVE), 450 + 350 + 500);
	});
}

#[test]
fn reward_errors_leave_everything_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(reward(EVE, 100, GREG), Error::<Test>::NotOperator);
		assert_noop!(reward(ALICE, FUNDS + 1, GREG), TokenError::FundsUnavailable);
		assert_eq!(reward(ALICE, 0, GREG), Ok(0));
	});
}

#[test]
fn a_leaving_operator_keeps_earning_until_its_stake_is_gone() {
	ExtBuilder::default().delegation(EVE, BOB, 100).build_and_execute(|| {
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(BOB)));
		// Bob's own bond is unbonding; its commission still applies, Eve earns the rest.
		assert_ok!(reward(BOB, 100, GREG));
		assert_eq!(claimable(BOB, BOB), 20);
		assert_eq!(claimable(BOB, EVE), 80);
		// With no active stake at all the reward is all Bob's.
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), BOB, 100));
		assert_ok!(reward(BOB, 100, GREG));
		assert_eq!(claimable(BOB, BOB), 120);
		assert_eq!(claimable(BOB, EVE), 0);

		run_to_block(1 + UNBONDING);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(BOB), BOB));
		// Bob's own position went, its rewards paid; the record stays for Eve.
		assert!(!Stakes::<Test>::contains_key(BOB, BOB));
		assert_eq!(free(BOB), FUNDS + 120);
		// Nobody active and no own position: the payment is refused.
		assert_noop!(reward(BOB, 100, GREG), Error::<Test>::NoActiveStake);
	});
}

#[test]
fn an_overflowing_accumulator_is_refused() {
	// Minting changes the issuance: check the invariants only.
	ExtBuilder::default().build().execute_with(|| {
		use frame_support::traits::fungible::Mutate;
		let huge = u128::MAX / 2;
		assert_ok!(<Balances as Mutate<_>>::mint_into(&GREG, huge));
		assert_noop!(reward(BOB, huge, GREG), Error::<Test>::RewardOverflow);
		Operators::do_try_state().expect("try_state holds");
	});
}
