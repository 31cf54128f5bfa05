//! Chain specifications: which genesis preset a `--chain` name means, and the token properties
//! wallets read from the spec.

use sc_service::{ChainType, Properties};
use verity_runtime::{genesis_config_presets::LOCAL_TESTNET_RUNTIME_PRESET, token, WASM_BINARY};

/// A chain spec with no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Names the chain's network protocols, so Verity nodes only peer with Verity nodes.
const PROTOCOL_ID: &str = "vrt";

/// The `--chain` names the node knows, beside paths to chain spec files.
pub const KNOWN_CHAINS: &str = "dev, local";

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"this verity-node was built without the wasm runtime (SKIP_WASM_BUILD): rebuild it without \
		 SKIP_WASM_BUILD, or pass --chain with a chain spec file"
			.to_string()
	})
}

/// Symbol, decimals and SS58 prefix, so polkadot.js Apps and other wallets show balances right.
fn token_properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), token::SYMBOL.into());
	properties.insert("tokenDecimals".into(), token::DECIMALS.into());
	properties.insert("ss58Format".into(), token::SS58_PREFIX.into());
	properties
}

/// A chain spec from one of the runtime's genesis presets.
fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_protocol_id(PROTOCOL_ID)
		.with_genesis_config_preset_name(preset)
		.with_properties(token_properties())
		.build())
}

/// One node, Alice authoring and finalizing.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"Verity Development",
		"verity_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// Three validators: Alice, Bob and Charlie.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"Verity Local Testnet",
		"verity_local",
		ChainType::Local,
		LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

/// Resolves a `--chain` argument: a known name or a path to a chain spec JSON file.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(match id {
		"dev" => Box::new(development_chain_spec()?),
		"" | "local" => Box::new(local_chain_spec()?),
		path => {
			let file = std::path::PathBuf::from(path);
			if !file.exists() {
				return Err(format!(
					"unknown chain `{path}`: expected one of {KNOWN_CHAINS} or the path of a chain \
					 spec JSON file"
				));
			}
			Box::new(
				ChainSpec::from_json_file(file)
					.map_err(|e| format!("cannot read chain spec `{path}`: {e}"))?,
			)
		}
	})
}
