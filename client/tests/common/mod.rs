//! Helpers for the client's tests: running the `verity` binary, a `verity-node --dev --tmp` on
//! 127.0.0.1 (stopped by PID when dropped, so a failing test never leaves a node behind), and a
//! temporary model store holding the committed risk-mlp.

#![allow(dead_code)]

use std::{
	io::{Read, Write},
	net::{TcpListener, TcpStream},
	path::{Path, PathBuf},
	process::{Child, Command, Output, Stdio},
	time::{Duration, Instant},
};

use serde_json::{json, Value};

/// The `verity` binary cargo built for these tests.
pub fn verity_binary() -> PathBuf {
	PathBuf::from(env!("CARGO_BIN_EXE_verity"))
}

/// The node binary: `$VERITY_NODE`, else `verity-node` next to this test's target directory
/// (`<target>/debug/deps/<test>` → `<target>/debug/verity-node`), where `cargo test
/// --workspace` and `cargo build -p verity-node` put it.
pub fn node_binary() -> PathBuf {
	if let Some(path) = std::env::var_os("VERITY_NODE") {
		return PathBuf::from(path);
	}
	let exe = std::env::current_exe().expect("the test knows its own path");
	let profile_dir =
		exe.parent().and_then(Path::parent).expect("tests run from <target>/<profile>/deps");
	profile_dir.join("verity-node")
}

/// A TCP port free on 127.0.0.1 at the time of asking.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|listener| listener.local_addr())
		.map(|addr| addr.port())
		.expect("the OS hands out an ephemeral port")
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

/// A running dev node; stopped by PID when dropped.
pub struct Node {
	pub rpc_port: u16,
	child: Child,
	log: PathBuf,
}

impl Node {
	/// Starts `verity-node --dev --tmp` on 127.0.0.1 with RPC on a free port, its off-chain
	/// workers running models from `model_store`, logging to a file under `log_dir`, and waits
	/// until it has produced a block.
	pub fn start(log_dir: &Path, model_store: &Path) -> Node {
		let binary = node_binary();
		assert!(
			binary.exists(),
			"no node binary at {} (build it with `cargo build -p verity-node`, or set VERITY_NODE)",
			binary.display()
		);
		let rpc_port = free_port();
		let p2p_port = free_port();
		let log = log_dir.join("node.log");
		let log_file = std::fs::File::create(&log).expect("log file can be created");
		let child = Command::new(&binary)
			.args(["--dev", "--tmp", "--no-prometheus", "--no-telemetry", "--no-mdns"])
			.args(["--rpc-port", &rpc_port.to_string()])
			.arg("--model-store")
			.arg(model_store)
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p_port}")])
			.env("RAYON_NUM_THREADS", "1")
			.stdout(Stdio::null())
			.stderr(log_file)
			.spawn()
			.expect("verity-node starts");
		let mut node = Node { rpc_port, child, log };
		node.wait_for_block(1, Duration::from_secs(180));
		node
	}

	/// The WebSocket URL of its RPC.
	pub fn url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// One JSON-RPC call over HTTP.
	pub fn rpc(&self, method: &str, params: Value) -> Result<Value, String> {
		rpc_call(self.rpc_port, method, params)
	}

	/// The best block's number.
	pub fn best_number(&self) -> Result<u64, String> {
		let header = self.rpc("chain_getHeader", json!([]))?;
		header["number"]
			.as_str()
			.and_then(|n| u64::from_str_radix(n.trim_start_matches("0x"), 16).ok())
			.ok_or_else(|| format!("header without a number: {header}"))
	}

	fn wait_for_block(&mut self, n: u64, timeout: Duration) {
		let start = Instant::now();
		loop {
			if let Ok(Some(status)) = self.child.try_wait() {
				panic!("verity-node exited early ({status}):\n{}", self.log_tail());
			}
			if matches!(self.best_number(), Ok(number) if number >= n) {
				return;
			}
			if start.elapsed() > timeout {
				panic!("verity-node made no block #{n} in {timeout:?}:\n{}", self.log_tail());
			}
			std::thread::sleep(Duration::from_millis(500));
		}
	}

	/// The last lines the node logged.
	pub fn log_tail(&self) -> String {
		let log = std::fs::read_to_string(&self.log).unwrap_or_default();
		let lines: Vec<&str> = log.lines().collect();
		lines[lines.len().saturating_sub(30)..].join("\n")
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if self.child.try_wait().ok().flatten().is_some() {
			return;
		}
		let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
		let deadline = Instant::now() + Duration::from_secs(10);
		while Instant::now() < deadline {
			if self.child.try_wait().ok().flatten().is_some() {
				return;
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// A minimal blocking JSON-RPC-over-HTTP client (the node serves HTTP on its RPC port).
pub fn rpc_call(port: u16, method: &str, params: Value) -> Result<Value, String> {
	let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
	let mut stream =
		TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect :{port}: {e}"))?;
	stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
	write!(
		stream,
		"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	)
	.map_err(|e| e.to_string())?;
	let mut response = String::new();
	stream.read_to_string(&mut response).map_err(|e| e.to_string())?;
	let status = response.lines().next().unwrap_or_default();
	if !status.contains(" 200 ") {
		return Err(format!("{method}: HTTP {status}"));
	}
	let json_start = response.find("\r\n\r\n").ok_or("malformed HTTP response")? + 4;
	let reply: Value = serde_json::from_str(&response[json_start..])
		.map_err(|e| format!("bad JSON from {method}: {e}"))?;
	match reply.get("error") {
		Some(error) => Err(format!("{method}: {error}")),
		None => Ok(reply["result"].clone()),
	}
}

/// A fresh temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
	pub fn new(label: &str) -> TempDir {
		let nanos = std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map(|d| d.subsec_nanos())
			.unwrap_or_default();
		let dir = std::env::temp_dir()
			.join(format!("verity-client-{label}-{}-{nanos}", std::process::id()));
		std::fs::create_dir_all(&dir).expect("temp dir can be created");
		TempDir(dir)
	}
}

impl Drop for TempDir {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.0);
	}
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
