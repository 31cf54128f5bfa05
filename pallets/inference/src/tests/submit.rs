//! `submit_job`: escrow, assignment, bounds and every refusal.

use crate::{mock::*, Agenda, Error, Event, HoldReason, Inputs, Jobs, OpenJobs, OperatorJobs};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use pallet_verity_models::ModelStatus;
use sp_runtime::Perbill;

fn submit_call(
	who: AccountId,
	input: BoundedVec<u8, MaxInputLen>,
	max_fee: Balance,
	replication: Option<u32>,
	quorum: Option<Perbill>,
	deadline: BlockNumber,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Inference::submit_job(
		RuntimeOrigin::signed(who),
		model_id(1),
		input,
		max_fee,
		replication,
		quorum,
		deadline,
	)
}

#[test]
fn submit_escrows_the_fee_and_assigns_operators() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		assert_eq!(job, 0);
		let stored = Jobs::<Test>::get(job).unwrap();
		assert_eq!(stored.submitter, ALICE);
		assert_eq!(stored.fee, 3 * PRICE);
		assert_eq!(stored.quorum, Perbill::from_percent(51));
		assert_eq!(stored.submitted_at, 1);
		assert_eq!(stored.commit_end, 6);
		assert_eq!(stored.deadline, 11);
		assert_eq!(stored.deposit, 10);
		assert_eq!(stored.assigned_stake, 600);
		let mut ops = assigned(job);
		ops.sort();
		assert_eq!(ops, vec![op(0), op(1), op(2)]);
		for a in stored.assignments.iter() {
			assert_eq!(
				a.stake,
				<MockOperators as verity_primitives::operators::OperatorProvider<_, _>>::stake_of(
					&a.operator
				)
			);
			assert!(OperatorJobs::<Test>::contains_key(a.operator, job));
		}
		assert_eq!(Inputs::<Test>::get(job).unwrap(), input());
		assert_eq!(Agenda::<Test>::get(11).unwrap().into_inner(), vec![job]);
		assert_eq!(OpenJobs::<Test>::get(), 1);
		assert_eq!(pallet_verity_models::Models::<Test>::get(model_id(1)).unwrap().open_jobs, 1);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobEscrow.into(), &ALICE), 300);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobDeposit.into(), &ALICE), 10);
		assert_eq!(Balances::balance(&ALICE), INITIAL_BALANCE - 310);
		let events = events();
		assert!(events.contains(&Event::JobAssigned {
			job_id: job,
			operators: BoundedVec::truncate_from(assigned(job)),
		}));
		// Ids increase.
		assert_eq!(submit(), 1);
	});
}

#[test]
fn submit_charges_the_requested_replication_not_max_fee() {
	ExtBuilder::default().stakes(&[100, 200, 300, 400, 500]).build_and_execute(|| {
		let job = submit_with(Some(5), Some(Perbill::from_percent(60)));
		let stored = Jobs::<Test>::get(job).unwrap();
		assert_eq!(stored.fee, 5 * PRICE);
		assert_eq!(stored.assignments.len(), 5);
		assert_eq!(stored.quorum, Perbill::from_percent(60));
		assert_eq!(stored.seats_needed(), 3);
		let job = submit_with(Some(4), None);
		assert_eq!(Jobs::<Test>::get(job).unwrap().fee, 4 * PRICE);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobEscrow.into(), &ALICE), 9 * PRICE);
	});
}

#[test]
fn submit_draws_a_subset_weighted_by_stake() {
	// One heavy operator among light ones is almost always drawn first.
	ExtBuilder::default().stakes(&[10_000, 1, 1, 1, 1, 1]).build_and_execute(|| {
		let mut heavy = 0;
		for _ in 1..=20 {
			let job = submit();
			if assigned(job)[0] == op(0) {
				heavy += 1;
			}
			assert_ok!(Inference::cancel(RuntimeOrigin::signed(ALICE), job));
		}
		assert!(heavy >= 18, "the heavy operator was drawn first {heavy} times of 20");
	});
}

#[test]
fn operators_without_stake_or_model_are_never_assigned() {
	ExtBuilder::default().stakes(&[100, 0, 300, 400]).build_and_execute(|| {
		MockOperators::add(op(5), 1_000, &[model_id(9)]);
		assert_noop!(
			submit_call(ALICE, input(), 1_000, Some(4), None, 11),
			Error::<Test>::NotEnoughOperators
		);
		let job = submit_with(Some(3), None);
		let mut ops = assigned(job);
		ops.sort();
		assert_eq!(ops, vec![op(0), op(2), op(3)]);
	});
}

#[test]
fn later_price_changes_do_not_touch_open_jobs() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		assert_ok!(Models::update_price(RuntimeOrigin::signed(OWNER), model_id(1), 7 * PRICE));
		assert_eq!(Jobs::<Test>::get(job).unwrap().fee, 3 * PRICE);
		// The new price applies to new jobs, and max_fee guards against the change.
		assert_noop!(
			submit_call(ALICE, input(), 3 * PRICE, None, None, 11),
			Error::<Test>::FeeTooLow
		);
		assert_ok!(submit_call(ALICE, input(), 21 * PRICE, None, None, 11));
	});
}

#[test]
fn submit_rejects_unknown_and_deprecated_models() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Inference::submit_job(
				RuntimeOrigin::signed(ALICE),
				model_id(9),
				input(),
				1_000,
				None,
				None,
				11
			),
			Error::<Test>::ModelNotFound
		);
		assert_ok!(Models::set_status(
			RuntimeOrigin::signed(OWNER),
			model_id(1),
			ModelStatus::Deprecated
		));
		assert_noop!(
			submit_call(ALICE, input(), 1_000, None, None, 11),
			Error::<Test>::ModelDeprecated
		);
	});
}

#[test]
fn a_deprecated_model_finishes_its_open_jobs() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		assert_ok!(Models::set_status(
			RuntimeOrigin::signed(OWNER),
			model_id(1),
			ModelStatus::Deprecated
		));
		let out = fixed(&[1, 2]);
		play(job, &assigned(job).into_iter().map(|o| (o, out.clone())).collect::<Vec<_>>());
		assert!(crate::Results::<Test>::contains_key(job));
	});
}

#[test]
fn submit_checks_the_input() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			submit_call(ALICE, BoundedVec::new(), 1_000, None, None, 11),
			Error::<Test>::EmptyInput
		);
		// The model accepts 16 bytes; the pallet bound is 64.
		assert_noop!(
			submit_call(ALICE, BoundedVec::truncate_from(vec![0; 17]), 1_000, None, None, 11),
			Error::<Test>::InputTooLong
		);
		assert_ok!(submit_call(
			ALICE,
			BoundedVec::truncate_from(vec![0; 16]),
			1_000,
			None,
			None,
			11
		));
	});
}

#[test]
fn submit_checks_replication_and_quorum() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			submit_call(ALICE, input(), 10_000, Some(0), None, 11),
			Error::<Test>::InvalidReplication
		);
		assert_noop!(
			submit_call(ALICE, input(), 10_000, Some(MaxReplication::get() + 1), None, 11),
			Error::<Test>::InvalidReplication
		);
		// Below the model's replication: one or two seats could decide alone.
		assert_noop!(
			submit_call(ALICE, input(), 10_000, Some(2), None, 11),
			Error::<Test>::InvalidReplication
		);
		assert_noop!(
			submit_call(ALICE, input(), 10_000, None, Some(Perbill::from_percent(50)), 11),
			Error::<Test>::QuorumTooLow
		);
		// Above two thirds, one dissenting seat of three could veto.
		assert_noop!(
			submit_call(ALICE, input(), 10_000, None, Some(Perbill::from_percent(67)), 11),
			Error::<Test>::QuorumTooHigh
		);
		assert_noop!(
			submit_call(ALICE, input(), 10_000, Some(4), None, 11),
			Error::<Test>::NotEnoughOperators
		);
	});
}

#[test]
fn submit_checks_the_deadline() {
	ExtBuilder::default().build_and_execute(|| {
		// Block 1: the draw at 2, commits landing by 4 (one block of slack), reveals by 7:
		// deadlines 8..=101 are allowed.
		assert_noop!(
			submit_call(ALICE, input(), 1_000, None, None, 7),
			Error::<Test>::DeadlineTooSoon
		);
		assert_noop!(
			submit_call(ALICE, input(), 1_000, None, None, 0),
			Error::<Test>::DeadlineTooSoon
		);
		assert_noop!(
			submit_call(ALICE, input(), 1_000, None, None, 102),
			Error::<Test>::DeadlineTooFar
		);
		assert_ok!(submit_call(ALICE, input(), 1_000, None, None, 8));
		assert_eq!(Jobs::<Test>::get(0).unwrap().commit_end, 5);
		assert_ok!(submit_call(ALICE, input(), 1_000, None, None, 101));
		assert_eq!(Jobs::<Test>::get(1).unwrap().commit_end, 51);
	});
}

#[test]
fn submit_checks_the_fee() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			submit_call(ALICE, input(), 3 * PRICE - 1, None, None, 11),
			Error::<Test>::FeeTooLow
		);
		assert_noop!(
			submit_call(ALICE, input(), 2 * PRICE, Some(3), None, 11),
			Error::<Test>::FeeTooLow
		);
		// POOR has 150 and cannot escrow 300.
		assert_noop!(
			submit_call(POOR, input(), 1_000, None, None, 11),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			submit_call(98, input(), 1_000, None, None, 11),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(submit_call(ALICE, input(), 3 * PRICE, None, None, 11));
	});
}

#[test]
fn submit_fee_overflow_is_an_error() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Models::update_price(RuntimeOrigin::signed(OWNER), model_id(1), Balance::MAX));
		assert_noop!(
			submit_call(ALICE, input(), Balance::MAX, Some(3), None, 11),
			Error::<Test>::FeeOverflow
		);
	});
}

#[test]
fn submit_respects_the_queue_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		// Per deadline block: 4.
		for _ in 0..4 {
			assert_ok!(submit_call(ALICE, input(), 1_000, None, None, 11));
		}
		assert_noop!(
			submit_call(ALICE, input(), 1_000, None, None, 11),
			Error::<Test>::DeadlineFull
		);
		assert_ok!(submit_call(ALICE, input(), 1_000, None, None, 12));
		// In total: 6 here.
		MaxOpenJobs::set(6);
		assert_ok!(submit_call(BOB, input(), 1_000, None, None, 13));
		assert_noop!(submit_call(BOB, input(), 1_000, None, None, 14), Error::<Test>::QueueFull);
		// Closing a job frees its slot.
		assert_ok!(Inference::cancel(RuntimeOrigin::signed(BOB), 5));
		assert_ok!(submit_call(BOB, input(), 1_000, None, None, 14));
	});
}

#[test]
fn submit_requires_a_signed_origin() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Inference::submit_job(
				RuntimeOrigin::root(),
				model_id(1),
				input(),
				1_000,
				None,
				None,
				11
			),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}
