//! The runtime API's views.

use crate::{mock::*, JobPhase, Pallet};
use verity_primitives::operators::OperatorProvider;

#[test]
fn job_view_follows_the_phases() {
	ExtBuilder::default().build_and_execute(|| {
		assert!(Pallet::<Test>::job_view(0).is_none());
		let job = submit();
		let v = Pallet::<Test>::job_view(job).unwrap();
		assert_eq!(v.job_id, job);
		assert_eq!(v.submitter, ALICE);
		assert_eq!(v.model, model_id(1));
		assert_eq!(v.input, input().into_inner());
		assert_eq!(v.fee, 300);
		assert_eq!(v.phase, JobPhase::Commit);
		assert_eq!((v.commit_end, v.deadline), (6, 11));
		assert_eq!(v.max_output_len, 32);
		assert!(v.operators.iter().all(|(_, _, committed, revealed)| !committed && !revealed));
		let first = assigned(job)[0];
		do_commit(job, first, &fixed(&[1]));
		let v = Pallet::<Test>::job_view(job).unwrap();
		assert_eq!(v.operators[0], (first, v.operators[0].1, true, false));
		run_to_block(6);
		assert_eq!(Pallet::<Test>::job_view(job).unwrap().phase, JobPhase::Reveal);
	});
}

#[test]
fn jobs_for_operator_lists_open_assignments() {
	ExtBuilder::default().stakes(&[100, 200, 300, 400]).build_and_execute(|| {
		let a = submit();
		let b = submit();
		for i in 0..4 {
			let expected: Vec<u64> =
				[a, b].into_iter().filter(|j| assigned(*j).contains(&op(i))).collect();
			let got: Vec<u64> =
				Pallet::<Test>::jobs_for_operator(&op(i)).iter().map(|v| v.job_id).collect();
			assert_eq!(got, expected);
		}
		assert!(Pallet::<Test>::jobs_for_operator(&ALICE).is_empty());
		frame_support::assert_ok!(Inference::cancel(RuntimeOrigin::signed(ALICE), a));
		assert!(Pallet::<Test>::jobs_for_operator(&assigned(b)[0]).iter().all(|v| v.job_id == b));
	});
}

#[test]
fn result_and_security_views() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		assert!(Pallet::<Test>::result_view(job).is_none());
		assert!(Pallet::<Test>::result_security(job).is_none());
		play(job, &[(op(0), fixed(&[0])), (op(1), fixed(&[9])), (op(2), fixed(&[9]))]);
		let r = Pallet::<Test>::result_view(job).unwrap();
		assert_eq!(r.output, fixed(&[9]).into_inner());
		assert_eq!(r.attesting_stake, 500);
		assert_eq!(r.assigned_stake, 600);
		let s = Pallet::<Test>::result_security(job).unwrap();
		assert_eq!(s.attesting_stake, 500);
		assert_eq!(s.assigned_stake, 600);
		assert_eq!(s.slashable, 50);
		assert_eq!(
			s.current_stake,
			MockOperators::stake_of(&op(1)) + MockOperators::stake_of(&op(2))
		);
		assert_eq!(s.current_stake, 500);
	});
}
