//! The deterministic kernel profile: how matmuls are issued so that every machine in the profile
//! produces the same bits, and the self-test that checks this build and CPU are in it.
//!
//! Facts this rests on (candle 0.11.1, gemm 0.19.0; see `docs/ENGINE.md`):
//! - gemm is bit-identical across runs and thread counts, but sizes its k-blocks from the L1
//!   cache geometry, so a matmul with `k > 512` differs between machines. Every f32 matmul the
//!   engine issues through gemm therefore has `k <= 512`: [`DetLinear`] splits longer ones into
//!   chunks of at most [`MAX_K_CHUNK`] and sums the partial products in a fixed order, and
//!   attention lengths are bounded by the manifests' token limits.
//! - gemm's `x86-v4` (AVX-512) kernels and CPUs without AVX2+FMA give other bits. `x86-v4` is
//!   not a default gemm feature and nothing in this build enables it; [`KernelProfile::detect`]
//!   runs known-answer matmuls at start-up that fail if either (or unchunked k) is in play, and
//!   declares a different, non-deterministic profile if so.
//! - The engine's own kernels ([`crate::dense`], used by BERT) define their accumulation order
//!   exactly (one sequential fma chain per output) and use fixed polynomials for `exp` and GELU,
//!   so they need no chunking and give the same bits on any CPU; [`dense_known_answer`] checks
//!   them at start-up too. The profile's `seqk-fma-v1` suffix names that definition: changing
//!   what these kernels compute must change the profile name.

use std::sync::OnceLock;

use candle_core::{DType, Device, Module, Tensor};
use serde::Serialize;

use crate::digest::Digest;
use crate::error::Result;

/// The largest `k` of any f32 matmul the engine issues through gemm.
pub const MAX_K_CHUNK: usize = 512;

/// Name of the deterministic profile.
pub const DETERMINISTIC_PROFILE: &str = "verity-cpu-det-v2/x86_64-avx2-fma/gemm-k512+seqk-fma-v1";

/// [`known_answer_matmul`] on the deterministic profile.
pub const KNOWN_ANSWER_SHA256: &str =
	"469401ffb7d7627a6e51407cc14db6d4aecafa677e47b719643c37c3fa94580a";

/// The numeric kernel profile this process runs under. Operators declare it on chain; outputs
/// under an `Exact` contract are only comparable between equal profile ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KernelProfile {
	/// Human-readable name, e.g. `verity-cpu-det-v1/x86_64-avx2-fma/gemm-k512`.
	pub name: String,
	/// SHA-256 of `name`: the id published on chain.
	pub id: Digest,
	/// Whether this is the deterministic profile (bit-identical outputs across its machines).
	pub deterministic: bool,
	/// The known-answer matmul's digest as computed on this machine (`None` if it failed to
	/// run or was not run because the CPU lacks AVX2/FMA).
	pub known_answer: Option<Digest>,
}

impl KernelProfile {
	fn named(name: String, deterministic: bool, known_answer: Option<Digest>) -> Self {
		KernelProfile { id: Digest::of(name.as_bytes()), name, deterministic, known_answer }
	}

	/// The profile of this build on this CPU, detected once per process: the deterministic
	/// profile when the CPU has AVX2 and FMA and the known-answer matmul matches, otherwise a
	/// distinct non-deterministic profile that says why.
	pub fn detect() -> KernelProfile {
		static PROFILE: OnceLock<KernelProfile> = OnceLock::new();
		PROFILE.get_or_init(detect_uncached).clone()
	}
}

fn detect_uncached() -> KernelProfile {
	if !cpu_has_avx2_fma() {
		let name = format!("verity-cpu-generic-v1/{}/gemm-k512", std::env::consts::ARCH);
		return KernelProfile::named(name, false, None);
	}
	let dense_ok = dense_known_answer().to_hex() == DENSE_KNOWN_ANSWER_SHA256;
	match known_answer_matmul() {
		Ok(_) if !dense_ok => KernelProfile::named(
			"verity-cpu-unverified-v1/x86_64/dense-known-answer-failed".into(),
			false,
			None,
		),
		Ok(digest) if digest.to_hex() == KNOWN_ANSWER_SHA256 => {
			KernelProfile::named(DETERMINISTIC_PROFILE.to_string(), true, Some(digest))
		}
		Ok(digest) => KernelProfile::named(
			format!("verity-cpu-unverified-v1/x86_64/known-answer-{}", &digest.to_hex()[..16]),
			false,
			Some(digest),
		),
		Err(_) => KernelProfile::named(
			"verity-cpu-unverified-v1/x86_64/self-test-failed".into(),
			false,
			None,
		),
	}
}

/// Whether the CPU has AVX2 and FMA (the instruction set of the deterministic profile).
pub fn cpu_has_avx2_fma() -> bool {
	#[cfg(target_arch = "x86_64")]
	{
		std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
	}
	#[cfg(not(target_arch = "x86_64"))]
	{
		false
	}
}

/// Deterministic pseudo-random f32s in [-1, 1), each exactly representable (24-bit mantissa).
pub fn known_answer_values(seed: u64, len: usize) -> Vec<f32> {
	let mut state = seed;
	(0..len)
		.map(|_| {
			// SplitMix64.
			state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
			let mut z = state;
			z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
			z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
			z ^= z >> 31;
			let bits = (z >> 40) as i64; // 24 bits
			(bits - (1 << 23)) as f32 / (1u32 << 23) as f32
		})
		.collect()
}

/// The two known-answer probes, each `x · Wᵀ` with `x: [1, 1536]`, `W: [576, 1536]` (the shape
/// of SmolLM's and BERT's down projections) computed in three k-chunks of 512:
///
/// 1. through [`DetLinear`] (`Wᵀ` stored `[k, n]` row-major: gemm's column-major gemv, which
///    accumulates each output sequentially and so fails if the k-chunking is skipped);
/// 2. against `W` viewed transposed (`[k, n]` with unit row stride: gemm's dot-product gemv, whose
///    SIMD lane width shows in the result, so it fails with gemm's `x86-v4` AVX-512 kernels).
///
/// Returns the SHA-256 of each probe's little-endian f32 output.
pub fn known_answer_probes() -> Result<[Digest; 2]> {
	let (k, n) = (1536, 576);
	let x = Tensor::from_vec(known_answer_values(1, k), (1, k), &Device::Cpu)?;
	let w = Tensor::from_vec(known_answer_values(2, n * k), (n, k), &Device::Cpu)?;
	let rows_major = DetLinear::new(w.clone(), None)?.forward(&x)?;
	let mut dot: Option<Tensor> = None;
	for start in (0..k).step_by(MAX_K_CHUNK) {
		let len = MAX_K_CHUNK.min(k - start);
		let part = x.narrow(1, start, len)?.matmul(&w.narrow(1, start, len)?.t()?)?;
		dot = Some(match dot {
			None => part,
			Some(sum) => (sum + part)?,
		});
	}
	let dot = dot.ok_or_else(|| candle_core::Error::Msg("empty probe".into()))?;
	Ok([Digest::of(&f32_le_bytes(&rows_major)?), Digest::of(&f32_le_bytes(&dot)?)])
}

/// The known-answer digest: SHA-256 of the two probe digests of [`known_answer_probes`].
pub fn known_answer_matmul() -> Result<Digest> {
	let [a, b] = known_answer_probes()?;
	Ok(Digest::of(&[a.0, b.0].concat()))
}

/// [`dense_known_answer`] on every machine (the `seqk-fma-v1` kernels are CPU-independent).
pub const DENSE_KNOWN_ANSWER_SHA256: &str =
	"e58ca398c3b42c79c9951e38018fc1fcc698efef98eae5b1571d1c47314c26dd";

/// SHA-256 over the little-endian f32 outputs of the engine's own kernels on fixed inputs:
/// [`crate::dense::matmul`] with `m = 5, k = 1536, n = 40` (two row blocks, a partial panel),
/// GELU on 4096 points of [-8, 8) and a softmax row of 1000 values.
pub fn dense_known_answer() -> Digest {
	use crate::dense::{gelu_in_place, matmul, softmax_scaled_in_place, PackedMatrix};
	let (m, k, n) = (5, 1536, 40);
	let a = known_answer_values(3, m * k);
	let b = known_answer_values(4, k * n);
	let packed = PackedMatrix::pack(k, n, |p, j| b[p * n + j]);
	let mut out = vec![0f32; m * n];
	matmul(&a, k, m, &packed, &mut out, n);
	let mut g: Vec<f32> = (0..4096).map(|i| (i as f32 - 2048.0) / 256.0).collect();
	gelu_in_place(&mut g);
	let mut row = known_answer_values(5, 1000);
	softmax_scaled_in_place(&mut row, 7.5);
	out.extend(g);
	out.extend(row);
	let bytes: Vec<u8> = out.iter().flat_map(|v| v.to_le_bytes()).collect();
	Digest::of(&bytes)
}

/// The little-endian bytes of an f32 tensor, flattened in row-major order.
pub fn f32_le_bytes(t: &Tensor) -> Result<Vec<u8>> {
	let values = t.flatten_all()?.to_dtype(DType::F32)?.to_vec1::<f32>()?;
	Ok(values.iter().flat_map(|v| v.to_le_bytes()).collect())
}

/// A linear layer `y = x · Wᵀ + b` whose matmuls all have `k <= MAX_K_CHUNK`: the input
/// dimension is split into consecutive chunks of at most 512, each chunk's product is computed
/// separately and the partial products are added left to right.
#[derive(Clone, Debug)]
pub struct DetLinear {
	/// `Wᵀ` split along its rows (the input dimension): `[chunk_len, out]` views.
	chunks: Vec<Tensor>,
	bias: Option<Tensor>,
	in_dim: usize,
	out_dim: usize,
}

impl DetLinear {
	/// Builds the layer from a weight `[out, in]` (PyTorch layout) and an optional bias `[out]`.
	pub fn new(weight: Tensor, bias: Option<Tensor>) -> Result<Self> {
		let (out_dim, in_dim) = weight.dims2()?;
		// One contiguous copy of Wᵀ: `[in, out]` row-major, so each chunk is a contiguous block
		// of rows and the kernel sees the same layout for every chunk. (For m = 1 this is gemm's
		// column-major gemv, whose bits do not depend on the SIMD width; keeping `W` as
		// `[out, in]` instead measured no faster for MiniLM.)
		let wt = weight.t()?.contiguous()?;
		let mut chunks = Vec::new();
		let mut start = 0;
		while start < in_dim {
			let len = MAX_K_CHUNK.min(in_dim - start);
			chunks.push(wt.narrow(0, start, len)?);
			start += len;
		}
		Ok(DetLinear { chunks, bias, in_dim, out_dim })
	}

	/// Input features.
	pub fn in_dim(&self) -> usize {
		self.in_dim
	}

	/// Output features.
	pub fn out_dim(&self) -> usize {
		self.out_dim
	}

	/// How the input dimension is split: the length of each chunk.
	pub fn chunk_lens(&self) -> Vec<usize> {
		self.chunks.iter().map(|c| c.dim(0).unwrap_or(0)).collect()
	}
}

impl Module for DetLinear {
	fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
		let dims = x.dims().to_vec();
		let rows: usize = dims[..dims.len().saturating_sub(1)].iter().product();
		let x2 = x.reshape((rows, self.in_dim))?;
		let mut acc: Option<Tensor> = None;
		let mut start = 0;
		for chunk in &self.chunks {
			let len = chunk.dim(0)?;
			let part = x2.narrow(1, start, len)?.matmul(chunk)?;
			acc = Some(match acc {
				None => part,
				Some(sum) => (sum + part)?,
			});
			start += len;
		}
		let mut y = match acc {
			Some(y) => y,
			None => Tensor::zeros((rows, self.out_dim), x.dtype(), x.device())?,
		};
		if let Some(bias) = &self.bias {
			y = y.broadcast_add(bias)?;
		}
		let mut out_dims = dims;
		if let Some(last) = out_dims.last_mut() {
			*last = self.out_dim;
		}
		y.reshape(out_dims)
	}
}
