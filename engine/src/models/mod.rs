//! The architectures. Each loads from verified bytes and runs one canonical input.

pub mod bert;
pub mod llama;
pub mod mlp;

use crate::encoding::Output;
use crate::error::Result;

/// A loaded model, ready to run canonical inputs.
pub trait Model: Send {
	/// Runs one canonical input and returns the output.
	fn run(&mut self, input: &[u8]) -> Result<Output>;
}
