//! Attacks on verification, each written as the attacker would try it (see `docs/SECURITY.md`
//! and `reviews/security-2026-12-01.md`): the attack runs, and the test shows what it gains.

use super::offchain::{
	apply_pool, hold_key_of, node, node_with_engine, run_worker, FixedEngine, ENGINE_OUTPUT,
};
use crate::{
	mock::*,
	offchain::{fingerprint, local_key, LocalJob, RETRY_RUNNING_AFTER},
	Error, Event, FailureReason, HoldReason, Inputs, Jobs, Pallet, PendingDraws, Results,
};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	pallet_prelude::{InvalidTransaction, TransactionSource},
	traits::{
		fungible::{Inspect, InspectHold},
		Authorize,
	},
	weights::Weight,
	BoundedVec,
};
use sp_core::offchain::OffchainStorage;
use sp_runtime::Perbill;
use std::sync::atomic::{AtomicU32, Ordering};
use verity_primitives::{contract::NumericalContract, operators::Offence};

fn balance(who: AccountId) -> Balance {
	Balances::balance(&who)
}

/// Moves to the next block, where what the workers sent in the previous one lands, then runs
/// this block's workers.
fn next_block_landing(pool: &Pool) {
	run_to_block(System::block_number() + 1);
	apply_pool(pool);
	run_worker();
}

type Pool = std::sync::Arc<parking_lot::RwLock<sp_core::offchain::testing::PoolState>>;

/// Gives this node the keys of the three operators serving model 1.
fn hold_every_key() {
	for i in 0..3 {
		hold_key_of(op(i));
	}
}

/// Blocks go by, each carrying what the workers sent in the one before, until `job` closes.
fn run_until_closed(pool: &Pool, job: u64) {
	while Jobs::<Test>::contains_key(job) {
		next_block_landing(pool);
	}
}

// C1, scenario A: the shortest deadline the chain accepts must leave room for an off-chain
// worker's commit, which lands in the block after the one it imported, and its reveal.

#[test]
fn the_shortest_deadline_settles_with_realistic_latency() {
	let node = node();
	let (mut ext, pool) = (node.ext, node.pool);
	ext.execute_with(|| {
		hold_every_key();
		// The attacker asks for the earliest deadline the chain accepts.
		let deadline = Pallet::<Test>::schedule(1, 0, 0).earliest_deadline;
		assert_noop!(
			Inference::submit_job(
				RuntimeOrigin::signed(BOB),
				model_id(1),
				input(),
				1_000,
				None,
				None,
				deadline - 1
			),
			Error::<Test>::DeadlineTooSoon
		);
		let job = submit_undrawn(BOB, None, None, deadline);
		run_worker();
		// Every transaction lands one block after the worker that sent it.
		run_until_closed(&pool, job);
		assert!(Results::<Test>::contains_key(job), "the job settled");
		assert!(MockOperators::reports().is_empty(), "no honest operator was reported");
	});
}

#[test]
fn the_shortest_deadline_survives_a_missed_block() {
	let node = node();
	let (mut ext, pool) = (node.ext, node.pool);
	ext.execute_with(|| {
		hold_every_key();
		let deadline = Pallet::<Test>::schedule(1, 0, 0).earliest_deadline;
		let job = submit_undrawn(BOB, None, None, deadline);
		run_to_block(2);
		run_worker();
		// The block after the commits were sent carries none of them (a missed slot, slow
		// gossip): the slack absorbs it.
		let delayed = std::mem::take(&mut pool.write().transactions);
		run_to_block(3);
		run_worker();
		pool.write().transactions.extend(delayed);
		run_until_closed(&pool, job);
		assert!(Results::<Test>::contains_key(job));
		assert!(MockOperators::reports().is_empty());
	});
}

#[test]
fn a_slow_model_gets_its_compute_allowance() {
	ExtBuilder::default().build_and_execute(|| {
		// With five compute blocks declared, the commit window and the earliest deadline
		// move by five blocks.
		let fast = Pallet::<Test>::schedule(1, 0, 0);
		let slow = Pallet::<Test>::schedule(1, 5, 0);
		assert_eq!(slow.commit_end, fast.commit_end + 5);
		assert_eq!(slow.earliest_deadline, fast.earliest_deadline + 5);
	});
}

// C1, scenario B: an input every engine must refuse.

#[test]
fn an_input_the_engine_rejects_costs_the_submitter_not_the_operators() {
	let node = node_with_engine(FixedEngine {
		model: manifest(1),
		runs: AtomicU32::new(0),
		reject_inputs: true,
	});
	let (mut ext, pool) = (node.ext, node.pool);
	ext.execute_with(|| {
		hold_every_key();
		let job = submit_undrawn(BOB, None, None, 20);
		run_worker();
		run_until_closed(&pool, job);
		let result = Results::<Test>::get(job).expect("the rejection is settled");
		assert!(result.output.is_empty());
		assert!(MockOperators::reports().is_empty(), "nobody is slashed");
		// The submitter paid the fee (300) and lost the deposit (10); the operators were paid.
		assert_eq!(balance(BOB), INITIAL_BALANCE - 310);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobDeposit.into(), &BOB), 0);
		assert_eq!(MockOperators::rewards().len(), 3);
		assert!(events().iter().any(|e| matches!(
			e,
			Event::JobSettled { input_rejected: true, deposit_forfeited: 10, .. }
		)));
	});
}

#[test]
fn silence_is_not_reported_when_nothing_showed_the_job_was_doable() {
	ExtBuilder::default().build_and_execute(|| {
		// Every assigned operator is offline (or every engine declined): no reveals.
		let job = submit();
		run_to_block(11);
		assert!(!Jobs::<Test>::contains_key(job));
		assert!(MockOperators::reports().is_empty());
		assert_eq!(balance(ALICE), INITIAL_BALANCE);
	});
}

// H3: one operator must not set the "verified" result.

#[test]
fn forged_text_after_the_right_tokens_is_not_settled() {
	ExtBuilder::default().contract(NumericalContract::TokenMatch).build_and_execute(|| {
		let job = submit();
		let seats = assigned(job);
		// The forger sits in seat 0 and appends a phishing link to the honest token ids.
		play(
			job,
			&[
				(seats[0], tokens(&[5, 6], b"visit evil.example")),
				(seats[1], tokens(&[5, 6], b"hello")),
				(seats[2], tokens(&[5, 6], b"hello")),
			],
		);
		assert_eq!(Results::<Test>::get(job).unwrap().output, tokens(&[5, 6], b""));
	});
}

#[test]
fn one_member_cannot_bias_a_tolerance_result() {
	ExtBuilder::default().contract(NumericalContract::Tolerance { eps: 10 }).build_and_execute(
		|| {
			let job = submit();
			let seats = assigned(job);
			// The biaser pushes every value by the whole eps, in seat 0.
			play(
				job,
				&[
					(seats[0], fixed(&[110, -40])),
					(seats[1], fixed(&[100, -50])),
					(seats[2], fixed(&[101, -49])),
				],
			);
			assert_eq!(Results::<Test>::get(job).unwrap().output, fixed(&[101, -49]));
		},
	);
}

// H2: the draw must be neither predictable at submission nor steerable.

#[test]
fn nobody_is_drawn_in_the_submission_block() {
	ExtBuilder::default().stakes(&[100; 8]).build_and_execute(|| {
		let job = submit_undrawn(ALICE, None, None, 11);
		// At submission there is nothing to see: the seats come from the next block's
		// randomness.
		assert!(Jobs::<Test>::get(job).unwrap().assignments.is_empty());
		assert_eq!(PendingDraws::<Test>::get().into_inner(), vec![job]);
		run_to_block(2);
		assert_eq!(assigned(job).len(), 3);
		assert!(PendingDraws::<Test>::get().is_empty());
	});
}

#[test]
fn the_draw_follows_the_next_blocks_randomness() {
	// The same submissions, drawn with another block's randomness, draw other seats.
	let draw_at = |block: BlockNumber| {
		let mut seats = Vec::new();
		ExtBuilder::default().stakes(&[100; 8]).build_and_execute(|| {
			run_to_block(block);
			for _ in 0..4 {
				submit_undrawn(ALICE, None, None, block + 10);
			}
			run_to_block(block + 1);
			seats = (0..4).map(assigned).collect::<Vec<_>>();
		});
		seats
	};
	assert_ne!(draw_at(1), draw_at(2));
}

#[test]
fn re_rolling_a_draw_by_cancelling_costs_the_deposit() {
	ExtBuilder::default().stakes(&[100; 8]).build_and_execute(|| {
		let mut lost = 0;
		for _ in 0..5 {
			let job = submit();
			assert_ok!(Inference::cancel(RuntimeOrigin::signed(ALICE), job));
			lost += 10;
		}
		assert_eq!(balance(ALICE), INITIAL_BALANCE - lost);
	});
}

#[test]
fn a_single_seat_job_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Inference::submit_job(
				RuntimeOrigin::signed(ALICE),
				model_id(1),
				input(),
				1_000,
				Some(1),
				None,
				20
			),
			Error::<Test>::InvalidReplication
		);
	});
}

#[test]
fn a_whale_seat_cannot_decide_alone() {
	// One operator holds 90% of the stake of the three drawn; it dissents.
	ExtBuilder::default().stakes(&[9_000, 500, 500]).build_and_execute(|| {
		let job = submit();
		let (good, bad) = (fixed(&[1]), fixed(&[50]));
		play(job, &[(op(0), bad), (op(1), good.clone()), (op(2), good.clone())]);
		let result = Results::<Test>::get(job).unwrap();
		assert_eq!(result.output, good);
		assert_eq!(MockOperators::reports()[0].operator, op(0));
		assert_eq!(MockOperators::reports()[0].offence, Offence::Dissent);
	});
}

// H4: no free inference.

#[test]
fn a_unanimity_quorum_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Inference::submit_job(
				RuntimeOrigin::signed(ALICE),
				model_id(1),
				input(),
				1_000,
				None,
				Some(Perbill::one()),
				20
			),
			Error::<Test>::QuorumTooHigh
		);
	});
}

#[test]
fn a_colluding_dissenter_does_not_buy_a_refund() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let seats = assigned(job);
		// The submitter's accomplice sits in one seat and reveals junk; the honest two
		// disagree with each other by chance (worst case): no quorum.
		play(job, &[(seats[0], fixed(&[999])), (seats[1], fixed(&[1])), (seats[2], fixed(&[20]))]);
		assert!(matches!(
			last_event(),
			Event::JobFailed { reason: FailureReason::QuorumNotReached, refunded: 0, .. }
		));
		// The honest outputs are public, and they were paid for.
		assert_eq!(balance(ALICE), INITIAL_BALANCE - 300);
	});
}

// H5: the queue must not be cheap to monopolise.

#[test]
fn one_account_cannot_fill_the_queue() {
	ExtBuilder::default().build_and_execute(|| {
		for i in 0..MaxOpenJobsPerAccount::get() {
			submit_undrawn(ALICE, None, None, 20 + i as u64 / 4);
		}
		assert_noop!(
			Inference::submit_job(
				RuntimeOrigin::signed(ALICE),
				model_id(1),
				input(),
				1_000,
				None,
				None,
				30
			),
			Error::<Test>::TooManyOpenJobs
		);
	});
}

#[test]
fn the_deposit_rises_as_the_queue_fills() {
	ExtBuilder::default().build_and_execute(|| {
		let first = Pallet::<Test>::current_deposit();
		for i in 0..8 {
			submit_undrawn(if i % 2 == 0 { ALICE } else { BOB }, None, None, 20 + i / 4);
		}
		// Half the queue (8 of 16) is open: 10 × (1 + 9 × 8 / 16) = 55.
		assert_eq!(first, 10);
		assert_eq!(Pallet::<Test>::current_deposit(), 55);
	});
}

#[test]
fn one_block_cannot_carry_unbounded_draws() {
	ExtBuilder::default().build_and_execute(|| {
		MaxDrawsPerBlock::set(2);
		submit_undrawn(ALICE, None, None, 20);
		submit_undrawn(BOB, None, None, 20);
		assert_noop!(
			Inference::submit_job(
				RuntimeOrigin::signed(OWNER),
				model_id(1),
				input(),
				1_000,
				None,
				None,
				21
			),
			Error::<Test>::BlockFull
		);
		MaxDrawsPerBlock::set(8);
	});
}

// M3: free attestations must be paid for, and old ones must not be replayable for free.

#[test]
fn the_submitter_pays_for_the_attestations_it_causes() {
	ExtBuilder::default().build_and_execute(|| {
		use crate::weights::WeightInfo;
		type W = crate::weights::SubstrateWeight<Test>;
		let k = 3;
		let attestations = W::authorize_commit()
			.saturating_add(W::authorize_reveal(MaxOutputLen::get()))
			.saturating_mul(k);
		let charged = Pallet::<Test>::submit_weight(16, k as u32, 4);
		assert!(charged.all_gte(W::submit_job(16, 3, 4).saturating_add(attestations)));
		assert!(charged.all_gte(Weight::zero()));
	});
}

#[test]
fn an_attestation_for_a_closed_job_is_stale() {
	let node = node();
	let (mut ext, pool) = (node.ext, node.pool);
	ext.execute_with(|| {
		hold_every_key();
		let job = submit_undrawn(BOB, None, None, 20);
		run_worker();
		run_to_block(2);
		run_worker();
		// Keep a copy of one commit, let the job settle, then replay the copy.
		let replay = pool.read().transactions[0].clone();
		run_until_closed(&pool, job);
		let xt = Extrinsic::decode(&mut &replay[..]).unwrap();
		let RuntimeCall::Inference(call) = xt.function else { unreachable!() };
		assert_eq!(
			call.authorize(TransactionSource::External).unwrap().map(|_| ()),
			Err(InvalidTransaction::Stale.into())
		);
	});
}

// M2 and L4: the off-chain worker acts on the exact job, and recovers from a crash.

#[test]
fn after_a_reorg_the_worker_does_not_resend_another_jobs_output() {
	let node = node();
	let (mut ext, pool, engine) = (node.ext, node.pool, node.engine);
	ext.execute_with(|| {
		let job = submit_undrawn(BOB, None, None, 40);
		run_to_block(2);
		let seat = assigned(job)[0];
		hold_key_of(seat);
		run_worker();
		assert_eq!(engine.runs.load(Ordering::SeqCst), 1);
		pool.write().transactions.clear();
		// The fork that wins carries another job under the same id (same model, other
		// input). The worker's state for the old job must not apply to it.
		Inputs::<Test>::insert(job, BoundedVec::truncate_from(vec![9, 9, 9]));
		run_to_block(System::block_number() + 4);
		run_worker();
		assert_eq!(engine.runs.load(Ordering::SeqCst), 2, "the new job is run, not resent");
	});
}

#[test]
fn a_claim_left_running_by_a_crash_is_run_again() {
	let node = node();
	let (mut ext, pool, engine, offchain) = (node.ext, node.pool, node.engine, node.offchain);
	ext.execute_with(|| {
		let job = submit_undrawn(BOB, None, None, 40);
		run_to_block(2);
		let seat = assigned(job)[0];
		hold_key_of(seat);
		// The worker claimed the job, then the node crashed before it committed.
		let key =
			local_key(job, &seat, &fingerprint::<Test>(&Jobs::<Test>::get(job).unwrap(), &input()));
		offchain.0.write().persistent_storage.set(
			b"",
			&key,
			&LocalJob::<BlockNumber>::Running { since: 2 }.encode(),
		);
		run_worker();
		assert_eq!(engine.runs.load(Ordering::SeqCst), 0, "a fresh claim is left alone");
		run_to_block(2 + RETRY_RUNNING_AFTER as u64);
		run_worker();
		assert_eq!(engine.runs.load(Ordering::SeqCst), 1);
		let sent = apply_pool(&pool);
		assert_eq!(sent.len(), 1);
		assert_eq!(Jobs::<Test>::get(job).unwrap().assignments[0].commitment.is_some(), true);
		let _ = ENGINE_OUTPUT;
	});
}

#[test]
fn escrow_and_deposits_stay_whole_under_every_outcome() {
	// try_state checks every account's holds after each block; run one of each outcome.
	ExtBuilder::default().build_and_execute(|| {
		let settled = submit();
		play(settled, &assigned(settled).into_iter().map(|o| (o, fixed(&[1]))).collect::<Vec<_>>());
		let failed = submit();
		let cancelled = submit();
		assert_ok!(Inference::cancel(RuntimeOrigin::signed(ALICE), cancelled));
		run_to_block(30);
		assert!(!Jobs::<Test>::contains_key(failed));
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobEscrow.into(), &ALICE), 0);
		assert_eq!(Balances::balance_on_hold(&HoldReason::JobDeposit.into(), &ALICE), 0);
	});
}

#[test]
fn only_root_sets_the_minimum_replication_within_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Inference::set_min_replication(RuntimeOrigin::signed(ALICE), 1),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Inference::set_min_replication(RuntimeOrigin::root(), 0),
			Error::<Test>::InvalidReplication
		);
		assert_noop!(
			Inference::set_min_replication(RuntimeOrigin::root(), MaxReplication::get() + 1),
			Error::<Test>::InvalidReplication
		);
		assert_ok!(Inference::set_min_replication(RuntimeOrigin::root(), 3));
		assert_eq!(crate::MinReplication::<Test>::get(), 3);
	});
}

#[test]
fn try_state_catches_leaked_counters_and_orphan_holds() {
	use frame_support::traits::fungible::MutateHold;
	ExtBuilder::default().build().execute_with(|| {
		// A model counting a job nobody has can never be deregistered.
		pallet_verity_models::Models::<Test>::mutate(model_id(1), |m| {
			m.as_mut().unwrap().open_jobs = 1
		});
		assert!(Inference::do_try_state().is_err());
		pallet_verity_models::Models::<Test>::mutate(model_id(1), |m| {
			m.as_mut().unwrap().open_jobs = 0
		});
		assert!(Inference::do_try_state().is_ok());
		// Escrow held for no job.
		assert_ok!(Balances::hold(&HoldReason::JobEscrow.into(), &BOB, 5));
		assert!(Inference::do_try_state().is_err());
	});
}
