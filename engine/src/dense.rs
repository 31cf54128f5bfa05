//! Dense f32 kernels with a defined accumulation order, for the forward passes the engine writes
//! itself (BERT): a matmul against pre-packed weights, GELU and softmax with fixed polynomials.
//!
//! # The numerical definition (kernel `seqk-fma-v1`)
//!
//! Every matmul output `c[i][j] = Σ_p a[i][p] · b[p][j]` is one f32 accumulator that starts at
//! +0.0 and takes `acc = fma(a[i][p], b[p][j], acc)` for `p = 0, 1, …, k-1` in that order, each
//! step one IEEE 754 fused multiply-add (rounded once); a bias is then added with one f32
//! addition. That is the whole definition: the result does not depend on blocking, cache sizes,
//! SIMD width, row batching or thread count, because SIMD lanes run over `j` (different outputs),
//! never over `p`. [`matmul`]'s AVX2+FMA kernel and its portable kernel (plain `f32::mul_add`,
//! which is also a correctly rounded fma) therefore give the same bits, which the unit tests
//! check; so would an AVX-512 kernel (not written: the profile keeps AVX-512 off). No `k`
//! chunking is needed: nothing in the order depends on `k`'s size.
//!
//! [`exp`] and [`gelu`] are fixed polynomials built from `+ − × ÷`, `fma`, `min`, `max` and bit
//! manipulation only, so they do not depend on the platform's libm either. Elementwise loops
//! are compiled twice (with and without AVX2+FMA enabled); the compiler may vectorise them, which
//! cannot change results since Rust never reassociates or contracts floating-point operations.

/// Columns per packed panel: three AVX2 registers of 8 f32.
pub const NR: usize = 24;
/// Rows per micro-kernel call: 4 × 3 accumulators + 3 panel loads + 1 broadcast = 16 registers.
/// (The compiler spills one accumulator, yet 4 × 24 measured ~25 % faster on MiniLM than a
/// spill-free 6 × 16: at 8–16 rows the panels stream from DRAM, and wider panels mean fewer
/// row blocks re-reading each one.)
const MR_MAX: usize = 4;
/// Rows per outer block, so that the rows being multiplied stay in L2 for large batches.
const MC: usize = 64;

/// Whether the AVX2+FMA code paths run on this CPU (checked once, cached by std).
#[inline]
fn use_avx2() -> bool {
	#[cfg(test)]
	if tests::FORCE_PORTABLE.with(|f| f.get()) {
		return false;
	}
	crate::kernels::cpu_has_avx2_fma()
}

/// A `k × n` right-hand matrix packed once into panels of [`NR`] columns: panel `q` holds
/// `b[p][q·NR + c]` at `q·k·NR + p·NR + c`, zero-padded past `n`, so the micro-kernel streams
/// each panel with unit stride. The storage is 32-byte aligned.
#[derive(Clone, Debug, Default)]
pub struct PackedMatrix {
	k: usize,
	n: usize,
	storage: Vec<f32>,
	/// Offset of the first element in `storage` that is 32-byte aligned.
	offset: usize,
}

impl PackedMatrix {
	/// Packs `b[p][j] = get(p, j)` for `p < k`, `j < n`.
	pub fn pack(k: usize, n: usize, get: impl Fn(usize, usize) -> f32) -> Self {
		let mut packed = PackedMatrix::default();
		packed.repack(k, n, get);
		packed
	}

	/// Packs a PyTorch linear weight `w: [out, in]` (row-major) as `b = wᵀ` (`k = in`,
	/// `n = out`).
	pub fn from_linear_weight(w: &[f32], out_dim: usize, in_dim: usize) -> Self {
		assert_eq!(w.len(), out_dim * in_dim, "weight shape");
		Self::pack(in_dim, out_dim, |p, j| w[j * in_dim + p])
	}

	/// Re-packs in place, reusing the allocation (for per-head attention operands).
	pub fn repack(&mut self, k: usize, n: usize, get: impl Fn(usize, usize) -> f32) {
		let len = n.div_ceil(NR) * k * NR;
		self.storage.clear();
		self.storage.resize(len + 8, 0.0);
		self.offset = self.storage.as_ptr().align_offset(32).min(8);
		self.k = k;
		self.n = n;
		let data = &mut self.storage[self.offset..self.offset + len];
		for (q, panel) in data.chunks_exact_mut((k * NR).max(1)).enumerate() {
			for (p, row) in panel.chunks_exact_mut(NR).enumerate() {
				for (c, v) in row.iter_mut().enumerate() {
					let j = q * NR + c;
					*v = if j < n { get(p, j) } else { 0.0 };
				}
			}
		}
	}

	/// Rows of `b` (the reduction length).
	pub fn k(&self) -> usize {
		self.k
	}

	/// Columns of `b`.
	pub fn n(&self) -> usize {
		self.n
	}

	fn panel(&self, q: usize) -> &[f32] {
		let len = self.k * NR;
		&self.storage[self.offset + q * len..self.offset + (q + 1) * len]
	}
}

/// `c[i][j] = Σ_p a[i·lda + p] · b[p][j]` for `i < m`, `j < b.n()`, written to `c[i·ldc + j]`,
/// in the order defined in the module docs.
///
/// Panics if the slices are too short for the shapes (a programming error, not an input error).
pub fn matmul(a: &[f32], lda: usize, m: usize, b: &PackedMatrix, c: &mut [f32], ldc: usize) {
	let (k, n) = (b.k, b.n);
	if m == 0 || n == 0 {
		return;
	}
	assert!(lda >= k && ldc >= n, "strides");
	assert!(a.len() >= (m - 1) * lda + k && c.len() >= (m - 1) * ldc + n, "operand lengths");
	let avx2 = use_avx2();
	let mut tile = [0f32; MR_MAX * NR];
	for r0 in (0..m).step_by(MC) {
		let rows = MC.min(m - r0);
		for q in 0..n.div_ceil(NR) {
			let panel = b.panel(q);
			let (j0, cols) = (q * NR, NR.min(n - q * NR));
			// Split the rows into blocks of at most MR_MAX that differ in size by at most one, so
			// a 10-row input runs as 4 + 3 + 3 (each ≥ 9 accumulators, enough to cover the FMA
			// latency) rather than 4 + 4 + 2.
			let blocks = rows.div_ceil(MR_MAX);
			let mut i = r0;
			for blk in 0..blocks {
				let mr = (r0 + rows - i).div_ceil(blocks - blk);
				micro_kernel(mr, k, &a[i * lda..], lda, panel, &mut tile, avx2);
				for r in 0..mr {
					let dst = (i + r) * ldc + j0;
					c[dst..dst + cols].copy_from_slice(&tile[r * NR..r * NR + cols]);
				}
				i += mr;
			}
		}
	}
}

/// One `mr × NR` block over the full `k`: `tile[r·NR + c] = Σ_p a[r·lda + p] · panel[p·NR + c]`.
fn micro_kernel(
	mr: usize,
	k: usize,
	a: &[f32],
	lda: usize,
	panel: &[f32],
	tile: &mut [f32; MR_MAX * NR],
	avx2: bool,
) {
	assert!((1..=MR_MAX).contains(&mr) && a.len() >= (mr - 1) * lda + k && panel.len() >= k * NR);
	#[cfg(target_arch = "x86_64")]
	if avx2 {
		let (a, b, t) = (a.as_ptr(), panel.as_ptr(), tile.as_mut_ptr());
		// SAFETY: AVX2 and FMA are present (checked by the caller); the assert above bounds
		// every read of `a` (rows r < mr, columns p < k) and `panel` (k·NR values), and the
		// kernel writes mr·NR ≤ MR_MAX·NR values of `tile`.
		unsafe {
			match mr {
				1 => avx2::kernel::<1>(k, a, lda, b, t),
				2 => avx2::kernel::<2>(k, a, lda, b, t),
				3 => avx2::kernel::<3>(k, a, lda, b, t),
				_ => avx2::kernel::<4>(k, a, lda, b, t),
			}
		}
		return;
	}
	let _ = avx2;
	portable_kernel(mr, k, a, lda, panel, tile);
}

/// The reference kernel: the module's definition, literally.
fn portable_kernel(
	mr: usize,
	k: usize,
	a: &[f32],
	lda: usize,
	panel: &[f32],
	tile: &mut [f32; MR_MAX * NR],
) {
	for r in 0..mr {
		let mut acc = [0f32; NR];
		for p in 0..k {
			let x = a[r * lda + p];
			for (acc, w) in acc.iter_mut().zip(&panel[p * NR..(p + 1) * NR]) {
				*acc = x.mul_add(*w, *acc);
			}
		}
		tile[r * NR..(r + 1) * NR].copy_from_slice(&acc);
	}
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
	use std::arch::x86_64::*;

	use super::NR;

	/// `MR × 24` outer-product kernel: for each `p`, three 8-wide loads of the panel row, one
	/// broadcast of `a[r][p]` per row and `3·MR` FMAs into accumulators that start at +0.0.
	/// Each lane is one output, updated once per `p` in increasing `p`: the module's order.
	///
	/// # Safety
	/// The CPU must have AVX2 and FMA; `a` must be readable at `r·lda + p` for `r < MR`,
	/// `p < k`; `b` at `k·NR` values; `tile` writable at `MR·NR` values.
	#[target_feature(enable = "avx2,fma")]
	pub(super) unsafe fn kernel<const MR: usize>(
		k: usize,
		a: *const f32,
		lda: usize,
		b: *const f32,
		tile: *mut f32,
	) {
		let mut acc = [[_mm256_setzero_ps(); 3]; MR];
		for p in 0..k {
			let row = b.add(p * NR);
			// Hint the panel 8 rows (768 bytes) ahead into L1: the first row block streams it
			// from DRAM. A hint only; it cannot change results.
			_mm_prefetch::<_MM_HINT_T0>(row.wrapping_add(8 * NR) as *const i8);
			let w =
				[_mm256_loadu_ps(row), _mm256_loadu_ps(row.add(8)), _mm256_loadu_ps(row.add(16))];
			for (r, acc) in acc.iter_mut().enumerate() {
				let x = _mm256_broadcast_ss(&*a.add(r * lda + p));
				for (acc, w) in acc.iter_mut().zip(&w) {
					*acc = _mm256_fmadd_ps(x, *w, *acc);
				}
			}
		}
		for (r, acc) in acc.iter().enumerate() {
			for (q, acc) in acc.iter().enumerate() {
				_mm256_storeu_ps(tile.add(r * NR + q * 8), *acc);
			}
		}
	}
}

/// Runs `$body` (elementwise code on slices) compiled with AVX2+FMA when the CPU has them, or
/// as portable code otherwise. Both compile the same scalar operations (`mul_add` is a true fma
/// either way, a library call without hardware FMA), so they give the same bits.
macro_rules! dispatch {
	($name:ident, fn($($arg:ident: $ty:ty),*) $body:block) => {
		pub fn $name($($arg: $ty),*) {
			#[inline(always)]
			fn generic($($arg: $ty),*) $body
			#[cfg(target_arch = "x86_64")]
			#[target_feature(enable = "avx2,fma")]
			unsafe fn simd($($arg: $ty),*) {
				generic($($arg),*)
			}
			#[cfg(target_arch = "x86_64")]
			if use_avx2() {
				// SAFETY: the CPU has AVX2 and FMA.
				return unsafe { simd($($arg),*) };
			}
			generic($($arg),*)
		}
	};
}

/// `p(x) = c[0] + c[1]·x + …` by Horner's rule with fmas, highest degree first.
#[inline(always)]
fn horner<const N: usize>(c: [f32; N], x: f32) -> f32 {
	let mut r = c[N - 1];
	for i in (0..N - 1).rev() {
		r = r.mul_add(x, c[i]);
	}
	r
}

/// `eˣ` within 1 ulp-ish (relative error < 2e-7) for `x ∈ [-87, 88]`; inputs are clamped to
/// that range (so `exp(-∞)` is 1.6e-38, not 0, which softmax does not notice).
///
/// `x = n·ln2 + r` with `n = round(x·log₂e)` (round half to even via the 1.5·2²³ trick),
/// `r` by Cody–Waite in two fmas, `eʳ` by its degree-7 Taylor polynomial (truncation
/// < 6e-9 on |r| ≤ 0.35), and `2ⁿ` built in the exponent bits.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
	const LOG2E: f32 = std::f32::consts::LOG2_E;
	// Written out to the last digit so the bit patterns are visible; both are exact f32 values.
	#[allow(clippy::excessive_precision)]
	const LN2_HI: f32 = 0.693_145_751_953_125; // 0x3f317200: n·LN2_HI is exact for |n| ≤ 2⁹
	#[allow(clippy::excessive_precision)]
	const LN2_LO: f32 = 1.428_606_820_309_417_2e-6;
	const ROUND: f32 = 12_582_912.0; // 1.5·2²³
	let x = x.clamp(-87.0, 88.0);
	let shifted = x.mul_add(LOG2E, ROUND);
	let n = shifted - ROUND;
	let r = n.mul_add(-LN2_LO, n.mul_add(-LN2_HI, x));
	let p =
		horner([1.0, 1.0, 0.5, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0, 1.0 / 5040.0], r);
	// The low bits of `shifted` hold n (|n| ≤ 127) as an integer offset from ROUND's bits.
	let n_int = shifted.to_bits().wrapping_sub(ROUND.to_bits()) as i32;
	let scale = f32::from_bits(((n_int + 127) as u32) << 23);
	p * scale
}

/// GELU, erf form: `x·Φ(x)` with `Φ(x) = ½·erfc(−x/√2)`, absolute error < 1e-7·max(1, |x|).
///
/// With `u = |x|/√2` and `h = ½·erfc(u)`: `Φ(x) = 1 − h` for `x ≥ 0`, `h` otherwise (no
/// cancellation for negative `x`). `h` comes from a degree-5 odd polynomial for erf on
/// `u < 0.875`, from `exp` of a degree-8 polynomial for `ln erfc` on `[0.875, 5]`, and is 0
/// beyond (erfc(5) = 1.5e-12). The coefficients are weighted least-squares fits to the float64
/// functions (max error: erf 5.4e-8, erfc 3.4e-8 absolute), rounded to f32.
#[inline(always)]
pub fn gelu(x: f32) -> f32 {
	const ERF_SMALL: [f32; 6] = [
		0.128_379_17,
		-0.376_125_75,
		0.112_826_705,
		-0.026_798_673,
		0.005_042_349_5,
		-0.000_625_428_6,
	];
	const LN_ERFC: [f32; 9] = [
		0.000_241_017_22,
		-1.129_879_6,
		-0.632_494_2,
		-0.109_385_885,
		0.025_988_085,
		-0.004_593_780_7,
		0.000_558_773_1,
		-4.127_712_2e-5,
		1.384_488_9e-6,
	];
	let u = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
	let erf_small = horner(ERF_SMALL, u * u).mul_add(u, u);
	let h_small = (-0.5f32).mul_add(erf_small, 0.5);
	let h_large = 0.5 * exp(horner(LN_ERFC, u.min(5.0)));
	let h = if u < 0.875 {
		h_small
	} else if u < 5.0 {
		h_large
	} else {
		0.0
	};
	x * if x >= 0.0 { 1.0 - h } else { h }
}

dispatch!(gelu_in_place, fn(xs: &mut [f32]) {
	for x in xs.iter_mut() {
		*x = gelu(*x);
	}
});

dispatch!(softmax_scaled_in_place, fn(row: &mut [f32], scale: f32) {
	// p_j = exp(t_j − max t) / Σ exp(t_i − max t), t_j = row_j·scale; the sum runs over j in
	// order (a sequential f32 sum; the max is order-independent).
	let mut max = f32::NEG_INFINITY;
	for v in row.iter_mut() {
		*v *= scale;
		max = max.max(*v);
	}
	for v in row.iter_mut() {
		*v = exp(*v - max);
	}
	let mut sum = 0f32;
	for v in row.iter() {
		sum += *v;
	}
	for v in row.iter_mut() {
		*v /= sum;
	}
});

#[cfg(test)]
mod tests {
	use std::cell::Cell;

	use super::*;
	use crate::kernels::{dense_known_answer, known_answer_values, DENSE_KNOWN_ANSWER_SHA256};

	thread_local! {
		/// Makes this thread take the portable paths, as a CPU without AVX2/FMA would.
		pub(super) static FORCE_PORTABLE: Cell<bool> = const { Cell::new(false) };
	}

	#[test]
	fn known_answer_is_the_same_on_the_portable_paths() {
		let native = dense_known_answer();
		FORCE_PORTABLE.with(|f| f.set(true));
		let portable = dense_known_answer();
		FORCE_PORTABLE.with(|f| f.set(false));
		assert_eq!(portable, native);
		assert_eq!(native.to_hex(), DENSE_KNOWN_ANSWER_SHA256);
	}

	/// The definition, written independently of the packing and blocking.
	fn reference(a: &[f32], m: usize, k: usize, b: &[f32], n: usize) -> Vec<f32> {
		let mut c = vec![0f32; m * n];
		for i in 0..m {
			for j in 0..n {
				let mut acc = 0f32;
				for p in 0..k {
					acc = a[i * k + p].mul_add(b[p * n + j], acc);
				}
				c[i * n + j] = acc;
			}
		}
		c
	}

	fn bits(v: &[f32]) -> Vec<u32> {
		v.iter().map(|x| x.to_bits()).collect()
	}

	#[test]
	fn matmul_is_bit_identical_to_the_sequential_definition() {
		for &(m, k, n) in &[(1, 7, 5), (3, 384, 24), (10, 384, 1152), (13, 1536, 40), (70, 33, 50)]
		{
			let a = known_answer_values(m as u64, m * k);
			let b = known_answer_values(1000 + n as u64, k * n);
			let packed = PackedMatrix::pack(k, n, |p, j| b[p * n + j]);
			let mut c = vec![f32::NAN; m * n];
			matmul(&a, k, m, &packed, &mut c, n);
			assert_eq!(bits(&c), bits(&reference(&a, m, k, &b, n)), "m={m} k={k} n={n}");
		}
	}

	#[test]
	fn avx2_and_portable_kernels_agree_bit_for_bit() {
		if !use_avx2() {
			return;
		}
		let k = 1536;
		let a = known_answer_values(7, MR_MAX * k);
		let panel = known_answer_values(8, k * NR);
		for mr in 1..=MR_MAX {
			let (mut fast, mut slow) = ([0f32; MR_MAX * NR], [0f32; MR_MAX * NR]);
			micro_kernel(mr, k, &a, k, &panel, &mut fast, true);
			micro_kernel(mr, k, &a, k, &panel, &mut slow, false);
			assert_eq!(bits(&fast), bits(&slow), "mr={mr}");
		}
	}

	#[test]
	fn elementwise_paths_agree_bit_for_bit() {
		let xs: Vec<f32> = (-40_000..40_000).map(|i| i as f32 * 3e-4).collect();
		let mut fast = xs.clone();
		gelu_in_place(&mut fast);
		let slow: Vec<f32> = xs.iter().map(|&x| gelu(x)).collect();
		assert_eq!(bits(&fast), bits(&slow));
		let mut row: Vec<f32> = xs[..1000].to_vec();
		softmax_scaled_in_place(&mut row, 0.3);
		let sum: f32 = row.iter().sum();
		assert!((sum - 1.0).abs() < 1e-5, "{sum}");
	}

	#[test]
	fn exp_and_gelu_are_accurate() {
		for i in -8700..=8800 {
			let x = i as f32 * 0.01;
			let want = (x as f64).exp();
			let got = exp(x) as f64;
			assert!(((got - want) / want).abs() < 2.5e-7, "exp({x}) = {got}, want {want}");
		}
		// x, gelu(x) from Python's math.erf in float64.
		let table: [(f32, f64); 13] = [
			(-6.0, -5.919_525_870_226_207e-9),
			(-3.0, -0.004_049_694_094_890_287),
			(-1.375, -0.116_277_868_233_086_61),
			(-1.25, -0.132_062_217_083_569_1),
			(-0.5, -0.154_268_769_362_993_44),
			(-0.000_976_562_5, -0.000_487_900_789_053_925_27),
			(0.0, 0.0),
			(0.3125, 0.194_584_287_021_924_1),
			(0.875, 0.708_061_416_254_053_3),
			(1.0, 0.841_344_746_068_542_9),
			(1.25, 1.117_937_782_916_430_8),
			(2.5, 2.484_475_836_685_559_7),
			(7.5, 7.499_999_999_999_761),
		];
		for (x, want) in table {
			let got = gelu(x) as f64;
			assert!((got - want).abs() <= 1e-7 * (x as f64).abs().max(1.0), "gelu({x}) = {got}");
		}
	}
}
