//! Helpers for tests that run real `verity-node` processes on 127.0.0.1: the node's own tests,
//! and (included by path) the client's.
//!
//! A [`Node`] stops its process (SIGINT, then SIGKILL by PID) when dropped, so a failing
//! assertion never leaves a node behind.

#![allow(dead_code)]

use std::{
	io::{Read, Write},
	net::{TcpListener, TcpStream},
	path::{Path, PathBuf},
	process::{Child, Command, ExitStatus, Output, Stdio},
	time::{Duration, Instant},
};

use serde_json::{json, Value};

/// The node binary: `$VERITY_NODE`; else the one cargo built for the node's tests; else
/// `verity-node` in this test's target directory (`<target>/debug/deps/<test>` →
/// `<target>/debug/verity-node`), where `cargo test --workspace` puts it.
pub fn node_binary() -> PathBuf {
	if let Some(path) = std::env::var_os("VERITY_NODE") {
		return PathBuf::from(path);
	}
	if let Some(path) = option_env!("CARGO_BIN_EXE_verity-node") {
		return PathBuf::from(path);
	}
	let exe = std::env::current_exe().expect("the test knows its own path");
	let binary = exe
		.parent()
		.and_then(Path::parent)
		.expect("tests run from <target>/<profile>/deps")
		.join("verity-node");
	assert!(
		binary.exists(),
		"no node binary at {} (build it with `cargo build -p verity-node`, or set VERITY_NODE)",
		binary.display()
	);
	binary
}

/// A TCP port free on 127.0.0.1 at the time of asking.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|listener| listener.local_addr())
		.map(|addr| addr.port())
		.expect("the OS hands out an ephemeral port")
}

/// A running node; killed by PID when dropped.
pub struct Node {
	pub name: String,
	pub rpc_port: u16,
	child: Child,
	log: PathBuf,
}

impl Node {
	/// Starts `verity-node` with `args`, logging to a file under `log_dir`, RPC on a free port.
	pub fn spawn(name: &str, log_dir: &Path, args: &[String]) -> Node {
		let rpc_port = free_port();
		let log = log_dir.join(format!("{name}.log"));
		let log_file = std::fs::File::create(&log).expect("log file can be created");
		let child = Command::new(node_binary())
			.args(args)
			.args(["--rpc-port", &rpc_port.to_string(), "--no-prometheus", "--no-telemetry"])
			.env("RUST_LOG", "info")
			.env("RAYON_NUM_THREADS", "1")
			.stdout(Stdio::null())
			.stderr(log_file)
			.spawn()
			.expect("verity-node starts");
		Node { name: name.into(), rpc_port, child, log }
	}

	/// One JSON-RPC call over HTTP.
	pub fn rpc(&self, method: &str, params: Value) -> Result<Value, String> {
		rpc_call(self.rpc_port, method, params)
	}

	/// The WebSocket URL of its RPC.
	pub fn url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// The best block's number.
	pub fn best_number(&self) -> Result<u64, String> {
		header_number(&self.rpc("chain_getHeader", json!([]))?)
	}

	/// Number and hash of the latest finalized block.
	pub fn finalized(&self) -> Result<(u64, String), String> {
		let hash = self.rpc("chain_getFinalizedHead", json!([]))?;
		let number = header_number(&self.rpc("chain_getHeader", json!([hash]))?)?;
		Ok((number, hash.as_str().unwrap_or_default().to_string()))
	}

	/// The hash of the block at `number` on this node's best chain.
	pub fn block_hash(&self, number: u64) -> Result<String, String> {
		let hash = self.rpc("chain_getBlockHash", json!([number]))?;
		hash.as_str().map(str::to_string).ok_or_else(|| format!("no block {number}"))
	}

	/// The exit status, if the process has ended.
	pub fn exited(&mut self) -> Option<ExitStatus> {
		self.child.try_wait().ok().flatten()
	}

	/// The last lines the node logged.
	pub fn log_tail(&self) -> String {
		let log = std::fs::read_to_string(&self.log).unwrap_or_default();
		let lines: Vec<&str> = log.lines().collect();
		lines[lines.len().saturating_sub(40)..].join("\n")
	}
}

fn header_number(header: &Value) -> Result<u64, String> {
	header["number"]
		.as_str()
		.and_then(|n| u64::from_str_radix(n.trim_start_matches("0x"), 16).ok())
		.ok_or_else(|| format!("header without a number: {header}"))
}

/// Alice's libp2p peer id under node key 1: the local network's bootnode.
pub const ALICE_PEER_ID: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

/// The `local` chain's validators Alice, Bob and Charlie on 127.0.0.1, each with `extra`
/// arguments and its state under `dir`. Validators need a stable libp2p identity: fixed
/// development node keys 1, 2, 3, Alice's making her the bootnode with a known peer id.
pub fn local_validators(dir: &TempDir, extra: &[String]) -> Vec<Node> {
	let alice_port = free_port();
	["alice", "bob", "charlie"]
		.iter()
		.enumerate()
		.map(|(i, name)| {
			let p2p_port = if i == 0 { alice_port } else { free_port() };
			let mut args: Vec<String> = vec![
				"--chain".into(),
				"local".into(),
				format!("--{name}"),
				"--base-path".into(),
				dir.0.join(name).display().to_string(),
				"--listen-addr".into(),
				format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
				"--no-mdns".into(),
				"--node-key".into(),
				format!("{:064x}", i + 1),
			];
			if i > 0 {
				args.push("--bootnodes".into());
				args.push(format!("/ip4/127.0.0.1/tcp/{alice_port}/p2p/{ALICE_PEER_ID}"));
			}
			args.extend_from_slice(extra);
			Node::spawn(name, &dir.0, &args)
		})
		.collect()
}

/// Waits until every node has finalized at least `n` blocks. Panics with the log tail of the
/// first node that exits early or falls short in time.
pub fn wait_finalized(nodes: &mut [Node], n: u64, timeout: Duration) {
	let start = Instant::now();
	loop {
		let mut done = true;
		for node in nodes.iter_mut() {
			if let Some(status) = node.exited() {
				panic!("{} exited early ({status}):\n{}", node.name, node.log_tail());
			}
			done &= matches!(node.finalized(), Ok((number, _)) if number >= n);
		}
		if done {
			return;
		}
		if start.elapsed() > timeout {
			for node in nodes.iter() {
				match node.finalized() {
					Ok((number, _)) if number >= n => continue,
					reply => panic!(
						"{} finalized fewer than {n} blocks in {timeout:?} (RPC says {reply:?}):\n{}",
						node.name,
						node.log_tail()
					),
				}
			}
		}
		std::thread::sleep(Duration::from_millis(500));
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		stop_by_pid(&mut self.child);
	}
}

/// Asks the process to stop (SIGINT, as Ctrl-C would), then kills it if it lingers.
pub fn stop_by_pid(child: &mut Child) {
	if child.try_wait().ok().flatten().is_some() {
		return;
	}
	let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
	let deadline = Instant::now() + Duration::from_secs(10);
	while Instant::now() < deadline {
		if child.try_wait().ok().flatten().is_some() {
			return;
		}
		std::thread::sleep(Duration::from_millis(100));
	}
	let _ = child.kill();
	let _ = child.wait();
}

/// A minimal blocking JSON-RPC-over-HTTP client: enough for tests, no extra dependencies.
pub fn rpc_call(port: u16, method: &str, params: Value) -> Result<Value, String> {
	let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
	let mut stream =
		TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect :{port}: {e}"))?;
	stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
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

/// Runs the node to completion (for commands that must fail fast) with a time limit.
pub fn run_to_exit(args: &[&str], timeout: Duration) -> Output {
	let mut child = Command::new(node_binary())
		.args(args)
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.expect("verity-node starts");
	let deadline = Instant::now() + timeout;
	while child.try_wait().ok().flatten().is_none() {
		if Instant::now() > deadline {
			stop_by_pid(&mut child);
			panic!("verity-node {args:?} did not exit within {timeout:?}");
		}
		std::thread::sleep(Duration::from_millis(100));
	}
	child.wait_with_output().expect("output can be collected")
}

/// A fresh temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
	pub fn new(label: &str) -> TempDir {
		let nanos = std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map(|d| d.subsec_nanos())
			.unwrap_or_default();
		let dir =
			std::env::temp_dir().join(format!("verity-{label}-{}-{nanos}", std::process::id()));
		std::fs::create_dir_all(&dir).expect("temp dir can be created");
		TempDir(dir)
	}
}

impl Drop for TempDir {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.0);
	}
}
