//! The subxt configuration of the Verity chain.

use subxt::config::{
	substrate::{BlakeTwo256, SubstrateConfig, SubstrateHeader},
	Config, DefaultTransactionExtensions, HashFor,
};
use subxt::utils::{AccountId32, MultiAddress, MultiSignature, H256};

/// The Verity chain's types, as `runtime/src/lib.rs` declares them: `AccountId32` accounts
/// behind `MultiSignature` (the client signs sr25519), `MultiAddress<AccountId, ()>` addresses
/// (no account indices), blake2-256 hashes, `u32` block numbers (compact in headers), `u128`
/// balances.
///
/// The runtime's transaction extensions are `AuthorizeCall, CheckNonZeroSender,
/// CheckSpecVersion, CheckTxVersion, CheckGenesis, CheckEra, CheckNonce, CheckWeight,
/// ChargeTransactionPayment, CheckMetadataHash, WeightReclaim`. subxt's default extensions cover
/// every one that carries data (spec and transaction version, genesis, era, nonce, tip,
/// metadata-hash mode); the rest encode to nothing and are skipped by encoding from the
/// metadata. `CheckMetadataHash` is sent in its `Disabled` mode (no hash), which the runtime
/// accepts: the hash exists for offline signers that cannot read metadata, and this client reads
/// the metadata from the node it signs for.
#[derive(Debug, Clone, Default)]
pub struct VerityConfig(SubstrateConfig);

impl Config for VerityConfig {
	type AccountId = AccountId32;
	type Address = MultiAddress<AccountId32, ()>;
	type Signature = MultiSignature;
	type Hasher = BlakeTwo256;
	type Header = SubstrateHeader<H256>;
	type TransactionExtensions = DefaultTransactionExtensions<Self>;
	type AssetId = u32;

	fn genesis_hash(&self) -> Option<HashFor<Self>> {
		self.0.genesis_hash()
	}

	fn spec_and_transaction_version_for_block_number(
		&self,
		block_number: u64,
	) -> Option<(u32, u32)> {
		self.0.spec_and_transaction_version_for_block_number(block_number)
	}

	fn metadata_for_spec_version(&self, spec_version: u32) -> Option<subxt::ArcMetadata> {
		self.0.metadata_for_spec_version(spec_version)
	}

	fn set_metadata_for_spec_version(&self, spec_version: u32, metadata: subxt::ArcMetadata) {
		self.0.set_metadata_for_spec_version(spec_version, metadata)
	}
}
