//! Parsing and validation, with no node: amounts, percentages, ids, accounts, signers, inputs,
//! the manifest → spec mapping, output decoding, and the CLI's errors that come before any
//! network access (or from the network being absent).

mod common;

use common::*;
use verity_client::{
	amount::{format_percent, format_vrt, parse_percent, parse_vrt, UNIT},
	jobs::{check_input, JobRequest, JobRules, JobTerms},
	models::{
		check_spec, model_id, read_store_model, spec_from_manifest, Architecture, Contract, Model,
		ModelSpec, ModelStatus, RegisterOptions, RegistryLimits, TWO_THIRDS,
	},
	output::{decode_output, decode_result, DecodedOutput},
	parse::{parse_account, parse_features, parse_hex, parse_model_id},
	signer::{account_of, signer_from_suri},
	ClientError, ModelId,
};

const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

#[test]
fn vrt_amounts_parse_exactly() {
	assert_eq!(parse_vrt("10").unwrap(), 10 * UNIT);
	assert_eq!(parse_vrt("10.5").unwrap(), 10 * UNIT + UNIT / 2);
	assert_eq!(parse_vrt("0.1").unwrap(), 100_000_000_000);
	assert_eq!(parse_vrt(".5").unwrap(), UNIT / 2);
	assert_eq!(parse_vrt("0.000000000001").unwrap(), 1);
	assert_eq!(parse_vrt(" 3 VRT ").unwrap(), 3 * UNIT);
	for bad in ["", ".", "-1", "1e3", "abc", "1.2.3", "0.0000000000001", "1,5"] {
		assert!(matches!(parse_vrt(bad), Err(ClientError::BadAmount { .. })), "{bad:?}");
	}
	// u128::MAX units is about 3.4e26 VRT.
	assert!(parse_vrt("1000000000000000000000000000").is_err());
}

#[test]
fn vrt_amounts_format_without_trailing_zeros() {
	assert_eq!(format_vrt(10 * UNIT), "10");
	assert_eq!(format_vrt(10 * UNIT + UNIT / 2), "10.5");
	assert_eq!(format_vrt(UNIT / 1000), "0.001");
	assert_eq!(format_vrt(1), "0.000000000001");
	assert_eq!(format_vrt(0), "0");
	for units in [0, 1, UNIT, 123_456_789_012_345, u128::MAX] {
		assert_eq!(parse_vrt(&format_vrt(units)).unwrap(), units);
	}
}

#[test]
fn percentages_are_parts_per_billion() {
	assert_eq!(parse_percent("67").unwrap(), 670_000_000);
	assert_eq!(parse_percent("66.5%").unwrap(), 665_000_000);
	assert_eq!(parse_percent("100").unwrap(), 1_000_000_000);
	assert_eq!(parse_percent("0.0000001").unwrap(), 1);
	for bad in ["", "101", "-5", "abc", "0.00000001", "50.5.5"] {
		assert!(matches!(parse_percent(bad), Err(ClientError::BadPercent { .. })), "{bad:?}");
	}
	// Fractions round down to a part per billion, as the runtime's `Perbill::from_rational`.
	assert_eq!(parse_percent("2/3").unwrap(), 666_666_666);
	assert_eq!(parse_percent(" 1 / 2 ").unwrap(), 500_000_000);
	assert_eq!(parse_percent("3/3").unwrap(), 1_000_000_000);
	for bad in ["1/0", "4/3", "a/3", "2/", "/3", "-1/3"] {
		assert!(matches!(parse_percent(bad), Err(ClientError::BadPercent { .. })), "{bad:?}");
	}
	assert_eq!(format_percent(670_000_000), "67%");
	assert_eq!(format_percent(665_000_000), "66.5%");
	assert_eq!(format_percent(1), "0.0000001%");
}

#[test]
fn model_ids_and_hex() {
	let id = "45f028a38197858ecac8c5980704716d646eeabf6a4539f4d0539215242489e4";
	assert_eq!(parse_model_id(id).unwrap(), parse_model_id(&format!("0x{id}")).unwrap());
	assert!(matches!(parse_model_id("0x1234"), Err(ClientError::BadHex { .. })));
	assert!(matches!(parse_model_id("risk-mlp"), Err(ClientError::BadHex { .. })));
	assert_eq!(parse_hex("x", "0x0102ff").unwrap(), vec![1, 2, 255]);
	assert_eq!(parse_hex("x", "").unwrap(), Vec::<u8>::new());
	let err = parse_hex("--input-hex", "0xabc").unwrap_err();
	assert!(err.to_string().starts_with("bad hex in --input-hex"), "{err}");
}

#[test]
fn accounts_parse_from_ss58_and_hex() {
	let alice = parse_account(ALICE).unwrap();
	assert_eq!(alice.to_string(), ALICE);
	assert_eq!(parse_account(&format!("0x{}", hex::encode(alice.0))).unwrap(), alice);
	assert!(parse_account("5Grw").is_err());
	assert!(parse_account("0x1234").is_err());
}

#[test]
fn signers_from_secret_uris() {
	assert_eq!(account_of(&signer_from_suri("//Alice").unwrap()).to_string(), ALICE);
	let dev_phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
	let from_phrase = signer_from_suri(&format!("{dev_phrase}//Alice")).unwrap();
	assert_eq!(account_of(&from_phrase).to_string(), ALICE);
	assert!(signer_from_suri("0x0000000000000000000000000000000000000000000000000000000000000001")
		.is_ok());
	for bad in ["", "   ", "correct horse battery staple", "0x12"] {
		let err = signer_from_suri(bad).err().unwrap_or_else(|| panic!("{bad:?} accepted"));
		assert!(matches!(err, ClientError::BadSuri(_)), "{bad:?}: {err}");
		// The secret is never echoed back.
		assert!(!err.to_string().contains("horse"), "{err}");
	}
}

#[test]
fn features_encode_like_the_engine() {
	let bytes = parse_features(RISK_FEATURES, 10_000).unwrap();
	assert_eq!(bytes.len(), 32);
	assert_eq!(&bytes[..4], &450_000i32.to_le_bytes());
	assert_eq!(&bytes[8..12], &1_000i32.to_le_bytes());
	assert!(parse_features("1,two,3", 10_000).is_err());
	assert!(parse_features("1e30", 10_000).is_err());
}

#[test]
fn inputs_are_checked_against_the_model_limit() {
	let model = ModelId::repeat_byte(7);
	assert!(check_input(b"ok", model, 4).is_ok());
	assert!(matches!(check_input(b"", model, 4), Err(ClientError::EmptyInput)));
	let err = check_input(b"too long", model, 4).unwrap_err();
	assert!(matches!(err, ClientError::InputTooLong { len: 8, max: 4, .. }));
	assert!(err.to_string().contains("input too large: 8 bytes"), "{err}");
}

fn chain_limits() -> RegistryLimits {
	// The runtime's values (runtime/src/configs.rs).
	RegistryLimits {
		max_input_len: 4096,
		max_output_len: 4096,
		max_replication: 16,
		min_quorum: 510_000_000,
		max_royalty: 300_000_000,
		min_price: UNIT / 1000,
		deposit: 10 * UNIT,
		max_tolerance_eps: 10_000,
		max_compute_blocks: 20,
	}
}

#[test]
fn risk_mlp_manifest_maps_to_a_model_spec() {
	let dir = TempDir::new("spec");
	let (store, id) = risk_mlp_store(&dir.0);
	let by_name = read_store_model(&store, "risk-mlp").unwrap();
	let by_id = read_store_model(&store, &id[2..]).unwrap();
	assert_eq!(by_name.digest, by_id.digest);
	assert_eq!(format!("{:?}", by_name.digest), id);

	let options = RegisterOptions { replication: 1, ..RegisterOptions::default() };
	let spec = spec_from_manifest(&store, &by_name.manifest, &options, &chain_limits()).unwrap();
	assert_eq!(spec.architecture, Architecture::Mlp);
	assert_eq!(spec.contract, Contract::Exact);
	// One output (probability_of_default), one little-endian i32.
	assert_eq!(spec.max_output_len, 4);
	assert_eq!(spec.max_input_len, 4096);
	assert_eq!(
		(spec.price, spec.replication, spec.quorum, spec.royalty, spec.compute_blocks),
		(UNIT / 100, 1, TWO_THIRDS, 0, 0)
	);
	// The owner may declare more compute time, within the chain's bound.
	let slow = RegisterOptions { compute_blocks: Some(7), ..options.clone() };
	let slow_spec = spec_from_manifest(&store, &by_name.manifest, &slow, &chain_limits()).unwrap();
	assert_eq!(slow_spec.compute_blocks, 7);
	// The id binds the spec: the same manifest under another spec is another model.
	let digest = by_name.digest;
	assert_ne!(model_id(&digest, &spec), digest);
	assert_ne!(model_id(&digest, &spec), model_id(&digest, &slow_spec));
	assert_eq!(model_id(&digest, &spec), model_id(&digest, &spec.clone()));
	let too_slow = RegisterOptions { compute_blocks: Some(21), ..options.clone() };
	let err =
		spec_from_manifest(&store, &by_name.manifest, &too_slow, &chain_limits()).unwrap_err();
	assert!(err.to_string().contains("model risk-mlp: compute time 21 blocks is above"), "{err}");

	// The chain's input bound caps a manifest that accepts more.
	let small = RegistryLimits { max_input_len: 64, ..chain_limits() };
	assert_eq!(
		spec_from_manifest(&store, &by_name.manifest, &options, &small).unwrap().max_input_len,
		64
	);

	assert!(matches!(
		read_store_model(&store, "no-such-model"),
		Err(ClientError::ModelStore { .. })
	));
	assert!(matches!(
		read_store_model(&dir.0.join("missing"), "risk-mlp"),
		Err(ClientError::ModelStore { .. })
	));
}

#[test]
fn specs_outside_the_chain_bounds_are_refused_before_signing() {
	let dir = TempDir::new("bounds");
	let (store, _) = risk_mlp_store(&dir.0);
	let manifest = read_store_model(&store, "risk-mlp").unwrap().manifest;
	let spec = spec_from_manifest(&store, &manifest, &RegisterOptions::default(), &chain_limits())
		.unwrap();
	let limits = chain_limits();
	for (bad, expected) in [
		(
			verity_client::models::ModelSpec { price: 1, ..spec.clone() },
			"below the chain's minimum",
		),
		(verity_client::models::ModelSpec { replication: 0, ..spec.clone() }, "outside 1..=16"),
		(verity_client::models::ModelSpec { replication: 17, ..spec.clone() }, "outside 1..=16"),
		(verity_client::models::ModelSpec { quorum: 500_000_000, ..spec.clone() }, "quorum 50%"),
		(verity_client::models::ModelSpec { royalty: 400_000_000, ..spec.clone() }, "royalty 40%"),
		(ModelSpec { max_input_len: 0, ..spec.clone() }, "input limit 0 bytes"),
		(ModelSpec { max_output_len: 4097, ..spec.clone() }, "output limit 4097 bytes"),
		(ModelSpec { compute_blocks: 21, ..spec.clone() }, "compute time 21 blocks"),
		// Contracts per architecture: token ids only from a generator, a generator only by them.
		(
			ModelSpec { contract: Contract::TokenMatch, ..spec.clone() },
			"token match contract cannot compare Mlp outputs",
		),
		(
			ModelSpec {
				architecture: Architecture::LlamaGguf,
				contract: Contract::Exact,
				..spec.clone()
			},
			"exact contract cannot compare LlamaGguf outputs",
		),
		(
			ModelSpec {
				architecture: Architecture::BertEmbedding,
				contract: Contract::Tolerance { eps: 10_001 },
				..spec.clone()
			},
			"tolerance eps 10001 is looser than the chain's maximum of 10000",
		),
		(
			ModelSpec { contract: Contract::Tolerance { eps: 0 }, ..spec.clone() },
			"declare it as exact",
		),
	] {
		let err = check_spec(&bad, &limits).unwrap_err();
		assert!(err.to_string().contains(expected), "{err}");
	}
	// At the bounds, and the fits the registry allows.
	for good in [
		ModelSpec { compute_blocks: 20, ..spec.clone() },
		ModelSpec { contract: Contract::Tolerance { eps: 10_000 }, ..spec.clone() },
		ModelSpec {
			architecture: Architecture::LlamaGguf,
			contract: Contract::TokenMatch,
			..spec.clone()
		},
		ModelSpec {
			architecture: Architecture::Other("Gpt".into()),
			contract: Contract::TokenMatch,
			..spec.clone()
		},
	] {
		check_spec(&good, &limits).unwrap_or_else(|e| panic!("{good:?}: {e}"));
	}
}

/// A spec with every field set, for the id vectors below.
fn vector_spec(architecture: Architecture, contract: Contract) -> ModelSpec {
	ModelSpec {
		architecture,
		max_input_len: 4096,
		max_output_len: 4,
		price: UNIT / 100,
		replication: 3,
		quorum: TWO_THIRDS,
		contract,
		royalty: 0,
		compute_blocks: 0,
	}
}

#[test]
fn model_ids_are_the_runtimes_derivation() {
	// blake2b-256 of SCALE(("verity/model/v1", manifest, spec)), computed independently of the
	// client's generated types (Python's hashlib over hand-written SCALE bytes).
	let manifest = ModelId::repeat_byte(0x11);
	let mlp = vector_spec(Architecture::Mlp, Contract::Exact);
	assert_eq!(
		format!("{:?}", model_id(&manifest, &mlp)),
		"0x5c46625d9f30146f432f7ee513247cdd7a14245d1dae9831acdf450a0b0eb069"
	);
	let llama = ModelSpec {
		max_output_len: 4096,
		royalty: 50_000_000,
		compute_blocks: 5,
		..vector_spec(Architecture::LlamaGguf, Contract::TokenMatch)
	};
	assert_eq!(
		format!("{:?}", model_id(&manifest, &llama)),
		"0xe3a9c26d8b0e021542580e544b46e7a923a24ad6150ed30de04e45ece04d5c8a"
	);
	let other = ModelSpec {
		max_input_len: 100,
		max_output_len: 8,
		price: 1,
		replication: 2,
		quorum: 510_000_000,
		compute_blocks: 20,
		..vector_spec(Architecture::Other("Gpt".into()), Contract::Tolerance { eps: 1000 })
	};
	assert_eq!(
		format!("{:?}", model_id(&manifest, &other)),
		"0x1608f8c98933f9820d76001cb7d5ea71c5e671ab4e04746f4ae40afbf1e05d28"
	);
}

/// The runtime's job rules (runtime/src/configs.rs) on a network chain, with `open` jobs open.
fn job_rules(open: u32) -> JobRules {
	JobRules {
		max_duration: 600,
		propagation_slack: 1,
		min_quorum: 510_000_000,
		max_quorum: TWO_THIRDS,
		min_replication: 2,
		max_replication: 16,
		job_deposit: UNIT / 10,
		deposit_surge: 9,
		max_open_jobs: 1024,
		max_open_jobs_per_account: 32,
		open_jobs: open,
	}
}

fn registered(spec: ModelSpec) -> Model {
	Model {
		id: ModelId::repeat_byte(1),
		manifest: ModelId::repeat_byte(2),
		owner: account_of(&signer_from_suri("//Alice").unwrap()),
		spec,
		deposit: 10 * UNIT,
		status: ModelStatus::Active,
		open_jobs: 0,
		registered_at: 1,
	}
}

#[test]
fn job_terms_follow_the_chain_rules() {
	let rules = job_rules(0);
	let model = registered(ModelSpec {
		replication: 1,
		quorum: 700_000_000,
		..vector_spec(Architecture::Mlp, Contract::Exact)
	});
	let request = JobRequest::new(model.id, vec![0; 32]);
	// MinReplication 2 raises the model's 1; the model's 70 % quorum is capped at two thirds.
	assert_eq!(
		rules.check(&request, &model, 0).unwrap(),
		JobTerms {
			replication: 2,
			quorum: TWO_THIRDS,
			deadline_blocks: 20,
			fee: 2 * UNIT / 100,
			deposit: UNIT / 10,
		}
	);
	// The deposit rises with the queue: a half-full queue adds 9 × 1/2 of it.
	assert_eq!(job_rules(512).current_deposit(), UNIT / 10 + 9 * UNIT / 20);
	assert_eq!(job_rules(1023).current_deposit(), UNIT / 10 + UNIT * 9 * 1023 / 10 / 1024);
	// The shortest job is 5 + compute + 2 × slack blocks, plus one of margin for inclusion.
	assert_eq!(rules.shortest_deadline_blocks(0), 7);
	assert_eq!(rules.shortest_deadline_blocks(5), 12);
	let at = |deadline| JobRequest { deadline_blocks: Some(deadline), ..request.clone() };
	assert_eq!(rules.check(&at(8), &model, 0).unwrap().deadline_blocks, 8);
	// A slow model gets a longer default deadline, and a short one is refused.
	let slow = registered(ModelSpec { compute_blocks: 20, ..model.spec.clone() });
	assert_eq!(rules.default_deadline_blocks(20), 50);
	assert_eq!(rules.check(&request, &slow, 0).unwrap().deadline_blocks, 50);
	let err = rules.check(&at(20), &slow, 0).unwrap_err();
	assert!(err.to_string().contains("the deadline must be 28..=599 blocks away"), "{err}");
}

#[test]
fn job_terms_outside_the_chain_rules_are_refused_before_signing() {
	let rules = job_rules(0);
	let model =
		registered(ModelSpec { replication: 3, ..vector_spec(Architecture::Mlp, Contract::Exact) });
	let request = JobRequest::new(model.id, vec![0; 32]);
	let cases: Vec<(JobRequest, u32, &str)> = vec![
		(
			JobRequest { replication: Some(2), ..request.clone() },
			0,
			"replication 2 is below this job's minimum of 3",
		),
		(
			JobRequest { replication: Some(17), ..request.clone() },
			0,
			"replication 17 is above the chain's maximum of 16",
		),
		(
			JobRequest { quorum: Some(670_000_000), ..request.clone() },
			0,
			"quorum 67% is above the chain's maximum of 66.6666666%",
		),
		(
			JobRequest { quorum: Some(500_000_000), ..request.clone() },
			0,
			"quorum 50% is below the chain's minimum of 51%",
		),
		(
			JobRequest { deadline_blocks: Some(7), ..request.clone() },
			0,
			"the deadline must be 8..=599 blocks away",
		),
		(
			JobRequest { deadline_blocks: Some(600), ..request.clone() },
			0,
			"the deadline must be 8..=599 blocks away",
		),
		(
			JobRequest { max_fee: Some(UNIT / 100), ..request.clone() },
			0,
			"the job costs 0.03 VRT (3 × 0.01 VRT) but --max-fee is 0.01 VRT",
		),
		(request.clone(), 32, "this account already has 32 jobs open"),
		(JobRequest { input: vec![], ..request.clone() }, 0, "the job input is empty"),
	];
	for (bad, open_of, expected) in cases {
		let err = rules.check(&bad, &model, open_of).unwrap_err();
		assert!(err.to_string().contains(expected), "{expected}: {err}");
	}
	let err = job_rules(1024).check(&request, &model, 0).unwrap_err();
	assert!(err.to_string().contains("the chain's job queue is full"), "{err}");
	let deprecated = Model { status: ModelStatus::Deprecated, ..model.clone() };
	assert!(matches!(rules.check(&request, &deprecated, 0), Err(ClientError::ModelDeprecated(_))));
	// Exactly two thirds is allowed.
	let two_thirds = JobRequest { quorum: Some(TWO_THIRDS), ..request.clone() };
	assert_eq!(rules.check(&two_thirds, &model, 0).unwrap().quorum, TWO_THIRDS);
}

#[test]
fn outputs_decode_by_architecture() {
	let score = 153_874i32.to_le_bytes();
	assert_eq!(
		decode_output(&Architecture::Mlp, &score, None),
		DecodedOutput::Scores { values: vec![0.00153874], scale: 100_000_000 }
	);
	let embedding: Vec<u8> = (0..384i32).flat_map(|v| (v * 1000).to_le_bytes()).collect();
	match decode_output(&Architecture::BertEmbedding, &embedding, Some(100_000_000)) {
		DecodedOutput::Embedding { dimensions: 384, first, .. } => {
			assert_eq!(first.len(), 8);
			assert_eq!(first[1], 0.00001);
		}
		other => panic!("{other:?}"),
	}
	// A generation settles its token ids only; text after them is never trusted.
	let mut generation = 2u32.to_le_bytes().to_vec();
	generation.extend(7u32.to_le_bytes());
	generation.extend(9u32.to_le_bytes());
	let DecodedOutput::Generation { token_ids, text, .. } =
		decode_output(&Architecture::LlamaGguf, &generation, None)
	else {
		panic!("not a generation")
	};
	assert_eq!((token_ids, text), (vec![7, 9], None));
	let mut forged = generation.clone();
	forged.extend([0xff, b'e', b'v', b'i', b'l']);
	let DecodedOutput::Generation { token_ids, text, .. } =
		decode_output(&Architecture::LlamaGguf, &forged, None)
	else {
		panic!("not a generation")
	};
	assert_eq!((token_ids, text), (vec![7, 9], None));
	assert!(matches!(
		decode_output(&Architecture::LlamaGguf, &[3, 0, 0, 0, 1, 0, 0, 0], None),
		DecodedOutput::Undecoded { .. }
	));
	// The empty result is the operators' attestation that the engine rejected the input.
	for architecture in [Architecture::Mlp, Architecture::BertEmbedding, Architecture::LlamaGguf] {
		assert_eq!(decode_output(&architecture, &[], None), DecodedOutput::InputRejected);
	}
	assert!(matches!(
		decode_output(&Architecture::Mlp, &[1, 2, 3], None),
		DecodedOutput::Undecoded { .. }
	));
	assert!(matches!(
		decode_output(&Architecture::Other("Gpt".into()), &score, None),
		DecodedOutput::Undecoded { .. }
	));
}

/// A URL where nothing listens: a port the OS just handed out and took back.
fn dead_url() -> String {
	format!("ws://127.0.0.1:{}", free_port())
}

const MODEL: &str = "0x45f028a38197858ecac8c5980704716d646eeabf6a4539f4d0539215242489e4";

#[test]
fn cli_unreachable_node_is_a_clear_error() {
	let url = dead_url();
	verity(&url, None, &["chain", "status"]).fails_with(&format!("cannot reach node at {url}"));
	verity(&url, None, &["model", "list"]).fails_with("cannot reach node at");
	verity("not-a-url", None, &["chain", "status"]).fails_with("cannot reach node at not-a-url");
}

#[test]
fn cli_bad_suri_fails_before_connecting() {
	let run = verity(
		&dead_url(),
		None,
		&[
			"--suri",
			"correct horse battery staple",
			"job",
			"submit",
			"--model",
			MODEL,
			"--text",
			"hi",
		],
	)
	.fails_with("bad secret URI");
	assert!(!run.stderr.contains("horse"), "the secret leaked:\n{run}");
}

#[test]
fn cli_missing_signer_is_a_clear_error() {
	verity(&dead_url(), None, &["job", "submit", "--model", MODEL, "--text", "hi"])
		.fails_with("needs a signer: pass --suri");
	verity(&dead_url(), None, &["stake", "claim", ALICE]).fails_with("needs a signer");
}

#[test]
fn cli_bad_hex_fails_before_connecting() {
	let url = dead_url();
	verity(
		&url,
		None,
		&["--suri", "//Bob", "job", "submit", "--model", MODEL, "--input-hex", "0xzz"],
	)
	.fails_with("bad hex in --input-hex");
	verity(&url, None, &["--suri", "//Bob", "job", "submit", "--model", "0x1234", "--text", "hi"])
		.fails_with("bad hex in the model id");
	verity(
		&url,
		None,
		&["--suri", "//Alice", "operator", "set-keys", "--keys", "0xq", "--proof", "0x00"],
	)
	.fails_with("bad hex in --keys");
}

#[test]
fn cli_bad_amounts_and_arguments() {
	let url = dead_url();
	verity(&url, None, &["--suri", "//Bob", "stake", "delegate", ALICE, "ten"])
		.fails_with("bad amount `ten`");
	verity(&url, None, &["--suri", "//Bob", "stake", "delegate", "nobody", "10"])
		.fails_with("is not an account");
	verity(
		&url,
		None,
		&["--suri", "//Bob", "job", "submit", "--model", MODEL, "--text", "hi", "--quorum", "120"],
	)
	.fails_with("bad percentage `120`");
	verity(
		&url,
		None,
		&["--suri", "//Bob", "job", "submit", "--model", MODEL, "--text", "hi", "--quorum", "2/0"],
	)
	.fails_with("bad percentage `2/0`");
	// A valid fraction passes the argument checks; the node is next (and absent).
	verity(
		&url,
		None,
		&["--suri", "//Bob", "job", "submit", "--model", MODEL, "--text", "hi", "--quorum", "2/3"],
	)
	.fails_with("cannot reach node at");
	verity(
		&url,
		None,
		&["--suri", "//Bob", "job", "submit", "--model", MODEL, "--features", "1,x"],
	)
	.fails_with("feature `x` is not a number");
	verity(&url, None, &["--suri", "//Alice", "operator", "set-models", "0x12"])
		.fails_with("bad hex in the model id");
	verity(&url, None, &["--suri", "//Alice", "model", "register", "risk-mlp", "--quorum", "x"])
		.fails_with("bad percentage `x`");
	verity(
		&url,
		None,
		&[
			"--suri",
			"//Bob",
			"job",
			"submit",
			"--model",
			MODEL,
			"--input-file",
			"/nonexistent/input",
		],
	)
	.fails_with("cannot read the input file");
	// Exactly one input is required: clap refuses the command line itself.
	let run = verity(&url, None, &["--suri", "//Bob", "job", "submit", "--model", MODEL]);
	assert_eq!(run.status, 2, "{run}");
	let run = verity(
		&url,
		None,
		&["--suri", "//Bob", "job", "submit", "--model", MODEL, "--text", "a", "--input-hex", "00"],
	);
	assert_eq!(run.status, 2, "{run}");
}

#[test]
fn cli_model_register_needs_the_model_in_the_store() {
	let dir = TempDir::new("cli-store");
	let (store, _) = risk_mlp_store(&dir.0);
	let store_arg = store.to_string_lossy().into_owned();
	verity(
		&dead_url(),
		None,
		&["--suri", "//Alice", "model", "register", "no-such-model", "--store", &store_arg],
	)
	.fails_with("not in the store");
	// Found in the store: the next step is the chain, which is absent here.
	verity(
		&dead_url(),
		None,
		&["--suri", "//Alice", "model", "register", "risk-mlp", "--store", &store_arg],
	)
	.fails_with("cannot reach node at");
	// A dry run needs no signer, only the chain's bounds.
	verity(
		&dead_url(),
		None,
		&["model", "register", "risk-mlp", "--store", &store_arg, "--dry-run"],
	)
	.fails_with("cannot reach node at");
	verity(&dead_url(), None, &["model", "register", "risk-mlp", "--store", &store_arg])
		.fails_with("needs a signer");
}

#[test]
fn decoded_outputs_print_at_the_precision_of_their_scale() {
	let scores = decode_output(&Architecture::Mlp, &153_874i32.to_le_bytes(), None);
	assert_eq!(scores.to_string(), "scores: 0.00153874");
	let embedding: Vec<u8> =
		[6_765_684i32, -709_839].iter().flat_map(|v| v.to_le_bytes()).collect();
	let text = decode_output(&Architecture::BertEmbedding, &embedding, None).to_string();
	assert_eq!(text, "embedding: 2 dimensions, starting 0.06765684, -0.00709839");
	let rejected = decode_output(&Architecture::Mlp, &[], None).to_string();
	assert!(rejected.starts_with("input rejected: the operators attested"), "{rejected}");
	let json = serde_json::to_value(DecodedOutput::InputRejected).unwrap();
	assert_eq!(json, serde_json::json!({ "kind": "input_rejected" }));
}

#[test]
fn a_generation_without_its_model_locally_shows_the_ids() {
	let mut generation = 2u32.to_le_bytes().to_vec();
	generation.extend(504u32.to_le_bytes());
	generation.extend(3575u32.to_le_bytes());
	let dir = TempDir::new("no-llama");
	let decoded =
		decode_result(&Architecture::LlamaGguf, &ModelId::repeat_byte(9), &generation, &dir.0);
	let DecodedOutput::Generation { token_ids, text: None, note: Some(note) } = &decoded else {
		panic!("{decoded:?}")
	};
	assert_eq!(token_ids, &vec![504, 3575]);
	assert!(note.contains("the text needs the model locally"), "{note}");
	let shown = decoded.to_string();
	assert!(
		shown.starts_with("generation: 2 token(s): ids [504, 3575]; the text needs"),
		"{shown}"
	);
	let json = serde_json::to_value(&decoded).unwrap();
	assert_eq!(json["text"], serde_json::Value::Null);
	assert_eq!(json["token_ids"], serde_json::json!([504, 3575]));
}

/// With the fetched SmolLM2 (scripts/fetch-models.sh), the client derives a generation's text
/// from its token ids exactly as the engine wrote it. Skipped without the fetched store.
#[test]
fn a_generation_is_detokenized_with_the_local_model() {
	let store = verity_engine::default_store_dir();
	let Ok(model) = read_store_model(&store, "SmolLM2-135M-Instruct-Q4_1") else {
		eprintln!("skipped: SmolLM2 is not in {} (scripts/fetch-models.sh)", store.display());
		return;
	};
	let engine = verity_engine::Engine::open(&store).unwrap();
	let prompt = b"What is the capital of France? Answer in one word.";
	let verity_engine::Output::Generation { token_ids, text } =
		engine.run(&model.digest.0, prompt).unwrap()
	else {
		panic!("not a generation")
	};
	// What the chain settles: the ids alone.
	let settled =
		verity_engine::Output::Generation { token_ids: token_ids.clone(), text: "".into() }
			.to_bytes();
	let decoded = decode_result(&Architecture::LlamaGguf, &model.digest, &settled, &store);
	assert_eq!(
		decoded,
		DecodedOutput::Generation { token_ids, text: Some(text.clone()), note: None }
	);
	assert_eq!(text, "The capital of France is Paris.");
}
