//! Three validators (Alice, Bob, Charlie) on 127.0.0.1 agree on finalized blocks.

mod common;

use common::{free_port, Node, TempDir};
use std::time::Duration;

/// Validators need a stable libp2p identity: fixed development keys, Alice's (key 1) making her
/// the bootnode with a known peer id.
fn node_key(index: u8) -> String {
	format!("{index:064x}")
}
const ALICE_PEER_ID: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

fn validator(name: &str, index: u8, dir: &TempDir, p2p_port: u16, bootnodes: &[String]) -> Node {
	let base = dir.0.join(name);
	let mut args: Vec<String> = vec![
		"--chain".into(),
		"local".into(),
		format!("--{name}"),
		"--base-path".into(),
		base.display().to_string(),
		"--listen-addr".into(),
		format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
		"--no-mdns".into(),
		"--node-key".into(),
		node_key(index),
	];
	args.extend_from_slice(bootnodes);
	Node::spawn(name, &dir.0, &args)
}

#[test]
fn three_validators_finalize_the_same_blocks() {
	let dir = TempDir::new("local");
	let alice_port = free_port();
	let bootnode = format!("/ip4/127.0.0.1/tcp/{alice_port}/p2p/{ALICE_PEER_ID}");
	let join = ["--bootnodes".to_string(), bootnode];

	let mut nodes = vec![
		validator("alice", 1, &dir, alice_port, &[]),
		validator("bob", 2, &dir, free_port(), &join),
		validator("charlie", 3, &dir, free_port(), &join),
	];

	common::wait_finalized(&mut nodes, 3, Duration::from_secs(300));

	// Every node has finalized at least this height: they must agree on its hash.
	let height = nodes
		.iter()
		.map(|node| node.finalized().expect("finalized head").0)
		.min()
		.expect("three nodes");
	assert!(height >= 3);
	let hashes: Vec<String> =
		nodes.iter().map(|node| node.block_hash(height).expect("block hash")).collect();
	assert!(
		hashes.iter().all(|hash| hash == &hashes[0]),
		"nodes disagree on finalized block {height}: {hashes:?}"
	);
	let peers = nodes[0].rpc("system_health", serde_json::json!([])).expect("health");
	assert_eq!(peers["peers"], 2, "alice should see bob and charlie: {peers}");
}
