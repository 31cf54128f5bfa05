//! The composed runtime: configuration the pallets cannot check alone, and settlement against
//! the real operators pallet (the inference pallet's own tests use a mock provider).

use crate::{
	genesis_config_presets, AccountId, Inference, Models, Operators, Runtime, RuntimeEvent,
	RuntimeGenesisConfig, RuntimeOrigin, System,
};
use frame_support::{
	assert_ok,
	traits::{fungible::InspectHold, Get, Hooks},
	BoundedVec,
};
use pallet_verity_models::{Architecture, ModelSpec};
use sp_keyring::Sr25519Keyring;
use sp_runtime::Perbill;
use verity_primitives::{
	contract::{commitment, NumericalContract},
	operators::{Offence, OperatorProvider},
	token, BlockNumber, JobId, ModelId,
};

/// Merges `patch` into `base`, as the node merges a preset into the default genesis.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// The `local_testnet` genesis: Alice, Bob and Charlie are bonded validators.
fn local_chain() -> sp_io::TestExternalities {
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut config, genesis_config_presets::local_config_genesis());
	let mut ext = sp_io::TestExternalities::new(Default::default());
	ext.execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<RuntimeGenesisConfig>(
			serde_json::to_vec(&config).expect("serializes"),
		)
		.expect("the local genesis builds");
	});
	ext
}

/// Starts block `n`: the hooks of the pallets under test.
fn start_block(n: BlockNumber) {
	System::set_block_number(n);
	Operators::on_initialize(n);
	Inference::on_initialize(n);
}

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

fn check_invariants() {
	Inference::do_try_state().expect("inference invariants");
	Operators::do_try_state().expect("operators invariants");
	Models::do_try_state().expect("models invariants");
}

#[test]
fn stake_that_votes_stays_slashable_past_every_job() {
	// A job's voters are drawn by active stake; unbonding it takes `UnbondingPeriod`, so it
	// must outlast the longest job plus the slash deferral.
	let max_job: BlockNumber = <Runtime as pallet_verity_inference::Config>::MaxJobDuration::get();
	let unbonding: BlockNumber =
		<Runtime as pallet_verity_operators::Config>::UnbondingPeriod::get();
	let deferral: BlockNumber =
		<Runtime as pallet_verity_operators::Config>::SlashDeferDuration::get();
	assert!(unbonding > max_job + deferral);
	assert!(max_job <= pallet_verity_operators::Pallet::<Runtime>::max_safe_job_duration());
}

#[test]
fn a_dissenter_is_slashed_by_the_real_operators_pallet_after_the_deferral() {
	local_chain().execute_with(|| {
		start_block(1);
		let validators =
			[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie].map(account);
		let spec = ModelSpec {
			architecture: Architecture::Mlp,
			max_input_len: 64,
			max_output_len: 64,
			price: token::MILLI_UNIT,
			replication: 3,
			quorum: Perbill::from_percent(51),
			contract: NumericalContract::Tolerance { eps: 10 },
			royalty: Perbill::zero(),
			compute_blocks: 0,
		};
		let manifest = ModelId::repeat_byte(7);
		let model = pallet_verity_models::model_id(&manifest, &spec);
		assert_ok!(Models::register(
			RuntimeOrigin::signed(account(Sr25519Keyring::Dave)),
			manifest,
			spec
		));
		for v in &validators {
			let models = BoundedVec::truncate_from(vec![model]);
			assert_ok!(Operators::set_models(RuntimeOrigin::signed(v.clone()), models));
		}
		let job: JobId = pallet_verity_inference::NextJobId::<Runtime>::get();
		assert_ok!(Inference::submit_job(
			RuntimeOrigin::signed(account(Sr25519Keyring::Eve)),
			model,
			BoundedVec::truncate_from(vec![1, 2, 3, 4]),
			token::UNIT,
			None,
			None,
			30,
		));
		start_block(2);
		let seats: Vec<AccountId> = pallet_verity_inference::Jobs::<Runtime>::get(job)
			.expect("open")
			.assignments
			.iter()
			.map(|a| a.operator.clone())
			.collect();
		assert_eq!(seats.len(), 3);
		let liar = seats[0].clone();
		let exposure = <Operators as OperatorProvider<_, _>>::stake_of(&liar);
		let output = |who: &AccountId| -> Vec<u8> {
			let v: i32 = if *who == liar { 5_000 } else { 100 };
			v.to_le_bytes().to_vec()
		};
		for (i, who) in seats.iter().enumerate() {
			let c = commitment(&output(who), &[i as u8; 32], &codec::Encode::encode(who));
			assert_ok!(Inference::commit(RuntimeOrigin::signed(who.clone()), job, c));
		}
		for (i, who) in seats.iter().enumerate() {
			assert_ok!(Inference::reveal(
				RuntimeOrigin::signed(who.clone()),
				job,
				BoundedVec::truncate_from(output(who)),
				[i as u8; 32],
			));
		}
		check_invariants();

		// Reported, not yet slashed.
		let (amount, apply_at) = System::events()
			.into_iter()
			.find_map(|r| match r.event {
				RuntimeEvent::Operators(pallet_verity_operators::Event::SlashReported {
					operator,
					offence: Offence::Dissent,
					amount,
					apply_at,
					..
				}) if operator == liar => Some((amount, apply_at)),
				_ => None,
			})
			.expect("the dissenter is reported");
		let dissent: Perbill = <Runtime as pallet_verity_inference::Config>::DissentSlash::get();
		assert_eq!(amount, dissent.mul_floor(exposure));
		assert_eq!(<Operators as OperatorProvider<_, _>>::stake_of(&liar), exposure);

		// Applied once the deferral is over.
		start_block(apply_at);
		assert_eq!(<Operators as OperatorProvider<_, _>>::stake_of(&liar), exposure - amount);
		check_invariants();
		let held = crate::Balances::balance_on_hold(
			&pallet_verity_operators::HoldReason::OperatorBond.into(),
			&liar,
		);
		assert!(held >= exposure - amount);
	});
}
