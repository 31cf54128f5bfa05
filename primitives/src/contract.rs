//! The numerical contract: how the outputs of one model are compared on chain.
//!
//! Operators run a model natively and reveal its *canonical output bytes*. The runtime never
//! interprets floats: every comparison below is integer arithmetic on those bytes, so it is
//! deterministic on every validator whatever CPU produced the outputs.
//!
//! # Canonical output encodings
//!
//! The engine writes outputs in one of these encodings; the model's registered
//! [`NumericalContract`] says which one applies and how two outputs are compared.
//!
//! - [`NumericalContract::Exact`]: any bytes. Two outputs agree when they are byte-for-byte
//!   equal. Only sound for models run under the deterministic kernel profile.
//! - [`NumericalContract::Tolerance`]: a flat vector of fixed-point numbers, each a
//!   little-endian `i32` (4 bytes, no length prefix, no header). The scale (e.g. `1e-6`) is a
//!   property of the model, declared off chain in its manifest, and is not repeated in the
//!   output. Two outputs agree when they hold the same number of values and every pair differs
//!   by at most `eps` units: `max_i |a_i - b_i| <= eps`, computed in `i64`.
//! - [`NumericalContract::TokenMatch`]: generation outputs. The bytes begin with a token-id
//!   prefix, `n: u32` little-endian followed by `n` token ids, each a little-endian `u32`; any
//!   bytes after the prefix (e.g. the detokenised UTF-8 text) are informational and ignored.
//!   Two outputs agree when their prefixes (`4 + 4n` bytes) are byte-for-byte equal.
//!
//! # The rejected input
//!
//! An engine refuses some inputs deterministically (text that is not UTF-8, a prompt past the
//! model's context, a feature vector of the wrong length). Every honest operator then reveals
//! [`INPUT_REJECTED`], the empty output: it agrees with itself, and only with itself, under
//! every contract, so "the input was rejected" is an outcome the operators attest to and the
//! runtime settles like any other (the submitter pays; see the inference pallet).
//!
//! # The settled result
//!
//! Only what a winning group agreed on is settled, never one member's free bytes
//! ([`NumericalContract::settled_output`]): the common bytes under `Exact`, the token-id prefix
//! under `TokenMatch` (clients detokenise it themselves), and the element-wise median of the
//! group's vectors under `Tolerance`, which no single member can move outside the range of the
//! honest values.
//!
//! A malformed output (a `Tolerance` output whose length is not a multiple of 4, a `TokenMatch`
//! output shorter than its declared prefix) agrees with nothing, not even an identical copy of
//! itself, so a group of malformed outputs can never win a job.
//!
//! # Commitments
//!
//! An operator first commits to `blake2_256(output ‖ salt ‖ operator)` (see [`commitment`]),
//! then reveals `(output, salt)`. Binding the operator's account into the digest stops a lazy
//! operator from copying another operator's commitment and later replaying its reveal.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// How the revealed outputs of a model's jobs are compared. See the [module docs](self) for
/// the byte encodings each variant expects.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum NumericalContract {
	/// Byte equality of the canonical output.
	Exact,
	/// Little-endian `i32` fixed-point vectors of equal length, element-wise within `eps`.
	Tolerance {
		/// The largest accepted absolute difference, in fixed-point units of the model's scale.
		eps: u32,
	},
	/// Equal token-id prefixes (`u32` LE count, then that many `u32` LE ids).
	TokenMatch,
}

/// The output an operator reveals when the engine deterministically rejects the job's input:
/// the empty output. See the [module docs](self).
pub const INPUT_REJECTED: &[u8] = &[];

/// Whether `output` says the engine rejected the input.
pub fn is_input_rejected(output: &[u8]) -> bool {
	output == INPUT_REJECTED
}

impl NumericalContract {
	/// Whether outputs `a` and `b` agree under this contract.
	///
	/// Symmetric for every variant. Reflexive for well-formed outputs only. Not transitive for
	/// [`NumericalContract::Tolerance`]: `a ~ b` and `b ~ c` do not imply `a ~ c`.
	/// [`INPUT_REJECTED`] agrees with itself only.
	pub fn agrees(&self, a: &[u8], b: &[u8]) -> bool {
		if is_input_rejected(a) || is_input_rejected(b) {
			return is_input_rejected(a) && is_input_rejected(b);
		}
		match self {
			Self::Exact => a == b,
			Self::Tolerance { eps } => tolerance_agrees(a, b, *eps),
			Self::TokenMatch => match (token_prefix(a), token_prefix(b)) {
				(Some(pa), Some(pb)) => pa == pb,
				_ => false,
			},
		}
	}

	/// Whether `output` is well formed for this contract (see the [module docs](self)).
	pub fn is_well_formed(&self, output: &[u8]) -> bool {
		if is_input_rejected(output) {
			return true;
		}
		match self {
			Self::Exact => true,
			Self::Tolerance { .. } => output.len().is_multiple_of(4),
			Self::TokenMatch => token_prefix(output).is_some(),
		}
	}
}

impl NumericalContract {
	/// The result a group of agreeing outputs settles: their common bytes (`Exact`, and
	/// [`INPUT_REJECTED`] under every contract), the token-id prefix of the first (`TokenMatch`;
	/// the members agree on it, any trailing bytes are dropped), or the element-wise median of
	/// the fixed-point vectors (`Tolerance`; the lower median for an even count). `group` must
	/// hold outputs that agree under this contract; empty when it is empty.
	pub fn settled_output(&self, group: &[&[u8]]) -> alloc::vec::Vec<u8> {
		let Some(first) = group.first() else { return alloc::vec::Vec::new() };
		if is_input_rejected(first) {
			return alloc::vec::Vec::new();
		}
		match self {
			Self::Exact => first.to_vec(),
			Self::TokenMatch => token_prefix(first).unwrap_or_default().to_vec(),
			Self::Tolerance { .. } => median_vector(group),
		}
	}
}

/// The element-wise lower median of equal-length little-endian `i32` vectors.
fn median_vector(group: &[&[u8]]) -> alloc::vec::Vec<u8> {
	let len = group.first().map_or(0, |v| v.len());
	let values = len / 4;
	let mut out = alloc::vec::Vec::with_capacity(len);
	let mut column = alloc::vec::Vec::with_capacity(group.len());
	for i in 0..values {
		column.clear();
		column.extend(group.iter().filter_map(|v| {
			v.get(i * 4..i * 4 + 4)
				.and_then(|b| <[u8; 4]>::try_from(b).ok())
				.map(i32::from_le_bytes)
		}));
		column.sort_unstable();
		let median = column.get(column.len().saturating_sub(1) / 2).copied().unwrap_or_default();
		out.extend_from_slice(&median.to_le_bytes());
	}
	out
}

fn tolerance_agrees(a: &[u8], b: &[u8], eps: u32) -> bool {
	if a.len() != b.len() || !a.len().is_multiple_of(4) {
		return false;
	}
	let eps = i64::from(eps);
	a.chunks_exact(4).zip(b.chunks_exact(4)).all(|(x, y)| {
		match (<[u8; 4]>::try_from(x), <[u8; 4]>::try_from(y)) {
			(Ok(x), Ok(y)) => {
				let d = i64::from(i32::from_le_bytes(x)) - i64::from(i32::from_le_bytes(y));
				d.abs() <= eps
			}
			_ => false,
		}
	})
}

/// The token-id prefix of a [`NumericalContract::TokenMatch`] output: the count and the ids,
/// `4 + 4n` bytes; `None` when the output is shorter than the prefix it declares.
pub fn token_prefix(output: &[u8]) -> Option<&[u8]> {
	let count = output.get(..4).and_then(|c| <[u8; 4]>::try_from(c).ok())?;
	let n = usize::try_from(u32::from_le_bytes(count)).ok()?;
	let len = n.checked_mul(4)?.checked_add(4)?;
	output.get(..len)
}

/// The commitment an operator submits before revealing: `blake2_256(output ‖ salt ‖ operator)`,
/// where `output` is the raw canonical output bytes (no length prefix), `salt` the 32 secret
/// bytes later revealed with it, and `operator` the SCALE encoding of the operator's account id
/// (for a 32-byte `AccountId32`, its 32 raw bytes).
pub fn commitment(output: &[u8], salt: &[u8; 32], operator: &[u8]) -> [u8; 32] {
	let mut preimage = alloc::vec::Vec::with_capacity(
		output.len().saturating_add(salt.len()).saturating_add(operator.len()),
	);
	preimage.extend_from_slice(output);
	preimage.extend_from_slice(salt);
	preimage.extend_from_slice(operator);
	sp_crypto_hashing::blake2_256(&preimage)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn fixed(values: &[i32]) -> alloc::vec::Vec<u8> {
		values.iter().flat_map(|v| v.to_le_bytes()).collect()
	}

	fn tokens(ids: &[u32], text: &[u8]) -> alloc::vec::Vec<u8> {
		let mut out = (ids.len() as u32).to_le_bytes().to_vec();
		out.extend(ids.iter().flat_map(|v| v.to_le_bytes()));
		out.extend_from_slice(text);
		out
	}

	#[test]
	fn exact_is_byte_equality() {
		assert!(NumericalContract::Exact.agrees(b"abc", b"abc"));
		assert!(!NumericalContract::Exact.agrees(b"abc", b"abd"));
		assert!(!NumericalContract::Exact.agrees(b"abc", b"abcd"));
	}

	#[test]
	fn tolerance_compares_fixed_point_within_eps() {
		let c = NumericalContract::Tolerance { eps: 2 };
		assert!(c.agrees(&fixed(&[10, -5, i32::MAX]), &fixed(&[12, -7, i32::MAX - 1])));
		assert!(!c.agrees(&fixed(&[10, -5]), &fixed(&[13, -5])));
		// Extremes do not overflow.
		assert!(!c.agrees(&fixed(&[i32::MIN]), &fixed(&[i32::MAX])));
		// Lengths must match and be whole values.
		assert!(!c.agrees(&fixed(&[1, 2]), &fixed(&[1])));
		assert!(!c.agrees(&[1, 2, 3], &[1, 2, 3]));
		assert!(!c.is_well_formed(&[1, 2, 3]));
		// Not transitive.
		assert!(c.agrees(&fixed(&[0]), &fixed(&[2])) && c.agrees(&fixed(&[2]), &fixed(&[4])));
		assert!(!c.agrees(&fixed(&[0]), &fixed(&[4])));
	}

	#[test]
	fn token_match_ignores_trailing_text() {
		let c = NumericalContract::TokenMatch;
		assert!(c.agrees(&tokens(&[1, 2, 3], b"a b c"), &tokens(&[1, 2, 3], b"abc")));
		assert!(!c.agrees(&tokens(&[1, 2, 3], b""), &tokens(&[1, 2, 4], b"")));
		assert!(!c.agrees(&tokens(&[1, 2], b""), &tokens(&[1, 2, 3], b"")));
		// Declares three ids but carries two: malformed, agrees with nothing.
		let mut bad = tokens(&[1, 2], b"");
		bad[0] = 3;
		assert!(!c.agrees(&bad, &bad));
		assert!(!c.is_well_formed(&bad));
		assert!(!c.agrees(&[1, 0], &[1, 0]));
	}

	#[test]
	fn rejected_input_agrees_only_with_itself() {
		for c in [
			NumericalContract::Exact,
			NumericalContract::Tolerance { eps: u32::MAX },
			NumericalContract::TokenMatch,
		] {
			assert!(c.agrees(INPUT_REJECTED, INPUT_REJECTED));
			assert!(c.is_well_formed(INPUT_REJECTED));
			assert!(!c.agrees(INPUT_REJECTED, &tokens(&[], b"")));
			assert!(!c.agrees(&fixed(&[1]), INPUT_REJECTED));
			assert_eq!(c.settled_output(&[INPUT_REJECTED, INPUT_REJECTED]), INPUT_REJECTED);
		}
	}

	#[test]
	fn settled_token_output_drops_the_free_text() {
		let c = NumericalContract::TokenMatch;
		let honest = tokens(&[5, 6], b"hello");
		let forged = tokens(&[5, 6], b"visit evil.example");
		assert!(c.agrees(&honest, &forged));
		assert_eq!(c.settled_output(&[&forged, &honest]), tokens(&[5, 6], b""));
	}

	#[test]
	fn settled_tolerance_output_is_the_median() {
		let c = NumericalContract::Tolerance { eps: 10 };
		// One member pushes every value by +eps; the median stays with the honest values.
		let group = [fixed(&[100, -50]), fixed(&[101, -49]), fixed(&[110, -40])];
		let refs: alloc::vec::Vec<&[u8]> = group.iter().map(|v| v.as_slice()).collect();
		assert_eq!(c.settled_output(&refs), fixed(&[101, -49]));
		// Order does not matter; an even count takes the lower median.
		assert_eq!(c.settled_output(&[&group[2], &group[0]]), fixed(&[100, -50]));
	}

	#[test]
	fn commitment_binds_operator() {
		let salt = [7u8; 32];
		assert_eq!(commitment(b"out", &salt, &[1; 32]), commitment(b"out", &salt, &[1; 32]));
		assert_ne!(commitment(b"out", &salt, &[1; 32]), commitment(b"out", &salt, &[2; 32]));
		assert_ne!(commitment(b"out", &salt, &[1; 32]), commitment(b"ouu", &salt, &[1; 32]));
	}
}
