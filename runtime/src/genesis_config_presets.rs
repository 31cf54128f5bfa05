//! Genesis presets: the `dev` and `local` chain states the node's chain specs are built from.
//!
//! - `dev`: Alice alone authors and finalizes blocks; for one-node development.
//! - `local`: Alice, Bob and Charlie validate; for the three-node local testnet.
//!
//! In both, the validators are bonded operators with session keys, the well-known development
//! accounts are endowed, and Alice is sudo.

use crate::{
	opaque::SessionKeys, token::UNIT, AccountId, Balance, BalancesConfig, InferenceConfig,
	OperatorsConfig, RuntimeGenesisConfig, SessionConfig, SudoConfig,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::Perbill;

/// What each endowed development account starts with: one million VRT.
pub const ENDOWMENT: Balance = 1_000_000 * UNIT;

/// Each genesis validator's own bond as an operator.
pub const VALIDATOR_SELF_BOND: Balance = 100_000 * UNIT;

/// Each genesis validator's commission on inference rewards.
pub const VALIDATOR_COMMISSION: Perbill = Perbill::from_percent(10);

/// Preset id of the three-validator local testnet.
pub const LOCAL_TESTNET_RUNTIME_PRESET: &str = "local_testnet";

fn genesis(validators: Vec<Validator>, endowed_accounts: Vec<AccountId>, root: AccountId) -> Value {
	// One validator can fill one seat only: the dev chain lets a job have a single seat, every
	// network of several validators keeps the pallet's default of two.
	let min_replication = if validators.len() == 1 { 1 } else { 0 };
	build_struct_json_patch!(RuntimeGenesisConfig {
		inference: InferenceConfig { min_replication },
		balances: BalancesConfig {
			balances: endowed_accounts
				.iter()
				.cloned()
				.map(|account| (account, ENDOWMENT))
				.collect::<Vec<_>>(),
		},
		// Aura and GRANDPA take their authorities from the session, which takes them from the
		// operators' stake: the validators start as bonded operators with session keys.
		operators: OperatorsConfig {
			operators: validators
				.iter()
				.map(|v| (v.account.clone(), VALIDATOR_SELF_BOND, VALIDATOR_COMMISSION, Vec::new()))
				.collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: validators
				.iter()
				.map(|v| (v.account.clone(), v.account.clone(), v.keys.clone()))
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
	})
}

/// A genesis validator: its account and session keys.
struct Validator {
	account: AccountId,
	keys: SessionKeys,
}

/// A validator with the keys of a well-known development seed (`//Alice`, ...): sr25519 for
/// Aura and `infr`, ed25519 for GRANDPA; what `verity-node --alice` puts in its keystore.
fn validator(sr: Sr25519Keyring, ed: Ed25519Keyring) -> Validator {
	Validator {
		account: sr.to_account_id(),
		keys: SessionKeys {
			aura: sr.public().into(),
			grandpa: ed.public().into(),
			infr: sr.public().into(),
		},
	}
}

/// The well-known development accounts (Alice to Ferdie and their stash accounts).
fn development_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter().map(|k| k.to_account_id()).collect()
}

/// `dev`: Alice alone validates.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		development_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// `local_testnet`: Alice, Bob and Charlie validate.
pub fn local_config_genesis() -> Value {
	genesis(
		vec![
			validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		development_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The JSON patch of the named preset, if it exists.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work; qed")
			.into_bytes(),
	)
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
