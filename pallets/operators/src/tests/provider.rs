//! The operator provider as the inference pallet sees it.

use crate::{mock::*, ModelOperators};
use frame_support::assert_ok;

#[test]
fn operators_serving_lists_eligible_operators_with_stake_at_risk() {
	ExtBuilder::default().delegation(EVE, ALICE, 200).build_and_execute(|| {
		assert_eq!(operators_serving(1), vec![(ALICE, 1_200), (BOB, 500)]);
		assert_eq!(operators_serving(2), vec![(BOB, 500)]);
		assert!(operators_serving(9).is_empty());
		// Unbonding stake stays slashable but could leave before a job's slash: not at risk.
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 200));
		assert_eq!(operators_serving(1), vec![(ALICE, 1_000), (BOB, 500)]);
		assert_ok!(Operators::chill(RuntimeOrigin::signed(BOB)));
		assert_eq!(operators_serving(1), vec![(ALICE, 1_000)]);
		// Below the minimum self-bond after a slash: not assignable.
		slash(ALICE, 95, 1);
		assert!(operators_serving(1).is_empty());
		assert_eq!(ModelOperators::<Test>::get(model(1)).len(), 2);
	});
}

#[test]
fn stake_of_is_own_plus_active_delegations() {
	ExtBuilder::default().delegation(EVE, ALICE, 200).build_and_execute(|| {
		assert_eq!(stake_of(ALICE), 1_200);
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(ALICE), 300));
		assert_eq!(stake_of(ALICE), 900);
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 200));
		assert_eq!(stake_of(ALICE), 700);
		assert_eq!(stake_of(EVE), 0);
		run_to_block(1 + UNBONDING);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE));
		assert_eq!(stake_of(ALICE), 700);
	});
}

#[test]
fn the_infr_key_type_is_declared() {
	use sp_runtime::{BoundToRuntimeAppPublic, RuntimeAppPublic};
	assert_eq!(
		<<Operators as BoundToRuntimeAppPublic>::Public as RuntimeAppPublic>::ID,
		verity_primitives::infr::INFR
	);
}

#[cfg(feature = "runtime-benchmarks")]
#[test]
fn set_up_operator_registers_or_tops_up() {
	use verity_primitives::operators::OperatorProvider;
	// Minting changes the issuance: check the invariants only.
	ExtBuilder::default().build().execute_with(|| {
		Operators::set_up_operator(&50, &model(4), 10);
		assert_eq!(operators_serving(4), vec![(50, MIN_SELF_BOND)]);
		Operators::set_up_operator(&ALICE, &model(4), 2_000);
		assert_eq!(operators_serving(4), vec![(50, MIN_SELF_BOND), (ALICE, 2_000)]);
		assert_eq!(reward(ALICE, 100, GREG), Ok(100));
		assert_eq!(report(ALICE, 10, 1), 200);
		Operators::do_try_state().expect("try_state holds");
	});
}

#[cfg(feature = "runtime-benchmarks")]
#[test]
fn set_up_delegators_fills_up_to_the_bound() {
	ExtBuilder::default().build().execute_with(|| {
		assert_ok!(Operators::set_up_delegators_for_benchmark(&ALICE, 2));
		assert_eq!(operator(ALICE).delegators, 2);
		assert_ok!(Operators::set_up_delegators_for_benchmark(&ALICE, 10));
		assert_eq!(operator(ALICE).delegators, MAX_DELEGATORS);
		assert_eq!(stake_of(ALICE), 1_000 + MAX_DELEGATORS as u128 * MIN_DELEGATION);
		Operators::do_try_state().expect("try_state holds");
	});
}
