//! Operator calls: `register`, `bond_more`, `unbond`, `set_commission`, `set_models`, `chill`,
//! `resume`, `deregister`, and the genesis config.

use crate::{
	mock::*, CommissionChange, Error, Event, ModelOperators, OperatorStatus,
	Operators as OperatorsMap, Stakes,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Perbill};

fn serving(tag: u8) -> Vec<AccountId> {
	ModelOperators::<Test>::get(model(tag)).into_inner()
}

#[test]
fn genesis_registers_operators_and_endows_the_pot() {
	ExtBuilder::default().delegation(EVE, ALICE, 300).build_and_execute(|| {
		assert_eq!(bond_held(ALICE), 1_000);
		assert_eq!(bond_held(BOB), 500);
		assert_eq!(delegation_held(EVE), 300);
		assert_eq!(operator(ALICE).delegated, 300);
		assert_eq!(operator(BOB).commission, Perbill::from_percent(20));
		assert_eq!(serving(1), vec![ALICE, BOB]);
		assert_eq!(serving(2), vec![BOB]);
		assert_eq!(OperatorsMap::<Test>::count(), 2);
		assert_eq!(pot(), 1);
	});
}

#[test]
fn register_holds_bond_and_indexes_models() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::register(
			RuntimeOrigin::signed(CHARLIE),
			200,
			Perbill::from_percent(5),
			models(&[1, 3])
		));
		assert_eq!(bond_held(CHARLIE), 200);
		assert_eq!(free(CHARLIE), FUNDS - 200);
		let info = operator(CHARLIE);
		assert_eq!(info.status, OperatorStatus::Active);
		assert_eq!(info.self_bond, 200);
		assert_eq!(info.commission, Perbill::from_percent(5));
		assert_eq!(info.models, models(&[1, 3]));
		assert_eq!(info.registered_at, 1);
		assert_eq!(position(CHARLIE, CHARLIE).active, 200);
		assert_eq!(serving(1), vec![ALICE, BOB, CHARLIE]);
		assert_eq!(serving(3), vec![CHARLIE]);
		assert_eq!(OperatorsMap::<Test>::count(), 3);
		assert_eq!(
			last_event(),
			Event::OperatorRegistered {
				operator: CHARLIE,
				self_bond: 200,
				commission: Perbill::from_percent(5),
				models: models(&[1, 3]),
			}
		);
	});
}

#[test]
fn register_rejects_bad_terms() {
	ExtBuilder::default().build_and_execute(|| {
		let zero = Perbill::zero();
		assert_noop!(
			Operators::register(RuntimeOrigin::signed(ALICE), 200, zero, models(&[1])),
			Error::<Test>::AlreadyRegistered
		);
		assert_noop!(
			Operators::register(
				RuntimeOrigin::signed(CHARLIE),
				MIN_SELF_BOND - 1,
				zero,
				models(&[])
			),
			Error::<Test>::BondTooLow
		);
		assert_noop!(
			Operators::register(
				RuntimeOrigin::signed(CHARLIE),
				MIN_SELF_BOND,
				Perbill::from_percent(51),
				models(&[])
			),
			Error::<Test>::CommissionTooHigh
		);
		assert_noop!(
			Operators::register(RuntimeOrigin::signed(CHARLIE), 200, zero, models(&[3, 3])),
			Error::<Test>::DuplicateModel
		);
		assert_noop!(
			Operators::register(RuntimeOrigin::signed(POOR), MIN_SELF_BOND, zero, models(&[])),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			Operators::register(RuntimeOrigin::none(), MIN_SELF_BOND, zero, models(&[])),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn register_respects_model_and_operator_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let zero = Perbill::zero();
		// Model 1 takes four operators; Alice and Bob are two of them.
		for who in [CHARLIE, DAVE] {
			assert_ok!(Operators::register(RuntimeOrigin::signed(who), 100, zero, models(&[1])));
		}
		assert_noop!(
			Operators::register(RuntimeOrigin::signed(5), 100, zero, models(&[2, 1])),
			Error::<Test>::ModelFull
		);
		// Eight operators at most.
		for who in 5..=8 {
			assert_ok!(Operators::register(RuntimeOrigin::signed(who), 100, zero, models(&[])));
		}
		assert_noop!(
			Operators::register(RuntimeOrigin::signed(9), 100, zero, models(&[])),
			Error::<Test>::TooManyOperators
		);
	});
}

#[test]
fn bond_more_adds_to_the_bond() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::bond_more(RuntimeOrigin::signed(ALICE), 500));
		assert_eq!(operator(ALICE).self_bond, 1_500);
		assert_eq!(position(ALICE, ALICE).active, 1_500);
		assert_eq!(bond_held(ALICE), 1_500);
		assert_eq!(last_event(), Event::Bonded { operator: ALICE, amount: 500 });

		assert_noop!(
			Operators::bond_more(RuntimeOrigin::signed(EVE), 1),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Operators::bond_more(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Operators::bond_more(RuntimeOrigin::signed(ALICE), FUNDS),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(BOB)));
		assert_noop!(
			Operators::bond_more(RuntimeOrigin::signed(BOB), 1),
			Error::<Test>::OperatorLeaving
		);
	});
}

#[test]
fn unbond_queues_the_bond_and_withdraw_releases_it() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(ALICE), 400));
		let unlock_at = 1 + UNBONDING;
		assert_eq!(last_event(), Event::Unbonded { operator: ALICE, amount: 400, unlock_at });
		let info = operator(ALICE);
		assert_eq!((info.self_bond, info.unbonding), (600, 400));
		assert_eq!(info.total_stake(), 1_000);
		assert_eq!(bond_held(ALICE), 1_000);
		// A second unbond in the same block merges into the same chunk.
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(ALICE), 100));
		let own = position(ALICE, ALICE);
		assert_eq!(own.unbonding.len(), 1);
		assert_eq!(own.unbonding[0].amount, 500);

		run_to_block(unlock_at - 1);
		assert_noop!(
			Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE),
			Error::<Test>::NothingToWithdraw
		);
		run_to_block(unlock_at);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE));
		assert_eq!(last_event(), Event::Withdrawn { staker: ALICE, operator: ALICE, amount: 500 });
		assert_eq!(bond_held(ALICE), 500);
		assert_eq!(free(ALICE), FUNDS - 500);
		assert_eq!(operator(ALICE).unbonding, 0);
		// The operator keeps its own position.
		assert!(position(ALICE, ALICE).unbonding.is_empty());
	});
}

#[test]
fn unbond_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(Operators::unbond(RuntimeOrigin::signed(EVE), 1), Error::<Test>::NotOperator);
		assert_noop!(Operators::unbond(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Operators::unbond(RuntimeOrigin::signed(ALICE), 1_001),
			Error::<Test>::InsufficientStake
		);
		assert_noop!(
			Operators::unbond(RuntimeOrigin::signed(ALICE), 1_000 - MIN_SELF_BOND + 1),
			Error::<Test>::BondTooLow
		);
		for block in 1..=MAX_CHUNKS as u64 {
			run_to_block(block);
			assert_ok!(Operators::unbond(RuntimeOrigin::signed(ALICE), 10));
		}
		run_to_block(10);
		assert_noop!(
			Operators::unbond(RuntimeOrigin::signed(ALICE), 10),
			Error::<Test>::TooManyUnbondingChunks
		);
		// ... and so is leaving, until a chunk is withdrawn.
		assert_noop!(
			Operators::deregister(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::TooManyUnbondingChunks
		);
	});
}

#[test]
fn commission_decreases_at_once_and_increases_after_the_delay() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::set_commission(
			RuntimeOrigin::signed(ALICE),
			Perbill::from_percent(5)
		));
		assert_eq!(operator(ALICE).commission, Perbill::from_percent(5));
		assert_eq!(
			last_event(),
			Event::CommissionChanged { operator: ALICE, commission: Perbill::from_percent(5) }
		);

		let effective_at = 1 + COMMISSION_DELAY;
		assert_ok!(Operators::set_commission(
			RuntimeOrigin::signed(ALICE),
			Perbill::from_percent(30)
		));
		let info = operator(ALICE);
		assert_eq!(info.commission, Perbill::from_percent(5));
		assert_eq!(
			info.pending_commission,
			Some(CommissionChange { commission: Perbill::from_percent(30), effective_at })
		);
		assert_eq!(
			last_event(),
			Event::CommissionChangeScheduled {
				operator: ALICE,
				commission: Perbill::from_percent(30),
				effective_at,
			}
		);
		assert_eq!(info.commission_at(effective_at - 1), Perbill::from_percent(5));
		assert_eq!(info.commission_at(effective_at), Perbill::from_percent(30));

		// Setting it back (or lower) cancels the increase.
		assert_ok!(Operators::set_commission(
			RuntimeOrigin::signed(ALICE),
			Perbill::from_percent(5)
		));
		assert_eq!(operator(ALICE).pending_commission, None);

		// A matured increase applies before the next change is judged.
		assert_ok!(Operators::set_commission(
			RuntimeOrigin::signed(ALICE),
			Perbill::from_percent(30)
		));
		run_to_block(effective_at);
		assert_ok!(Operators::set_commission(
			RuntimeOrigin::signed(ALICE),
			Perbill::from_percent(40)
		));
		let info = operator(ALICE);
		assert_eq!(info.commission, Perbill::from_percent(30));
		assert_eq!(
			info.pending_commission.map(|c| c.effective_at),
			Some(effective_at + COMMISSION_DELAY)
		);
	});
}

#[test]
fn set_commission_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Operators::set_commission(RuntimeOrigin::signed(ALICE), Perbill::from_percent(51)),
			Error::<Test>::CommissionTooHigh
		);
		assert_noop!(
			Operators::set_commission(RuntimeOrigin::signed(EVE), Perbill::zero()),
			Error::<Test>::NotOperator
		);
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(ALICE)));
		assert_noop!(
			Operators::set_commission(RuntimeOrigin::signed(ALICE), Perbill::zero()),
			Error::<Test>::OperatorLeaving
		);
	});
}

#[test]
fn set_models_reindexes() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::set_models(RuntimeOrigin::signed(ALICE), models(&[2, 3])));
		assert_eq!(operator(ALICE).models, models(&[2, 3]));
		assert_eq!(serving(1), vec![BOB]);
		assert_eq!(serving(2), vec![BOB, ALICE]);
		assert_eq!(serving(3), vec![ALICE]);
		assert_eq!(last_event(), Event::ModelsSet { operator: ALICE, models: models(&[2, 3]) });
		// An empty index entry is removed.
		assert_ok!(Operators::set_models(RuntimeOrigin::signed(ALICE), models(&[])));
		assert!(!ModelOperators::<Test>::contains_key(model(3)));
	});
}

#[test]
fn set_models_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Operators::set_models(RuntimeOrigin::signed(EVE), models(&[1])),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Operators::set_models(RuntimeOrigin::signed(ALICE), models(&[2, 2])),
			Error::<Test>::DuplicateModel
		);
		for who in [CHARLIE, DAVE] {
			assert_ok!(Operators::register(
				RuntimeOrigin::signed(who),
				100,
				Perbill::zero(),
				models(&[1, 2])
			));
		}
		// Model 2 has Bob, Charlie and Dave; one more fits, then it is full.
		assert_ok!(Operators::set_models(RuntimeOrigin::signed(ALICE), models(&[1, 2])));
		assert_ok!(Operators::register(
			RuntimeOrigin::signed(5),
			100,
			Perbill::zero(),
			models(&[])
		));
		assert_noop!(
			Operators::set_models(RuntimeOrigin::signed(5), models(&[2])),
			Error::<Test>::ModelFull
		);
		// Keeping a model needs no room.
		assert_ok!(Operators::set_models(RuntimeOrigin::signed(ALICE), models(&[2, 1])));
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(BOB)));
		assert_noop!(
			Operators::set_models(RuntimeOrigin::signed(BOB), models(&[1])),
			Error::<Test>::OperatorLeaving
		);
	});
}

#[test]
fn chill_and_resume() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::chill(RuntimeOrigin::signed(ALICE)));
		assert_eq!(operator(ALICE).status, OperatorStatus::Chilled);
		assert_eq!(last_event(), Event::Chilled { operator: ALICE });
		assert_noop!(Operators::chill(RuntimeOrigin::signed(ALICE)), Error::<Test>::AlreadyChilled);
		// Still indexed and bonded; only not eligible.
		assert_eq!(serving(1), vec![ALICE, BOB]);
		assert!(!Operators::is_eligible(&operator(ALICE)));

		assert_ok!(Operators::resume(RuntimeOrigin::signed(ALICE)));
		assert_eq!(operator(ALICE).status, OperatorStatus::Active);
		assert_eq!(last_event(), Event::Resumed { operator: ALICE });
		assert_noop!(Operators::resume(RuntimeOrigin::signed(ALICE)), Error::<Test>::NotChilled);

		assert_noop!(Operators::chill(RuntimeOrigin::signed(EVE)), Error::<Test>::NotOperator);
		assert_noop!(Operators::resume(RuntimeOrigin::signed(EVE)), Error::<Test>::NotOperator);
	});
}

#[test]
fn resume_needs_the_minimum_bond() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::chill(RuntimeOrigin::signed(BOB)));
		// 500 → 50 after a 90% slash.
		slash(BOB, 90, 1);
		assert_noop!(Operators::resume(RuntimeOrigin::signed(BOB)), Error::<Test>::BondTooLow);
		assert_ok!(Operators::bond_more(RuntimeOrigin::signed(BOB), 50));
		assert_ok!(Operators::resume(RuntimeOrigin::signed(BOB)));
	});
}

#[test]
fn deregister_unbonds_everything_and_the_record_goes_when_empty() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(BOB)));
		let unlock_at = 1 + UNBONDING;
		assert_eq!(last_event(), Event::Deregistered { operator: BOB, unbonding: 500, unlock_at });
		let info = operator(BOB);
		assert_eq!(info.status, OperatorStatus::Leaving);
		assert_eq!((info.self_bond, info.unbonding), (0, 500));
		assert_eq!(serving(1), vec![ALICE]);
		assert!(!ModelOperators::<Test>::contains_key(model(2)));
		assert_noop!(
			Operators::deregister(RuntimeOrigin::signed(BOB)),
			Error::<Test>::OperatorLeaving
		);
		assert_noop!(Operators::chill(RuntimeOrigin::signed(BOB)), Error::<Test>::OperatorLeaving);
		assert_noop!(
			Operators::register(RuntimeOrigin::signed(BOB), 100, Perbill::zero(), models(&[])),
			Error::<Test>::AlreadyRegistered
		);

		run_to_block(unlock_at);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(BOB), BOB));
		assert_eq!(last_event(), Event::OperatorRemoved { operator: BOB });
		assert!(!OperatorsMap::<Test>::contains_key(BOB));
		assert!(!Stakes::<Test>::contains_key(BOB, BOB));
		assert_eq!(OperatorsMap::<Test>::count(), 1);
		assert_eq!((bond_held(BOB), free(BOB)), (0, FUNDS));
		// Bob may come back.
		assert_ok!(Operators::register(
			RuntimeOrigin::signed(BOB),
			100,
			Perbill::zero(),
			models(&[])
		));
		assert_noop!(Operators::deregister(RuntimeOrigin::signed(EVE)), Error::<Test>::NotOperator);
	});
}

#[test]
fn a_leaving_operator_stays_until_its_delegators_leave() {
	ExtBuilder::default().delegation(EVE, BOB, 100).build_and_execute(|| {
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(BOB)));
		run_to_block(1 + UNBONDING);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(BOB), BOB));
		// Bob's own position is gone, the record stays for Eve.
		assert!(!Stakes::<Test>::contains_key(BOB, BOB));
		assert_eq!(operator(BOB).delegators, 1);
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(FERDIE), BOB, 100),
			Error::<Test>::OperatorLeaving
		);
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), BOB, 100));
		run_to_block(1 + 2 * UNBONDING);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(EVE), BOB));
		assert!(!OperatorsMap::<Test>::contains_key(BOB));
		assert_eq!(delegation_held(EVE), 0);
	});
}

#[test]
fn an_operator_slashed_to_nothing_goes_at_once_when_it_deregisters() {
	ExtBuilder::default().build_and_execute(|| {
		slash(BOB, 100, 1);
		assert_eq!(operator(BOB).self_bond, 0);
		assert_ok!(Operators::deregister(RuntimeOrigin::signed(BOB)));
		assert_eq!(last_event(), Event::OperatorRemoved { operator: BOB });
		assert!(!OperatorsMap::<Test>::contains_key(BOB));
	});
}

#[test]
fn calls_need_a_signed_origin() {
	ExtBuilder::default().build_and_execute(|| {
		let root = RuntimeOrigin::root();
		assert_noop!(Operators::bond_more(root.clone(), 1), DispatchError::BadOrigin);
		assert_noop!(Operators::unbond(root.clone(), 1), DispatchError::BadOrigin);
		assert_noop!(
			Operators::set_commission(root.clone(), Perbill::zero()),
			DispatchError::BadOrigin
		);
		assert_noop!(Operators::set_models(root.clone(), models(&[])), DispatchError::BadOrigin);
		assert_noop!(Operators::chill(root.clone()), DispatchError::BadOrigin);
		assert_noop!(Operators::resume(root.clone()), DispatchError::BadOrigin);
		assert_noop!(Operators::deregister(root.clone()), DispatchError::BadOrigin);
		assert_noop!(Operators::delegate(root.clone(), ALICE, 10), DispatchError::BadOrigin);
		assert_noop!(Operators::undelegate(root.clone(), ALICE, 10), DispatchError::BadOrigin);
		assert_noop!(Operators::withdraw_unbonded(root.clone(), ALICE), DispatchError::BadOrigin);
		assert_noop!(Operators::redelegate(root.clone(), ALICE, BOB, 10), DispatchError::BadOrigin);
		assert_noop!(Operators::claim(root, ALICE), DispatchError::BadOrigin);
	});
}
