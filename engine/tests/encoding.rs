//! Canonical output bytes, the run digest and the contract comparators.

use verity_engine::encoding::{decode_features, encode_features, to_fixed};
use verity_engine::{compare, run_digest, Contract, Digest, EngineError, Output, OutputKind};

#[test]
fn vector_bytes_are_plain_i32_le() {
	let out = Output::Vector { values: vec![1, -2, i32::MAX] };
	let bytes = out.to_bytes();
	let expected = [1i32.to_le_bytes(), (-2i32).to_le_bytes(), i32::MAX.to_le_bytes()].concat();
	assert_eq!(bytes, expected);
	assert_eq!(Output::from_bytes(OutputKind::Vector, &bytes).unwrap(), out);
	assert_eq!(
		Output::from_bytes(OutputKind::Vector, &[]).unwrap(),
		Output::Vector { values: vec![] }
	);
}

#[test]
fn generation_bytes_are_count_ids_then_text() {
	let out = Output::Generation { token_ids: vec![504, 3575], text: "Paris é".into() };
	let bytes = out.to_bytes();
	let mut expected = 2u32.to_le_bytes().to_vec();
	expected.extend_from_slice(&504u32.to_le_bytes());
	expected.extend_from_slice(&3575u32.to_le_bytes());
	expected.extend_from_slice("Paris é".as_bytes());
	assert_eq!(bytes, expected);
	assert_eq!(Output::from_bytes(OutputKind::Generation, &bytes).unwrap(), out);
}

#[test]
fn malformed_outputs_are_refused() {
	for bad in [vec![0u8], vec![1, 2, 3, 4, 5]] {
		assert!(
			matches!(
				Output::from_bytes(OutputKind::Vector, &bad),
				Err(EngineError::MalformedOutput(_))
			),
			"{bad:?}"
		);
	}
	for bad in [vec![], vec![1, 0, 0], vec![2, 0, 0, 0, 1, 0, 0, 0], vec![0, 0, 0, 0, 0xff]] {
		assert!(
			matches!(
				Output::from_bytes(OutputKind::Generation, &bad),
				Err(EngineError::MalformedOutput(_))
			),
			"{bad:?}"
		);
	}
}

#[test]
fn fixed_point_rounds_half_away_from_zero_and_checks_range() {
	assert_eq!(to_fixed(0.5e-8, 100_000_000).unwrap(), 1);
	assert_eq!(to_fixed(-0.5e-8, 100_000_000).unwrap(), -1);
	assert_eq!(to_fixed(0.123456789, 100_000_000).unwrap(), 12_345_679);
	assert!(matches!(to_fixed(22.0, 100_000_000), Err(EngineError::OutputOverflow { .. })));
	assert!(matches!(to_fixed(f64::NAN, 1), Err(EngineError::OutputOverflow { .. })));
	let input = encode_features(&[1.5, -0.25], 1000).unwrap();
	assert_eq!(input, [1500i32.to_le_bytes(), (-250i32).to_le_bytes()].concat());
	assert_eq!(decode_features(&input, 2, 1000, 64).unwrap(), vec![1.5, -0.25]);
}

#[test]
fn run_digest_is_the_documented_hash() {
	let model = Digest([1; 32]);
	let profile = Digest([2; 32]);
	let input = b"hi";
	let output = Output::Vector { values: vec![5] }.to_bytes();
	let mut preimage = b"verity-run-v1".to_vec();
	preimage.extend_from_slice(&[1; 32]);
	preimage.extend_from_slice(&[2; 32]);
	preimage.extend_from_slice(&2u32.to_le_bytes());
	preimage.extend_from_slice(input);
	preimage.extend_from_slice(&(output.len() as u32).to_le_bytes());
	preimage.extend_from_slice(&output);
	assert_eq!(run_digest(&model, &profile, input, &output), Digest::of(&preimage));
	assert_ne!(run_digest(&model, &profile, b"ho", &output), Digest::of(&preimage));
}

#[test]
fn comparators_follow_the_contract() {
	let a = Output::Vector { values: vec![100, -100, 0] };
	let b = Output::Vector { values: vec![103, -100, -2] };
	let v = compare(&Contract::Exact, &a, &a).unwrap();
	assert!(v.agree);
	assert!(!compare(&Contract::Exact, &a, &b).unwrap().agree);
	let v = compare(&Contract::Tolerance { eps: 3 }, &a, &b).unwrap();
	assert!(v.agree);
	assert_eq!(v.max_abs_diff, Some(3));
	assert!(!compare(&Contract::Tolerance { eps: 2 }, &a, &b).unwrap().agree);
	// Extremes do not overflow.
	let lo = Output::Vector { values: vec![i32::MIN] };
	let hi = Output::Vector { values: vec![i32::MAX] };
	assert_eq!(
		compare(&Contract::Tolerance { eps: 0 }, &lo, &hi).unwrap().max_abs_diff,
		Some(u32::MAX as u64)
	);

	let g = |ids: Vec<u32>, text: &str| Output::Generation { token_ids: ids, text: text.into() };
	let g1 = g(vec![1, 2, 3], "abc");
	// The text is informational: TokenMatch compares the ids only (as the runtime does).
	assert!(compare(&Contract::TokenMatch, &g1, &g(vec![1, 2, 3], "xyz")).unwrap().agree);
	assert!(!compare(&Contract::Exact, &g1, &g(vec![1, 2, 3], "xyz")).unwrap().agree);
	let v = compare(&Contract::TokenMatch, &g1, &g(vec![1, 9, 3], "abc")).unwrap();
	assert!(!v.agree);
	assert_eq!(v.first_token_mismatch, Some(1));
	let v = compare(&Contract::TokenMatch, &g1, &g(vec![1, 2], "ab")).unwrap();
	assert!(!v.agree);
	assert_eq!(v.first_token_mismatch, Some(2));

	for (c, x, y) in [
		(Contract::Exact, &a, &g1),
		(Contract::TokenMatch, &a, &b),
		(Contract::Tolerance { eps: 1 }, &g1, &g1),
	] {
		assert!(matches!(compare(&c, x, y), Err(EngineError::Incomparable(_))));
	}
	let short = Output::Vector { values: vec![1] };
	assert!(matches!(
		compare(&Contract::Tolerance { eps: 1 }, &a, &short),
		Err(EngineError::Incomparable(_))
	));
}

#[test]
fn contracts_parse_from_the_command_line_form() {
	assert_eq!("exact".parse::<Contract>().unwrap(), Contract::Exact);
	assert_eq!("token-match".parse::<Contract>().unwrap(), Contract::TokenMatch);
	assert_eq!("tolerance:1000".parse::<Contract>().unwrap(), Contract::Tolerance { eps: 1000 });
	assert!("tolerance:x".parse::<Contract>().is_err());
}
