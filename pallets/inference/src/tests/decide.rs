//! The pure decision (one vote per seat) and pro-rata arithmetic.

use crate::{
	settlement::{decide, pro_rata, Decision},
	FailureReason,
};
use verity_primitives::contract::NumericalContract;

fn fixed(v: &[i32]) -> Vec<u8> {
	v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

const EPS2: NumericalContract = NumericalContract::Tolerance { eps: 2 };

#[test]
fn no_reveals() {
	assert_eq!(decide(&EPS2, &[], 2), Decision::Failed(FailureReason::NoReveals));
}

#[test]
fn largest_group_of_seats_wins() {
	let (a, b, c) = (fixed(&[0]), fixed(&[1]), fixed(&[9]));
	let revealed = [(0, &a[..]), (1, &b[..]), (2, &c[..])];
	assert_eq!(decide(&EPS2, &revealed, 2), Decision::Winner { members: 0b011 });
}

#[test]
fn needs_the_seats() {
	let a = fixed(&[0]);
	assert_eq!(decide(&EPS2, &[(0, &a[..])], 1), Decision::Winner { members: 0b1 });
	assert_eq!(decide(&EPS2, &[(0, &a[..])], 2), Decision::Failed(FailureReason::QuorumNotReached));
	// A zero requirement still needs one seat.
	assert_eq!(decide(&EPS2, &[(0, &a[..])], 0), Decision::Winner { members: 0b1 });
}

#[test]
fn non_transitive_groups_and_ties() {
	let outs: Vec<Vec<u8>> = [0, 2, 4, 6].iter().map(|v| fixed(&[*v])).collect();
	let revealed: Vec<_> = outs.iter().enumerate().map(|(i, o)| (i, &o[..])).collect();
	// {0,1,2} and {1,2,3} both hold 3 of 4.
	assert_eq!(decide(&EPS2, &revealed, 3), Decision::Failed(FailureReason::Tie));
	// With three, the middle one's group holds all.
	assert_eq!(decide(&EPS2, &revealed[..3], 2), Decision::Winner { members: 0b111 });
}

#[test]
fn identical_groups_are_not_a_tie() {
	let (a, b) = (fixed(&[0]), fixed(&[1]));
	let revealed = [(0, &a[..]), (1, &b[..])];
	assert_eq!(decide(&EPS2, &revealed, 2), Decision::Winner { members: 0b11 });
}

#[test]
fn a_tie_below_quorum_reports_the_quorum() {
	let (a, b) = (fixed(&[0]), fixed(&[9]));
	let revealed = [(0, &a[..]), (1, &b[..])];
	assert_eq!(decide(&EPS2, &revealed, 2), Decision::Failed(FailureReason::QuorumNotReached));
}

#[test]
fn malformed_outputs_form_no_group() {
	let bad = [1u8, 2, 3];
	let revealed = [(0, &bad[..]), (1, &bad[..])];
	assert_eq!(decide(&EPS2, &revealed, 1), Decision::Failed(FailureReason::QuorumNotReached));
}

#[test]
fn seats_up_to_31_fit_the_mask() {
	let o = fixed(&[0]);
	let revealed: Vec<_> = (0..32).map(|i| (i, &o[..])).collect();
	assert_eq!(decide(&EPS2, &revealed, 22), Decision::Winner { members: u32::MAX });
}

#[test]
fn pro_rata_rounds_down_without_overflow() {
	assert_eq!(pro_rata(270u64, 100, 700), 38);
	assert_eq!(pro_rata(u128::MAX, u128::MAX, u128::MAX), u128::MAX);
	assert_eq!(pro_rata(u128::MAX, 1, 2), u128::MAX / 2);
	assert_eq!(pro_rata(10u64, 1, 0), 0);
}
