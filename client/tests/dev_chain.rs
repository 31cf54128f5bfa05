//! The `verity` command line against a real `verity-node --dev --tmp` on 127.0.0.1: the
//! committed metadata is the node's, a model registers and lists, a job submits and shows, a
//! job followed with `--wait` returns its finalized result (Alice's off-chain worker runs the
//! risk-mlp from the test's model store), and each bad input fails with a clear error.
//!
//! One node serves every step (a debug node takes tens of seconds to start); the steps run in
//! order, each is reported on its own, and the test fails listing every step that failed. The
//! node is stopped by PID when the test ends, failing or not.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use codec::{Decode, Encode};
use common::*;
use serde_json::json;

/// Dev accounts the dev genesis endows (Alice validates and is a bonded operator).
const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
/// A dev-phrase account nobody endowed.
const PAUPER: &str = "//Pauper";

struct Chain {
	node: Node,
	url: String,
	store: std::path::PathBuf,
	model: String,
	_dir: TempDir,
}

impl Chain {
	fn verity(&self, args: &[&str]) -> Run {
		verity(&self.url, Some(&self.store), args)
	}
}

/// A named check run against the shared chain.
type Step = (&'static str, fn(&Chain));

#[test]
fn cli_against_a_dev_chain() {
	let dir = TempDir::new("dev-chain");
	let (store, model) = risk_mlp_store(&dir.0);
	let node = start_dev_node(&dir.0, &store);
	let chain = Chain { url: node.url(), node, store, model, _dir: dir };

	let steps: &[Step] = &[
		("metadata file is current", metadata_is_current),
		("registering without funds", register_without_funds),
		("model register + list round trip", register_and_list),
		("unknown model", unknown_model),
		("no operator serves the model", no_operator_serves),
		("job submit + job show", submit_and_show),
		("job submit --wait returns the finalized result", submit_and_wait),
		("oversized input", oversized_input),
		("insufficient funds", insufficient_funds),
		("chain status", chain_status),
	];
	let mut failed = Vec::new();
	for (name, step) in steps.iter().copied() {
		eprintln!("--- {name}");
		if catch_unwind(AssertUnwindSafe(|| step(&chain))).is_err() {
			failed.push(name);
		}
	}
	assert!(
		failed.is_empty(),
		"failed steps: {failed:?}\nnode log tail:\n{}",
		chain.node.log_tail()
	);
}

/// `client/artifacts/verity.scale` is what the node's runtime serves (the newest stable
/// metadata version, as `scripts/update-metadata.sh` fetches it).
fn metadata_is_current(chain: &Chain) {
	let call = |method: &str, arg: Vec<u8>| -> Vec<u8> {
		let reply = chain
			.node
			.rpc("state_call", json!([method, format!("0x{}", hex::encode(arg))]))
			.unwrap_or_else(|e| panic!("{method}: {e}"));
		hex::decode(reply.as_str().unwrap_or_default().trim_start_matches("0x")).expect("hex reply")
	};
	let versions =
		Vec::<u32>::decode(&mut &call("Metadata_metadata_versions", vec![])[..]).unwrap();
	let newest = versions.into_iter().filter(|v| *v != u32::MAX).max().expect("a stable version");
	let reply = call("Metadata_metadata_at_version", newest.encode());
	let served =
		Option::<Vec<u8>>::decode(&mut &reply[..]).unwrap().expect("metadata at its own version");
	let committed = include_bytes!("../artifacts/verity.scale");
	assert!(
		served == committed,
		"client/artifacts/verity.scale ({} bytes) differs from the node's metadata V{newest} ({} bytes): \
		 run scripts/update-metadata.sh and rebuild the client",
		committed.len(),
		served.len()
	);
}

fn register_without_funds(chain: &Chain) {
	chain
		.verity(&["--suri", PAUPER, "model", "register", "risk-mlp"])
		.fails_with("insufficient funds: the model deposit needs 10 VRT");
}

fn register_and_list(chain: &Chain) {
	let registered = chain
		.verity(&[
			"--json",
			"--suri",
			"//Alice",
			"model",
			"register",
			"risk-mlp",
			"--replication",
			"1",
			"--price",
			"0.02",
		])
		.ok()
		.json();
	assert_eq!(registered["registered"]["id"], json!(chain.model), "{registered}");
	assert_eq!(registered["name"], json!("risk-mlp"));

	let listed = chain.verity(&["--json", "model", "list"]).ok().json();
	let models = listed.as_array().expect("a list");
	let model = models
		.iter()
		.find(|m| m["id"] == json!(chain.model))
		.unwrap_or_else(|| panic!("not listed: {listed}"));
	assert_eq!(model["name"], json!("risk-mlp"));
	assert_eq!(model["owner"], json!(ALICE));
	assert_eq!(model["status"], json!("active"));
	assert_eq!(model["deposit"], json!("10"));
	let spec = &model["spec"];
	assert_eq!(spec["architecture"], json!("Mlp"));
	assert_eq!(spec["contract"], json!({ "kind": "exact" }));
	assert_eq!(spec["max_input_len"], json!(4096));
	assert_eq!(spec["max_output_len"], json!(4));
	assert_eq!(spec["price"], json!("0.02"));
	assert_eq!(spec["replication"], json!(1));
	assert_eq!(spec["quorum"], json!(67.0));

	let human = chain.verity(&["model", "list"]).ok();
	assert!(human.stdout.contains(&chain.model) && human.stdout.contains("(risk-mlp)"), "{human}");

	chain
		.verity(&["--suri", "//Alice", "model", "register", "risk-mlp"])
		.fails_with("is already registered");
}

fn unknown_model(chain: &Chain) {
	let unknown = format!("0x{}", "07".repeat(32));
	chain
		.verity(&["--suri", "//Bob", "job", "submit", "--model", &unknown, "--text", "hi"])
		.fails_with(&format!("unknown model {unknown}"));
	chain.verity(&["model", "show", &unknown]).fails_with("unknown model");
}

fn no_operator_serves(chain: &Chain) {
	chain
		.verity(&[
			"--suri",
			"//Bob",
			"job",
			"submit",
			"--model",
			&chain.model,
			"--features",
			RISK_FEATURES,
		])
		.fails_with("not enough operators");
}

fn submit_and_show(chain: &Chain) {
	chain.verity(&["--suri", "//Alice", "operator", "set-models", &chain.model]).ok();
	let operators = chain.verity(&["--json", "operator", "list"]).ok().json();
	let alice = operators
		.as_array()
		.unwrap()
		.iter()
		.find(|o| o["account"] == json!(ALICE))
		.expect("Alice is an operator");
	assert_eq!(alice["models"], json!([chain.model]), "{operators}");

	let submitted = chain
		.verity(&[
			"--json",
			"--suri",
			"//Bob",
			"job",
			"submit",
			"--model",
			&chain.model,
			"--features",
			RISK_FEATURES,
		])
		.ok()
		.json();
	let job_id = submitted["job_id"].as_u64().unwrap_or_else(|| panic!("no job id: {submitted}"));
	assert_eq!(submitted["model"], json!(chain.model));
	assert_eq!(submitted["fee"], json!("0.02"));
	assert_eq!(submitted["operators"], json!([ALICE]));

	// Open (commit phase lasts ten blocks), unless an operator's off-chain worker already
	// settled it: both show the job.
	let shown = chain.verity(&["--json", "job", "show", &job_id.to_string()]).ok().json();
	assert_eq!(shown["job_id"], json!(job_id), "{shown}");
	assert_eq!(shown["model"], json!(chain.model));
	if shown["state"] == json!("open") {
		let input = verity_client::parse::parse_features(RISK_FEATURES, 10_000).unwrap();
		assert_eq!(shown["input"], json!(format!("0x{}", hex::encode(input))));
		assert_eq!(shown["operators"][0]["operator"], json!(ALICE));
	} else {
		assert_eq!(shown["state"], json!("settled"), "{shown}");
		assert_eq!(shown["agreeing"], json!([ALICE]));
	}

	let human = chain.verity(&["job", "show", &job_id.to_string()]).ok();
	assert!(human.stdout.starts_with(&format!("job {job_id} ")), "{human}");

	chain.verity(&["job", "show", "999999"]).fails_with("job 999999 not found");
}

fn submit_and_wait(chain: &Chain) {
	let run = chain
		.verity(&[
			"--json",
			"--suri",
			"//Bob",
			"job",
			"submit",
			"--model",
			&chain.model,
			"--features",
			RISK_FEATURES,
			"--wait",
			"--timeout",
			"180",
		])
		.ok();
	let report = run.json();
	let outcome = &report["outcome"];
	assert_eq!(outcome["outcome"], json!("settled"), "{run}");
	assert!(outcome["finalized_block"].as_u64().is_some());
	let result = &outcome["result"];
	assert_eq!(result["agreeing"], json!([ALICE]));
	assert_eq!(result["attesting_stake"], result["assigned_stake"]);
	// The engine's known answer for this applicant (engine/tests/mlp.rs): 153 874 at scale 10⁸.
	assert_eq!(result["output"], json!(format!("0x{}", hex::encode(153_874i32.to_le_bytes()))));
	assert_eq!(
		report["decoded"],
		json!({ "kind": "scores", "values": [0.00153874], "scale": 100_000_000 })
	);
	// Progress went to stderr, in order.
	let progress = [
		"submitted in block",
		"committed (1/1)",
		"revealed output",
		"settled on output",
		"finalized at block",
	];
	let mut rest = run.stderr.as_str();
	for line in progress {
		let at =
			rest.find(line).unwrap_or_else(|| panic!("no `{line}` in order on stderr:\n{run}"));
		rest = &rest[at..];
	}
}

fn oversized_input(chain: &Chain) {
	let file = chain.store.with_file_name("oversized-input");
	std::fs::write(&file, vec![1u8; 4097]).unwrap();
	chain
		.verity(&[
			"--suri",
			"//Bob",
			"job",
			"submit",
			"--model",
			&chain.model,
			"--input-file",
			&file.to_string_lossy(),
		])
		.fails_with("input too large: 4097 bytes");
}

fn insufficient_funds(chain: &Chain) {
	// Checked before signing: the job's fee against the free balance.
	chain
		.verity(&[
			"--suri",
			PAUPER,
			"job",
			"submit",
			"--model",
			&chain.model,
			"--features",
			RISK_FEATURES,
		])
		.fails_with("insufficient funds: the job fee needs 0.02 VRT");
	// Refused by the transaction pool: no balance for the transaction fee.
	chain.verity(&["--suri", PAUPER, "stake", "claim", ALICE]).fails_with("insufficient funds");
}

fn chain_status(chain: &Chain) {
	let status = chain.verity(&["--json", "chain", "status"]).ok().json();
	assert!(status["best"]["number"].as_u64().unwrap_or_default() >= 1, "{status}");
	assert_eq!(status["validators"], json!([ALICE]));
	assert!(status["models"].as_u64().unwrap_or_default() >= 1);
	// Two jobs were submitted (they may have settled since).
	assert!(status["next_job_id"].as_u64().unwrap_or_default() >= 2, "{status}");
}
