//! Helpers for the client's tests: running the `verity` binary, a `verity-node --dev --tmp` on
//! 127.0.0.1 (stopped by PID when dropped, so a failing test never leaves a node behind), and a
//! temporary model store holding the committed risk-mlp.

#![allow(dead_code)]

#[path = "../../../node/tests/common/mod.rs"]
mod node;
pub use node::*;

use std::{
	path::{Path, PathBuf},
	process::{Command, Output},
	time::Duration,
};

use serde_json::Value;

/// The `verity` binary cargo built for these tests.
pub fn verity_binary() -> PathBuf {
	PathBuf::from(env!("CARGO_BIN_EXE_verity"))
}

/// What one `verity` run printed and how it ended.
pub struct Run {
	pub status: i32,
	pub stdout: String,
	pub stderr: String,
}

impl Run {
	/// Stdout as JSON; panics with the whole run when it is not.
	pub fn json(&self) -> Value {
		serde_json::from_str(&self.stdout)
			.unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
	}

	/// Asserts success.
	pub fn ok(self) -> Self {
		assert_eq!(self.status, 0, "verity failed:\n{self}");
		self
	}

	/// Asserts a failure whose `Error:` line contains `expected`.
	pub fn fails_with(self, expected: &str) -> Self {
		assert_ne!(
			self.status, 0,
			"verity succeeded but should have failed with `{expected}`:\n{self}"
		);
		assert!(
			self.stderr.contains("Error: ") && self.stderr.contains(expected),
			"expected an error containing `{expected}`:\n{self}"
		);
		self
	}
}

impl std::fmt::Display for Run {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "exit {}\n--- stdout\n{}\n--- stderr\n{}", self.status, self.stdout, self.stderr)
	}
}

/// Runs `verity` with `args` against `url`, with no signer or store from the environment.
pub fn verity(url: &str, store: Option<&Path>, args: &[&str]) -> Run {
	let mut command = Command::new(verity_binary());
	command.args(args).env("VERITY_URL", url).env_remove("VERITY_SURI");
	match store {
		Some(store) => command.env("VERITY_MODEL_STORE", store),
		None => command.env("VERITY_MODEL_STORE", "/nonexistent/verity-store"),
	};
	let Output { status, stdout, stderr } = command.output().expect("verity runs");
	Run {
		status: status.code().unwrap_or(-1),
		stdout: String::from_utf8_lossy(&stdout).into_owned(),
		stderr: String::from_utf8_lossy(&stderr).into_owned(),
	}
}

/// Starts `verity-node --dev --tmp` on 127.0.0.1, its off-chain workers running models from
/// `model_store`, logging under `log_dir`, and waits until it has finalized a block.
pub fn start_dev_node(log_dir: &Path, model_store: &Path) -> Node {
	let p2p_port = free_port();
	let args: Vec<String> = vec![
		"--dev".into(),
		"--tmp".into(),
		"--no-mdns".into(),
		"--listen-addr".into(),
		format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
		"--model-store".into(),
		model_store.display().to_string(),
	];
	let mut node = Node::spawn("dev", log_dir, &args);
	wait_finalized(std::slice::from_mut(&mut node), 1, Duration::from_secs(180));
	node
}

/// The committed risk-mlp model (the same files the engine's tests and
/// `scripts/fetch-models.sh` import), imported into a fresh store under `dir`; returns the
/// store directory and the model id. Importing only copies and hashes files: no model runs.
pub fn risk_mlp_store(dir: &Path) -> (PathBuf, String) {
	let model_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/models/risk-mlp");
	let store_dir = dir.join("store");
	let store = verity_engine::ModelStore::open(&store_dir).expect("open temp store");
	let spec = verity_engine::ImportSpec {
		name: "risk-mlp".into(),
		architecture: verity_engine::Architecture::Mlp,
		files: [
			("weights".to_string(), model_dir.join("model.safetensors")),
			("config".to_string(), model_dir.join("config.json")),
		]
		.into_iter()
		.collect(),
		limits: None,
		numerics: None,
	};
	let (id, _) = store.import(&spec).expect("import risk-mlp");
	(store_dir, format!("0x{}", id.to_hex()))
}

/// The features of a low-risk applicant for the risk-mlp, in config order.
pub const RISK_FEATURES: &str = "45,120,0.10,0.15,0,20,4,10";
