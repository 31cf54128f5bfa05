//! Trains the `risk-mlp` credit-risk scorer shipped in `engine/models/risk-mlp/`, from scratch
//! and deterministically: synthetic applicants drawn from a fixed-seed SplitMix64, defaults drawn
//! from a known logistic ground truth, a 8 → 16 → 16 → 1 network trained with full-batch Adam in
//! plain f64 (no threads, no SIMD reductions), then stored as f32 safetensors.
//!
//! ```text
//! cargo run -p verity-engine --example train_risk_mlp -- engine/models/risk-mlp
//! ```
//! Running it again writes the same bytes.

use std::collections::HashMap;
use std::path::PathBuf;

use candle_core::{Device, Tensor};

const FEATURES: [&str; 8] = [
	"age_years",
	"annual_income_k",
	"debt_to_income",
	"credit_utilization",
	"late_payments_12m",
	"credit_history_years",
	"open_accounts",
	"loan_amount_k",
];
const HIDDEN: [usize; 2] = [16, 16];
const SAMPLES: usize = 4096;
const EPOCHS: usize = 400;
const LEARNING_RATE: f64 = 0.01;

struct Rng(u64);

impl Rng {
	fn next_u64(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		z ^ (z >> 31)
	}

	/// Uniform in [0, 1) with 53 random bits.
	fn uniform(&mut self) -> f64 {
		(self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
	}

	fn range(&mut self, lo: f64, hi: f64) -> f64 {
		lo + (hi - lo) * self.uniform()
	}
}

fn sigmoid(x: f64) -> f64 {
	1.0 / (1.0 + (-x).exp())
}

/// One synthetic applicant, in the units of `FEATURES`.
fn applicant(rng: &mut Rng) -> [f64; 8] {
	let age = rng.range(21.0, 75.0).floor();
	let income = (rng.range(3.0, 5.5)).exp().round(); // ~20k..245k
	let dti = rng.range(0.0, 0.8);
	let util = rng.range(0.0, 1.0);
	let late = (rng.uniform() * rng.uniform() * 7.0).floor();
	let history = (rng.uniform() * (age - 18.0)).floor();
	let accounts = rng.range(1.0, 15.0).floor();
	let loan = rng.range(1.0, 100.0).round();
	[age, income, dti, util, late, history, accounts, loan]
}

/// The ground-truth log-odds of default.
fn true_logit(x: &[f64; 8]) -> f64 {
	let [age, income, dti, util, late, history, accounts, loan] = *x;
	-2.0 + 3.0 * (dti - 0.3) + 2.5 * (util - 0.4) + 1.5 * dti * util + 0.6 * late
		- 0.05 * (history - 8.0)
		- 0.012 * (income - 60.0)
		+ 0.015 * (loan - 20.0)
		- 0.015 * (age - 40.0)
		+ 0.05 * (accounts - 5.0)
}

struct Layer {
	w: Vec<f64>, // [out][in]
	b: Vec<f64>,
	n_in: usize,
	n_out: usize,
}

struct Adam {
	m: Vec<f64>,
	v: Vec<f64>,
}

fn adam_step(params: &mut [f64], grads: &[f64], state: &mut Adam, t: usize) {
	let (b1, b2, eps): (f64, f64, f64) = (0.9, 0.999, 1e-8);
	let c1 = 1.0 - b1.powi(t as i32);
	let c2 = 1.0 - b2.powi(t as i32);
	for i in 0..params.len() {
		state.m[i] = b1 * state.m[i] + (1.0 - b1) * grads[i];
		state.v[i] = b2 * state.v[i] + (1.0 - b2) * grads[i] * grads[i];
		params[i] -= LEARNING_RATE * (state.m[i] / c1) / ((state.v[i] / c2).sqrt() + eps);
	}
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
	let out_dir =
		std::env::args().nth(1).map(PathBuf::from).unwrap_or("engine/models/risk-mlp".into());
	let mut rng = Rng(0x5EED_0000_0000_0001);

	// Data.
	let xs: Vec<[f64; 8]> = (0..SAMPLES).map(|_| applicant(&mut rng)).collect();
	let ys: Vec<f64> =
		xs.iter().map(|x| if rng.uniform() < sigmoid(true_logit(x)) { 1.0 } else { 0.0 }).collect();
	let mut mean = [0.0; 8];
	let mut std = [0.0; 8];
	for j in 0..8 {
		mean[j] = xs.iter().map(|x| x[j]).sum::<f64>() / SAMPLES as f64;
		let var = xs.iter().map(|x| (x[j] - mean[j]).powi(2)).sum::<f64>() / SAMPLES as f64;
		std[j] = var.sqrt().max(1e-6);
	}
	// Round the normaliser to f32 so training sees exactly what inference will.
	let mean: Vec<f64> = mean.iter().map(|v| *v as f32 as f64).collect();
	let std: Vec<f64> = std.iter().map(|v| *v as f32 as f64).collect();
	let norm: Vec<Vec<f64>> =
		xs.iter().map(|x| (0..8).map(|j| (x[j] - mean[j]) / std[j]).collect()).collect();

	// Network.
	let widths = [8, HIDDEN[0], HIDDEN[1], 1];
	let mut layers: Vec<Layer> = widths
		.windows(2)
		.map(|p| {
			let limit = (6.0 / (p[0] + p[1]) as f64).sqrt();
			Layer {
				w: (0..p[0] * p[1]).map(|_| rng.range(-limit, limit)).collect(),
				b: vec![0.0; p[1]],
				n_in: p[0],
				n_out: p[1],
			}
		})
		.collect();
	let mut adam: Vec<(Adam, Adam)> = layers
		.iter()
		.map(|l| {
			(
				Adam { m: vec![0.0; l.w.len()], v: vec![0.0; l.w.len()] },
				Adam { m: vec![0.0; l.b.len()], v: vec![0.0; l.b.len()] },
			)
		})
		.collect();

	for epoch in 1..=EPOCHS {
		let mut gw: Vec<Vec<f64>> = layers.iter().map(|l| vec![0.0; l.w.len()]).collect();
		let mut gb: Vec<Vec<f64>> = layers.iter().map(|l| vec![0.0; l.b.len()]).collect();
		let mut loss = 0.0;
		for (x, y) in norm.iter().zip(&ys) {
			// Forward, keeping activations.
			let mut acts = vec![x.clone()];
			for (li, l) in layers.iter().enumerate() {
				let a = acts.last().cloned().unwrap_or_default();
				let mut z: Vec<f64> = (0..l.n_out)
					.map(|o| l.b[o] + (0..l.n_in).map(|i| l.w[o * l.n_in + i] * a[i]).sum::<f64>())
					.collect();
				if li + 1 < layers.len() {
					z.iter_mut().for_each(|v| *v = v.max(0.0));
				}
				acts.push(z);
			}
			let logit = acts.last().map(|a| a[0]).unwrap_or(0.0);
			let p = sigmoid(logit);
			loss -= y * p.max(1e-12).ln() + (1.0 - y) * (1.0 - p).max(1e-12).ln();
			// Backward.
			let mut delta = vec![(p - y) / SAMPLES as f64];
			for li in (0..layers.len()).rev() {
				let l = &layers[li];
				let a = &acts[li];
				for o in 0..l.n_out {
					gb[li][o] += delta[o];
					for i in 0..l.n_in {
						gw[li][o * l.n_in + i] += delta[o] * a[i];
					}
				}
				if li > 0 {
					delta = (0..l.n_in)
						.map(|i| {
							let back: f64 =
								(0..l.n_out).map(|o| l.w[o * l.n_in + i] * delta[o]).sum();
							if a[i] > 0.0 {
								back
							} else {
								0.0
							}
						})
						.collect();
				}
			}
		}
		for (li, l) in layers.iter_mut().enumerate() {
			adam_step(&mut l.w, &gw[li], &mut adam[li].0, epoch);
			adam_step(&mut l.b, &gb[li], &mut adam[li].1, epoch);
		}
		if epoch % 100 == 0 || epoch == 1 {
			eprintln!("epoch {epoch:>4}: log loss {:.5}", loss / SAMPLES as f64);
		}
	}

	// Save.
	std::fs::create_dir_all(&out_dir)?;
	let dev = Device::Cpu;
	let f32s = |v: &[f64]| v.iter().map(|x| *x as f32).collect::<Vec<f32>>();
	let mut tensors: HashMap<String, Tensor> = HashMap::new();
	tensors.insert("norm.mean".into(), Tensor::from_vec(f32s(&mean), 8, &dev)?);
	tensors.insert("norm.std".into(), Tensor::from_vec(f32s(&std), 8, &dev)?);
	for (i, l) in layers.iter().enumerate() {
		tensors.insert(
			format!("layers.{i}.weight"),
			Tensor::from_vec(f32s(&l.w), (l.n_out, l.n_in), &dev)?,
		);
		tensors.insert(format!("layers.{i}.bias"), Tensor::from_vec(f32s(&l.b), l.n_out, &dev)?);
	}
	candle_core::safetensors::save(&tensors, out_dir.join("model.safetensors"))?;
	let config = serde_json::json!({
		"features": FEATURES,
		"hidden": HIDDEN,
		"outputs": ["probability_of_default"],
		"output_activation": "sigmoid",
	});
	std::fs::write(out_dir.join("config.json"), serde_json::to_string_pretty(&config)? + "\n")?;
	eprintln!("wrote {}", out_dir.display());
	Ok(())
}
