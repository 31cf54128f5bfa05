//! Signers: sr25519 key pairs from secret URIs.

use std::str::FromStr;

use subxt_signer::{sr25519::Keypair, SecretUri};

use crate::{error::ClientError, AccountId};

/// The signer the SDK signs transactions with.
pub type Signer = Keypair;

/// An sr25519 key pair from a secret URI: a dev account (`//Alice`, `//Bob//stash`), a BIP-39
/// mnemonic with optional derivations and `///password`, or a `0x` 32-byte seed. The error never
/// repeats the secret.
pub fn signer_from_suri(suri: &str) -> Result<Signer, ClientError> {
	let suri = suri.trim();
	if suri.is_empty() {
		return Err(ClientError::BadSuri("it is empty".into()));
	}
	let uri = SecretUri::from_str(suri).map_err(|e| ClientError::BadSuri(e.to_string()))?;
	Keypair::from_uri(&uri).map_err(|e| ClientError::BadSuri(e.to_string()))
}

/// The account a signer signs for.
pub fn account_of(signer: &Signer) -> AccountId {
	signer.public_key().to_account_id()
}
