//! Slashing: reports, spans, deferral and cancellation; the slash factor applied pro rata
//! over own bond, delegations and unbonding stake, taken from the holds as positions sync.

use crate::{mock::*, DeferredSlashes, Error, Event, SlashAgendaCursor, SlashSpans, Stakes};
use frame_support::{assert_noop, assert_ok, weights::Weight};
use sp_runtime::DispatchError;
use verity_primitives::operators::Offence;

#[test]
fn a_report_is_deferred_then_applied() {
	ExtBuilder::default().delegation(EVE, ALICE, 500).build_and_execute(|| {
		// 10% of the 1_500 at risk.
		assert_eq!(report(ALICE, 10, 7), 150);
		let apply_at = 1 + SLASH_DEFER;
		assert_eq!(
			last_event(),
			Event::SlashReported {
				operator: ALICE,
				job: 7,
				offence: Offence::Dissent,
				amount: 150,
				apply_at,
			}
		);
		// Nothing moves until then.
		run_to_block(apply_at - 1);
		assert_eq!(stake_of(ALICE), 1_500);
		assert_eq!(DeferredSlashes::<Test>::get(apply_at).len(), 1);
		run_to_block(apply_at);
		assert_eq!(
			last_event(),
			Event::Slashed {
				operator: ALICE,
				job: 7,
				offence: Offence::Dissent,
				amount: 150,
				own: 100,
				delegated: 50,
				unbonding: 0,
			}
		);
		assert_eq!(stake_of(ALICE), 1_350);
		assert!(!DeferredSlashes::<Test>::contains_key(apply_at));
		assert!(!SlashAgendaCursor::<Test>::exists());
		assert_eq!((position(ALICE, ALICE).active, position(ALICE, EVE).active), (900, 450));
	});
}

#[test]
fn slash_takes_the_fraction_of_every_position_as_they_sync() {
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
					offence: Offence::Dissent,
					amount: 180,
					own: 100,
					delegated: 70,
					unbonding: 10,
				}
			);
			let info = operator(ALICE);
			assert_eq!((info.self_bond, info.delegated, info.unbonding), (900, 630, 90));
			// Only active stake is at risk.
			assert_eq!(stake_of(ALICE), 1_530);
			// The holds are cut lazily: nothing taken yet, every position worth 90%.
			assert_eq!(
				(bond_held(ALICE), delegation_held(EVE), delegation_held(FERDIE)),
				(1_000, 500, 300)
			);
			assert_eq!(free(TREASURY), treasury);
			assert_eq!(position(ALICE, FERDIE).active, 180);
			assert_eq!(position(ALICE, FERDIE).unbonding[0].amount, 90);
			assert_eq!(stored_position(ALICE, FERDIE).active, 200);

			// Each position's share is taken when it is next touched.
			assert_ok!(Operators::bond_more(RuntimeOrigin::signed(ALICE), 100));
			assert_eq!((bond_held(ALICE), free(TREASURY)), (1_000, treasury + 100));
			assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), ALICE, 10));
			assert_eq!((delegation_held(EVE), free(TREASURY)), (460, treasury + 150));
			run_to_block(1 + UNBONDING);
			assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(FERDIE), ALICE));
			assert_eq!(
				last_event(),
				Event::Withdrawn { staker: FERDIE, operator: ALICE, amount: 90 }
			);
			assert_eq!((delegation_held(FERDIE), free(TREASURY)), (180, treasury + 180));
			let info = operator(ALICE);
			assert_eq!(info.untaken, Default::default());
			assert_eq!((info.self_bond, info.delegated, info.unbonding), (1_000, 640, 0));
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
		// It arrives whole at Bob, after Bob's slash: Bob's slash does not reach it.
		assert_eq!(position(BOB, EVE).active, 450);
		assert_eq!(delegation_held(EVE), 450);
	});
}

#[test]
fn burnt_slashes_leave_the_issuance_as_positions_sync() {
	ExtBuilder::default().build_and_execute(|| {
		BURN_SLASHES.with(|b| *b.borrow_mut() = true);
		let issuance = pallet_balances::TotalIssuance::<Test>::get();
		let treasury = free(TREASURY);
		assert_eq!(slash(BOB, 10, 3), 50);
		assert_eq!(pallet_balances::TotalIssuance::<Test>::get(), issuance);
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(BOB), 10));
		assert_eq!(pallet_balances::TotalIssuance::<Test>::get(), issuance - 50);
		assert_eq!(free(TREASURY), treasury);
		assert_eq!(bond_held(BOB), 450);
	});
}

#[test]
fn slash_rounds_positions_down_and_totals_up() {
	ExtBuilder::default().delegation(EVE, BOB, 15).delegation(FERDIE, BOB, 15).build_and_execute(
		|| {
			let treasury = free(TREASURY);
			// 33% of 530 = 174: the totals keep 336 + 21 (rounded up), the positions are
			// worth 335, 10 and 10 (rounded down).
			assert_eq!(slash(BOB, 33, 1), 173);
			assert_eq!(stake_of(BOB), 357);
			assert_eq!(
				(
					position(BOB, BOB).active,
					position(BOB, EVE).active,
					position(BOB, FERDIE).active
				),
				(335, 10, 10)
			);
			// Once every position synced, the dust is gone from the totals too.
			assert_ok!(Operators::bond_more(RuntimeOrigin::signed(BOB), 1));
			assert_ok!(Operators::delegate(RuntimeOrigin::signed(EVE), BOB, 10));
			assert_ok!(Operators::delegate(RuntimeOrigin::signed(FERDIE), BOB, 10));
			assert_eq!(stake_of(BOB), 336 + 20 + 20);
			assert_eq!(free(TREASURY), treasury + 165 + 5 + 5);
			assert_eq!(operator(BOB).untaken, Default::default());
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
		// Later rewards follow the slashed stakes (500 and 500), though neither position
		// has synced: the accumulator counts unslashed stake.
		assert_ok!(reward(ALICE, 1_000, GREG));
		assert_eq!(claimable(ALICE, EVE), 450 + 450);
		assert_eq!(claimable(ALICE, ALICE), 550 + 550);
		assert_ok!(Operators::claim(RuntimeOrigin::signed(EVE), ALICE));
		assert_eq!(free(EVE), FUNDS - 1_000 + 900);
		assert_eq!(delegation_held(EVE), 500);
	});
}

#[test]
fn nothing_to_report() {
	ExtBuilder::default().build_and_execute(|| {
		System::reset_events();
		assert_eq!(report(EVE, 10, 1), 0);
		assert_eq!(report(ALICE, 0, 1), 0);
		assert_eq!(report_with(ALICE, 1, Offence::Silence, 10, 0), 0);
		assert!(events().is_empty());
		assert_eq!(DeferredSlashes::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_full_slash_slashes_the_operator_out() {
	ExtBuilder::default().delegation(EVE, ALICE, 500).build_and_execute(|| {
		assert_eq!(slash(ALICE, 100, 1), 1_500);
		assert_eq!(operator(ALICE).slash_factor, 0);
		assert!(!Operators::is_eligible(&operator(ALICE)));
		assert_eq!(position(ALICE, EVE).active, 0);
		// No new stake for a slashed-out operator.
		assert_noop!(
			Operators::bond_more(RuntimeOrigin::signed(ALICE), 100),
			Error::<Test>::SlashedOut
		);
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(FERDIE), ALICE, 100),
			Error::<Test>::SlashedOut
		);
		// Eve's emptied delegation is withdrawn (removed) with nothing unlocked.
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), ALICE));
		assert!(!Stakes::<Test>::contains_key(ALICE, EVE));
		assert_eq!(operator(ALICE).delegators, 0);
		assert_eq!(delegation_held(EVE), 0);
		// Nothing left: deregistering removes Alice at once, and she may start again.
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(ALICE)));
		assert_eq!(bond_held(ALICE), 0);
		assert!(!crate::Operators::<Test>::contains_key(ALICE));
		assert_ok!(Operators::register(
			RuntimeOrigin::signed(ALICE),
			MIN_SELF_BOND,
			sp_runtime::Perbill::zero(),
			models(&[1])
		));
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

#[test]
fn a_span_slashes_its_largest_report_only() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(report(ALICE, 1, 1), 10);
		// Larger: only the excess is scheduled, merged into the same entry.
		assert_eq!(report_with(ALICE, 2, Offence::Dissent, 10, 1_000), 90);
		assert_eq!(report_with(ALICE, 3, Offence::Silence, 5, 1_000), 0);
		let due = DeferredSlashes::<Test>::get(1 + SLASH_DEFER);
		assert_eq!(due.len(), 1);
		assert_eq!((due[0].job, due[0].amount), (1, 100));
		assert_eq!(SlashSpans::<Test>::get(ALICE).map(|s| s.largest), Some(100));
		// A new span starts afresh.
		run_to_block(SPAN);
		assert_eq!(report(ALICE, 1, 4), 9);
		run_to_block(SPAN + SLASH_DEFER);
		assert_eq!(bond_held(ALICE), 1_000);
		assert_eq!(position(ALICE, ALICE).active, 1_000 - 100 - 9);
	});
}

#[test]
fn cancel_deferred_slash_works_and_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(report(BOB, 10, 5), 50);
		let apply_at = 1 + SLASH_DEFER;
		assert_noop!(
			Operators::cancel_deferred_slash(RuntimeOrigin::signed(ALICE), BOB, apply_at),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Operators::cancel_deferred_slash(RuntimeOrigin::root(), ALICE, apply_at),
			Error::<Test>::SlashNotFound
		);
		assert_noop!(
			Operators::cancel_deferred_slash(RuntimeOrigin::root(), BOB, apply_at + 1),
			Error::<Test>::SlashNotFound
		);
		assert_ok!(Operators::cancel_deferred_slash(RuntimeOrigin::root(), BOB, apply_at));
		assert_eq!(
			last_event(),
			Event::SlashCancelled {
				operator: BOB,
				job: 5,
				offence: Offence::Dissent,
				amount: 50,
				apply_at,
			}
		);
		assert_noop!(
			Operators::cancel_deferred_slash(RuntimeOrigin::root(), BOB, apply_at),
			Error::<Test>::SlashNotFound
		);
		// The cancelled amount still covers the span.
		assert_eq!(report(BOB, 10, 6), 0);
		run_to_block(apply_at + 1);
		assert_eq!(stake_of(BOB), 500);
	});
}

#[test]
fn the_agenda_resumes_where_the_meter_stopped() {
	ExtBuilder::default()
		.operator(CHARLIE, 300, 0, &[3])
		.operator(DAVE, 300, 0, &[3])
		.build_and_execute(|| {
			for who in [ALICE, BOB, CHARLIE, DAVE] {
				assert!(report(who, 10, 1) > 0);
			}
			let apply_at = 1 + SLASH_DEFER;
			let block = Operators::slash_agenda_block_weight();
			let slashes = Operators::apply_slash_weight().saturating_mul(2);
			// Room for one block visit and two slashes.
			SLASH_AGENDA_WEIGHT.with(|w| *w.borrow_mut() = Some(block.saturating_add(slashes)));
			run_to_block(apply_at);
			assert_eq!(DeferredSlashes::<Test>::get(apply_at).len(), 2);
			assert_eq!(SlashAgendaCursor::<Test>::get(), Some(apply_at));
			assert_eq!((stake_of(ALICE), stake_of(BOB)), (900, 450));
			assert_eq!(stake_of(CHARLIE), 300);
			// The next block finishes the late block, then visits its own.
			let budget = block.saturating_mul(2).saturating_add(slashes);
			SLASH_AGENDA_WEIGHT.with(|w| *w.borrow_mut() = Some(budget));
			run_to_block(apply_at + 1);
			assert_eq!((stake_of(CHARLIE), stake_of(DAVE)), (270, 270));
			assert!(!DeferredSlashes::<Test>::contains_key(apply_at));
			assert!(!SlashAgendaCursor::<Test>::exists());
			// The weight reported is what was consumed, never more than the budget.
			SLASH_AGENDA_WEIGHT.with(|w| *w.borrow_mut() = Some(Weight::zero()));
			run_to_block(apply_at + 2);
			assert_eq!(
				<Operators as frame_support::traits::Hooks<u64>>::on_initialize(apply_at + 2),
				Weight::zero()
			);
			SLASH_AGENDA_WEIGHT.with(|w| *w.borrow_mut() = None);
			run_to_block(apply_at + 3);
		});
}

#[test]
fn the_configuration_is_coherent() {
	ExtBuilder::default().build().execute_with(|| {
		<Operators as frame_support::traits::Hooks<u64>>::integrity_test();
		assert_eq!(Operators::max_safe_job_duration(), UNBONDING - SLASH_DEFER - 1);
	});
}
