//! `commit` and `reveal`: who, when, once, and matching the commitment.

use crate::{mock::*, Error, Event, JobPhase, Jobs, Reveals};
use frame_support::{assert_noop, assert_ok, BoundedVec};

/// An operator serving the model but not assigned to `job`.
fn unassigned(job: u64) -> AccountId {
	(0..4).map(op).find(|o| !assigned(job).contains(o)).unwrap()
}

#[test]
fn commit_records_the_commitment_once() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let o = assigned(job)[0];
		do_commit(job, o, &fixed(&[1]));
		let stored = Jobs::<Test>::get(job).unwrap();
		assert_eq!(stored.commits, 1);
		assert_eq!(stored.assignments[0].commitment, Some(commitment_of(o, &fixed(&[1]))));
		assert_eq!(last_event(), Event::Committed { job_id: job, operator: o });
		// Double commit, even with another commitment.
		assert_noop!(
			Inference::commit(RuntimeOrigin::signed(o), job, [9; 32]),
			Error::<Test>::AlreadyCommitted
		);
	});
}

#[test]
fn commit_refusals() {
	ExtBuilder::default().stakes(&[100, 200, 300, 400]).build_and_execute(|| {
		assert_noop!(
			Inference::commit(RuntimeOrigin::signed(op(0)), 7, [0; 32]),
			Error::<Test>::JobNotFound
		);
		// Nobody holds a seat before the draw at the start of the next block.
		let undrawn = submit_undrawn(ALICE, None, None, 11);
		assert_noop!(
			Inference::commit(RuntimeOrigin::signed(op(0)), undrawn, [0; 32]),
			Error::<Test>::NotDrawnYet
		);
		let job = submit();
		// A serving operator that was not drawn, and a stranger.
		assert_noop!(
			Inference::commit(RuntimeOrigin::signed(unassigned(job)), job, [0; 32]),
			Error::<Test>::NotAssigned
		);
		assert_noop!(
			Inference::commit(RuntimeOrigin::signed(ALICE), job, [0; 32]),
			Error::<Test>::NotAssigned
		);
		assert_noop!(
			Inference::commit(RuntimeOrigin::root(), job, [0; 32]),
			sp_runtime::DispatchError::BadOrigin
		);
		// The commit phase ends at block 6.
		run_to_block(5);
		do_commit(job, assigned(job)[0], &fixed(&[1]));
		run_to_block(6);
		assert_noop!(
			Inference::commit(RuntimeOrigin::signed(assigned(job)[1]), job, [0; 32]),
			Error::<Test>::CommitPhaseOver
		);
	});
}

#[test]
fn reveal_opens_when_all_committed_or_the_commit_phase_ends() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let ops = assigned(job);
		let out = fixed(&[5, 6]);
		do_commit(job, ops[0], &out);
		assert_eq!(Jobs::<Test>::get(job).unwrap().phase(2), JobPhase::Commit);
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(ops[0]), job, out.clone(), salt_of(ops[0])),
			Error::<Test>::RevealPhaseNotOpen
		);
		do_commit(job, ops[1], &out);
		do_commit(job, ops[2], &out);
		// Everyone committed: reveals open at once, in the same block.
		assert_eq!(Jobs::<Test>::get(job).unwrap().phase(2), JobPhase::Reveal);
		do_reveal(job, ops[0], &out);
		let stored = Jobs::<Test>::get(job).unwrap();
		assert_eq!(stored.reveals, 1);
		assert!(stored.assignments[0].revealed);
		assert_eq!(Reveals::<Test>::get(job, 0).unwrap(), out);
		assert_eq!(
			last_event(),
			Event::Revealed {
				job_id: job,
				operator: ops[0],
				output_digest: sp_io::hashing::blake2_256(&out)
			}
		);
	});
}

#[test]
fn reveal_after_the_commit_phase_without_everyone() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let ops = assigned(job);
		let out = fixed(&[5]);
		do_commit(job, ops[0], &out);
		do_commit(job, ops[1], &out);
		run_to_block(6);
		assert_eq!(Jobs::<Test>::get(job).unwrap().phase(6), JobPhase::Reveal);
		do_reveal(job, ops[0], &out);
		// The operator that never committed has nothing to reveal.
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(ops[2]), job, out.clone(), salt_of(ops[2])),
			Error::<Test>::NotCommitted
		);
	});
}

#[test]
fn a_reveal_must_match_its_commitment() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let ops = assigned(job);
		let out = fixed(&[5, 6]);
		for o in &ops {
			do_commit(job, *o, &out);
		}
		// Another output.
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(ops[0]), job, fixed(&[5, 7]), salt_of(ops[0])),
			Error::<Test>::RevealMismatch
		);
		// Another salt.
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(ops[0]), job, out.clone(), [0xee; 32]),
			Error::<Test>::RevealMismatch
		);
		// Another operator's salt: the commitment binds the operator.
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(ops[0]), job, out.clone(), salt_of(ops[1])),
			Error::<Test>::RevealMismatch
		);
		do_reveal(job, ops[0], &out);
	});
}

#[test]
fn copying_another_operators_commitment_does_not_pay() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let ops = assigned(job);
		let out = fixed(&[5, 6]);
		do_commit(job, ops[0], &out);
		// ops[1] copies ops[0]'s commitment and later its reveal.
		assert_ok!(Inference::commit(
			RuntimeOrigin::signed(ops[1]),
			job,
			commitment_of(ops[0], &out)
		));
		do_commit(job, ops[2], &out);
		do_reveal(job, ops[0], &out);
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(ops[1]), job, out.clone(), salt_of(ops[0])),
			Error::<Test>::RevealMismatch
		);
	});
}

#[test]
fn reveal_refusals() {
	ExtBuilder::default().stakes(&[100, 200, 300, 400]).build_and_execute(|| {
		let out = fixed(&[1]);
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(op(0)), 9, out.clone(), [0; 32]),
			Error::<Test>::JobNotFound
		);
		let job = submit();
		let ops = assigned(job);
		for o in &ops {
			do_commit(job, *o, &out);
		}
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(unassigned(job)), job, out.clone(), [0; 32]),
			Error::<Test>::NotAssigned
		);
		assert_noop!(
			Inference::reveal(RuntimeOrigin::none(), job, out.clone(), [0; 32]),
			sp_runtime::DispatchError::BadOrigin
		);
		// The model declares 32 output bytes; the pallet bound is 64.
		let long: BoundedVec<u8, MaxOutputLen> = BoundedVec::truncate_from(vec![0; 36]);
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(ops[0]), job, long, salt_of(ops[0])),
			Error::<Test>::OutputTooLong
		);
		do_reveal(job, ops[0], &out);
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(ops[0]), job, out.clone(), salt_of(ops[0])),
			Error::<Test>::AlreadyRevealed
		);
	});
}

#[test]
fn a_late_reveal_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let ops = assigned(job);
		let out = fixed(&[1]);
		for o in &ops {
			do_commit(job, *o, &out);
		}
		do_reveal(job, ops[0], &out);
		do_reveal(job, ops[1], &out);
		// The deadline is block 11: at its start the job is settled without ops[2].
		run_to_block(11);
		assert!(!Jobs::<Test>::contains_key(job));
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(ops[2]), job, out.clone(), salt_of(ops[2])),
			Error::<Test>::JobNotFound
		);
	});
}

#[test]
fn a_reveal_in_the_deadline_block_is_refused_even_if_the_agenda_lags() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let ops = assigned(job);
		let out = fixed(&[1]);
		for o in &ops {
			do_commit(job, *o, &out);
		}
		// No agenda budget: the job outlives its deadline, but its reveal phase is closed.
		AgendaWeight::set(frame_support::weights::Weight::zero());
		run_to_block(11);
		assert!(Jobs::<Test>::contains_key(job));
		assert_eq!(Jobs::<Test>::get(job).unwrap().phase(11), JobPhase::Expired);
		assert_noop!(
			Inference::reveal(RuntimeOrigin::signed(ops[0]), job, out.clone(), salt_of(ops[0])),
			Error::<Test>::RevealPhaseOver
		);
		AgendaWeight::set(frame_support::weights::Weight::MAX);
		run_to_block(12);
		assert!(!Jobs::<Test>::contains_key(job));
	});
}

#[test]
fn malformed_outputs_are_accepted_then_lose() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let good = fixed(&[1, 2]);
		let bad: BoundedVec<u8, MaxOutputLen> = BoundedVec::truncate_from(vec![1, 2, 3]);
		play(job, &[(op(0), bad), (op(1), good.clone()), (op(2), good.clone())]);
		let r = crate::Results::<Test>::get(job).unwrap();
		assert_eq!(r.output, good);
		assert!(!r.agreeing.contains(&op(0)));
		assert_eq!(MockOperators::reports().len(), 1);
		assert_eq!(MockOperators::reports()[0].operator, op(0));
	});
}
