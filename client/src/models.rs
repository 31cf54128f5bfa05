//! The model registry: registering a model from an engine model store, reading models.
//!
//! A model's id on chain is the digest of its engine manifest (`verity_engine::Manifest::id`),
//! so the id pins the weights, the architecture and the numerical contract. [`spec_from_manifest`]
//! maps a manifest onto the registry's `ModelSpec`:
//!
//! | spec field | from |
//! |---|---|
//! | `architecture` | the manifest's architecture |
//! | `max_input_len` | `limits.max_input_bytes`, capped at the chain's `MaxInputLen` |
//! | `max_output_len` | the canonical output size: `4 × outputs` (Mlp), `4 × hidden_size` (BertEmbedding), the chain's `MaxOutputLen` (LlamaGguf: ids plus free-length text) |
//! | `contract` | `numerics.contract` (same variants and `eps`) |
//! | price, replication, quorum, royalty | the owner's choice ([`RegisterOptions`]) |

use serde::Serialize;
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
	/// The model id (manifest digest).
	pub id: ModelId,
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
}

impl Default for RegisterOptions {
	/// 0.01 VRT per replica; three operators, two thirds of their stake must agree (a single
	/// operator's mistake or lie cannot decide a result); no royalty.
	fn default() -> Self {
		RegisterOptions { price: UNIT / 100, replication: 3, quorum: 670_000_000, royalty: 0 }
	}
}

/// A model read from an engine store, ready to register.
#[derive(Clone, Debug)]
pub struct StoreModel {
	/// Its id: the manifest digest.
	pub id: ModelId,
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
	Ok(StoreModel { id: ModelId::from(digest.0), manifest })
}

/// The name the local store gives model `id`, if the store exists and has it. Never creates
/// the store.
pub fn store_name(store_dir: &std::path::Path, id: &ModelId) -> Option<String> {
	if !store_dir.join("manifests").is_dir() {
		return None;
	}
	let store = ModelStore::open(store_dir).ok()?;
	store.manifest(&verity_engine::Digest(id.0)).ok().map(|m| m.name)
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
	let spec = ModelSpec {
		architecture,
		max_input_len: manifest.limits.max_input_bytes.min(limits.max_input_len),
		max_output_len: max_output_len as u32,
		price: options.price,
		replication: options.replication,
		quorum: options.quorum,
		contract,
		royalty: options.royalty,
	};
	check_spec(&spec, limits)?;
	Ok(spec)
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
	Ok(())
}

/// A model registration that made it into a block.
#[derive(Clone, Debug, Serialize)]
pub struct Registered {
	/// The model id.
	pub id: ModelId,
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

	/// Registers model `id` with `spec`, owned by `signer`; holds the registry's deposit.
	/// Checks first that the id is free, the spec within bounds and the deposit affordable.
	pub async fn register_model(
		&self,
		signer: &Signer,
		id: ModelId,
		spec: &ModelSpec,
	) -> Result<Registered> {
		let limits = self.registry_limits().await?;
		check_spec(spec, &limits)?;
		if let Some(existing) = self.model(id).await? {
			return Err(ClientError::InvalidArgument(format!(
				"model {id:?} is already registered (owner {})",
				existing.owner
			)));
		}
		let owner = account_of(signer);
		self.ensure_can_pay(&owner, limits.deposit, "the model deposit").await?;
		let call = runtime::tx().models().register(id, spec_to_chain(spec));
		let included = self.submit(&call, signer).await?;
		let event: runtime::models::events::ModelRegistered =
			included.event("Models.ModelRegistered")?;
		Ok(Registered {
			id: event.model,
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
	}
}
