//! `register`: every bound of the spec and the deposit.

use crate::{mock::*, Architecture, Error, Event, HoldReason, ModelStatus, Models as ModelsMap};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use sp_runtime::Perbill;
use verity_primitives::contract::NumericalContract;

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &who)
}

#[test]
fn register_holds_deposit_and_stores_model() {
	ExtBuilder::build_and_execute(|| {
		assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), model_id(1), spec()));
		let info = ModelsMap::<Test>::get(model_id(1)).unwrap();
		assert_eq!(info.owner, ALICE);
		assert_eq!(info.spec, spec());
		assert_eq!(info.deposit, DEPOSIT);
		assert_eq!(info.status, ModelStatus::Active);
		assert_eq!(info.open_jobs, 0);
		assert_eq!(info.registered_at, 1);
		assert_eq!(held(ALICE), DEPOSIT);
		assert_eq!(Balances::free_balance(ALICE), 1_000 - DEPOSIT);
		assert_eq!(
			last_event(),
			Event::ModelRegistered {
				model: model_id(1),
				owner: ALICE,
				price: 10,
				contract: NumericalContract::Tolerance { eps: 3 },
				deposit: DEPOSIT,
			}
		);
	});
}

#[test]
fn register_accepts_every_architecture_and_contract() {
	ExtBuilder::build_and_execute(|| {
		let archs = [
			Architecture::Mlp,
			Architecture::BertEmbedding,
			Architecture::LlamaGguf,
			Architecture::Other(b"resnet".to_vec().try_into().unwrap()),
		];
		let contracts = [
			NumericalContract::Exact,
			NumericalContract::TokenMatch,
			NumericalContract::Tolerance { eps: 0 },
			NumericalContract::Tolerance { eps: u32::MAX },
		];
		for (i, (architecture, contract)) in archs.into_iter().zip(contracts).enumerate() {
			let spec = crate::ModelSpec { architecture, contract, ..spec() };
			assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), model_id(i as u8), spec));
		}
		assert_eq!(held(ALICE), 4 * DEPOSIT);
	});
}

#[test]
fn register_accepts_the_bounds_themselves() {
	ExtBuilder::build_and_execute(|| {
		let spec = crate::ModelSpec {
			max_input_len: MaxInputLen::get(),
			max_output_len: MaxOutputLen::get(),
			price: MIN_PRICE,
			replication: MaxReplication::get(),
			quorum: MinQuorum::get(),
			royalty: MaxRoyalty::get(),
			..spec()
		};
		assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), model_id(1), spec.clone()));
		let spec = crate::ModelSpec {
			max_input_len: 1,
			max_output_len: 1,
			replication: 1,
			quorum: Perbill::one(),
			royalty: Perbill::zero(),
			..spec
		};
		assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), model_id(2), spec));
	});
}

#[test]
fn register_rejects_duplicates() {
	ExtBuilder::build_and_execute(|| {
		assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), model_id(1), spec()));
		assert_noop!(
			Models::register(RuntimeOrigin::signed(BOB), model_id(1), spec()),
			Error::<Test>::ModelAlreadyRegistered
		);
	});
}

#[test]
fn register_rejects_out_of_bounds_specs() {
	ExtBuilder::build_and_execute(|| {
		let cases = [
			(crate::ModelSpec { max_input_len: 0, ..spec() }, Error::<Test>::InvalidInputLimit),
			(
				crate::ModelSpec { max_input_len: MaxInputLen::get() + 1, ..spec() },
				Error::<Test>::InvalidInputLimit,
			),
			(crate::ModelSpec { max_output_len: 0, ..spec() }, Error::<Test>::InvalidOutputLimit),
			(
				crate::ModelSpec { max_output_len: MaxOutputLen::get() + 1, ..spec() },
				Error::<Test>::InvalidOutputLimit,
			),
			(crate::ModelSpec { price: MIN_PRICE - 1, ..spec() }, Error::<Test>::PriceTooLow),
			(crate::ModelSpec { replication: 0, ..spec() }, Error::<Test>::InvalidReplication),
			(
				crate::ModelSpec { replication: MaxReplication::get() + 1, ..spec() },
				Error::<Test>::InvalidReplication,
			),
			(
				crate::ModelSpec { quorum: Perbill::from_percent(50), ..spec() },
				Error::<Test>::QuorumTooLow,
			),
			(
				crate::ModelSpec { royalty: Perbill::from_percent(31), ..spec() },
				Error::<Test>::RoyaltyTooHigh,
			),
		];
		for (spec, error) in cases {
			assert_noop!(Models::register(RuntimeOrigin::signed(ALICE), model_id(1), spec), error);
		}
	});
}

#[test]
fn register_requires_the_deposit() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::register(RuntimeOrigin::signed(POOR), model_id(1), spec()),
			Error::<Test>::InsufficientDeposit
		);
		assert_noop!(
			Models::register(RuntimeOrigin::signed(NOBODY), model_id(1), spec()),
			Error::<Test>::InsufficientDeposit
		);
	});
}

#[test]
fn register_requires_a_signed_origin() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::register(RuntimeOrigin::root(), model_id(1), spec()),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Models::register(RuntimeOrigin::none(), model_id(1), spec()),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}
