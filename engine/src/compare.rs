//! Reference comparators for the numerical contract. The runtime implements the same rules in
//! its own integer arithmetic; these are the definition it is tested against.

use serde::Serialize;

use crate::encoding::Output;
use crate::error::{EngineError, Result};
use crate::manifest::Contract;

/// The result of comparing two outputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
	/// Whether the outputs agree under the contract.
	pub agree: bool,
	/// Largest absolute element-wise difference (vector outputs), in fixed-point units.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub max_abs_diff: Option<u64>,
	/// Index of the first differing token (generation outputs), if any.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub first_token_mismatch: Option<usize>,
}

/// Compares two canonical outputs under `contract`.
///
/// - `Exact`: the canonical bytes are equal.
/// - `Tolerance { eps }`: both are vectors of the same length and `max |a[i] - b[i]| <= eps`
///   (computed in i64).
/// - `TokenMatch`: both are generations with identical token ids (the text is a function of
///   the ids).
///
/// These are the rules of `verity_primitives::contract::NumericalContract::agrees` on the
/// canonical bytes, on parsed outputs.
///
/// Outputs of different kinds, or vectors of different lengths, are
/// [`EngineError::Incomparable`].
pub fn compare(contract: &Contract, a: &Output, b: &Output) -> Result<Verdict> {
	let mut verdict = Verdict { agree: false, max_abs_diff: None, first_token_mismatch: None };
	match (a, b) {
		(Output::Vector { values: va }, Output::Vector { values: vb }) => {
			if va.len() != vb.len() {
				return Err(EngineError::Incomparable(format!(
					"vectors of length {} and {}",
					va.len(),
					vb.len()
				)));
			}
			let max = va
				.iter()
				.zip(vb)
				.map(|(x, y)| (*x as i64 - *y as i64).unsigned_abs())
				.max()
				.unwrap_or(0);
			verdict.max_abs_diff = Some(max);
			verdict.agree = match contract {
				Contract::Exact => va == vb,
				Contract::Tolerance { eps } => max <= u64::from(*eps),
				Contract::TokenMatch => {
					return Err(EngineError::Incomparable(
						"TokenMatch compares generations, not vectors".into(),
					))
				}
			};
		}
		(Output::Generation { token_ids: ta, .. }, Output::Generation { token_ids: tb, .. }) => {
			verdict.first_token_mismatch = ta
				.iter()
				.zip(tb)
				.position(|(x, y)| x != y)
				.or_else(|| (ta.len() != tb.len()).then(|| ta.len().min(tb.len())));
			verdict.agree = match contract {
				Contract::Exact => a.to_bytes() == b.to_bytes(),
				Contract::TokenMatch => ta == tb,
				Contract::Tolerance { .. } => {
					return Err(EngineError::Incomparable(
						"Tolerance compares vectors, not generations".into(),
					))
				}
			};
		}
		_ => return Err(EngineError::Incomparable("a vector and a generation".into())),
	}
	Ok(verdict)
}
