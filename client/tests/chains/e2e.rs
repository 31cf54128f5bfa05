//! End to end on a real three-validator network (Alice, Bob, Charlie on 127.0.0.1): the three
//! shipped models are registered, every validator serves them, and jobs replicated on all three
//! operators (quorum two thirds) are drawn, run by each node's off-chain worker with candle,
//! committed, revealed, settled and finalized with the very output the engine gives locally (for
//! a generation: its token ids, whose text the client derives from the local model). Then one
//! validator stops, and a job still settles with the two left. The validators agree on the
//! finalized blocks and see each other.
//!
//! Needs the model store filled by `scripts/setup.sh` (or `scripts/fetch-models.sh`); the store
//! is `$VERITY_MODEL_STORE`, else the engine's default.

use crate::common::{local_validators, wait_finalized, Node, TempDir};
use std::{path::PathBuf, time::Duration};
use verity_client::{
	jobs::{JobOutcome, JobProgress, JobRequest, JobState},
	models::{model_id, read_store_model, spec_from_manifest, RegisterOptions, TWO_THIRDS},
	output::{decode_result, DecodedOutput},
	signer::signer_from_suri,
	ModelId, Verity,
};
use verity_engine::{Engine, Output};

/// Two thirds of the seats, the chain's largest quorum: two of three operators reach it.
const QUORUM_TWO_THIRDS: u32 = TWO_THIRDS;
/// Blocks from submission to deadline: SmolLM runs on all three nodes at once on the test
/// machine's two cores, and half the duration is the commit phase.
const DEADLINE_BLOCKS: u32 = 40;

fn model_store() -> PathBuf {
	std::env::var_os("VERITY_MODEL_STORE")
		.map(PathBuf::from)
		.unwrap_or_else(verity_engine::default_store_dir)
}

/// The risk model's eight features (see engine/models/risk-mlp), in its canonical encoding.
fn mlp_input() -> Vec<u8> {
	verity_engine::encoding::encode_features(&[35.0, 72.0, 0.31, 0.45, 1.0, 9.0, 4.0, 25.0], 10_000)
		.expect("features fit the scale")
}

/// What the chain settles when every operator revealed `output`: a vector as it is, a
/// generation's token ids without their text.
fn settled_form(output: Output) -> Vec<u8> {
	match output {
		Output::Generation { token_ids, .. } => {
			Output::Generation { token_ids, text: String::new() }.to_bytes()
		}
		vector => vector.to_bytes(),
	}
}

fn logs(nodes: &[Node]) -> String {
	nodes.iter().map(|n| n.log_tail()).collect::<Vec<_>>().join("\n")
}

struct Case {
	name: &'static str,
	input: Vec<u8>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_validators_run_settle_and_finalize_real_models() {
	let store = model_store();
	let engine = Engine::open(&store).expect("the model store opens");
	let dir = TempDir::new("e2e");
	let mut nodes = local_validators(&dir, &["--model-store".into(), store.display().to_string()]);
	wait_finalized(&mut nodes, 1, Duration::from_secs(180));
	let chain = Verity::connect(&format!("ws://127.0.0.1:{}", nodes[0].rpc_port))
		.await
		.expect("the client connects");

	// The models' owner registers them; every validator serves them.
	let owner = signer_from_suri("//Alice").unwrap();
	let limits = chain.registry_limits().await.unwrap();
	let cases = [
		Case { name: "risk-mlp", input: mlp_input() },
		Case { name: "all-MiniLM-L6-v2", input: b"This is an example sentence".to_vec() },
		Case {
			name: "SmolLM2-135M-Instruct-Q4_1",
			input: b"What is the capital of France?".to_vec(),
		},
	];
	// Model ids (derived from manifest and spec) for the chain; manifest digests for the engine.
	let mut ids: Vec<ModelId> = Vec::new();
	let mut manifests: Vec<ModelId> = Vec::new();
	for case in &cases {
		let model = read_store_model(&store, case.name)
			.unwrap_or_else(|e| panic!("{}: {e} (run scripts/fetch-models.sh)", case.name));
		let spec =
			spec_from_manifest(&store, &model.manifest, &RegisterOptions::default(), &limits)
				.unwrap();
		let registered = chain.register_model(&owner, model.digest, &spec).await.unwrap();
		assert_eq!(registered.id, model_id(&model.digest, &spec), "{}", case.name);
		ids.push(registered.id);
		manifests.push(model.digest);
	}
	let operators: Vec<_> =
		["//Alice", "//Bob", "//Charlie"].map(|suri| signer_from_suri(suri).unwrap()).into();
	futures::future::try_join_all(operators.iter().map(|op| chain.set_models(op, ids.clone())))
		.await
		.unwrap();

	// One job per model, replicated on all three operators, followed to finality.
	let submitter = signer_from_suri("//Dave").unwrap();
	let mut submitted = Vec::new();
	for (case, id) in cases.iter().zip(&ids) {
		let request = JobRequest {
			replication: Some(3),
			quorum: Some(QUORUM_TWO_THIRDS),
			deadline_blocks: Some(DEADLINE_BLOCKS),
			..JobRequest::new(*id, case.input.clone())
		};
		submitted.push(chain.submit_job(&submitter, &request).await.unwrap());
	}
	for ((case, manifest), job) in cases.iter().zip(&manifests).zip(&submitted) {
		let mut drawn = Vec::new();
		let outcome = chain
			.wait_for_job_with_timeout(job, Some(Duration::from_secs(600)), |progress| {
				if let JobProgress::Assigned { operators, .. } = progress {
					drawn = operators;
				}
			})
			.await
			.unwrap_or_else(|e| panic!("{}: {e}\n{}", case.name, logs(&nodes)));
		let JobOutcome::Settled { result, .. } = outcome else {
			panic!("{}: {outcome:?}\n{}", case.name, logs(&nodes))
		};
		assert_eq!(drawn.len(), 3, "{}: the draw seated all three operators", case.name);
		let local = engine.run(&manifest.0, &case.input).expect("the engine runs the model");
		let text = match &local {
			Output::Generation { text, .. } => Some(text.clone()),
			Output::Vector { .. } => None,
		};
		assert_eq!(
			result.output,
			settled_form(local),
			"{}: the chain's result is the engine's output",
			case.name
		);
		assert!(!result.input_rejected, "{}", case.name);
		assert_eq!(result.agreeing.len(), 3, "{}: all three operators agreed", case.name);
		// The client derives a generation's text from the settled ids, as the engine wrote it.
		if let Some(text) = text {
			let decoded = decode_result(
				&verity_client::models::Architecture::LlamaGguf,
				manifest,
				&result.output,
				&store,
			);
			assert!(
				matches!(&decoded, DecodedOutput::Generation { text: Some(t), .. } if *t == text),
				"{}: {decoded:?} is not {text:?}",
				case.name
			);
		}
	}

	// The three validators agree on every finalized block (the highest all of them finalized
	// is enough: its hash commits to its ancestors) and see each other.
	let height =
		nodes.iter().map(|node| node.finalized().expect("finalized head").0).min().unwrap();
	let hashes: Vec<String> =
		nodes.iter().map(|node| node.block_hash(height).expect("block hash")).collect();
	assert!(hashes.iter().all(|hash| hash == &hashes[0]), "finalized #{height}: {hashes:?}");
	let health = nodes[0].rpc("system_health", serde_json::json!([])).expect("health");
	assert_eq!(health["peers"], 2, "alice sees bob and charlie: {health}");

	// Charlie stops. A job drawn on all three still settles with Alice and Bob: Charlie is
	// silent (and a slash is reported for it, deferred). GRANDPA needs all three of three votes, so finality waits
	// for Charlie; the settlement is read from the best block.
	let charlie = nodes.pop().unwrap();
	drop(charlie);
	let request = JobRequest {
		replication: Some(3),
		quorum: Some(QUORUM_TWO_THIRDS),
		// The shortest window the chain accepts for the Mlp: Charlie never commits, so the
		// reveals wait for the end of the commit phase.
		deadline_blocks: Some(10),
		..JobRequest::new(ids[0], cases[0].input.clone())
	};
	let job = chain.submit_job(&submitter, &request).await.unwrap();
	let started = std::time::Instant::now();
	let result = loop {
		if let JobState::Settled(result) = chain.job_state(job.job_id).await.unwrap() {
			break result;
		}
		// 10 blocks of 3 s at two thirds of the slots authored, with a wide margin.
		assert!(
			started.elapsed() < Duration::from_secs(240),
			"the job did not settle with two validators\n{}",
			logs(&nodes)
		);
		tokio::time::sleep(Duration::from_secs(3)).await;
	};
	let local = engine.run(&manifests[0].0, &cases[0].input).unwrap().to_bytes();
	assert_eq!(result.output, local);
	assert_eq!(result.agreeing.len(), 2, "Alice and Bob agreed");
}
