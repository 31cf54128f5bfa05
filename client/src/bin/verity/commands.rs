//! What each command does: parse and check its arguments (before any network access, so a
//! typo fails fast), connect, call the SDK, and build the report.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::json;
use verity_client::{
	amount::{format_vrt, parse_percent, parse_vrt},
	jobs::{JobOutcome, JobRequest, JobState},
	models::{
		local_manifest, looks_like_id, model_id, read_store_model, spec_from_manifest, store_name,
		RegisterOptions,
	},
	operators::GeneratedKeys,
	output::decode_result,
	parse::{parse_account, parse_features, parse_hex, parse_model_id},
	signer::{account_of, signer_from_suri, Signer},
	ClientError, ModelId, Verity,
};

use crate::{
	render, ChainCommand, Cli, Command, JobCommand, ModelCommand, OperatorCommand, RegisterModel,
	StakeCommand, SubmitJob,
};

/// What a command prints: JSON for `--json`, text otherwise.
pub struct Report {
	json: serde_json::Value,
	human: String,
}

impl Report {
	pub fn new(json: serde_json::Value, human: String) -> Self {
		Report { json, human }
	}

	/// Prints to stdout in the chosen form. A closed stdout (`verity ... | head`) is not an
	/// error worth a panic.
	pub fn print(&self, json: bool) {
		use std::io::Write;
		let text = if json {
			serde_json::to_string_pretty(&self.json).unwrap_or_default()
		} else {
			self.human.trim_end().to_string()
		};
		if !text.is_empty() {
			let _ = writeln!(std::io::stdout().lock(), "{text}");
		}
	}
}

pub async fn run(cli: Cli) -> Result<Report> {
	let Cli { url, suri, json, command } = cli;
	let suri = suri.as_deref();
	match command {
		Command::Model(ModelCommand::Register(args)) => register_model(&url, suri, args).await,
		Command::Model(ModelCommand::List) => list_models(&url).await,
		Command::Model(ModelCommand::Show { model }) => {
			if looks_like_id(&model) {
				parse_model_id(&model)?;
			}
			let store = verity_engine::default_store_dir();
			let chain = Verity::connect(&url).await?;
			let id = chain.resolve_model(&store, &model).await?;
			let model = chain.existing_model(id).await?;
			let name = store_name(&store, &model.manifest);
			Ok(Report::new(
				json!({ "name": name, "model": model }),
				render::model(&model, name.as_deref()),
			))
		}
		Command::Job(JobCommand::Submit(args)) => submit_job(&url, suri, json, args).await,
		Command::Job(JobCommand::Show { id, store }) => show_job(&url, id, store).await,
		Command::Job(JobCommand::Cancel { id }) => {
			let signer = require_signer(suri)?;
			let chain = Verity::connect(&url).await?;
			let cancelled = chain.cancel_job(&signer, id).await?;
			Ok(Report::new(json!(cancelled), render::cancelled(&cancelled)))
		}
		Command::Operator(command) => operator(&url, suri, command).await,
		Command::Stake(command) => stake(&url, suri, command).await,
		Command::Chain(ChainCommand::Status) => {
			let chain = Verity::connect(&url).await?;
			let status = chain.chain_status().await?;
			Ok(Report::new(json!(status), render::chain_status(&status)))
		}
	}
}

/// The signer, or a clear error when the command needs one and none was given.
fn require_signer(suri: Option<&str>) -> Result<Signer, ClientError> {
	signer_from_suri(suri.ok_or(ClientError::SignerRequired)?)
}

fn store_dir(store: Option<PathBuf>) -> PathBuf {
	store.unwrap_or_else(verity_engine::default_store_dir)
}

async fn register_model(url: &str, suri: Option<&str>, args: RegisterModel) -> Result<Report> {
	let signer = if args.dry_run { None } else { Some(require_signer(suri)?) };
	let options = RegisterOptions {
		price: parse_vrt(&args.price)?,
		replication: args.replication,
		quorum: parse_percent(&args.quorum)?,
		royalty: parse_percent(&args.royalty)?,
		compute_blocks: args.compute_blocks,
	};
	let store = store_dir(args.store);
	let model = read_store_model(&store, &args.model)?;
	let chain = Verity::connect(url).await?;
	let limits = chain.registry_limits().await?;
	let spec = spec_from_manifest(&store, &model.manifest, &options, &limits)?;
	let id = model_id(&model.digest, &spec);
	let input_capped = model.manifest.limits.max_input_bytes > spec.max_input_len;
	let Some(signer) = signer else {
		let existing = chain.model(id).await?;
		let mut human = format!(
			"{} (manifest {:?}) under this spec is model {id:?}{}\n",
			model.manifest.name,
			model.digest,
			if existing.is_some() { ", already registered" } else { ", not registered yet" }
		);
		human += &render::spec(&spec);
		return Ok(Report::new(
			json!({
				"name": model.manifest.name,
				"id": id,
				"manifest": model.digest,
				"spec": spec,
				"registered": existing.is_some(),
				"input_limit_capped_by_chain": input_capped,
			}),
			human,
		));
	};
	eprintln!("registering {} (manifest {:?}) as model {id:?}", model.manifest.name, model.digest);
	let registered = chain.register_model(&signer, model.digest, &spec).await?;
	let mut human = format!(
		"registered {} as {:?} in block #{}\n  manifest {:?}\n",
		model.manifest.name, registered.id, registered.block_number, registered.manifest
	);
	human += &render::spec(&registered.spec);
	human += &format!("  deposit held: {} VRT\n", format_vrt(registered.deposit));
	if input_capped {
		human += &format!(
			"  note: the model accepts {} input bytes; the chain carries at most {}\n",
			model.manifest.limits.max_input_bytes, spec.max_input_len
		);
	}
	Ok(Report::new(
		json!({
			"name": model.manifest.name,
			"registered": registered,
			"input_limit_capped_by_chain": input_capped,
		}),
		human,
	))
}

async fn list_models(url: &str) -> Result<Report> {
	let chain = Verity::connect(url).await?;
	let models = chain.models().await?;
	let store = verity_engine::default_store_dir();
	let named: Vec<_> = models.iter().map(|m| (m, store_name(&store, &m.manifest))).collect();
	let human = if named.is_empty() {
		"no models registered".to_string()
	} else {
		named
			.iter()
			.map(|(m, name)| render::model(m, name.as_deref()))
			.collect::<Vec<_>>()
			.join("\n")
	};
	let json = named
		.iter()
		.map(|(m, name)| {
			let mut value = json!(m);
			value["name"] = json!(name);
			value
		})
		.collect::<Vec<_>>();
	Ok(Report::new(json!(json), human))
}

/// The job input from whichever flag carries it. Features are scaled by `input_scale` (the
/// model's, from its manifest in the local store, else the engine's default).
fn job_input(args: &SubmitJob, input_scale: Option<u64>) -> Result<Vec<u8>> {
	if let Some(text) = &args.text {
		return Ok(text.as_bytes().to_vec());
	}
	if let Some(hex) = &args.input_hex {
		return Ok(parse_hex("--input-hex", hex)?);
	}
	if let Some(path) = &args.input_file {
		return std::fs::read(path)
			.with_context(|| format!("cannot read the input file {}", path.display()));
	}
	if let Some(features) = &args.features {
		let scale = input_scale.unwrap_or(verity_engine::manifest::DEFAULT_INPUT_SCALE);
		return Ok(parse_features(features, scale)?);
	}
	bail!("give the input with --text, --input-hex, --input-file or --features")
}

async fn submit_job(url: &str, suri: Option<&str>, json: bool, args: SubmitJob) -> Result<Report> {
	let signer = require_signer(suri)?;
	if looks_like_id(&args.model) {
		parse_model_id(&args.model)?;
	}
	let store = store_dir(args.store.clone());
	// Every argument that can be wrong is checked before connecting (features with the default
	// scale; they are encoded again with the model's own once it is known).
	job_input(&args, None)?;
	let max_fee = args.max_fee.as_deref().map(parse_vrt).transpose()?;
	let quorum = args.quorum.as_deref().map(parse_percent).transpose()?;
	let chain = Verity::connect(url).await?;
	let model = chain.existing_model(chain.resolve_model(&store, &args.model).await?).await?;
	let input_scale = local_manifest(&store, &model.manifest).and_then(|m| m.numerics.input_scale);
	let request = JobRequest {
		model: model.id,
		input: job_input(&args, input_scale)?,
		max_fee,
		replication: args.replication,
		quorum,
		deadline_blocks: args.deadline_blocks,
	};
	let job = chain.submit_job(&signer, &request).await?;
	if !args.wait {
		return Ok(Report::new(json!(job), render::submitted(&job)));
	}

	eprintln!("{}", render::submitted(&job).trim_end());
	let timeout = args.timeout.map(Duration::from_secs);
	let outcome = chain
		.wait_for_job_with_timeout(&job, timeout, |progress| {
			eprintln!("{}", render::progress(&progress));
		})
		.await?;
	let JobOutcome::Settled { result, finalized_block } = &outcome else {
		let report = Report::new(json!({ "job": job, "outcome": outcome }), String::new());
		report.print(json);
		bail!("{}", render::unsettled(job.job_id, &outcome));
	};
	let registered = chain.model(result.model).await?;
	let decoded = registered
		.as_ref()
		.map(|m| decode_result(&m.spec.architecture, &m.manifest, &result.output, &store));
	let human = format!(
		"job {} settled; final at block #{finalized_block}\n{}",
		job.job_id,
		render::result(result, decoded.as_ref())
	);
	Ok(Report::new(json!({ "job": job, "outcome": outcome, "decoded": decoded }), human))
}

async fn show_job(url: &str, id: u64, store: Option<PathBuf>) -> Result<Report> {
	let store = store_dir(store);
	let chain = Verity::connect(url).await?;
	match chain.job_state(id).await? {
		JobState::Open(job) => {
			let human = render::open_job(&job);
			Ok(Report::new(json!(JobState::Open(job)), human))
		}
		JobState::Settled(result) => {
			let registered = chain.model(result.model).await?;
			let decoded = registered
				.as_ref()
				.map(|m| decode_result(&m.spec.architecture, &m.manifest, &result.output, &store));
			let human = format!("job {id} settled\n{}", render::result(&result, decoded.as_ref()));
			let mut value = json!(JobState::Settled(result));
			value["decoded"] = json!(decoded);
			Ok(Report::new(value, human))
		}
	}
}

async fn operator(url: &str, suri: Option<&str>, command: OperatorCommand) -> Result<Report> {
	match command {
		OperatorCommand::Register { bond, commission, models } => {
			let signer = require_signer(suri)?;
			let bond = parse_vrt(&bond)?;
			let commission = parse_percent(&commission)?;
			check_model_ids(&models)?;
			let chain = Verity::connect(url).await?;
			let models = resolve_models(&chain, &models).await?;
			let receipt = chain.register_operator(&signer, bond, commission, models).await?;
			Ok(Report::new(json!(receipt), render::receipt(&receipt)))
		}
		OperatorCommand::SetKeys { keys_from, keys, proof } => {
			let signer = require_signer(suri)?;
			let given = match (keys, proof) {
				(Some(keys), Some(proof)) => Some(GeneratedKeys {
					keys: parse_hex("--keys", &keys)?,
					proof: Some(parse_hex("--proof", &proof)?),
				}),
				_ => None,
			};
			let chain = Verity::connect(url).await?;
			let generated = match given {
				Some(keys) => keys,
				None => {
					let node = keys_from.as_deref().unwrap_or(url);
					Verity::rotate_session_keys(node, &account_of(&signer)).await?
				}
			};
			let Some(proof) = &generated.proof else {
				bail!("the node made session keys but no ownership proof (its runtime is older than SessionKeys API v2)");
			};
			let receipt = chain.set_session_keys(&signer, &generated.keys, proof).await?;
			let human = format!(
				"{}  keys: 0x{}\n",
				render::receipt(&receipt),
				hex::encode(&generated.keys)
			);
			Ok(Report::new(json!({ "receipt": receipt, "keys": generated }), human))
		}
		OperatorCommand::SetModels { models } => {
			let signer = require_signer(suri)?;
			check_model_ids(&models)?;
			let chain = Verity::connect(url).await?;
			let models = resolve_models(&chain, &models).await?;
			let receipt = chain.set_models(&signer, models).await?;
			Ok(Report::new(json!(receipt), render::receipt(&receipt)))
		}
		OperatorCommand::List => {
			let chain = Verity::connect(url).await?;
			let operators = chain.operators().await?;
			let min = chain.min_self_bond().await?;
			let mut json = Vec::new();
			for operator in &operators {
				let mut value = json!(operator);
				value["active_stake"] = json!(format_vrt(operator.active_stake()));
				value["eligible"] = json!(operator.is_eligible(min));
				json.push(value);
			}
			Ok(Report::new(json!(json), render::operators(&operators, min)))
		}
	}
}

/// Fails on a malformed model id among `models` (names are looked up later, on chain).
fn check_model_ids(models: &[String]) -> Result<(), ClientError> {
	for id in models.iter().filter(|m| looks_like_id(m)) {
		parse_model_id(id)?;
	}
	Ok(())
}

/// The registered models `models` name (ids, or names in the default store).
async fn resolve_models(chain: &Verity, models: &[String]) -> Result<Vec<ModelId>, ClientError> {
	let store = verity_engine::default_store_dir();
	let mut ids = Vec::new();
	for model in models.iter().filter(|m| !m.trim().is_empty()) {
		ids.push(chain.resolve_model(&store, model).await?);
	}
	Ok(ids)
}

async fn stake(url: &str, suri: Option<&str>, command: StakeCommand) -> Result<Report> {
	let signer = require_signer(suri)?;
	let receipt = match command {
		StakeCommand::Delegate { operator, amount } => {
			let (operator, amount) = (parse_account(&operator)?, parse_vrt(&amount)?);
			Verity::connect(url).await?.delegate(&signer, &operator, amount).await?
		}
		StakeCommand::Undelegate { operator, amount } => {
			let (operator, amount) = (parse_account(&operator)?, parse_vrt(&amount)?);
			Verity::connect(url).await?.undelegate(&signer, &operator, amount).await?
		}
		StakeCommand::Withdraw { operator } => {
			let operator = parse_account(&operator)?;
			Verity::connect(url).await?.withdraw_unbonded(&signer, &operator).await?
		}
		StakeCommand::Claim { operator } => {
			let operator = parse_account(&operator)?;
			Verity::connect(url).await?.claim(&signer, &operator).await?
		}
	};
	Ok(Report::new(json!(receipt), render::receipt(&receipt)))
}
