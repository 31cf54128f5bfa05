//! The stand-in `FreeBalanceOperators` provider.

use crate::{mock::*, providers::FreeBalanceOperators};
use frame_support::{parameter_types, traits::fungible::Inspect};
use sp_runtime::{traits::ConstU32, Perbill};
use verity_primitives::operators::OperatorProvider;

parameter_types! {
	pub DevOperators: Vec<AccountId> = vec![op(0), op(1)];
}

type Provider = FreeBalanceOperators<AccountId, Balances, DevOperators, ConstU32<4>>;

#[test]
fn free_balance_operators_serve_pay_and_slash() {
	ExtBuilder::default().build().execute_with(|| {
		assert_eq!(
			Provider::operators_serving(&model_id(7)).into_inner(),
			vec![(op(0), 100), (op(1), 200)]
		);
		assert_eq!(Provider::stake_of(&op(1)), 200);
		assert_eq!(Provider::stake_of(&ALICE), 0);
		assert_eq!(Provider::reward(&op(0), 50, &ALICE), Ok(50));
		assert_eq!(Balances::balance(&op(0)), 150);
		assert_eq!(Provider::slash(&op(1), Perbill::from_percent(10), 0), 20);
		assert_eq!(Balances::balance(&op(1)), 180);
		assert_eq!(Provider::slash(&ALICE, Perbill::from_percent(10), 0), 0);
	});
}
