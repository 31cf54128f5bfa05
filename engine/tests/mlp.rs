//! The committed risk-mlp: expected scores, an independent float64 forward pass, input errors.
//! Uses only the files in engine/models/risk-mlp (no fetch needed).

mod common;

use std::collections::HashMap;

use candle_core::Device;
use common::*;
use verity_engine::{EngineError, Output};

/// Applicants (features in config order) and their expected probability of default, in
/// fixed-point at scale 1e8, as the deterministic profile computes them.
const CASES: [([f64; 8], i32); 3] = [
	// age, income k$, debt/income, utilisation, late payments, history years, accounts, loan k$
	([45.0, 120.0, 0.10, 0.15, 0.0, 20.0, 4.0, 10.0], 153_874),
	([35.0, 60.0, 0.35, 0.45, 1.0, 8.0, 6.0, 25.0], 45_725_912),
	([23.0, 22.0, 0.75, 0.95, 5.0, 1.0, 12.0, 80.0], 99_969_375),
];

#[test]
fn expected_scores() {
	let (engine, id, _) = mlp_engine();
	let mut scores = Vec::new();
	for (x, expected) in CASES {
		let out = engine.run(id.as_bytes(), &features(&x)).unwrap();
		let Output::Vector { values } = out else { panic!("not a vector") };
		assert_eq!(values.len(), 1);
		scores.push(values[0]);
		assert_eq!(values[0], expected, "applicant {x:?}");
	}
	// And the scorer ranks them as a credit officer would.
	assert!(scores[0] < scores[1] && scores[1] < scores[2], "{scores:?}");
}

/// The same network evaluated in scalar float64 straight from the safetensors.
fn reference_forward(x: &[f64; 8]) -> f64 {
	let bytes = std::fs::read(risk_mlp_dir().join("model.safetensors")).unwrap();
	let t: HashMap<String, Vec<f64>> = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)
		.unwrap()
		.into_iter()
		.map(|(k, v)| {
			let v = v.flatten_all().unwrap().to_vec1::<f32>().unwrap();
			(k, v.into_iter().map(f64::from).collect())
		})
		.collect();
	let mut a: Vec<f64> = (0..8).map(|i| (x[i] - t["norm.mean"][i]) / t["norm.std"][i]).collect();
	for layer in 0..3 {
		let b = &t[&format!("layers.{layer}.bias")];
		let w = &t[&format!("layers.{layer}.weight")];
		let n_in = a.len();
		a = (0..b.len())
			.map(|o| {
				let z = b[o] + (0..n_in).map(|i| w[o * n_in + i] * a[i]).sum::<f64>();
				if layer < 2 {
					z.max(0.0)
				} else {
					z
				}
			})
			.collect();
	}
	1.0 / (1.0 + (-a[0]).exp())
}

#[test]
fn scores_match_an_independent_float64_forward_pass() {
	let (engine, id, _) = mlp_engine();
	for (x, _) in CASES {
		let out = engine.run(id.as_bytes(), &features(&x)).unwrap();
		let got = out.to_f64(100_000_000).unwrap()[0];
		let want = reference_forward(&x);
		assert!((got - want).abs() < 1e-6, "{x:?}: {got} vs {want}");
	}
}

#[test]
fn feature_input_errors_are_typed() {
	let (engine, id, _) = mlp_engine();
	// 7 features instead of 8.
	let err = engine.run(id.as_bytes(), &features(&[1.0; 7])).unwrap_err();
	assert!(matches!(err, EngineError::MalformedInput(_)), "{err}");
	// Not a whole number of i32s.
	let err = engine.run(id.as_bytes(), &[0u8; 33]).unwrap_err();
	assert!(matches!(err, EngineError::MalformedInput(_)), "{err}");
	// Over max_input_bytes (4096).
	let err = engine.run(id.as_bytes(), &vec![0u8; 4100]).unwrap_err();
	assert!(matches!(err, EngineError::InputTooLarge { len: 4100, max: 4096 }), "{err}");
	// A feature that does not fit an i32 at the scale cannot even be encoded.
	assert!(verity_engine::encoding::encode_features(&[1e9], 10_000).is_err());
}

#[test]
fn run_digest_and_verify() {
	let (engine, id, _) = mlp_engine();
	let input = features(&CASES[1].0);
	let r = engine.run_with_digest(id.as_bytes(), &input).unwrap();
	assert_eq!(r.output_bytes, r.output.to_bytes());
	let again = engine.run_with_digest(id.as_bytes(), &input).unwrap();
	assert_eq!(r.digest, again.digest);
	assert!(engine.verify(id.as_bytes(), &input, &r.output_bytes).unwrap().agree);
	// Exact contract: one unit off disagrees.
	let Output::Vector { mut values } = r.output else { panic!() };
	values[0] += 1;
	let forged = Output::Vector { values }.to_bytes();
	let verdict = engine.verify(id.as_bytes(), &input, &forged).unwrap();
	assert!(!verdict.agree);
	assert_eq!(verdict.max_abs_diff, Some(1));
}
