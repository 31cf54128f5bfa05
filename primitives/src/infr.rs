//! The `infr` session key: the key an operator's off-chain worker signs inference results with.
//!
//! It is the third session key next to aura and grandpa: operators set all three with
//! `session.set_keys`, and pallet-session's `KeyOwner` storage maps an `infr` public key back to
//! its operator (`pallet_session::Pallet::<Runtime>::key_owner(INFR, public.as_ref())`).

/// The key type of the `infr` session key.
pub const INFR: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"infr");

mod app {
	use sp_application_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::INFR);
}

/// An `infr` public key (sr25519).
pub type Public = app::Public;
/// A signature by an `infr` key.
pub type Signature = app::Signature;
/// An `infr` key pair (std only: the node's keystore holds the secret).
#[cfg(feature = "std")]
pub type Pair = app::Pair;

/// Who set an `infr` key: maps the key an off-chain worker signs with to its operator.
///
/// The runtime answers from pallet-session's key ownership (`session.set_keys` records it, and
/// refuses a key another account already owns).
pub trait KeyOwner<AccountId> {
	/// The operator that set `key` as its `infr` session key.
	fn owner_of(key: &Public) -> Option<AccountId>;

	/// Records `owner` as the owner of `key`, for benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn set_owner(key: &Public, owner: &AccountId);
}
