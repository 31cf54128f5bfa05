//! `Mlp`: a small fully connected network over a fixed-point feature vector.
//!
//! Files: `weights` (safetensors with `norm.mean`, `norm.std` `[features]` and
//! `layers.{i}.weight` `[out, in]`, `layers.{i}.bias` `[out]`), `config` (JSON, [`MlpConfig`]).
//! Forward: `x = (x - mean) / std`, then `ReLU(linear)` for each hidden layer, then the output
//! layer and its activation.

use candle_core::{DType, Device, Module, Tensor};
use serde::{Deserialize, Serialize};

use crate::encoding::{decode_features, to_fixed, Output};
use crate::error::{EngineError, Result};
use crate::kernels::DetLinear;
use crate::models::Model;

/// The `config` file of an `Mlp`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpConfig {
	/// Input feature names, in input order (their count is the input width).
	pub features: Vec<String>,
	/// Widths of the hidden layers.
	pub hidden: Vec<usize>,
	/// Output names, in output order.
	pub outputs: Vec<String>,
	/// Activation of the output layer.
	pub output_activation: OutputActivation,
}

/// The output layer's activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputActivation {
	/// No activation.
	Identity,
	/// The logistic function `1 / (1 + e^-x)`.
	Sigmoid,
}

/// A loaded `Mlp`.
pub struct Mlp {
	config: MlpConfig,
	mean: Tensor,
	std: Tensor,
	layers: Vec<DetLinear>,
	input_scale: u64,
	output_scale: u64,
	max_input_bytes: usize,
}

impl Mlp {
	/// Loads from verified file bytes.
	pub fn load(
		weights: Vec<u8>,
		config: &[u8],
		input_scale: u64,
		output_scale: u64,
		max_input_bytes: usize,
	) -> Result<Self> {
		let config: MlpConfig = serde_json::from_slice(config)
			.map_err(|e| EngineError::InvalidModel(format!("Mlp config: {e}")))?;
		let tensors = candle_core::safetensors::load_buffer(&weights, &Device::Cpu)
			.map_err(|e| EngineError::InvalidModel(format!("Mlp weights: {e}")))?;
		let get = |name: &str, shape: &[usize]| -> Result<Tensor> {
			let t = tensors
				.get(name)
				.ok_or_else(|| EngineError::InvalidModel(format!("Mlp weights lack `{name}`")))?;
			if t.dims() != shape {
				return Err(EngineError::InvalidModel(format!(
					"`{name}` has shape {:?}, expected {shape:?}",
					t.dims()
				)));
			}
			Ok(t.to_dtype(DType::F32)?)
		};
		let n_in = config.features.len();
		let mean = get("norm.mean", &[n_in])?;
		let std = get("norm.std", &[n_in])?;
		let mut widths = vec![n_in];
		widths.extend(&config.hidden);
		widths.push(config.outputs.len());
		let mut layers = Vec::new();
		for (i, pair) in widths.windows(2).enumerate() {
			let w = get(&format!("layers.{i}.weight"), &[pair[1], pair[0]])?;
			let b = get(&format!("layers.{i}.bias"), &[pair[1]])?;
			layers.push(DetLinear::new(w, Some(b))?);
		}
		Ok(Mlp { config, mean, std, layers, input_scale, output_scale, max_input_bytes })
	}

	/// The model's configuration.
	pub fn config(&self) -> &MlpConfig {
		&self.config
	}

	/// Runs real-valued features (already decoded) and returns the real-valued outputs.
	pub fn forward_f32(&self, features: &[f32]) -> Result<Vec<f32>> {
		let n = self.config.features.len();
		let mut x = Tensor::from_slice(features, (1, n), &Device::Cpu)?
			.broadcast_sub(&self.mean)?
			.broadcast_div(&self.std)?;
		let last = self.layers.len().saturating_sub(1);
		for (i, layer) in self.layers.iter().enumerate() {
			x = layer.forward(&x)?;
			if i < last {
				x = x.relu()?;
			}
		}
		if self.config.output_activation == OutputActivation::Sigmoid {
			x = candle_nn::ops::sigmoid(&x)?;
		}
		Ok(x.flatten_all()?.to_vec1::<f32>()?)
	}
}

impl Model for Mlp {
	fn run(&mut self, input: &[u8]) -> Result<Output> {
		let features = decode_features(
			input,
			self.config.features.len(),
			self.input_scale,
			self.max_input_bytes,
		)?;
		let values = self
			.forward_f32(&features)?
			.into_iter()
			.map(|v| to_fixed(v as f64, self.output_scale))
			.collect::<Result<Vec<_>>>()?;
		Ok(Output::Vector { values })
	}
}
