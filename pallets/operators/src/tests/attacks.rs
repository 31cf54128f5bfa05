//! Attacks on stake and slashing, written from the attacker's side (security review
//! 2026-12-01, findings H1, M1, M5 and M6): each test sets up what an attacker would do and
//! checks that it does not pay off.

use crate::{mock::*, DeferredSlashes, Error, Event, HoldReason};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Mutate, MutateHold},
		Hooks,
	},
};
use sp_runtime::{DispatchError, Perbill};
use verity_primitives::operators::Offence;

/// M1: an operator unbonds most of its stake, keeps taking jobs with it during the unbonding,
/// votes the cartel's output, and plans to withdraw before the slash lands.
#[test]
fn unbonding_stake_neither_votes_nor_escapes_the_slash() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::bond_more(RuntimeOrigin::signed(ALICE), 4_000));
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(ALICE), 4_000));
		// The unbonding 4_000 gives no draw or vote weight.
		assert_eq!(operators_serving(1), vec![(ALICE, 1_000), (BOB, 500)]);
		assert_eq!(stake_of(ALICE), 1_000);

		// Stake that starts unbonding after assignment is still caught: assigned with 5_000
		// at risk, Alice unbonds it all at once...
		run_to_block(2);
		assert_ok!(Operators::bond_more(RuntimeOrigin::signed(ALICE), 4_000));
		let exposure = stake_of(ALICE);
		assert_eq!(exposure, 5_000);
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(ALICE), 4_000));
		// ...the job ends (10 blocks) and her dissent is reported...
		run_to_block(12);
		assert_eq!(report_with(ALICE, 1, Offence::Dissent, 10, exposure), 500);
		// ...and nothing can be withdrawn before the slash applies.
		run_to_block(12 + SLASH_DEFER - 1);
		assert_noop!(
			Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE),
			Error::<Test>::NothingToWithdraw
		);
		run_to_block(12 + SLASH_DEFER);
		// 500 of the 9_000 held (active and unbonding) is gone (the totals round up by a unit
		// of dust per total; the positions round down).
		assert_eq!(operator(ALICE).total_stake(), 8_501);
		// The first chunk unlocks at 21; what is withdrawn is already slashed.
		run_to_block(1 + UNBONDING);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE));
		let withdrawn = match last_event() {
			Event::Withdrawn { amount, .. } => amount,
			e => panic!("unexpected {e:?}"),
		};
		assert!(withdrawn < 4_000, "the unbonding chunk was slashed: {withdrawn}");
	});
}

/// H1: an attacker fills an operator with 10_000 minimal delegations to make its slash too
/// expensive for a block. The slash writes the same few storage items as with none.
#[test]
fn a_slash_with_ten_thousand_delegators_touches_o1_storage() {
	ExtBuilder::default().build().execute_with(|| {
		const DELEGATORS: u32 = 10_000;
		MAX_DELEGATORS_NOW.with(|m| *m.borrow_mut() = DELEGATORS);
		for i in 0..DELEGATORS as u64 {
			let who = 100_000 + i;
			assert_ok!(Balances::mint_into(&who, MIN_DELEGATION + 1));
			assert_ok!(Operators::delegate(RuntimeOrigin::signed(who), ALICE, MIN_DELEGATION));
		}
		assert_eq!(operator(ALICE).delegators, DELEGATORS);
		let at_risk = stake_of(ALICE);
		assert_eq!(at_risk, 1_000 + 100_000);
		assert_eq!(report(ALICE, 10, 1), 10_100);

		run_to_block(SLASH_DEFER);
		let before = storage_snapshot();
		let weight = Operators::on_initialize(1 + SLASH_DEFER);
		System::set_block_number(1 + SLASH_DEFER);
		let after = storage_snapshot();
		// Only this pallet's `Operators` entry of Alice and the agenda entry changed; no
		// position and no balance.
		let pallet = sp_io::hashing::twox_128(b"Operators");
		assert_eq!(changed_keys(&before, &after, &pallet), 2);
		let balances = sp_io::hashing::twox_128(b"Balances");
		assert_eq!(changed_keys(&before, &after, &balances), 0);
		let system_accounts =
			[sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Account")].concat();
		assert_eq!(changed_keys(&before, &after, &system_accounts), 0);
		// The weight charged is one agenda block and one slash, whatever the delegators.
		assert_eq!(
			weight,
			Operators::slash_agenda_block_weight().saturating_add(Operators::apply_slash_weight())
		);
		assert_eq!(stake_of(ALICE), 90_900);
		// Each delegator pays its share when it next touches its position.
		assert_eq!(position(ALICE, 100_000).active, 9);
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(100_000), ALICE, 9));
		assert_eq!(delegation_held(100_000), 9);
		Operators::do_try_state().expect("try_state holds");
	});
}

/// M5: a crashed node is silent in 50 jobs (or a nondeterminism bug makes it dissent in all
/// of them) within one span: it is slashed once, for the worst of them.
#[test]
fn one_incident_in_fifty_jobs_is_slashed_once() {
	ExtBuilder::default().delegation(EVE, BOB, 500).build_and_execute(|| {
		let exposure = stake_of(BOB);
		let mut scheduled = 0;
		for job in 0..50u64 {
			run_to_block(1 + job / 10);
			scheduled += report_with(BOB, job, Offence::Silence, 1, exposure);
		}
		assert_eq!(scheduled, 10);
		// The worst, a 10% dissent, in the same span: only the excess is added.
		assert_eq!(report_with(BOB, 50, Offence::Dissent, 10, exposure), 90);
		run_to_block(SPAN - 1 + SLASH_DEFER);
		assert_eq!(stake_of(BOB), 900);
		assert_eq!((position(BOB, BOB).active, position(BOB, EVE).active), (450, 450));
	});
}

/// M5: governance reviews a slash (a bug in the model, not misconduct) and cancels it.
#[test]
fn a_cancelled_slash_leaves_balances_untouched() {
	ExtBuilder::default().delegation(EVE, BOB, 500).build_and_execute(|| {
		let (bob_free, eve_free, treasury) = (free(BOB), free(EVE), free(TREASURY));
		assert_eq!(report(BOB, 10, 3), 100);
		let apply_at = 1 + SLASH_DEFER;
		// The operator itself (or anyone but root) cannot cancel its own slash.
		for who in [BOB, EVE] {
			assert_noop!(
				Operators::cancel_deferred_slash(RuntimeOrigin::signed(who), BOB, apply_at),
				DispatchError::BadOrigin
			);
		}
		assert_ok!(Operators::cancel_deferred_slash(RuntimeOrigin::root(), BOB, apply_at));
		run_to_block(apply_at + 1);
		assert!(DeferredSlashes::<Test>::iter().next().is_none());
		assert_eq!(stake_of(BOB), 1_000);
		assert_eq!((bond_held(BOB), delegation_held(EVE)), (500, 500));
		assert_eq!((free(BOB), free(EVE), free(TREASURY)), (bob_free, eve_free, treasury));
		assert_eq!((position(BOB, BOB).active, position(BOB, EVE).active), (500, 500));
	});
}

/// M6: a squatter fills a new model's operator list with minimum-stake operators; an
/// operator with more at stake takes a seat, evicting the smallest.
#[test]
fn a_squatter_is_evicted_by_a_larger_operator() {
	ExtBuilder::default().build_and_execute(|| {
		let zero = Perbill::zero();
		for who in [5, 6, 7, 8] {
			assert_ok!(Operators::register(
				RuntimeOrigin::signed(who),
				MIN_SELF_BOND,
				zero,
				models(&[9])
			));
		}
		// Equal stake does not evict: first come keeps the seat.
		assert_ok!(Operators::register(
			RuntimeOrigin::signed(CHARLIE),
			MIN_SELF_BOND,
			zero,
			models(&[])
		));
		assert_noop!(
			Operators::set_models(RuntimeOrigin::signed(CHARLIE), models(&[9])),
			Error::<Test>::ModelFull
		);
		assert_noop!(
			Operators::register(RuntimeOrigin::signed(DAVE), MIN_SELF_BOND, zero, models(&[9])),
			Error::<Test>::ModelFull
		);
		// Chilled squatters count as nothing.
		assert_ok!(Operators::chill(RuntimeOrigin::signed(7)));
		assert_ok!(Operators::set_models(RuntimeOrigin::signed(ALICE), models(&[1, 9])));
		assert!(events().contains(&Event::EvictedFromModel {
			operator: 7,
			model: model(9),
			by: ALICE,
		}));
		// Bob (500) evicts the earliest of the minimum-stake squatters.
		assert_ok!(Operators::set_models(RuntimeOrigin::signed(BOB), models(&[1, 2, 9])));
		assert_eq!(last_event(), Event::ModelsSet { operator: BOB, models: models(&[1, 2, 9]) });
		assert!(events().contains(&Event::EvictedFromModel {
			operator: 5,
			model: model(9),
			by: BOB,
		}));
		assert_eq!(
			operators_serving(9),
			vec![(6, MIN_SELF_BOND), (8, MIN_SELF_BOND), (ALICE, 1_000), (BOB, 500)]
		);
		assert!(operator(5).models.is_empty());
		assert!(operator(7).models.is_empty());
	});
}

/// M1 and the note on exposure: stake that joins after the report dilutes the slash (the
/// amount is fixed at `fraction × exposure`), it never enlarges it.
#[test]
fn stake_joining_after_the_report_only_dilutes_the_slash() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(report(ALICE, 10, 1), 100);
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), ALICE, 1_000));
		run_to_block(1 + SLASH_DEFER);
		assert_eq!(
			last_event(),
			Event::Slashed {
				operator: ALICE,
				job: 1,
				offence: Offence::Dissent,
				amount: 100,
				own: 50,
				delegated: 50,
				unbonding: 0,
			}
		);
		assert_eq!(stake_of(ALICE), 1_900);
		assert_eq!((position(ALICE, ALICE).active, position(ALICE, EVE).active), (950, 950));
	});
}

/// A slash larger than what is left is capped by what the positions hold.
#[test]
fn a_slash_is_capped_by_what_is_held() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(report_with(BOB, 1, Offence::Dissent, 100, 10_000), 10_000);
		run_to_block(1 + SLASH_DEFER);
		match last_event() {
			Event::Slashed { amount, .. } => assert_eq!(amount, 500),
			e => panic!("unexpected {e:?}"),
		}
		assert_eq!(stake_of(BOB), 0);
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(BOB)));
		assert_eq!(bond_held(BOB), 0);
	});
}

/// try_state sees a hold that no position explains (funds parked under the pallet's hold
/// reasons by a bug elsewhere would otherwise go unnoticed).
#[test]
fn an_orphan_hold_is_caught() {
	ExtBuilder::default().build().execute_with(|| {
		Operators::do_try_state().expect("clean");
		assert_ok!(Balances::hold(&HoldReason::Delegation.into(), &GREG, 10));
		assert!(Operators::do_try_state().is_err());
	});
}
