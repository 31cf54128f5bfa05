//! `cancel`: only the submitter, only before any commit; the deposit is kept only before the
//! draw.

use crate::{
	mock::*, Agenda, Error, Event, HoldReason, Inputs, Jobs, OpenJobs, OperatorJobs, PendingDraws,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};

#[test]
fn cancel_before_the_draw_refunds_everything() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit_undrawn(ALICE, None, None, 11);
		assert_ok!(Inference::cancel(RuntimeOrigin::signed(ALICE), job));
		assert_eq!(Balances::balance(&ALICE), INITIAL_BALANCE);
		assert!(PendingDraws::<Test>::get().is_empty());
		assert_eq!(
			last_event(),
			Event::JobCancelled { job_id: job, refunded: 300, deposit_forfeited: 0 }
		);
		run_to_block(2);
		assert!(crate::OperatorJobs::<Test>::iter().next().is_none());
	});
}

#[test]
fn cancel_after_the_draw_forfeits_the_deposit_and_cleans_up() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let ops = assigned(job);
		assert_ok!(Inference::cancel(RuntimeOrigin::signed(ALICE), job));
		assert_eq!(Balances::balance(&ALICE), INITIAL_BALANCE - 10);
		assert_eq!(Balances::balance(&TREASURY), 1 + 10);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobEscrow.into(), &ALICE), 0);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobDeposit.into(), &ALICE), 0);
		assert!(!Jobs::<Test>::contains_key(job));
		assert!(!Inputs::<Test>::contains_key(job));
		assert!(Agenda::<Test>::get(11).is_none());
		assert!(ops.iter().all(|o| !OperatorJobs::<Test>::contains_key(o, job)));
		assert_eq!(OpenJobs::<Test>::get(), 0);
		assert_eq!(pallet_verity_models::Models::<Test>::get(model_id(1)).unwrap().open_jobs, 0);
		assert_eq!(
			last_event(),
			Event::JobCancelled { job_id: job, refunded: 300, deposit_forfeited: 10 }
		);
		// Nothing happens at the old deadline.
		run_to_block(12);
		assert!(MockOperators::reports().is_empty());
	});
}

#[test]
fn cancel_after_the_commit_phase_with_no_commit() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		run_to_block(8);
		assert_ok!(Inference::cancel(RuntimeOrigin::signed(ALICE), job));
	});
}

#[test]
fn cancel_keeps_other_jobs_on_the_agenda() {
	ExtBuilder::default().build_and_execute(|| {
		let (a, b) = (submit_undrawn(ALICE, None, None, 11), submit_undrawn(ALICE, None, None, 11));
		assert_ok!(Inference::cancel(RuntimeOrigin::signed(ALICE), a));
		assert_eq!(Agenda::<Test>::get(11).unwrap().into_inner(), vec![b]);
		assert_eq!(PendingDraws::<Test>::get().into_inner(), vec![b]);
	});
}

#[test]
fn cancel_refusals() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Inference::cancel(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::JobNotFound
		);
		let job = submit();
		assert_noop!(
			Inference::cancel(RuntimeOrigin::signed(BOB), job),
			Error::<Test>::NotSubmitter
		);
		assert_noop!(
			Inference::cancel(RuntimeOrigin::root(), job),
			sp_runtime::DispatchError::BadOrigin
		);
		do_commit(job, assigned(job)[0], &fixed(&[1]));
		assert_noop!(
			Inference::cancel(RuntimeOrigin::signed(ALICE), job),
			Error::<Test>::CommitsExist
		);
	});
}
