//! Parsing and validation, with no node: amounts, percentages, ids, accounts, signers, inputs,
//! the manifest → spec mapping, output decoding, and the CLI's errors that come before any
//! network access (or from the network being absent).

mod common;

use common::*;
use verity_client::{
	amount::{format_percent, format_vrt, parse_percent, parse_vrt, UNIT},
	jobs::check_input,
	models::{
		check_spec, read_store_model, spec_from_manifest, Architecture, Contract, RegisterOptions,
		RegistryLimits,
	},
	output::{decode_output, DecodedOutput},
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
	}
}

#[test]
fn risk_mlp_manifest_maps_to_a_model_spec() {
	let dir = TempDir::new("spec");
	let (store, id) = risk_mlp_store(&dir.0);
	let by_name = read_store_model(&store, "risk-mlp").unwrap();
	let by_id = read_store_model(&store, &id[2..]).unwrap();
	assert_eq!(by_name.id, by_id.id);
	assert_eq!(format!("{:?}", by_name.id), id);

	let options = RegisterOptions { replication: 1, ..RegisterOptions::default() };
	let spec = spec_from_manifest(&store, &by_name.manifest, &options, &chain_limits()).unwrap();
	assert_eq!(spec.architecture, Architecture::Mlp);
	assert_eq!(spec.contract, Contract::Exact);
	// One output (probability_of_default), one little-endian i32.
	assert_eq!(spec.max_output_len, 4);
	assert_eq!(spec.max_input_len, 4096);
	assert_eq!(
		(spec.price, spec.replication, spec.quorum, spec.royalty),
		(UNIT / 100, 1, 670_000_000, 0)
	);

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
	] {
		let err = check_spec(&bad, &limits).unwrap_err();
		assert!(err.to_string().contains(expected), "{err}");
	}
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
	let mut generation = 2u32.to_le_bytes().to_vec();
	generation.extend(7u32.to_le_bytes());
	generation.extend(9u32.to_le_bytes());
	generation.extend(b"Hi!");
	assert_eq!(
		decode_output(&Architecture::LlamaGguf, &generation, None),
		DecodedOutput::Generation { token_ids: vec![7, 9], text: "Hi!".into() }
	);
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
}

#[test]
fn decoded_outputs_print_at_the_precision_of_their_scale() {
	let scores = decode_output(&Architecture::Mlp, &153_874i32.to_le_bytes(), None);
	assert_eq!(scores.to_string(), "scores: 0.00153874");
	let embedding: Vec<u8> =
		[6_765_684i32, -709_839].iter().flat_map(|v| v.to_le_bytes()).collect();
	let text = decode_output(&Architecture::BertEmbedding, &embedding, None).to_string();
	assert_eq!(text, "embedding: 2 dimensions, starting 0.06765684, -0.00709839");
}
