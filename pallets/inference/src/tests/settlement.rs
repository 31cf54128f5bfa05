//! Settlement through the pallet: fee split, royalty, slashing, refunds and their events.

use crate::{mock::*, Event, FailureReason, HoldReason, Jobs, Results};
use frame_support::{
	assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use sp_runtime::Perbill;
use verity_primitives::contract::NumericalContract;

fn balance(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn all_reveal(job: u64, out: &BoundedVec<u8, MaxOutputLen>) {
	let outputs: Vec<_> = assigned(job).into_iter().map(|o| (o, out.clone())).collect();
	play(job, &outputs);
}

#[test]
fn unanimous_job_pays_operators_by_stake_and_the_owner_royalty() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let out = fixed(&[10, 20, 30]);
		all_reveal(job, &out);
		// Settled inside the last reveal.
		assert!(!Jobs::<Test>::contains_key(job));
		// Fee 300: royalty 30 to the owner, 270 by stake 100:200:300.
		assert_eq!(balance(op(0)), 100 + 45);
		assert_eq!(balance(op(1)), 200 + 90);
		assert_eq!(balance(op(2)), 300 + 135);
		assert_eq!(balance(OWNER), INITIAL_BALANCE - 100 + 30);
		assert_eq!(balance(ALICE), INITIAL_BALANCE - 300);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobEscrow.into(), &ALICE), 0);
		let r = Results::<Test>::get(job).unwrap();
		assert_eq!(r.output, out);
		assert_eq!(r.output_digest, sp_io::hashing::blake2_256(&out));
		let mut agreeing = r.agreeing.clone().into_inner();
		agreeing.sort();
		assert_eq!(agreeing, vec![op(0), op(1), op(2)]);
		assert_eq!(r.attesting_stake, 600);
		assert_eq!(r.assigned_stake, 600);
		assert_eq!(r.settled_at, 1);
		assert_eq!(r.expires_at, 1 + ResultLifetime::get());
		assert!(MockOperators::slashes().is_empty());
		assert_eq!(
			last_event(),
			Event::JobSettled {
				job_id: job,
				model: model_id(1),
				output_digest: sp_io::hashing::blake2_256(&out),
				agreeing: r.agreeing,
				attesting_stake: 600,
				operators_paid: 270,
				royalty: 30,
				refunded: 0,
				slashed: 0,
			}
		);
	});
}

#[test]
fn rounding_dust_goes_back_to_the_submitter() {
	ExtBuilder::default().stakes(&[100, 200, 400]).build_and_execute(|| {
		let job = submit();
		all_reveal(job, &fixed(&[1]));
		// 270 × {100, 200, 400} / 700 = 38.57, 77.14, 154.28 → 38 + 77 + 154 = 269.
		assert_eq!(balance(op(0)), 100 + 38);
		assert_eq!(balance(op(1)), 200 + 77);
		assert_eq!(balance(op(2)), 400 + 154);
		assert_eq!(balance(ALICE), INITIAL_BALANCE - 300 + 1);
		assert!(matches!(
			last_event(),
			Event::JobSettled { operators_paid: 269, royalty: 30, refunded: 1, .. }
		));
	});
}

#[test]
fn dissenters_are_slashed_and_unpaid() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let (good, bad) = (fixed(&[10, 20]), fixed(&[10, 26]));
		play(job, &[(op(0), bad.clone()), (op(1), good.clone()), (op(2), good.clone())]);
		// 270 among 200:300 → 108, 162; op(0) slashed 10% of 100.
		assert_eq!(balance(op(0)), 100 - 10);
		assert_eq!(balance(op(1)), 200 + 108);
		assert_eq!(balance(op(2)), 300 + 162);
		assert_eq!(MockOperators::slashes(), vec![(op(0), DissentSlash::get(), job, 10)]);
		let r = Results::<Test>::get(job).unwrap();
		assert_eq!(r.output, good);
		assert_eq!(r.attesting_stake, 500);
		assert!(matches!(
			last_event(),
			Event::JobSettled { operators_paid: 270, royalty: 30, refunded: 0, slashed: 10, .. }
		));
	});
}

#[test]
fn silent_operators_are_penalised_at_the_deadline() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let out = fixed(&[3]);
		// op(0) commits but never reveals; nobody else is missing.
		do_commit(job, op(0), &out);
		play(job, &[(op(1), out.clone()), (op(2), out.clone())]);
		assert!(Jobs::<Test>::contains_key(job), "op(0) may still reveal");
		run_to_block(11);
		assert!(!Jobs::<Test>::contains_key(job));
		assert_eq!(MockOperators::slashes(), vec![(op(0), SilentSlash::get(), job, 1)]);
		assert_eq!(balance(op(0)), 99);
		assert_eq!(balance(op(1)), 200 + 108);
		assert_eq!(balance(op(2)), 300 + 162);
		assert_eq!(Results::<Test>::get(job).unwrap().settled_at, 11);
	});
}

#[test]
fn a_job_settles_early_once_every_committed_operator_revealed() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let out = fixed(&[3]);
		// op(0) never commits; after the commit phase the two reveals settle the job.
		play(job, &[(op(1), out.clone()), (op(2), out.clone())]);
		assert!(!Jobs::<Test>::contains_key(job));
		assert_eq!(Results::<Test>::get(job).unwrap().settled_at, 6);
		assert_eq!(MockOperators::slashes(), vec![(op(0), SilentSlash::get(), job, 1)]);
	});
}

#[test]
fn quorum_missed_refunds_in_full() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		// All three disagree: the best group holds 300 of 600 < 51%.
		play(job, &[(op(0), fixed(&[0])), (op(1), fixed(&[10])), (op(2), fixed(&[20]))]);
		assert!(!Jobs::<Test>::contains_key(job));
		assert!(!Results::<Test>::contains_key(job));
		assert_eq!(balance(ALICE), INITIAL_BALANCE);
		assert_eq!(balance(OWNER), INITIAL_BALANCE - 100);
		// Nobody is slashed: no output was established.
		assert!(MockOperators::slashes().is_empty());
		assert_eq!(
			last_event(),
			Event::JobFailed {
				job_id: job,
				model: model_id(1),
				reason: FailureReason::QuorumNotReached,
				refunded: 300,
				slashed: 0,
			}
		);
	});
}

#[test]
fn quorum_missed_because_the_heavy_operator_is_silent() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let out = fixed(&[1]);
		play(job, &[(op(0), out.clone()), (op(1), out.clone())]);
		// 300 of 600 < 306: refunded, the silent operator penalised 1% of 300.
		assert_eq!(balance(ALICE), INITIAL_BALANCE);
		assert_eq!(MockOperators::slashes(), vec![(op(2), SilentSlash::get(), job, 3)]);
		assert!(matches!(
			last_event(),
			Event::JobFailed {
				reason: FailureReason::QuorumNotReached,
				refunded: 300,
				slashed: 3,
				..
			}
		));
	});
}

#[test]
fn nobody_revealing_refunds_at_the_deadline() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		run_to_block(10);
		assert!(Jobs::<Test>::contains_key(job));
		run_to_block(11);
		assert_eq!(balance(ALICE), INITIAL_BALANCE);
		assert_eq!(MockOperators::slashes().len(), 3);
		assert!(matches!(
			last_event(),
			Event::JobFailed { reason: FailureReason::NoReveals, refunded: 300, slashed: 6, .. }
		));
	});
}

#[test]
fn a_tie_between_groups_refunds() {
	// Four equal stakes; outputs 0, 2, 4, 6 with eps 2: groups {0,2,4} and {2,4,6} both hold
	// 300 of 400, with different members.
	ExtBuilder::default().stakes(&[100, 100, 100, 100]).build_and_execute(|| {
		let job = submit_with(Some(4), None);
		play(
			job,
			&[
				(op(0), fixed(&[0])),
				(op(1), fixed(&[2])),
				(op(2), fixed(&[4])),
				(op(3), fixed(&[6])),
			],
		);
		assert_eq!(balance(ALICE), INITIAL_BALANCE);
		assert!(MockOperators::slashes().is_empty());
		assert!(matches!(last_event(), Event::JobFailed { reason: FailureReason::Tie, .. }));
	});
}

#[test]
fn an_operator_in_several_groups() {
	// Outputs 0, 2, 4 with eps 2: op(1) agrees with both others, who disagree with each other.
	// op(1)'s group holds everyone, so it wins and its output is the result.
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		play(job, &[(op(0), fixed(&[0])), (op(1), fixed(&[2])), (op(2), fixed(&[4]))]);
		let r = Results::<Test>::get(job).unwrap();
		assert_eq!(r.output, fixed(&[2]));
		assert_eq!(r.attesting_stake, 600);
		assert!(MockOperators::slashes().is_empty());
	});
}

#[test]
fn exact_contract_needs_identical_bytes() {
	ExtBuilder::default().contract(NumericalContract::Exact).build_and_execute(|| {
		let job = submit();
		play(job, &[(op(0), fixed(&[1])), (op(1), fixed(&[2])), (op(2), fixed(&[2]))]);
		let r = Results::<Test>::get(job).unwrap();
		assert_eq!(r.output, fixed(&[2]));
		assert_eq!(MockOperators::slashes(), vec![(op(0), DissentSlash::get(), job, 10)]);
	});
}

#[test]
fn token_match_contract_ignores_the_text() {
	let tokens = |ids: &[u32], text: &[u8]| {
		let mut v = (ids.len() as u32).to_le_bytes().to_vec();
		v.extend(ids.iter().flat_map(|i| i.to_le_bytes()));
		v.extend_from_slice(text);
		BoundedVec::<u8, MaxOutputLen>::truncate_from(v)
	};
	ExtBuilder::default().contract(NumericalContract::TokenMatch).build_and_execute(|| {
		let job = submit();
		play(
			job,
			&[
				(op(0), tokens(&[5, 6], b"ab")),
				(op(1), tokens(&[5, 6], b"a b")),
				(op(2), tokens(&[5, 7], b"ab")),
			],
		);
		// op(0) and op(1) agree (300 < 306): op(2) alone holds 300 too. No quorum.
		assert!(matches!(
			last_event(),
			Event::JobFailed { reason: FailureReason::QuorumNotReached, .. }
		));
		let job = submit();
		play(
			job,
			&[
				(op(0), tokens(&[5, 7], b"ab")),
				(op(1), tokens(&[5, 6], b"a b")),
				(op(2), tokens(&[5, 6], b"ab")),
			],
		);
		let r = Results::<Test>::get(job).unwrap();
		// The result is the output of the group's first member in seat order.
		assert!(r.output == tokens(&[5, 6], b"a b") || r.output == tokens(&[5, 6], b"ab"));
		assert_eq!(r.attesting_stake, 500);
	});
}

#[test]
fn a_refused_reward_is_refunded() {
	ExtBuilder::default().build_and_execute(|| {
		MockOperators::refuse_rewards_to(op(2));
		let job = submit();
		all_reveal(job, &fixed(&[1]));
		assert_eq!(balance(op(0)), 100 + 45);
		assert_eq!(balance(op(1)), 200 + 90);
		assert_eq!(balance(op(2)), 300);
		assert_eq!(balance(ALICE), INITIAL_BALANCE - 300 + 135);
		assert!(matches!(
			last_event(),
			Event::JobSettled { operators_paid: 135, royalty: 30, refunded: 135, .. }
		));
	});
}

#[test]
fn the_royalty_goes_to_the_current_owner() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		assert_ok!(Models::transfer_ownership(RuntimeOrigin::signed(OWNER), model_id(1), BOB));
		all_reveal(job, &fixed(&[1]));
		assert_eq!(balance(BOB), INITIAL_BALANCE + 30);
		assert_eq!(balance(OWNER), INITIAL_BALANCE - 100);
	});
}

#[test]
fn a_higher_quorum_is_respected() {
	ExtBuilder::default().build_and_execute(|| {
		// 500 of 600 agree: enough for 51%, not for 90%.
		let job = submit_with(None, Some(Perbill::from_percent(90)));
		play(job, &[(op(0), fixed(&[0])), (op(1), fixed(&[9])), (op(2), fixed(&[9]))]);
		assert!(matches!(
			last_event(),
			Event::JobFailed { reason: FailureReason::QuorumNotReached, .. }
		));
	});
}

#[test]
fn a_single_replica_job() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit_with(Some(1), None);
		let o = assigned(job)[0];
		play(job, &[(o, fixed(&[1]))]);
		let r = Results::<Test>::get(job).unwrap();
		assert_eq!(r.agreeing.into_inner(), vec![o]);
		assert!(matches!(last_event(), Event::JobSettled { operators_paid: 90, royalty: 10, .. }));
	});
}

#[test]
fn model_can_be_deregistered_once_its_jobs_close() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		assert!(Models::deregister(RuntimeOrigin::signed(OWNER), model_id(1)).is_err());
		all_reveal(job, &fixed(&[1]));
		assert_ok!(Models::deregister(RuntimeOrigin::signed(OWNER), model_id(1)));
	});
}
