//! Drawing the operators of a job: `k` distinct operators serving the model, each draw
//! weighted by stake, from a seed the submitter cannot choose.
//!
//! ## The seed and its limits
//!
//! `seed = blake2_256(("verity/assign", job_id, Randomness::random("verity/assign")))`.
//! The submitter picks neither the job id (a counter) nor the randomness. How unpredictable
//! the draw is depends on the runtime's `Randomness`: with a parent-hash based source (e.g.
//! `pallet-insecure-randomness-collective-flip` or [`crate::ParentHashRandomness`]) a submitter
//! who watches the chain can *predict* the draw for the next block and hold back a job until a
//! favourable block comes, and a block author can choose whether to include a job. It cannot
//! pick the operators outright, and every such attempt costs it time. A VRF-based source
//! (BABE, or a future Aura VRF) removes the prediction; the pallet needs no change for it.

use alloc::vec::Vec;
use codec::Encode;
use sp_runtime::traits::{UniqueSaturatedInto, Zero};

/// Draw `k` distinct operators from `candidates` (`(operator, stake)`), each draw weighted by
/// stake among the operators not drawn yet. Candidates with zero stake are never drawn, and a
/// candidate listed twice is drawn at most once. Returns `None` when fewer than `k` distinct
/// candidates have stake.
pub fn draw<AccountId: PartialEq, Balance: Copy + Zero + UniqueSaturatedInto<u128>>(
	mut candidates: Vec<(AccountId, Balance)>,
	k: usize,
	seed: &[u8; 32],
) -> Option<Vec<(AccountId, Balance)>> {
	candidates.retain(|(_, stake)| !stake.is_zero());
	let mut drawn = Vec::with_capacity(k);
	for round in 0..k {
		let total = candidates
			.iter()
			.fold(0u128, |acc, (_, stake)| acc.saturating_add((*stake).unique_saturated_into()));
		if total == 0 {
			return None;
		}
		let point = random_below(seed, round, total);
		let mut cumulative = 0u128;
		let index = candidates.iter().position(|(_, stake)| {
			cumulative = cumulative.saturating_add((*stake).unique_saturated_into());
			point < cumulative
		})?;
		let chosen = candidates.swap_remove(index);
		candidates.retain(|(operator, _)| operator != &chosen.0);
		drawn.push(chosen);
	}
	Some(drawn)
}

/// A number in `0..bound` derived from `seed` and `round` (`bound > 0`). The modulo bias is
/// below `bound / 2^128`, negligible for any realistic total stake.
fn random_below(seed: &[u8; 32], round: usize, bound: u128) -> u128 {
	let digest = (seed, round as u64).using_encoded(sp_io::hashing::blake2_256);
	let word = digest.get(..16).and_then(|w| <[u8; 16]>::try_from(w).ok()).unwrap_or_default();
	u128::from_le_bytes(word).checked_rem(bound).unwrap_or_default()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn draws_distinct_operators_with_stake() {
		let candidates = vec![(1u64, 10u64), (2, 0), (3, 10), (1, 10), (4, 10)];
		for s in 0..50u8 {
			let drawn = draw(candidates.clone(), 3, &[s; 32]).unwrap();
			let mut ids: Vec<_> = drawn.iter().map(|(a, _)| *a).collect();
			ids.sort();
			assert_eq!(ids, vec![1, 3, 4]);
		}
		assert_eq!(draw(candidates, 4, &[0; 32]), None);
	}

	#[test]
	fn is_deterministic_and_depends_on_the_seed() {
		let candidates: Vec<(u64, u64)> = (0..20).map(|i| (i, 100)).collect();
		let a = draw(candidates.clone(), 5, &[1; 32]).unwrap();
		assert_eq!(a, draw(candidates.clone(), 5, &[1; 32]).unwrap());
		assert_ne!(a, draw(candidates, 5, &[2; 32]).unwrap());
	}

	#[test]
	fn weights_draws_by_stake() {
		// Operator 1 holds 90% of the stake: it should win most single draws.
		let candidates = vec![(1u64, 900u64), (2, 50), (3, 50)];
		let wins = (0..=255u8)
			.filter(|s| draw(candidates.clone(), 1, &[*s; 32]).unwrap()[0].0 == 1)
			.count();
		assert!(wins > 200 && wins < 256, "operator 1 won {wins} of 256 draws");
	}
}
