//! Three validators (Alice, Bob, Charlie) on 127.0.0.1 agree on finalized blocks.

mod common;

use common::{local_validators, TempDir};
use std::time::Duration;

#[test]
fn three_validators_finalize_the_same_blocks() {
	let dir = TempDir::new("local");
	let mut nodes = local_validators(&dir, &[]);

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
