//! The `verity` command line against a real `verity-node --dev --tmp` on 127.0.0.1: the
//! committed metadata is the node's, a model registers (under the id the client computed
//! before signing) and lists, a job submits, is drawn and shows, a job followed with `--wait`
//! returns its finalized result (Alice's off-chain worker runs the risk-mlp from the test's
//! model store), an input the engine rejects settles as an attested rejection, and each bad
//! input fails with a clear error; the chain spec carries the token properties wallets show.
//!
//! One node serves every step (a debug node takes tens of seconds to start); the steps run in
//! order, each is reported on its own, and the test fails listing every step that failed. The
//! node is stopped by PID when the test ends, failing or not.

use std::{
	panic::{catch_unwind, AssertUnwindSafe},
	sync::OnceLock,
	time::{Duration, Instant},
};

use crate::common::*;
use codec::{Decode, Encode};
use serde_json::json;

/// Dev accounts the dev genesis endows (Alice validates and is a bonded operator).
const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
/// A dev-phrase account nobody endowed.
const PAUPER: &str = "//Pauper";

struct Chain {
	node: Node,
	url: String,
	store: std::path::PathBuf,
	/// The risk-mlp's manifest digest in the test's store.
	manifest: String,
	/// The id the chain gave the risk-mlp, once registered.
	model: OnceLock<String>,
	_dir: TempDir,
}

impl Chain {
	fn verity(&self, args: &[&str]) -> Run {
		verity(&self.url, Some(&self.store), args)
	}

	/// The registered risk-mlp's id (registered by an earlier step).
	fn model(&self) -> &str {
		self.model.get().expect("the risk-mlp was registered by an earlier step")
	}
}

/// A named check run against the shared chain.
type Step = (&'static str, fn(&Chain));

#[test]
fn cli_against_a_dev_chain() {
	let dir = TempDir::new("dev-chain");
	let (store, manifest) = risk_mlp_store(&dir.0);
	let node = start_dev_node(&dir.0, &store);
	let chain = Chain { url: node.url(), node, store, manifest, model: OnceLock::new(), _dir: dir };

	let steps: &[Step] = &[
		("metadata file is current", metadata_is_current),
		("registering without funds", register_without_funds),
		("model register + list round trip", register_and_list),
		("unknown model", unknown_model),
		("no operator serves the model", no_operator_serves),
		("job submit + job show", submit_and_show),
		("job submit --wait returns the finalized result", submit_and_wait),
		("an input the engine rejects settles as a rejection", rejected_input),
		("job terms the chain refuses", refused_terms),
		("job cancel", cancel),
		("oversized input", oversized_input),
		("insufficient funds", insufficient_funds),
		("chain status", chain_status),
		("chain spec: name and token properties", chain_spec),
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
	let committed = include_bytes!("../../artifacts/verity.scale");
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
	let spec_args = ["risk-mlp", "--replication", "1", "--price", "0.02"];
	// The id is computed before signing: a dry run shows it, and the chain derives the same.
	let dry = chain
		.verity(&[&["--json", "model", "register"][..], &spec_args, &["--dry-run"]].concat())
		.ok()
		.json();
	assert_eq!(dry["registered"], json!(false), "{dry}");
	assert_eq!(dry["manifest"], json!(chain.manifest));
	let id = dry["id"].as_str().expect("an id").to_string();
	assert_ne!(id, chain.manifest, "the id binds the spec, not only the manifest");

	let run = chain
		.verity(&[&["--json", "--suri", "//Alice", "model", "register"][..], &spec_args].concat())
		.ok();
	assert!(
		run.stderr.contains(&format!("as model {id}")),
		"the id is shown before signing:\n{run}"
	);
	let registered = run.json();
	assert_eq!(registered["registered"]["id"], json!(id), "{registered}");
	assert_eq!(registered["registered"]["manifest"], json!(chain.manifest));
	assert_eq!(registered["name"], json!("risk-mlp"));
	chain.model.set(id.clone()).expect("registered once");

	let listed = chain.verity(&["--json", "model", "list"]).ok().json();
	let models = listed.as_array().expect("a list");
	let model = models
		.iter()
		.find(|m| m["id"] == json!(id))
		.unwrap_or_else(|| panic!("not listed: {listed}"));
	assert_eq!(model["name"], json!("risk-mlp"));
	assert_eq!(model["manifest"], json!(chain.manifest));
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
	assert_eq!(spec["quorum"], json!(66.6666666));
	assert_eq!(spec["compute_blocks"], json!(0));

	let human = chain.verity(&["model", "list"]).ok();
	assert!(human.stdout.contains(&id) && human.stdout.contains("(risk-mlp)"), "{human}");
	assert!(human.stdout.contains(&format!("manifest {}", chain.manifest)), "{human}");
	// By its store name, as long as one registered model runs it.
	let shown = chain.verity(&["--json", "model", "show", "risk-mlp"]).ok().json();
	assert_eq!(shown["model"]["id"], json!(id), "{shown}");

	chain
		.verity(&[&["--suri", "//Alice", "model", "register"][..], &spec_args].concat())
		.fails_with("is already registered");
	// The chain's bounds on a spec are checked before signing.
	chain
		.verity(&["--suri", "//Alice", "model", "register", "risk-mlp", "--compute-blocks", "21"])
		.fails_with("compute time 21 blocks is above the chain's maximum of 20");
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
			chain.model(),
			"--features",
			RISK_FEATURES,
		])
		.fails_with("not enough operators");
}

fn submit_and_show(chain: &Chain) {
	let model = chain.model();
	chain.verity(&["--suri", "//Alice", "operator", "set-models", model]).ok();
	let operators = chain.verity(&["--json", "operator", "list"]).ok().json();
	let alice = operators
		.as_array()
		.unwrap()
		.iter()
		.find(|o| o["account"] == json!(ALICE))
		.expect("Alice is an operator");
	assert_eq!(alice["models"], json!([model]), "{operators}");

	// By store name: exactly one registered model runs the risk-mlp.
	let submitted = chain
		.verity(&[
			"--json",
			"--suri",
			"//Bob",
			"job",
			"submit",
			"--model",
			"risk-mlp",
			"--features",
			RISK_FEATURES,
		])
		.ok()
		.json();
	let job_id = submitted["job_id"].as_u64().unwrap_or_else(|| panic!("no job id: {submitted}"));
	assert_eq!(submitted["model"], json!(model));
	assert_eq!(submitted["fee"], json!("0.02"));
	assert_eq!(submitted["deposit"], json!("0.1"));
	// The dev chain's MinReplication is one, the model's too.
	assert_eq!(submitted["replication"], json!(1));

	// Drawn in the block after its submission; open until Alice's worker settles it (then the
	// result shows). Either way the job shows, and once drawn, Alice holds its seat.
	let started = Instant::now();
	let shown = loop {
		let shown = chain.verity(&["--json", "job", "show", &job_id.to_string()]).ok().json();
		if shown["phase"] != json!("draw") || started.elapsed() > Duration::from_secs(30) {
			break shown;
		}
		assert_eq!(shown["operators"], json!([]), "{shown}");
		std::thread::sleep(Duration::from_secs(1));
	};
	assert_eq!(shown["job_id"], json!(job_id), "{shown}");
	assert_eq!(shown["model"], json!(model));
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
			chain.model(),
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
	assert_eq!(result["input_rejected"], json!(false));
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
		&format!("operators drawn: {ALICE}"),
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

/// A feature vector of the wrong length: the engine refuses it, Alice's worker attests that,
/// and the job settles with the empty result (the submitter pays and forfeits the deposit).
fn rejected_input(chain: &Chain) {
	let run = chain
		.verity(&[
			"--json",
			"--suri",
			"//Bob",
			"job",
			"submit",
			"--model",
			chain.model(),
			"--input-hex",
			"0x01",
			"--wait",
			"--timeout",
			"180",
		])
		.ok();
	let report = run.json();
	let result = &report["outcome"]["result"];
	assert_eq!(report["outcome"]["outcome"], json!("settled"), "{run}");
	assert_eq!(result["input_rejected"], json!(true), "{run}");
	assert_eq!(result["output"], json!("0x"));
	assert_eq!(report["decoded"], json!({ "kind": "input_rejected" }));
	assert!(run.stderr.contains("attested that the engine rejects the input"), "{run}");
	let job_id = report["job"]["job_id"].as_u64().unwrap().to_string();
	let human = chain.verity(&["job", "show", &job_id]).ok();
	assert!(human.stdout.contains("INPUT REJECTED"), "{human}");
}

fn refused_terms(chain: &Chain) {
	let submit = |extra: &[&str]| {
		let args = [
			&[
				"--suri",
				"//Bob",
				"job",
				"submit",
				"--model",
				chain.model(),
				"--features",
				RISK_FEATURES,
			][..],
			extra,
		]
		.concat();
		chain.verity(&args)
	};
	submit(&["--quorum", "70"]).fails_with("quorum 70% is above the chain's maximum");
	submit(&["--deadline-blocks", "7"]).fails_with("the deadline must be 8..=");
	submit(&["--replication", "2"]).fails_with("not enough operators");
	chain
		.verity(&["--suri", "//Bob", "job", "submit", "--model", "no-such-model", "--text", "x"])
		.fails_with("not in the store");
}

/// Only the submitter may cancel a job, and only before any commit: the fee comes back (the
/// deposit is forfeited once the operators were drawn). Alice's worker may commit first, and
/// then the job can no longer be cancelled.
fn cancel(chain: &Chain) {
	// Someone else's job is refused before signing.
	let submitted = chain
		.verity(&[
			"--json",
			"--suri",
			"//Bob",
			"job",
			"submit",
			"--model",
			chain.model(),
			"--features",
			RISK_FEATURES,
			"--deadline-blocks",
			"40",
		])
		.ok()
		.json();
	let job_id = submitted["job_id"].as_u64().unwrap().to_string();
	chain
		.verity(&["--suri", "//Charlie", "job", "cancel", &job_id])
		.fails_with("only its submitter may cancel it");
	let run = chain.verity(&["--json", "--suri", "//Bob", "job", "cancel", &job_id]);
	if run.status == 0 {
		let cancelled = run.json();
		assert_eq!(cancelled["refunded"], json!("0.02"), "{cancelled}");
	} else {
		// Alice's worker may have committed already (the commit lands two blocks after the
		// submission): then the job can no longer be cancelled.
		run.fails_with("can no longer be cancelled");
	}
	chain
		.verity(&["--suri", "//Bob", "job", "cancel", "999999"])
		.fails_with("job 999999 not found");
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
			chain.model(),
			"--input-file",
			&file.to_string_lossy(),
		])
		.fails_with("input too large: 4097 bytes");
}

fn insufficient_funds(chain: &Chain) {
	// Checked before signing: the job's fee and deposit against the free balance.
	chain
		.verity(&[
			"--suri",
			PAUPER,
			"job",
			"submit",
			"--model",
			chain.model(),
			"--features",
			RISK_FEATURES,
		])
		.fails_with("insufficient funds: the job fee (0.02 VRT) and deposit (0.1");
	// Refused by the transaction pool: no balance for the transaction fee.
	chain.verity(&["--suri", PAUPER, "stake", "claim", ALICE]).fails_with("insufficient funds");
}

/// The dev chain spec carries the name and token properties wallets display, and the node has
/// finalized blocks of its own (Alice alone authors and votes).
fn chain_spec(chain: &Chain) {
	let rpc = |method: &str| chain.node.rpc(method, json!([])).unwrap_or_else(|e| panic!("{e}"));
	let properties = rpc("system_properties");
	assert_eq!(properties["tokenSymbol"], "VRT");
	assert_eq!(properties["tokenDecimals"], 12);
	assert_eq!(properties["ss58Format"], 42);
	assert_eq!(rpc("system_chain"), "Verity Development");
	assert!(chain.node.finalized().expect("finalized head").0 >= 3);
}

fn chain_status(chain: &Chain) {
	let status = chain.verity(&["--json", "chain", "status"]).ok().json();
	assert!(status["best"]["number"].as_u64().unwrap_or_default() >= 1, "{status}");
	assert_eq!(status["validators"], json!([ALICE]));
	assert!(status["models"].as_u64().unwrap_or_default() >= 1);
	// Four jobs were submitted (they may have settled since).
	assert!(status["next_job_id"].as_u64().unwrap_or_default() >= 4, "{status}");
}
