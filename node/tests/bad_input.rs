//! Bad command lines end with a clear error and a non-zero exit, never a panic trace.

mod common;

use common::{free_port, run_to_exit, TempDir};
use std::{net::TcpListener, time::Duration};

fn assert_clean_failure(output: &std::process::Output, expected: &str) {
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(!output.status.success(), "expected failure, got success; stderr:\n{stderr}");
	assert!(stderr.contains(expected), "stderr lacks `{expected}`:\n{stderr}");
	assert!(!stderr.contains("panicked"), "panic instead of an error:\n{stderr}");
	assert!(!stderr.contains("Thread '"), "panic instead of an error:\n{stderr}");
}

#[test]
fn unknown_chain_name_is_rejected() {
	let output = run_to_exit(&["--chain", "no-such-chain", "--tmp"], Duration::from_secs(60));
	assert_clean_failure(&output, "unknown chain `no-such-chain`");
}

#[test]
fn unreadable_chain_spec_is_rejected() {
	let dir = TempDir::new("badspec");
	let spec = dir.0.join("spec.json");
	std::fs::write(&spec, b"{ this is not a chain spec").expect("write spec");
	let output = run_to_exit(
		&["--chain", spec.to_str().expect("utf-8 path"), "--tmp"],
		Duration::from_secs(60),
	);
	assert_clean_failure(&output, "cannot read chain spec");
}

#[test]
fn rpc_port_in_use_is_reported() {
	let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
	let port = taken.local_addr().expect("addr").port().to_string();
	let p2p = format!("/ip4/127.0.0.1/tcp/{}", free_port());
	let output = run_to_exit(
		&[
			"--dev",
			"--tmp",
			"--no-mdns",
			"--no-prometheus",
			"--listen-addr",
			&p2p,
			"--rpc-port",
			&port,
		],
		Duration::from_secs(120),
	);
	assert_clean_failure(&output, "Address already in use");
}

#[test]
fn unknown_flag_is_rejected() {
	let output = run_to_exit(&["--no-such-flag"], Duration::from_secs(30));
	assert_clean_failure(&output, "unexpected argument '--no-such-flag'");
}

#[test]
fn p2p_port_in_use_is_reported() {
	let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
	let port = taken.local_addr().expect("addr").port();
	let p2p = format!("/ip4/127.0.0.1/tcp/{port}");
	let rpc = free_port().to_string();
	let output = run_to_exit(
		&[
			"--dev",
			"--tmp",
			"--no-mdns",
			"--no-prometheus",
			"--listen-addr",
			&p2p,
			"--rpc-port",
			&rpc,
		],
		Duration::from_secs(120),
	);
	assert_clean_failure(&output, "is already in use");
}
