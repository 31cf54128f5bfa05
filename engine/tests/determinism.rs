//! The deterministic kernel profile: the known-answer matmul, the k-chunking, and identical
//! output bytes from separate processes with 1, 2 and 4 threads.

mod common;

use std::path::Path;
use std::process::Command;

use candle_core::{Device, Module, Tensor};
use common::*;
use verity_engine::kernels::{
	dense_known_answer, f32_le_bytes, known_answer_matmul, known_answer_probes,
	known_answer_values, DetLinear, KernelProfile, DENSE_KNOWN_ANSWER_SHA256,
	DETERMINISTIC_PROFILE, KNOWN_ANSWER_SHA256,
};
use verity_engine::Digest;

#[test]
fn known_answer_matmul_matches_the_deterministic_profile() {
	// m = 1, k = 1536, n = 576, in 3 chunks of 512, through two gemm paths. Fails if gemm's
	// AVX-512 (`x86-v4`) kernels, a non-AVX2 fallback, or an unchunked k = 1536 product is in
	// play.
	assert!(
		verity_engine::kernels::cpu_has_avx2_fma(),
		"the deterministic profile needs AVX2 + FMA; this CPU has no such profile"
	);
	assert_eq!(known_answer_matmul().unwrap().to_hex(), KNOWN_ANSWER_SHA256);
	let profile = KernelProfile::detect();
	assert!(profile.deterministic, "{profile:?}");
	assert_eq!(profile.name, DETERMINISTIC_PROFILE);
	assert_eq!(profile.id, Digest::of(DETERMINISTIC_PROFILE.as_bytes()));
}

#[test]
fn dense_kernels_match_their_known_answer() {
	// The engine's own kernels (BERT's matmuls, GELU, softmax) define their accumulation order
	// exactly, so this digest is the same on every CPU, with or without AVX2 (the portable path
	// is checked against it in `dense`'s unit tests).
	assert_eq!(dense_known_answer().to_hex(), DENSE_KNOWN_ANSWER_SHA256);
}

#[test]
fn long_matmuls_are_split_into_fixed_chunks_of_512() {
	let w = Tensor::zeros((576, 1536), candle_core::DType::F32, &Device::Cpu).unwrap();
	assert_eq!(DetLinear::new(w, None).unwrap().chunk_lens(), vec![512, 512, 512]);
	let w = Tensor::zeros((8, 1100), candle_core::DType::F32, &Device::Cpu).unwrap();
	assert_eq!(DetLinear::new(w, None).unwrap().chunk_lens(), vec![512, 512, 76]);
	let w = Tensor::zeros((8, 384), candle_core::DType::F32, &Device::Cpu).unwrap();
	assert_eq!(DetLinear::new(w, None).unwrap().chunk_lens(), vec![384]);
}

/// Probe 1 (column-major gemv through `DetLinear`) and probe 2 (dot-product gemv) digests.
const PROBE_DIGESTS: [&str; 2] =
	["dca78f208ed5848cb4b63ccafc83642b8aa7ff760abecaf88cbacaf8f718f46c", "6345584c9d195ce3"];

#[test]
fn known_answer_probes_detect_unchunked_products() {
	let [rows, dot] = known_answer_probes().unwrap();
	assert_eq!(rows.to_hex(), PROBE_DIGESTS[0]);
	assert!(dot.to_hex().starts_with(PROBE_DIGESTS[1]), "{dot}");
	// The same products without the k-chunking give other bits on every machine (for m = 1
	// gemm accumulates the whole k = 1536 in one pass), so the known answer catches a missing
	// chunking. With gemm's `x86-v4` the dot-product probe gives `ed505c66b2631841…` instead
	// (measured with a scratch build of gemm 0.19.0 with and without the feature).
	let (k, n) = (1536, 576);
	let x = Tensor::from_vec(known_answer_values(1, k), (1, k), &Device::Cpu).unwrap();
	let w = Tensor::from_vec(known_answer_values(2, n * k), (n, k), &Device::Cpu).unwrap();
	let wt = w.t().unwrap().contiguous().unwrap();
	let plain_rows = x.matmul(&wt).unwrap();
	let plain_dot = x.matmul(&w.t().unwrap()).unwrap();
	assert_ne!(Digest::of(&f32_le_bytes(&plain_rows).unwrap()), rows);
	assert_ne!(Digest::of(&f32_le_bytes(&plain_dot).unwrap()), dot);
	// ... while agreeing within float noise.
	let chunked = DetLinear::new(w, None).unwrap().forward(&x).unwrap();
	let diff = (chunked - &plain_rows).unwrap().abs().unwrap().max_all().unwrap();
	assert!(diff.to_scalar::<f32>().unwrap() < 1e-3);
}

/// Runs the CLI in a fresh process and returns the canonical output hex.
fn run_cli(store: &Path, model: &str, input: &[&str], threads: u32) -> String {
	let out = Command::new(env!("CARGO_BIN_EXE_verity-engine"))
		.arg("--store")
		.arg(store)
		.args(["run", "--model", model])
		.args(input)
		.env("RAYON_NUM_THREADS", threads.to_string())
		.output()
		.expect("spawn verity-engine");
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
	assert_eq!(v["kernel_profile"]["name"], DETERMINISTIC_PROFILE);
	v["output_hex"].as_str().expect("output_hex").to_string()
}

fn same_bytes_across_threads(store: &Path, model: &str, input: &[&str]) {
	let outputs: Vec<String> = [1, 2, 4].iter().map(|t| run_cli(store, model, input, *t)).collect();
	assert!(!outputs[0].is_empty());
	assert_eq!(outputs[0], outputs[1], "{model}: 1 vs 2 threads");
	assert_eq!(outputs[0], outputs[2], "{model}: 1 vs 4 threads");
}

#[test]
fn mlp_output_bytes_are_identical_across_processes_and_threads() {
	let (_, _, dir) = mlp_engine();
	same_bytes_across_threads(&dir, "risk-mlp", &["--features", "35,85,0.3,0.4,1,10,5,20"]);
}

#[test]
fn minilm_output_bytes_are_identical_across_processes_and_threads() {
	let (engine, _) = fetched("all-MiniLM-L6-v2");
	let text = "Validators agree on embeddings because the kernels are deterministic. \
	            This sentence is long enough to exercise every matmul in the encoder.";
	same_bytes_across_threads(engine.store().root(), "all-MiniLM-L6-v2", &["--text", text]);
}

#[test]
fn smollm_output_bytes_are_identical_across_processes_and_threads() {
	let (engine, _) = fetched("SmolLM2-135M-Instruct-Q4_1");
	same_bytes_across_threads(
		engine.store().root(),
		"SmolLM2-135M-Instruct-Q4_1",
		&["--text", "List three prime numbers."],
	);
}
