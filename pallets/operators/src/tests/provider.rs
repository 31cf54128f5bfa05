//! The operator provider as the inference pallet sees it.

use crate::{mock::*, ModelOperators};
use frame_support::assert_ok;

#[test]
fn operators_serving_lists_eligible_operators_with_total_stake() {
	ExtBuilder::default().delegation(EVE, ALICE, 200).build_and_execute(|| {
		assert_eq!(operators_serving(1), vec![(ALICE, 1_200), (BOB, 500)]);
		assert_eq!(operators_serving(2), vec![(BOB, 500)]);
		assert!(operators_serving(9).is_empty());
		// Unbonding stake is still slashable, so it still counts.
		assert_ok!(Operators::undelegate(RuntimeOrigin::signed(EVE), ALICE, 200));
		assert_eq!(operators_serving(1), vec![(ALICE, 1_200), (BOB, 500)]);
		assert_ok!(Operators::chill(RuntimeOrigin::signed(BOB)));
		assert_eq!(operators_serving(1), vec![(ALICE, 1_200)]);
		// Below the minimum self-bond after a slash: not assignable.
		slash(ALICE, 95, 1);
		assert!(operators_serving(1).is_empty());
		assert_eq!(ModelOperators::<Test>::get(model(1)).len(), 2);
	});
}

#[test]
fn stake_of_is_own_plus_delegated_plus_unbonding() {
	ExtBuilder::default().delegation(EVE, ALICE, 200).build_and_execute(|| {
		assert_eq!(stake_of(ALICE), 1_200);
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(ALICE), 300));
		assert_eq!(stake_of(ALICE), 1_200);
		assert_eq!(stake_of(EVE), 0);
		run_to_block(1 + UNBONDING);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE));
		assert_eq!(stake_of(ALICE), 900);
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
		assert_eq!(slash(ALICE, 10, 1), 200);
		Operators::do_try_state().expect("try_state holds");
	});
}
