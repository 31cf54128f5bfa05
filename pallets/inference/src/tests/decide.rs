//! The pure decision and pro-rata arithmetic.

use crate::{
	settlement::{decide, pro_rata, Decision},
	FailureReason,
};
use sp_runtime::Perbill;
use verity_primitives::contract::NumericalContract;

fn fixed(v: &[i32]) -> Vec<u8> {
	v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

const EPS2: NumericalContract = NumericalContract::Tolerance { eps: 2 };
const HALF: Perbill = Perbill::from_percent(51);

#[test]
fn no_reveals() {
	assert_eq!(decide::<u64>(&EPS2, &[], HALF, 100), Decision::Failed(FailureReason::NoReveals));
}

#[test]
fn largest_group_wins_with_its_first_anchor() {
	let (a, b, c) = (fixed(&[0]), fixed(&[1]), fixed(&[9]));
	let revealed = [(0, &a[..], 10u64), (1, &b[..], 20), (2, &c[..], 25)];
	assert_eq!(
		decide(&EPS2, &revealed, HALF, 55),
		Decision::Winner { anchor: 0, members: 0b011, stake: 30 }
	);
}

#[test]
fn quorum_is_rounded_up() {
	let a = fixed(&[0]);
	// 51% of 100 is 51: 51 is enough, 50 is not.
	assert!(matches!(
		decide(&EPS2, &[(0, &a[..], 51u64)], HALF, 100),
		Decision::Winner { stake: 51, .. }
	));
	assert_eq!(
		decide(&EPS2, &[(0, &a[..], 50u64)], HALF, 100),
		Decision::Failed(FailureReason::QuorumNotReached)
	);
	// 51% of 3 is 1.53: rounded up to 2.
	assert_eq!(
		decide(&EPS2, &[(0, &a[..], 1u64)], HALF, 3),
		Decision::Failed(FailureReason::QuorumNotReached)
	);
}

#[test]
fn non_transitive_groups_and_ties() {
	let outs: Vec<Vec<u8>> = [0, 2, 4, 6].iter().map(|v| fixed(&[*v])).collect();
	let revealed: Vec<_> = outs.iter().enumerate().map(|(i, o)| (i, &o[..], 1u64)).collect();
	// {0,1,2} and {1,2,3} both hold 3 of 4.
	assert_eq!(decide(&EPS2, &revealed, HALF, 4), Decision::Failed(FailureReason::Tie));
	// With three, the middle one's group holds all.
	assert_eq!(
		decide(&EPS2, &revealed[..3], HALF, 3),
		Decision::Winner { anchor: 1, members: 0b111, stake: 3 }
	);
}

#[test]
fn identical_groups_are_not_a_tie() {
	let (a, b) = (fixed(&[0]), fixed(&[1]));
	let revealed = [(0, &a[..], 5u64), (1, &b[..], 5)];
	assert_eq!(
		decide(&EPS2, &revealed, HALF, 10),
		Decision::Winner { anchor: 0, members: 0b11, stake: 10 }
	);
}

#[test]
fn a_tie_below_quorum_reports_the_quorum() {
	let (a, b) = (fixed(&[0]), fixed(&[9]));
	let revealed = [(0, &a[..], 5u64), (1, &b[..], 5)];
	assert_eq!(
		decide(&EPS2, &revealed, HALF, 10),
		Decision::Failed(FailureReason::QuorumNotReached)
	);
}

#[test]
fn malformed_outputs_form_no_group() {
	let bad = [1u8, 2, 3];
	let revealed = [(0, &bad[..], 5u64), (1, &bad[..], 5)];
	assert_eq!(
		decide(&EPS2, &revealed, HALF, 10),
		Decision::Failed(FailureReason::QuorumNotReached)
	);
}

#[test]
fn seats_up_to_31_fit_the_mask() {
	let o = fixed(&[0]);
	let revealed: Vec<_> = (0..32).map(|i| (i, &o[..], 1u64)).collect();
	assert_eq!(
		decide(&EPS2, &revealed, HALF, 32),
		Decision::Winner { anchor: 0, members: u32::MAX, stake: 32 }
	);
}

#[test]
fn pro_rata_rounds_down_without_overflow() {
	assert_eq!(pro_rata(270u64, 100, 700), 38);
	assert_eq!(pro_rata(u128::MAX, u128::MAX, u128::MAX), u128::MAX);
	assert_eq!(pro_rata(u128::MAX, 1, 2), u128::MAX / 2);
	assert_eq!(pro_rata(10u64, 1, 0), 0);
}
