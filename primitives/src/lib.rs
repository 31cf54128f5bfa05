//! Types shared by the Verity runtime, its pallets, the node and the client.
//!
//! Nothing here knows about candle or about any one pallet's storage: these are the words every
//! part of the chain agrees on (accounts, balances, blocks, the native token).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod contract;
pub mod host;
pub mod infr;
pub mod operators;

pub use host::inference;

use sp_runtime::{
	traits::{IdentifyAccount, Verify},
	MultiSignature,
};

/// A transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;

/// An account id: the public key behind a [`Signature`].
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// A balance of the native token, in its smallest unit (see [`token`]).
pub type Balance = u128;

/// A block number.
pub type BlockNumber = u32;

/// Per-account transaction counter.
pub type Nonce = u32;

/// A block or state hash.
pub type Hash = sp_core::H256;

/// A registered model: the digest of the engine's model manifest (which pins the weights'
/// sha256), so the id names exactly one set of weights and configuration.
pub type ModelId = sp_core::H256;

/// An inference job, numbered from zero in submission order.
pub type JobId = u64;

/// The native token: shown by wallets through the chain spec's properties.
pub mod token {
	use super::Balance;

	/// Ticker shown by wallets.
	pub const SYMBOL: &str = "VRT";
	/// Decimal places: one VRT is `10^DECIMALS` units.
	pub const DECIMALS: u8 = 12;
	/// One VRT in units.
	pub const UNIT: Balance = 1_000_000_000_000;
	/// One thousandth of a VRT.
	pub const MILLI_UNIT: Balance = UNIT / 1_000;
	/// One millionth of a VRT.
	pub const MICRO_UNIT: Balance = UNIT / 1_000_000;
	/// SS58 address prefix. 42 is the generic Substrate prefix, so every wallet renders addresses
	/// without a registry entry; a dedicated prefix comes with a public network.
	pub const SS58_PREFIX: u16 = 42;
}
