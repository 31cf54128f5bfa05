//! Attacks on the registry (finding M4 of the 2026-12-01 security review), each written as an
//! attacker would try it, asserting that it now fails or gains nothing.

use crate::{
	mock::*, model_id, Architecture, Error, Event, HoldReason, ModelRegistry, ModelSpec,
	ModelStatus, Models as ModelsMap,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use sp_runtime::{DispatchError, Perbill};
use verity_primitives::{contract::NumericalContract, ModelId};

/// The attacker.
const MALLORY: AccountId = BOB;
/// The honest publisher of the popular model.
const HONEST: AccountId = ALICE;
/// The manifest everyone wants to run.
const POPULAR: u8 = 7;

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &who)
}

/// The popular model's honest spec: an embedding model with a tight tolerance.
fn honest_spec() -> ModelSpec<Balance> {
	ModelSpec {
		architecture: Architecture::BertEmbedding,
		contract: NumericalContract::Tolerance { eps: 100 },
		royalty: Perbill::from_percent(5),
		..spec()
	}
}

/// The squatter's spec, as loose as the bounds allow: the largest royalty and tolerance.
fn squatter_spec() -> ModelSpec<Balance> {
	ModelSpec {
		royalty: Perbill::from_percent(30),
		contract: NumericalContract::Tolerance { eps: MaxToleranceEps::get() },
		..honest_spec()
	}
}

/// Mallory registers the popular manifest first, under her in-bounds bad spec.
fn squat() -> ModelId {
	assert_ok!(Models::register(
		RuntimeOrigin::signed(MALLORY),
		manifest(POPULAR),
		squatter_spec()
	));
	model_id(&manifest(POPULAR), &squatter_spec())
}

#[test]
fn squatting_a_popular_manifest_with_unbounded_tolerance_is_rejected() {
	ExtBuilder::build_and_execute(|| {
		// `eps = u32::MAX` would make every well-formed output agree with every other.
		let spec = ModelSpec {
			royalty: Perbill::from_percent(30),
			contract: NumericalContract::Tolerance { eps: u32::MAX },
			..honest_spec()
		};
		assert_noop!(
			Models::register(RuntimeOrigin::signed(MALLORY), manifest(POPULAR), spec),
			Error::<Test>::ToleranceTooLoose
		);
	});
}

#[test]
fn squatting_a_popular_manifest_takes_nobodys_id() {
	ExtBuilder::build_and_execute(|| {
		let squatted = squat();
		// The honest publisher registers the same weights afterwards, and gets its own id.
		assert_ok!(Models::register(
			RuntimeOrigin::signed(HONEST),
			manifest(POPULAR),
			honest_spec()
		));
		let honest = model_id(&manifest(POPULAR), &honest_spec());
		assert_ne!(squatted, honest);
		let info = ModelsMap::<Test>::get(honest).unwrap();
		assert_eq!(
			(info.owner, info.manifest, info.spec),
			(HONEST, manifest(POPULAR), honest_spec())
		);
		// Mallory's model says what it is: anyone choosing it sees its royalty and tolerance.
		let info = ModelsMap::<Test>::get(squatted).unwrap();
		assert_eq!((info.owner, info.spec), (MALLORY, squatter_spec()));
		// Mallory cannot register over the honest model either.
		assert_noop!(
			Models::register(RuntimeOrigin::signed(MALLORY), manifest(POPULAR), honest_spec()),
			Error::<Test>::ModelAlreadyRegistered
		);
	});
}

#[test]
fn squatting_first_under_the_honest_spec_gains_only_ownership_of_an_honest_model() {
	ExtBuilder::build_and_execute(|| {
		// Mallory front-runs the honest publisher with the very same (manifest, spec).
		assert_ok!(Models::register(
			RuntimeOrigin::signed(MALLORY),
			manifest(POPULAR),
			honest_spec()
		));
		assert_noop!(
			Models::register(RuntimeOrigin::signed(HONEST), manifest(POPULAR), honest_spec()),
			Error::<Test>::ModelAlreadyRegistered
		);
		// What she owns runs under the honest spec, and she cannot loosen it: only the price
		// can change, and the royalty, contract and limits stay as the honest publisher set them.
		let info = ModelsMap::<Test>::get(model_id(&manifest(POPULAR), &honest_spec())).unwrap();
		assert_eq!(info.spec, honest_spec());
	});
}

#[test]
fn exact_on_a_nondeterministic_generator_is_rejected() {
	ExtBuilder::build_and_execute(|| {
		// Byte equality of generated text across kernel profiles: every job would tie.
		let exact = ModelSpec {
			architecture: Architecture::LlamaGguf,
			contract: NumericalContract::Exact,
			..spec()
		};
		assert_noop!(
			Models::register(RuntimeOrigin::signed(MALLORY), manifest(POPULAR), exact),
			Error::<Test>::ContractNotForArchitecture
		);
		// A tolerance on token ids is as wrong.
		let tolerance = ModelSpec {
			architecture: Architecture::LlamaGguf,
			contract: NumericalContract::Tolerance { eps: 1 },
			..spec()
		};
		assert_noop!(
			Models::register(RuntimeOrigin::signed(MALLORY), manifest(POPULAR), tolerance),
			Error::<Test>::ContractNotForArchitecture
		);
	});
}

#[test]
fn token_match_on_an_embedding_model_is_rejected() {
	ExtBuilder::build_and_execute(|| {
		// Embeddings carry no token-id prefix: every output would be malformed.
		for architecture in [Architecture::BertEmbedding, Architecture::Mlp] {
			let spec =
				ModelSpec { architecture, contract: NumericalContract::TokenMatch, ..spec() };
			assert_noop!(
				Models::register(RuntimeOrigin::signed(MALLORY), manifest(POPULAR), spec),
				Error::<Test>::ContractNotForArchitecture
			);
		}
	});
}

#[test]
fn an_endless_compute_window_is_rejected() {
	ExtBuilder::build_and_execute(|| {
		// A huge `compute_blocks` would keep every job's fee in escrow, and its operators
		// assigned, for as long as the owner likes.
		for compute_blocks in [MaxComputeBlocks::get() + 1, u32::MAX] {
			let spec = ModelSpec { compute_blocks, ..honest_spec() };
			assert_noop!(
				Models::register(RuntimeOrigin::signed(MALLORY), manifest(POPULAR), spec),
				Error::<Test>::ComputeTooLong
			);
		}
	});
}

#[test]
fn root_force_deregisters_a_squatter_and_forfeits_its_deposit() {
	ExtBuilder::build_and_execute_burning(DEPOSIT, || {
		let squatted = squat();
		assert_ok!(Models::register(
			RuntimeOrigin::signed(HONEST),
			manifest(POPULAR),
			honest_spec()
		));
		assert_eq!(held(MALLORY), DEPOSIT);

		assert_ok!(Models::force_deregister(RuntimeOrigin::root(), squatted));
		assert!(!ModelsMap::<Test>::contains_key(squatted));
		assert_eq!(
			last_event(),
			Event::ModelForceDeregistered { model: squatted, owner: MALLORY, forfeited: DEPOSIT }
		);
		// The deposit is gone: not held, not returned.
		assert_eq!(held(MALLORY), 0);
		assert_eq!(Balances::free_balance(MALLORY), 1_000 - DEPOSIT);
		// The honest model is untouched.
		let honest = model_id(&manifest(POPULAR), &honest_spec());
		assert_eq!(ModelsMap::<Test>::get(honest).unwrap().owner, HONEST);
		assert_eq!(held(HONEST), DEPOSIT);
	});
}

#[test]
fn a_squatter_cannot_hand_off_the_deposit_before_root_acts() {
	ExtBuilder::build_and_execute_burning(DEPOSIT, || {
		let squatted = squat();
		// Mallory passes the model to an accomplice; the deposit stays held and is forfeited
		// from whoever owns the model.
		assert_ok!(Models::transfer_ownership(RuntimeOrigin::signed(MALLORY), squatted, POOR));
		assert_ok!(Models::force_deregister(RuntimeOrigin::root(), squatted));
		assert_eq!(
			last_event(),
			Event::ModelForceDeregistered { model: squatted, owner: POOR, forfeited: DEPOSIT }
		);
		assert_eq!(held(POOR), 0);
		assert_eq!(Balances::free_balance(POOR), 50);
		assert_eq!(Balances::free_balance(MALLORY), 1_000 - DEPOSIT);
	});
}

#[test]
fn only_root_can_force_deregister() {
	ExtBuilder::build_and_execute(|| {
		assert_ok!(Models::register(
			RuntimeOrigin::signed(HONEST),
			manifest(POPULAR),
			honest_spec()
		));
		let honest = model_id(&manifest(POPULAR), &honest_spec());
		// Mallory tries to have the honest model removed and its deposit burned.
		assert_noop!(
			Models::force_deregister(RuntimeOrigin::signed(MALLORY), honest),
			DispatchError::BadOrigin
		);
		// Not even its owner may use the forfeiting path.
		assert_noop!(
			Models::force_deregister(RuntimeOrigin::signed(HONEST), honest),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Models::force_deregister(RuntimeOrigin::none(), honest),
			DispatchError::BadOrigin
		);
		// Nor lock it.
		assert_noop!(
			Models::force_set_status(
				RuntimeOrigin::signed(MALLORY),
				honest,
				ModelStatus::Deprecated
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn force_deregister_is_refused_while_jobs_are_open() {
	ExtBuilder::build_and_execute_burning(DEPOSIT, || {
		let squatted = squat();
		// Mallory keeps a job open on her own model to make it irremovable.
		assert_ok!(<Models as ModelRegistry<_, _>>::job_opened(&squatted));
		assert_noop!(
			Models::force_deregister(RuntimeOrigin::root(), squatted),
			Error::<Test>::JobsOpen
		);
		// Root deprecates it by force: no new job, and Mallory can neither reactivate it nor
		// deregister it to get her deposit back once the job closes.
		assert_ok!(Models::force_set_status(
			RuntimeOrigin::root(),
			squatted,
			ModelStatus::Deprecated
		));
		assert_noop!(
			Models::set_status(RuntimeOrigin::signed(MALLORY), squatted, ModelStatus::Active),
			Error::<Test>::DeprecatedByForce
		);
		<Models as ModelRegistry<_, _>>::job_closed(&squatted);
		assert_noop!(
			Models::deregister(RuntimeOrigin::signed(MALLORY), squatted),
			Error::<Test>::DeprecatedByForce
		);
		// With the last job closed, root removes it and the deposit is forfeited.
		assert_ok!(Models::force_deregister(RuntimeOrigin::root(), squatted));
		assert!(!crate::ForceDeprecated::<Test>::contains_key(squatted));
		assert_eq!(held(MALLORY), 0);
		assert_eq!(Balances::free_balance(MALLORY), 1_000 - DEPOSIT);
	});
}
