//! `register`: derived ids, every bound of the spec and the deposit.

use crate::{
	mock::*, model_id, Architecture, Error, Event, HoldReason, ModelSpec, ModelStatus,
	Models as ModelsMap,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use sp_runtime::Perbill;
use verity_primitives::contract::NumericalContract;

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &who)
}

fn other() -> Architecture {
	Architecture::Other(b"resnet".to_vec().try_into().unwrap())
}

#[test]
fn register_holds_deposit_and_stores_model() {
	ExtBuilder::build_and_execute(|| {
		assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), manifest(1), spec()));
		let info = ModelsMap::<Test>::get(id(1)).unwrap();
		assert_eq!(info.manifest, manifest(1));
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
				model: id(1),
				manifest: manifest(1),
				owner: ALICE,
				price: 10,
				contract: NumericalContract::Tolerance { eps: 3 },
				deposit: DEPOSIT,
			}
		);
	});
}

#[test]
fn the_id_is_derived_from_manifest_and_spec() {
	ExtBuilder::build_and_execute(|| {
		// The id is not the manifest, and changes with any field of the spec.
		assert_ne!(id(1), manifest(1));
		assert_ne!(id(1), id(2));
		assert_ne!(id(1), model_id(&manifest(1), &ModelSpec { price: 11, ..spec() }));
		assert_ne!(id(1), model_id(&manifest(1), &ModelSpec { compute_blocks: 3, ..spec() }));
		// The same manifest under two specs: two models.
		assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), manifest(1), spec()));
		let cheaper = ModelSpec { price: 5, ..spec() };
		assert_ok!(Models::register(RuntimeOrigin::signed(BOB), manifest(1), cheaper.clone()));
		let cheaper_id = model_id(&manifest(1), &cheaper);
		assert_eq!(ModelsMap::<Test>::get(cheaper_id).unwrap().owner, BOB);
		assert_eq!(ModelsMap::<Test>::get(id(1)).unwrap().owner, ALICE);
		// The id binds the spec as registered: a later price change keeps it.
		assert_ok!(Models::update_price(RuntimeOrigin::signed(ALICE), id(1), 42));
		assert!(ModelsMap::<Test>::contains_key(id(1)));
	});
}

#[test]
fn register_accepts_every_architecture_with_a_fitting_contract() {
	ExtBuilder::build_and_execute(|| {
		let eps = NumericalContract::Tolerance { eps: 1 };
		let max_eps = NumericalContract::Tolerance { eps: MaxToleranceEps::get() };
		let pairs = [
			(Architecture::Mlp, NumericalContract::Exact),
			(Architecture::Mlp, max_eps),
			(Architecture::BertEmbedding, eps),
			(Architecture::BertEmbedding, NumericalContract::Exact),
			(Architecture::LlamaGguf, NumericalContract::TokenMatch),
			(other(), NumericalContract::Exact),
			(other(), NumericalContract::TokenMatch),
			(other(), max_eps),
		];
		let count = pairs.len() as u64;
		for (architecture, contract) in pairs {
			let spec = ModelSpec { architecture, contract, ..spec() };
			assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), manifest(1), spec));
		}
		assert_eq!(held(ALICE), count * DEPOSIT);
	});
}

#[test]
fn register_accepts_the_bounds_themselves() {
	ExtBuilder::build_and_execute(|| {
		let spec = ModelSpec {
			max_input_len: MaxInputLen::get(),
			max_output_len: MaxOutputLen::get(),
			price: MIN_PRICE,
			replication: MaxReplication::get(),
			quorum: MinQuorum::get(),
			contract: NumericalContract::Tolerance { eps: MaxToleranceEps::get() },
			royalty: MaxRoyalty::get(),
			compute_blocks: MaxComputeBlocks::get(),
			..spec()
		};
		assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), manifest(1), spec.clone()));
		let spec = ModelSpec {
			max_input_len: 1,
			max_output_len: 1,
			replication: 1,
			quorum: Perbill::one(),
			contract: NumericalContract::Tolerance { eps: 1 },
			royalty: Perbill::zero(),
			compute_blocks: 0,
			..spec
		};
		assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), manifest(1), spec));
	});
}

#[test]
fn register_rejects_the_exact_same_manifest_and_spec() {
	ExtBuilder::build_and_execute(|| {
		assert_ok!(Models::register(RuntimeOrigin::signed(ALICE), manifest(1), spec()));
		assert_noop!(
			Models::register(RuntimeOrigin::signed(BOB), manifest(1), spec()),
			Error::<Test>::ModelAlreadyRegistered
		);
		assert_noop!(
			Models::register(RuntimeOrigin::signed(ALICE), manifest(1), spec()),
			Error::<Test>::ModelAlreadyRegistered
		);
	});
}

#[test]
fn register_rejects_out_of_bounds_specs() {
	ExtBuilder::build_and_execute(|| {
		let tolerance = |eps| NumericalContract::Tolerance { eps };
		let cases = [
			(ModelSpec { max_input_len: 0, ..spec() }, Error::<Test>::InvalidInputLimit),
			(
				ModelSpec { max_input_len: MaxInputLen::get() + 1, ..spec() },
				Error::<Test>::InvalidInputLimit,
			),
			(ModelSpec { max_output_len: 0, ..spec() }, Error::<Test>::InvalidOutputLimit),
			(
				ModelSpec { max_output_len: MaxOutputLen::get() + 1, ..spec() },
				Error::<Test>::InvalidOutputLimit,
			),
			(ModelSpec { price: MIN_PRICE - 1, ..spec() }, Error::<Test>::PriceTooLow),
			(ModelSpec { replication: 0, ..spec() }, Error::<Test>::InvalidReplication),
			(
				ModelSpec { replication: MaxReplication::get() + 1, ..spec() },
				Error::<Test>::InvalidReplication,
			),
			(
				ModelSpec { quorum: Perbill::from_percent(50), ..spec() },
				Error::<Test>::QuorumTooLow,
			),
			(
				ModelSpec { royalty: Perbill::from_percent(31), ..spec() },
				Error::<Test>::RoyaltyTooHigh,
			),
			(ModelSpec { contract: tolerance(0), ..spec() }, Error::<Test>::ZeroTolerance),
			(
				ModelSpec { contract: tolerance(MaxToleranceEps::get() + 1), ..spec() },
				Error::<Test>::ToleranceTooLoose,
			),
			(
				ModelSpec { architecture: other(), contract: tolerance(u32::MAX), ..spec() },
				Error::<Test>::ToleranceTooLoose,
			),
			(
				ModelSpec { compute_blocks: MaxComputeBlocks::get() + 1, ..spec() },
				Error::<Test>::ComputeTooLong,
			),
		];
		for (spec, error) in cases {
			assert_noop!(Models::register(RuntimeOrigin::signed(ALICE), manifest(1), spec), error);
		}
	});
}

#[test]
fn register_rejects_a_contract_that_does_not_fit_the_architecture() {
	ExtBuilder::build_and_execute(|| {
		let pairs = [
			(Architecture::LlamaGguf, NumericalContract::Exact),
			(Architecture::LlamaGguf, NumericalContract::Tolerance { eps: 1 }),
			(Architecture::Mlp, NumericalContract::TokenMatch),
			(Architecture::BertEmbedding, NumericalContract::TokenMatch),
		];
		for (architecture, contract) in pairs {
			let spec = ModelSpec { architecture, contract, ..spec() };
			assert_noop!(
				Models::register(RuntimeOrigin::signed(ALICE), manifest(1), spec),
				Error::<Test>::ContractNotForArchitecture
			);
		}
	});
}

#[test]
fn register_requires_the_deposit() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::register(RuntimeOrigin::signed(POOR), manifest(1), spec()),
			Error::<Test>::InsufficientDeposit
		);
		assert_noop!(
			Models::register(RuntimeOrigin::signed(NOBODY), manifest(1), spec()),
			Error::<Test>::InsufficientDeposit
		);
	});
}

#[test]
fn register_requires_a_signed_origin() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			Models::register(RuntimeOrigin::root(), manifest(1), spec()),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Models::register(RuntimeOrigin::none(), manifest(1), spec()),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}
