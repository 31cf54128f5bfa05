//! The model registry: registering a model from an engine model store, reading models.
//!
//! A model on chain is an engine *manifest* (its digest, `verity_engine::Manifest::id`, pins
//! the weights, the architecture and the output scale) run under a `ModelSpec`. The chain
//! derives the model's id from both: [`model_id`]`(manifest, spec)` =
//! `blake2_256(SCALE("verity/model/v1", manifest, spec))`, so the same weights under another
//! price, replication or contract are another model with another id. The client computes the
//! id before it signs, and checks that the chain derived the same one.
//!
//! [`spec_from_manifest`] maps a manifest onto the registry's `ModelSpec`:
//!
//! | spec field | from |
//! |---|---|
//! | `architecture` | the manifest's architecture |
//! | `max_input_len` | `limits.max_input_bytes`, capped at the chain's `MaxInputLen` |
//! | `max_output_len` | the canonical output size: `4 × outputs` (Mlp), `4 × hidden_size` (BertEmbedding), the chain's `MaxOutputLen` (LlamaGguf: ids plus free-length text) |
//! | `contract` | `numerics.contract` (same variants and `eps`) |
//! | `compute_blocks` | the owner's choice, else [`default_compute_blocks`] of the architecture |
//! | price, replication, quorum, royalty | the owner's choice ([`RegisterOptions`]) |

use codec::Encode;
use serde::Serialize;
use subxt::config::{substrate::BlakeTwo256, Hasher};
use verity_engine::{Manifest, ModelStore};

use crate::{
	amount::{as_percent, as_vrt, UNIT},
	error::{ClientError, Result},
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec, pallet_verity_models::types as chain,
			sp_arithmetic::per_things::Perbill, verity_primitives::contract::NumericalContract,
		},
	},
	signer::{account_of, Signer},
	AccountId, Balance, BlockNumber, ModelId, Verity,
};

/// The network architecture a model's weights load into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Architecture {
	/// A multilayer perceptron (tabular scores).
	Mlp,
	/// A BERT sentence embedder.
	BertEmbedding,
	/// A llama-family GGUF decoder, greedy generation.
	LlamaGguf,
	/// An architecture this client does not know, by name.
	Other(String),
}

impl std::fmt::Display for Architecture {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Architecture::Mlp => f.write_str("Mlp"),
			Architecture::BertEmbedding => f.write_str("BertEmbedding"),
			Architecture::LlamaGguf => f.write_str("LlamaGguf"),
			Architecture::Other(name) => f.write_str(name),
		}
	}
}

impl Serialize for Architecture {
	fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
		s.collect_str(self)
	}
}

/// How revealed outputs are compared on chain (see `verity_primitives::contract`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Contract {
	/// Byte equality.
	Exact,
	/// Fixed-point vectors within `eps` units element-wise.
	Tolerance {
		/// The largest accepted difference, in fixed-point units.
		eps: u32,
	},
	/// Equal greedy token ids.
	TokenMatch,
}

impl std::fmt::Display for Contract {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Contract::Exact => f.write_str("exact"),
			Contract::Tolerance { eps } => write!(f, "tolerance (eps {eps})"),
			Contract::TokenMatch => f.write_str("token match"),
		}
	}
}

/// What an owner declares when registering a model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModelSpec {
	/// The architecture.
	pub architecture: Architecture,
	/// The longest job input, in bytes.
	pub max_input_len: u32,
	/// The longest output an operator may reveal, in bytes.
	pub max_output_len: u32,
	/// Price of one run by one operator (a job on `k` operators costs `k × price`).
	#[serde(serialize_with = "as_vrt::serialize")]
	pub price: Balance,
	/// Operators per job when the submitter does not say.
	pub replication: u32,
	/// Share of the assigned stake that must agree, in parts per billion (percent in JSON).
	#[serde(serialize_with = "as_percent::serialize")]
	pub quorum: u32,
	/// How outputs are compared.
	pub contract: Contract,
	/// The owner's share of every settled job's fee, in parts per billion (percent in JSON).
	#[serde(serialize_with = "as_percent::serialize")]
	pub royalty: u32,
	/// Blocks an operator may need to run one job; the chain keeps each job's commit window
	/// open this much longer.
	pub compute_blocks: u32,
}

/// Whether a model takes new jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelStatus {
	/// New jobs are accepted.
	Active,
	/// No new jobs; open jobs run to completion.
	Deprecated,
}

/// A registered model.
#[derive(Clone, Debug, Serialize)]
pub struct Model {
	/// The model id, [`model_id`]`(manifest, spec)`.
	pub id: ModelId,
	/// The digest of the engine manifest it runs (what operators load, and what a local model
	/// store knows it by).
	pub manifest: ModelId,
	/// The owner.
	pub owner: AccountId,
	/// What the owner declared.
	pub spec: ModelSpec,
	/// The deposit held from the owner.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub deposit: Balance,
	/// Whether it takes new jobs.
	pub status: ModelStatus,
	/// Jobs open for it now.
	pub open_jobs: u32,
	/// The block it was registered in.
	pub registered_at: BlockNumber,
}

/// The registry's bounds, read from the runtime's constants.
#[derive(Clone, Debug, Serialize)]
pub struct RegistryLimits {
	/// The longest input any model may declare.
	pub max_input_len: u32,
	/// The longest output any model may declare.
	pub max_output_len: u32,
	/// The largest replication.
	pub max_replication: u32,
	/// The smallest quorum, parts per billion.
	pub min_quorum: u32,
	/// The largest royalty, parts per billion.
	pub max_royalty: u32,
	/// The lowest price per replica.
	pub min_price: Balance,
	/// The deposit a registration holds.
	pub deposit: Balance,
	/// The loosest `Tolerance { eps }` a model may declare.
	pub max_tolerance_eps: u32,
	/// The most `compute_blocks` a model may declare.
	pub max_compute_blocks: u32,
}

/// The owner's economic choices when registering.
#[derive(Clone, Debug)]
pub struct RegisterOptions {
	/// Price per replica.
	pub price: Balance,
	/// Default replication.
	pub replication: u32,
	/// Default quorum, parts per billion.
	pub quorum: u32,
	/// Royalty, parts per billion.
	pub royalty: u32,
	/// Blocks an operator may need per job; `None` for [`default_compute_blocks`].
	pub compute_blocks: Option<u32>,
}

/// Two thirds in parts per billion, rounded down as the runtime's `Perbill::from_rational(2, 3)`
/// (its `MaxQuorum`): two of three seats reach it.
pub const TWO_THIRDS: u32 = 666_666_666;

impl Default for RegisterOptions {
	/// 0.01 VRT per replica; three operators, two thirds of the seats must agree (a single
	/// operator's mistake or lie can neither decide nor veto a result); no royalty; the
	/// architecture's compute time.
	fn default() -> Self {
		RegisterOptions {
			price: UNIT / 100,
			replication: 3,
			quorum: TWO_THIRDS,
			royalty: 0,
			compute_blocks: None,
		}
	}
}

/// The compute time a model of `architecture` declares unless its owner says otherwise, in
/// 3-second blocks beyond the first one after a job's draw: none for the Mlp and BERT models
/// (milliseconds), five for a llama generation (SmolLM2-135M writes its 64 tokens in about
/// 7 s on one core, more when a machine runs several operators).
pub fn default_compute_blocks(architecture: &Architecture) -> u32 {
	match architecture {
		Architecture::Mlp | Architecture::BertEmbedding => 0,
		Architecture::LlamaGguf => 5,
		Architecture::Other(_) => 5,
	}
}

/// Domain separator of [`model_id`] (the runtime's `pallet_verity_models::MODEL_ID_CONTEXT`).
pub const MODEL_ID_CONTEXT: &[u8] = b"verity/model/v1";

/// The id the chain gives `manifest` registered under `spec`:
/// `blake2_256(SCALE(("verity/model/v1", manifest, spec)))`, as `pallet_verity_models::model_id`.
pub fn model_id(manifest: &ModelId, spec: &ModelSpec) -> ModelId {
	let mut bytes = MODEL_ID_CONTEXT.encode();
	bytes.extend_from_slice(manifest.as_bytes());
	encode_spec(spec, &mut bytes);
	BlakeTwo256.hash(&bytes)
}

/// The SCALE encoding of `pallet_verity_models::ModelSpec<u128>`: its fields in declaration
/// order, enums as their variant index then their fields, `Perbill` as its `u32` parts. Written
/// out rather than derived so that it is checked against vectors computed independently (the
/// client's tests) and against the chain (`register_model` compares the ids).
fn encode_spec(spec: &ModelSpec, out: &mut Vec<u8>) {
	match &spec.architecture {
		Architecture::Mlp => out.push(0),
		Architecture::BertEmbedding => out.push(1),
		Architecture::LlamaGguf => out.push(2),
		Architecture::Other(name) => {
			out.push(3);
			name.as_bytes().encode_to(out);
		}
	}
	spec.max_input_len.encode_to(out);
	spec.max_output_len.encode_to(out);
	spec.price.encode_to(out);
	spec.replication.encode_to(out);
	spec.quorum.encode_to(out);
	match spec.contract {
		Contract::Exact => out.push(0),
		Contract::Tolerance { eps } => {
			out.push(1);
			eps.encode_to(out);
		}
		Contract::TokenMatch => out.push(2),
	}
	spec.royalty.encode_to(out);
	spec.compute_blocks.encode_to(out);
}

/// A model read from an engine store, ready to register.
#[derive(Clone, Debug)]
pub struct StoreModel {
	/// Its manifest's digest (not a model id: the chain's id also binds the spec).
	pub digest: ModelId,
	/// Its manifest.
	pub manifest: Manifest,
}

/// Finds `id_or_name` in the model store at `store_dir` and reads its manifest (verified
/// against its digest).
pub fn read_store_model(store_dir: &std::path::Path, id_or_name: &str) -> Result<StoreModel> {
	let store_error =
		|reason: String| ClientError::ModelStore { store: store_dir.display().to_string(), reason };
	if !store_dir.is_dir() {
		return Err(store_error(
			"no such directory (fetch the models with scripts/fetch-models.sh, or pass --store)"
				.into(),
		));
	}
	let store = ModelStore::open(store_dir).map_err(|e| store_error(e.to_string()))?;
	let digest = store.resolve(id_or_name).map_err(|e| store_error(e.to_string()))?;
	let manifest = store.manifest(&digest).map_err(|e| store_error(e.to_string()))?;
	Ok(StoreModel { digest: ModelId::from(digest.0), manifest })
}

/// The manifest with digest `manifest` from the local store, if the store exists and has it
/// (verified against the digest). Never creates the store.
pub fn local_manifest(store_dir: &std::path::Path, manifest: &ModelId) -> Option<Manifest> {
	if !store_dir.join("manifests").is_dir() {
		return None;
	}
	let store = ModelStore::open(store_dir).ok()?;
	store.manifest(&verity_engine::Digest(manifest.0)).ok()
}

/// The name the local store gives the manifest with digest `manifest` (a registered model's
/// [`Model::manifest`]), if the store exists and has it. Never creates the store.
pub fn store_name(store_dir: &std::path::Path, manifest: &ModelId) -> Option<String> {
	local_manifest(store_dir, manifest).map(|m| m.name)
}

/// Whether `text` is meant as a model id (hex) rather than a store name: it starts with `0x`
/// or is 64 hex digits.
pub fn looks_like_id(text: &str) -> bool {
	let text = text.trim();
	text.starts_with("0x") || (text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The registry spec for a model of `store_dir`, with the owner's `options`, within `limits`.
pub fn spec_from_manifest(
	store_dir: &std::path::Path,
	manifest: &Manifest,
	options: &RegisterOptions,
	limits: &RegistryLimits,
) -> Result<ModelSpec> {
	use verity_engine::Architecture as Engine;
	let store_error =
		|reason: String| ClientError::ModelStore { store: store_dir.display().to_string(), reason };
	// The canonical output size is fixed by the architecture and the model's config file.
	let config_number = |key: &str| -> Result<u64> {
		let store = ModelStore::open(store_dir).map_err(|e| store_error(e.to_string()))?;
		let entry = manifest.file("config").map_err(|e| store_error(e.to_string()))?;
		let bytes = store.read_file("config", entry).map_err(|e| store_error(e.to_string()))?;
		let config: serde_json::Value = serde_json::from_slice(&bytes)
			.map_err(|e| store_error(format!("config of {}: {e}", manifest.name)))?;
		let value = &config[key];
		value
			.as_u64()
			.or_else(|| value.as_array().map(|a| a.len() as u64))
			.ok_or_else(|| store_error(format!("config of {} has no `{key}`", manifest.name)))
	};
	let (architecture, max_output_len) = match manifest.architecture {
		Engine::Mlp => (Architecture::Mlp, 4 * config_number("outputs")?),
		Engine::BertEmbedding => (Architecture::BertEmbedding, 4 * config_number("hidden_size")?),
		// Token ids then their text: the text has no fixed size, so the chain's bound.
		Engine::LlamaGguf => (Architecture::LlamaGguf, u64::from(limits.max_output_len)),
	};
	if max_output_len > u64::from(limits.max_output_len) {
		return Err(ClientError::InvalidArgument(format!(
			"model {} writes {max_output_len}-byte outputs but the chain accepts at most {}",
			manifest.name, limits.max_output_len
		)));
	}
	let contract = match manifest.numerics.contract {
		verity_engine::Contract::Exact => Contract::Exact,
		verity_engine::Contract::Tolerance { eps } => Contract::Tolerance { eps },
		verity_engine::Contract::TokenMatch => Contract::TokenMatch,
	};
	let compute_blocks =
		options.compute_blocks.unwrap_or_else(|| default_compute_blocks(&architecture));
	let spec = ModelSpec {
		architecture,
		max_input_len: manifest.limits.max_input_bytes.min(limits.max_input_len),
		max_output_len: max_output_len as u32,
		price: options.price,
		replication: options.replication,
		quorum: options.quorum,
		contract,
		royalty: options.royalty,
		compute_blocks,
	};
	check_spec(&spec, limits).map_err(|e| match e {
		ClientError::InvalidArgument(m) => {
			ClientError::InvalidArgument(format!("model {}: {m}", manifest.name))
		}
		other => other,
	})?;
	Ok(spec)
}

/// Whether `contract` can compare the outputs of `architecture`, as the registry requires:
/// a llama generation only by its token ids (`TokenMatch`), and token ids only from a
/// generator (`LlamaGguf`, or an `Other` architecture the engine knows by name).
pub fn contract_fits(architecture: &Architecture, contract: &Contract) -> bool {
	match (architecture, contract) {
		(Architecture::LlamaGguf, contract) => *contract == Contract::TokenMatch,
		(Architecture::Other(_), _) => true,
		(Architecture::Mlp | Architecture::BertEmbedding, Contract::TokenMatch) => false,
		(Architecture::Mlp | Architecture::BertEmbedding, _) => true,
	}
}

/// The registry's checks, before anything is signed.
pub fn check_spec(spec: &ModelSpec, limits: &RegistryLimits) -> Result<()> {
	use crate::amount::{format_percent, format_vrt};
	let bad = |m: String| Err(ClientError::InvalidArgument(m));
	if spec.price < limits.min_price {
		return bad(format!(
			"price {} VRT is below the chain's minimum of {} VRT",
			format_vrt(spec.price),
			format_vrt(limits.min_price)
		));
	}
	if !(1..=limits.max_replication).contains(&spec.replication) {
		return bad(format!(
			"replication {} is outside 1..={}",
			spec.replication, limits.max_replication
		));
	}
	if spec.quorum < limits.min_quorum {
		return bad(format!(
			"quorum {} is below the chain's minimum of {}",
			format_percent(spec.quorum),
			format_percent(limits.min_quorum)
		));
	}
	if spec.royalty > limits.max_royalty {
		return bad(format!(
			"royalty {} is above the chain's maximum of {}",
			format_percent(spec.royalty),
			format_percent(limits.max_royalty)
		));
	}
	if !(1..=limits.max_input_len).contains(&spec.max_input_len) {
		return bad(format!(
			"input limit {} bytes is outside the chain's 1..={}",
			spec.max_input_len, limits.max_input_len
		));
	}
	if !(1..=limits.max_output_len).contains(&spec.max_output_len) {
		return bad(format!(
			"output limit {} bytes is outside the chain's 1..={}",
			spec.max_output_len, limits.max_output_len
		));
	}
	if !contract_fits(&spec.architecture, &spec.contract) {
		return bad(format!(
			"the {} contract cannot compare {} outputs (LlamaGguf needs token match, and token \
			 match fits only LlamaGguf or another generator)",
			spec.contract, spec.architecture
		));
	}
	if let Contract::Tolerance { eps } = spec.contract {
		if eps == 0 {
			return bad("a tolerance of eps 0 is the exact contract: declare it as exact".into());
		}
		if eps > limits.max_tolerance_eps {
			return bad(format!(
				"tolerance eps {eps} is looser than the chain's maximum of {}",
				limits.max_tolerance_eps
			));
		}
	}
	if spec.compute_blocks > limits.max_compute_blocks {
		return bad(format!(
			"compute time {} blocks is above the chain's maximum of {}",
			spec.compute_blocks, limits.max_compute_blocks
		));
	}
	Ok(())
}

/// A model registration that made it into a block.
#[derive(Clone, Debug, Serialize)]
pub struct Registered {
	/// The model id the chain derived (the one [`model_id`] computed before signing).
	pub id: ModelId,
	/// The manifest digest registered.
	pub manifest: ModelId,
	/// The owner.
	pub owner: AccountId,
	/// The spec registered.
	pub spec: ModelSpec,
	/// The deposit held.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub deposit: Balance,
	/// The block it is in.
	pub block_number: u64,
	/// That block's hash.
	pub block_hash: subxt::utils::H256,
}

impl Verity {
	/// The registry's bounds.
	pub async fn registry_limits(&self) -> Result<RegistryLimits> {
		let at = self.at_best().await?;
		let constants = runtime::constants().models();
		let get = |e| ClientError::chain(e);
		let c = at.constants();
		Ok(RegistryLimits {
			max_input_len: c.entry(constants.max_input_len()).map_err(get)?,
			max_output_len: c.entry(constants.max_output_len()).map_err(get)?,
			max_replication: c.entry(constants.max_replication()).map_err(get)?,
			min_quorum: c.entry(constants.min_quorum()).map_err(get)?.0,
			max_royalty: c.entry(constants.max_royalty()).map_err(get)?.0,
			min_price: c.entry(constants.min_price()).map_err(get)?,
			deposit: c.entry(constants.model_deposit()).map_err(get)?,
			max_tolerance_eps: c.entry(constants.max_tolerance_eps()).map_err(get)?,
			max_compute_blocks: c.entry(constants.max_compute_blocks()).map_err(get)?,
		})
	}

	/// Model `id`, if registered.
	pub async fn model(&self, id: ModelId) -> Result<Option<Model>> {
		let at = self.at_best().await?;
		let value = at
			.storage()
			.try_fetch(runtime::storage().models().models(), (id,))
			.await
			.map_err(ClientError::chain)?;
		match value {
			Some(value) => {
				Ok(Some(model_from_chain(id, value.decode().map_err(ClientError::chain)?)))
			}
			None => Ok(None),
		}
	}

	/// Model `id`, or [`ClientError::UnknownModel`].
	pub async fn existing_model(&self, id: ModelId) -> Result<Model> {
		self.model(id).await?.ok_or(ClientError::UnknownModel(id))
	}

	/// Every registered model, by id.
	pub async fn models(&self) -> Result<Vec<Model>> {
		let at = self.at_best().await?;
		let mut entries = at
			.storage()
			.iter(runtime::storage().models().models(), ())
			.await
			.map_err(ClientError::chain)?;
		let mut models = Vec::new();
		while let Some(entry) = entries.next().await {
			let entry = entry.map_err(ClientError::chain)?;
			let (id,) =
				entry.key().map_err(ClientError::chain)?.decode().map_err(ClientError::chain)?;
			let info = entry.value().decode().map_err(ClientError::chain)?;
			models.push(model_from_chain(id, info));
		}
		models.sort_by_key(|m| m.id);
		Ok(models)
	}

	/// Registered models running the manifest with digest `manifest`, by id.
	pub async fn models_of_manifest(&self, manifest: ModelId) -> Result<Vec<Model>> {
		Ok(self.models().await?.into_iter().filter(|m| m.manifest == manifest).collect())
	}

	/// The registered model `text` names: a model id (hex), or the name of a model in the
	/// local store at `store_dir` when exactly one registered model runs that manifest.
	pub async fn resolve_model(&self, store_dir: &std::path::Path, text: &str) -> Result<ModelId> {
		if looks_like_id(text) {
			return crate::parse::parse_model_id(text);
		}
		let local = read_store_model(store_dir, text.trim())?;
		let models = self.models_of_manifest(local.digest).await?;
		match models.as_slice() {
			[model] => Ok(model.id),
			[] => Err(ClientError::InvalidArgument(format!(
				"{} (manifest {:?}) is not registered on chain (see `verity model register`)",
				local.manifest.name, local.digest
			))),
			several => Err(ClientError::InvalidArgument(format!(
				"{} registered models run {} (manifest {:?}), under different specs: pass one of \
				 their ids ({})",
				several.len(),
				local.manifest.name,
				local.digest,
				several.iter().map(|m| format!("{:?}", m.id)).collect::<Vec<_>>().join(", ")
			))),
		}
	}

	/// Registers the manifest with digest `manifest` under `spec`, owned by `signer`; holds the
	/// registry's deposit. The model's id is [`model_id`]`(manifest, spec)`. Checks first that
	/// the spec is within bounds, the id is free and the deposit affordable, and afterwards
	/// that the chain derived the id this client computed.
	pub async fn register_model(
		&self,
		signer: &Signer,
		manifest: ModelId,
		spec: &ModelSpec,
	) -> Result<Registered> {
		let limits = self.registry_limits().await?;
		check_spec(spec, &limits)?;
		let id = model_id(&manifest, spec);
		if let Some(existing) = self.model(id).await? {
			return Err(ClientError::InvalidArgument(format!(
				"model {id:?} is already registered (this manifest under this very spec; owner \
				 {}): change the spec (e.g. the price) to register another model",
				existing.owner
			)));
		}
		let owner = account_of(signer);
		self.ensure_can_pay(&owner, limits.deposit, "the model deposit").await?;
		let call = runtime::tx().models().register(manifest, spec_to_chain(spec));
		let included = self.submit(&call, signer).await?;
		let event: runtime::models::events::ModelRegistered =
			included.event("Models.ModelRegistered")?;
		if event.model != id {
			return Err(ClientError::Incompatible(format!(
				"the chain registered the model as {:?} but this client computed {id:?}",
				event.model
			)));
		}
		Ok(Registered {
			id: event.model,
			manifest: event.manifest,
			owner: event.owner,
			spec: spec.clone(),
			deposit: event.deposit,
			block_number: included.block_number,
			block_hash: included.block_hash,
		})
	}
}

pub(crate) fn architecture_from_chain(a: chain::Architecture) -> Architecture {
	match a {
		chain::Architecture::Mlp => Architecture::Mlp,
		chain::Architecture::BertEmbedding => Architecture::BertEmbedding,
		chain::Architecture::LlamaGguf => Architecture::LlamaGguf,
		chain::Architecture::Other(name) => {
			Architecture::Other(String::from_utf8_lossy(&name.0).into_owned())
		}
	}
}

pub(crate) fn contract_from_chain(c: NumericalContract) -> Contract {
	match c {
		NumericalContract::Exact => Contract::Exact,
		NumericalContract::Tolerance { eps } => Contract::Tolerance { eps },
		NumericalContract::TokenMatch => Contract::TokenMatch,
	}
}

fn model_from_chain(id: ModelId, info: chain::ModelInfo<AccountId, Balance, BlockNumber>) -> Model {
	let spec = info.spec;
	Model {
		id,
		manifest: info.manifest,
		owner: info.owner,
		spec: ModelSpec {
			architecture: architecture_from_chain(spec.architecture),
			max_input_len: spec.max_input_len,
			max_output_len: spec.max_output_len,
			price: spec.price,
			replication: spec.replication,
			quorum: spec.quorum.0,
			contract: contract_from_chain(spec.contract),
			royalty: spec.royalty.0,
			compute_blocks: spec.compute_blocks,
		},
		deposit: info.deposit,
		status: match info.status {
			chain::ModelStatus::Active => ModelStatus::Active,
			chain::ModelStatus::Deprecated => ModelStatus::Deprecated,
		},
		open_jobs: info.open_jobs,
		registered_at: info.registered_at,
	}
}

fn spec_to_chain(spec: &ModelSpec) -> chain::ModelSpec<Balance> {
	chain::ModelSpec {
		architecture: match &spec.architecture {
			Architecture::Mlp => chain::Architecture::Mlp,
			Architecture::BertEmbedding => chain::Architecture::BertEmbedding,
			Architecture::LlamaGguf => chain::Architecture::LlamaGguf,
			Architecture::Other(name) => {
				chain::Architecture::Other(BoundedVec(name.clone().into_bytes()))
			}
		},
		max_input_len: spec.max_input_len,
		max_output_len: spec.max_output_len,
		price: spec.price,
		replication: spec.replication,
		quorum: Perbill(spec.quorum),
		contract: match spec.contract {
			Contract::Exact => NumericalContract::Exact,
			Contract::Tolerance { eps } => NumericalContract::Tolerance { eps },
			Contract::TokenMatch => NumericalContract::TokenMatch,
		},
		royalty: Perbill(spec.royalty),
		compute_blocks: spec.compute_blocks,
	}
}
