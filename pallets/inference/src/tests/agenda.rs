//! The deadline agenda, its weight meter and resume cursor, and result expiry.

use crate::{
	mock::*,
	weights::{SubstrateWeight, WeightInfo},
	Agenda, AgendaCursor, Event, FailureReason, Jobs, Pallet, ResultQueueHead, ResultQueueTail,
	Results,
};
use frame_support::{traits::Hooks, weights::Weight};

/// Submit a default job in the current block (several jobs then share a deadline).
fn submit() -> u64 {
	submit_undrawn(ALICE, None, None, System::block_number() + 10)
}

/// A budget for the agenda's fixed costs, visiting `blocks` agenda blocks, and serving `jobs`
/// default jobs.
fn budget(blocks: u64, jobs: u64) -> Weight {
	Pallet::<Test>::agenda_base_weight()
		.saturating_add(Pallet::<Test>::agenda_block_weight().saturating_mul(blocks))
		.saturating_add(Pallet::<Test>::deadline_weight(3, 32).saturating_mul(jobs))
}

#[test]
fn jobs_are_served_at_their_deadline() {
	ExtBuilder::default().build_and_execute(|| {
		let a = submit();
		run_to_block(2);
		let b = submit();
		run_to_block(11);
		assert!(!Jobs::<Test>::contains_key(a));
		assert!(Jobs::<Test>::contains_key(b));
		assert!(Agenda::<Test>::get(11).is_none());
		run_to_block(12);
		assert!(!Jobs::<Test>::contains_key(b));
		assert_eq!(
			events()
				.iter()
				.filter(|e| matches!(e, Event::JobFailed { reason: FailureReason::NoReveals, .. }))
				.count(),
			2
		);
	});
}

#[test]
fn a_short_budget_resumes_from_the_cursor() {
	ExtBuilder::default().build_and_execute(|| {
		let jobs: Vec<_> = (0..4).map(|_| submit()).collect();
		// Room for one job per block.
		AgendaWeight::set(budget(1, 1));
		run_to_block(11);
		assert_eq!(Jobs::<Test>::iter().count(), 3);
		assert_eq!(AgendaCursor::<Test>::get(), Some(11));
		assert_eq!(Agenda::<Test>::get(11).unwrap().into_inner(), jobs[1..].to_vec());
		run_to_block(12);
		assert_eq!(Jobs::<Test>::iter().count(), 2);
		assert_eq!(AgendaCursor::<Test>::get(), Some(11));
		run_to_block(14);
		assert_eq!(Jobs::<Test>::iter().count(), 0);
		assert!(Agenda::<Test>::get(11).is_none());
		// The cursor catches up over the empty blocks behind it once the budget allows.
		AgendaWeight::set(budget(8, 0));
		run_to_block(15);
		assert_eq!(AgendaCursor::<Test>::get(), None);
	});
}

#[test]
fn the_cursor_walks_over_several_blocks() {
	ExtBuilder::default().build_and_execute(|| {
		submit();
		submit();
		run_to_block(2);
		submit();
		AgendaWeight::set(Weight::zero());
		run_to_block(13);
		assert_eq!(Jobs::<Test>::iter().count(), 3);
		// Nothing was served since block 3: the cursor stays there.
		assert_eq!(AgendaCursor::<Test>::get(), Some(3));
		// Blocks 3..=14 to walk, three jobs to serve.
		AgendaWeight::set(budget(12, 3));
		run_to_block(14);
		assert_eq!(Jobs::<Test>::iter().count(), 0);
		assert_eq!(AgendaCursor::<Test>::get(), None);
	});
}

#[test]
fn on_initialize_reports_what_it_used() {
	ExtBuilder::default().build_and_execute(|| {
		submit();
		System::set_block_number(11);
		let used = Inference::on_initialize(11);
		assert!(used.all_gte(Pallet::<Test>::deadline_weight(3, 32)));
		assert!(used.all_lte(AgendaWeight::get()));
		let idle = Inference::on_initialize(12);
		assert!(idle.ref_time() < used.ref_time());
		// Put the chain back in a state the invariants accept.
		System::set_block_number(12);
	});
}

#[test]
fn results_expire_after_their_lifetime() {
	ExtBuilder::default().build_and_execute(|| {
		// Drawn at 2 and settled there; the second drawn and settled at 4.
		let a = crate::mock::submit();
		play(a, &assigned(a).into_iter().map(|o| (o, fixed(&[1]))).collect::<Vec<_>>());
		run_to_block(3);
		let b = crate::mock::submit();
		play(b, &assigned(b).into_iter().map(|o| (o, fixed(&[1]))).collect::<Vec<_>>());
		assert_eq!((ResultQueueHead::<Test>::get(), ResultQueueTail::<Test>::get()), (0, 2));
		run_to_block(2 + ResultLifetime::get() - 1);
		assert!(Results::<Test>::contains_key(a));
		run_to_block(2 + ResultLifetime::get());
		assert!(!Results::<Test>::contains_key(a));
		assert!(Results::<Test>::contains_key(b));
		assert_eq!(last_event(), Event::ResultExpired { job_id: a });
		run_to_block(4 + ResultLifetime::get());
		assert!(!Results::<Test>::contains_key(b));
		assert_eq!((ResultQueueHead::<Test>::get(), ResultQueueTail::<Test>::get()), (2, 2));
	});
}

#[test]
fn expiry_waits_for_budget() {
	ExtBuilder::default().build_and_execute(|| {
		let a = crate::mock::submit();
		play(a, &assigned(a).into_iter().map(|o| (o, fixed(&[1]))).collect::<Vec<_>>());
		AgendaWeight::set(Weight::zero());
		run_to_block(2 + ResultLifetime::get() + 3);
		assert!(Results::<Test>::contains_key(a));
		// Deadlines come first: the agenda walks blocks 3..=26 before expiry gets its share.
		AgendaWeight::set(
			budget(24, 0).saturating_add(<SubstrateWeight<Test> as WeightInfo>::expire_result()),
		);
		run_to_block(2 + ResultLifetime::get() + 4);
		assert!(!Results::<Test>::contains_key(a));
	});
}

#[test]
fn integrity_test_passes_for_the_mock() {
	ExtBuilder::default().build_and_execute(|| {
		Inference::integrity_test();
	});
}

#[test]
#[should_panic(expected = "cannot serve a full agenda block")]
fn integrity_test_catches_a_small_agenda_budget() {
	ExtBuilder::default().build().execute_with(|| {
		AgendaWeight::set(budget(1, 1));
		Inference::integrity_test();
	});
}
