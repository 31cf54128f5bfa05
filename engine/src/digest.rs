//! SHA-256 digests: the names of files, manifests (model ids), kernel profiles and runs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

/// A SHA-256 digest. Displayed and serialised as 64 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 32]);

impl Digest {
	/// The SHA-256 of `bytes`.
	pub fn of(bytes: &[u8]) -> Self {
		Digest(Sha256::digest(bytes).into())
	}

	/// The raw 32 bytes.
	pub fn as_bytes(&self) -> &[u8; 32] {
		&self.0
	}

	/// Lowercase hex, 64 characters.
	pub fn to_hex(&self) -> String {
		hex::encode(self.0)
	}
}

impl From<[u8; 32]> for Digest {
	fn from(bytes: [u8; 32]) -> Self {
		Digest(bytes)
	}
}

impl fmt::Display for Digest {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(&self.to_hex())
	}
}

impl fmt::Debug for Digest {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "Digest({})", self.to_hex())
	}
}

/// Error parsing a hex digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected 64 hex characters (a sha256 digest), got `{0}`")]
pub struct ParseDigestError(pub String);

impl FromStr for Digest {
	type Err = ParseDigestError;

	fn from_str(s: &str) -> Result<Self, Self::Err> {
		let s = s.strip_prefix("0x").unwrap_or(s);
		let mut out = [0u8; 32];
		hex::decode_to_slice(s, &mut out).map_err(|_| ParseDigestError(s.to_string()))?;
		Ok(Digest(out))
	}
}

impl Serialize for Digest {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&self.to_hex())
	}
}

impl<'de> Deserialize<'de> for Digest {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let s = String::deserialize(deserializer)?;
		s.parse().map_err(serde::de::Error::custom)
	}
}

/// An incremental SHA-256, for hashing files while copying them.
#[derive(Default)]
pub(crate) struct Hasher(Sha256);

impl Hasher {
	pub(crate) fn update(&mut self, bytes: &[u8]) {
		self.0.update(bytes);
	}

	pub(crate) fn finish(self) -> Digest {
		Digest(self.0.finalize().into())
	}
}
