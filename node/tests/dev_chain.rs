//! `verity-node --dev --tmp` authors and finalizes blocks on its own.

mod common;

use common::{Node, TempDir};
use std::time::Duration;

#[test]
fn dev_chain_finalizes_blocks() {
	let logs = TempDir::new("dev");
	let p2p_port = common::free_port().to_string();
	let args: Vec<String> = ["--dev", "--tmp", "--no-mdns", "--listen-addr"]
		.iter()
		.map(|s| s.to_string())
		.chain([format!("/ip4/127.0.0.1/tcp/{p2p_port}")])
		.collect();
	let mut nodes = [Node::spawn("dev", &logs.0, &args)];
	common::wait_finalized(&mut nodes, 3, Duration::from_secs(240));
	let [node] = nodes;
	assert!(node.finalized().expect("finalized head").0 >= 3);

	// The chain spec carries the token properties wallets display.
	let properties = node.rpc("system_properties", serde_json::json!([])).expect("properties");
	assert_eq!(properties["tokenSymbol"], "VRT");
	assert_eq!(properties["tokenDecimals"], 12);
	assert_eq!(properties["ss58Format"], 42);
	let chain = node.rpc("system_chain", serde_json::json!([])).expect("chain name");
	assert_eq!(chain, "Verity Development");
}
