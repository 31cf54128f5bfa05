//! Settlement through the pallet: one vote per seat, the fee split, royalty, offence reports,
//! payment of revealed outputs on failure, the deposit, and their events.

use crate::{mock::*, Event, FailureReason, HoldReason, Jobs, Results};
use frame_support::{
	assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use sp_runtime::Perbill;
use verity_primitives::{contract::NumericalContract, operators::Offence};

fn balance(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn all_reveal(job: u64, out: &BoundedVec<u8, MaxOutputLen>) {
	let outputs: Vec<_> = assigned(job).into_iter().map(|o| (o, out.clone())).collect();
	play(job, &outputs);
}

fn report(operator: AccountId, job: u64, offence: Offence, exposure: Balance) -> Report {
	let fraction = match offence {
		Offence::Dissent => DissentSlash::get(),
		Offence::Silence => SilentSlash::get(),
	};
	Report { operator, job, offence, fraction, exposure }
}

#[test]
fn unanimous_job_pays_each_seat_equally_and_the_owner_royalty() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let out = fixed(&[10, 20, 30]);
		all_reveal(job, &out);
		// Settled inside the last reveal.
		assert!(!Jobs::<Test>::contains_key(job));
		// Fee 300: royalty 30 to the owner, 270 in three equal seats whatever the stake.
		assert_eq!(balance(op(0)), 100 + 90);
		assert_eq!(balance(op(1)), 200 + 90);
		assert_eq!(balance(op(2)), 300 + 90);
		assert_eq!(balance(OWNER), INITIAL_BALANCE - 100 + 30);
		// The deposit came back.
		assert_eq!(balance(ALICE), INITIAL_BALANCE - 300);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobEscrow.into(), &ALICE), 0);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobDeposit.into(), &ALICE), 0);
		let r = Results::<Test>::get(job).unwrap();
		assert_eq!(r.output, out);
		assert_eq!(r.output_digest, sp_io::hashing::blake2_256(&out));
		let mut agreeing = r.agreeing.clone().into_inner();
		agreeing.sort();
		assert_eq!(agreeing, vec![op(0), op(1), op(2)]);
		assert_eq!(r.attesting_stake, 600);
		assert_eq!(r.assigned_stake, 600);
		assert_eq!(r.settled_at, 2);
		assert_eq!(r.expires_at, 2 + ResultLifetime::get());
		assert!(MockOperators::reports().is_empty());
		assert_eq!(
			last_event(),
			Event::JobSettled {
				job_id: job,
				model: model_id(1),
				output_digest: sp_io::hashing::blake2_256(&out),
				input_rejected: false,
				agreeing: r.agreeing,
				attesting_stake: 600,
				operators_paid: 270,
				royalty: 30,
				refunded: 0,
				deposit_forfeited: 0,
				slash_reported: 0,
			}
		);
	});
}

#[test]
fn dissenters_are_reported_and_unpaid() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let (good, bad) = (fixed(&[10, 20]), fixed(&[10, 26]));
		play(job, &[(op(0), bad.clone()), (op(1), good.clone()), (op(2), good.clone())]);
		// 270 in two seats; op(0) reported for 10% of its exposure, its balance untouched
		// until the provider applies the deferred slash.
		assert_eq!(balance(op(0)), 100);
		assert_eq!(balance(op(1)), 200 + 135);
		assert_eq!(balance(op(2)), 300 + 135);
		assert_eq!(MockOperators::reports(), vec![report(op(0), job, Offence::Dissent, 100)]);
		let r = Results::<Test>::get(job).unwrap();
		assert_eq!(r.output, good);
		assert_eq!(r.attesting_stake, 500);
		assert!(matches!(
			last_event(),
			Event::JobSettled {
				operators_paid: 270,
				royalty: 30,
				refunded: 0,
				slash_reported: 10,
				..
			}
		));
	});
}

#[test]
fn silent_operators_are_reported_at_the_deadline() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let out = fixed(&[3]);
		// op(0) commits but never reveals; nobody else is missing.
		do_commit(job, op(0), &out);
		play(job, &[(op(1), out.clone()), (op(2), out.clone())]);
		assert!(Jobs::<Test>::contains_key(job), "op(0) may still reveal");
		run_to_block(11);
		assert!(!Jobs::<Test>::contains_key(job));
		assert_eq!(MockOperators::reports(), vec![report(op(0), job, Offence::Silence, 100)]);
		assert_eq!(balance(op(1)), 200 + 135);
		assert_eq!(balance(op(2)), 300 + 135);
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
		assert_eq!(MockOperators::reports(), vec![report(op(0), job, Offence::Silence, 100)]);
	});
}

#[test]
fn quorum_missed_pays_every_revealed_seat() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		// All three disagree: no group holds 2 seats. The outputs are public now, so each
		// seat that revealed is paid its share, and nobody is reported.
		play(job, &[(op(0), fixed(&[0])), (op(1), fixed(&[10])), (op(2), fixed(&[20]))]);
		assert!(!Jobs::<Test>::contains_key(job));
		assert!(!Results::<Test>::contains_key(job));
		assert_eq!((balance(op(0)), balance(op(1)), balance(op(2))), (200, 300, 400));
		assert_eq!(balance(ALICE), INITIAL_BALANCE - 300);
		assert_eq!(balance(OWNER), INITIAL_BALANCE - 100);
		assert!(MockOperators::reports().is_empty());
		assert_eq!(
			last_event(),
			Event::JobFailed {
				job_id: job,
				model: model_id(1),
				reason: FailureReason::QuorumNotReached,
				operators_paid: 300,
				refunded: 0,
			}
		);
	});
}

#[test]
fn a_silent_seat_cannot_veto_a_job() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let out = fixed(&[1]);
		// The operator with half the stake stays silent: two of three seats still settle.
		play(job, &[(op(0), out.clone()), (op(1), out.clone())]);
		assert!(Results::<Test>::contains_key(job));
		assert_eq!(MockOperators::reports(), vec![report(op(2), job, Offence::Silence, 300)]);
		assert!(matches!(last_event(), Event::JobSettled { slash_reported: 3, .. }));
	});
}

#[test]
fn nobody_revealing_refunds_and_reports_nobody() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		run_to_block(10);
		assert!(Jobs::<Test>::contains_key(job));
		run_to_block(11);
		assert_eq!(balance(ALICE), INITIAL_BALANCE);
		assert!(MockOperators::reports().is_empty());
		assert_eq!(
			last_event(),
			Event::JobFailed {
				job_id: job,
				model: model_id(1),
				reason: FailureReason::NoReveals,
				operators_paid: 0,
				refunded: 300,
			}
		);
	});
}

#[test]
fn a_tie_between_groups_pays_the_revealers() {
	// Four seats; outputs 0, 2, 4, 6 with eps 2: groups {0,2,4} and {2,4,6} both hold 3 of 4
	// seats, with different members.
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
		assert_eq!(balance(ALICE), INITIAL_BALANCE - 400);
		assert!(MockOperators::reports().is_empty());
		assert!(matches!(
			last_event(),
			Event::JobFailed { reason: FailureReason::Tie, operators_paid: 400, .. }
		));
	});
}

#[test]
fn an_operator_in_several_groups() {
	// Outputs 0, 2, 4 with eps 2: op(1) agrees with both others, who disagree with each other.
	// op(1)'s group holds everyone, so it wins; the result is the group's median.
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		play(job, &[(op(0), fixed(&[0])), (op(1), fixed(&[2])), (op(2), fixed(&[4]))]);
		let r = Results::<Test>::get(job).unwrap();
		assert_eq!(r.output, fixed(&[2]));
		assert_eq!(r.attesting_stake, 600);
		assert!(MockOperators::reports().is_empty());
	});
}

#[test]
fn exact_contract_needs_identical_bytes() {
	ExtBuilder::default().contract(NumericalContract::Exact).build_and_execute(|| {
		let job = submit();
		play(job, &[(op(0), fixed(&[1])), (op(1), fixed(&[2])), (op(2), fixed(&[2]))]);
		let r = Results::<Test>::get(job).unwrap();
		assert_eq!(r.output, fixed(&[2]));
		assert_eq!(MockOperators::reports(), vec![report(op(0), job, Offence::Dissent, 100)]);
	});
}

#[test]
fn token_match_settles_the_token_ids_only() {
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
		let r = Results::<Test>::get(job).unwrap();
		// Only the ids the group agreed on; clients derive the text from them.
		assert_eq!(r.output, tokens(&[5, 6], b""));
		assert_eq!(r.attesting_stake, 300);
		assert_eq!(MockOperators::reports(), vec![report(op(2), job, Offence::Dissent, 300)]);
	});
}

#[test]
fn an_attested_rejected_input_is_settled_and_the_submitter_pays() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let rejected = BoundedVec::<u8, MaxOutputLen>::new();
		// Two seats attest the engine rejected the input; the third stays silent.
		play(job, &[(op(0), rejected.clone()), (op(1), rejected.clone())]);
		let r = Results::<Test>::get(job).unwrap();
		assert!(r.output.is_empty());
		// Paid like any result; the deposit is forfeited; silence is not an offence here.
		assert_eq!((balance(op(0)), balance(op(1))), (100 + 135, 200 + 135));
		assert!(MockOperators::reports().is_empty());
		assert_eq!(balance(TREASURY), 1 + 10);
		assert_eq!(balance(ALICE), INITIAL_BALANCE - 300 - 10);
		assert!(matches!(
			last_event(),
			Event::JobSettled {
				input_rejected: true,
				deposit_forfeited: 10,
				slash_reported: 0,
				..
			}
		));
	});
}

#[test]
fn a_refused_reward_is_refunded() {
	ExtBuilder::default().build_and_execute(|| {
		MockOperators::refuse_rewards_to(op(2));
		let job = submit();
		all_reveal(job, &fixed(&[1]));
		assert_eq!(balance(op(0)), 100 + 90);
		assert_eq!(balance(op(1)), 200 + 90);
		assert_eq!(balance(op(2)), 300);
		assert_eq!(balance(ALICE), INITIAL_BALANCE - 300 + 90);
		assert!(matches!(
			last_event(),
			Event::JobSettled { operators_paid: 180, royalty: 30, refunded: 90, .. }
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
	ExtBuilder::default().stakes(&[100, 100, 100, 100]).build_and_execute(|| {
		// 66% of four seats is three: two agreeing seats are not enough.
		let job = submit_with(Some(4), Some(Perbill::from_percent(66)));
		play(
			job,
			&[
				(op(0), fixed(&[0])),
				(op(1), fixed(&[0])),
				(op(2), fixed(&[9])),
				(op(3), fixed(&[20])),
			],
		);
		assert!(matches!(
			last_event(),
			Event::JobFailed { reason: FailureReason::QuorumNotReached, .. }
		));
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
