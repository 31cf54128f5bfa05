//! Operators and stake: registering an operator, session keys, the models it serves,
//! delegating to it and claiming rewards.
//!
//! Session keys (aura, grandpa, infr) live in the operator's own node: its keystore makes them
//! with `author_rotateKeysWithOwner`, which also signs a proof that the keys' owner is the
//! operator's account (pallet-session's `set_keys(keys, proof)` checks it). The RPC is
//! "unsafe", so the node must be reachable on localhost or run with `--rpc-methods unsafe`.

use serde::{Deserialize, Serialize};

use crate::{
	amount::{as_percent, as_vrt, format_percent, format_vrt},
	error::{ClientError, Result},
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_verity_operators::types::{OperatorInfo, OperatorStatus},
			sp_arithmetic::per_things::Perbill,
			verity_runtime::opaque::SessionKeys,
		},
	},
	signer::{account_of, Signer},
	AccountId, Balance, BlockNumber, Included, ModelId, Verity,
};

/// Where an operator stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
	/// Assignable to jobs and electable.
	Active,
	/// Paused by the operator.
	Chilled,
	/// Deregistered; its stake is unbonding.
	Leaving,
}

/// A registered operator.
#[derive(Clone, Debug, Serialize)]
pub struct Operator {
	/// Its account.
	pub account: AccountId,
	/// Where it stands.
	pub status: Status,
	/// Its commission (percent in JSON).
	#[serde(serialize_with = "as_percent::serialize")]
	pub commission: u32,
	/// Its own active bond.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub self_bond: Balance,
	/// Active delegations to it.
	#[serde(serialize_with = "as_vrt::serialize")]
	pub delegated: Balance,
	/// Stake on its way out (still slashable).
	#[serde(serialize_with = "as_vrt::serialize")]
	pub unbonding: Balance,
	/// Number of delegators.
	pub delegators: u32,
	/// The models it serves.
	pub models: Vec<ModelId>,
	/// The block it registered in.
	pub registered_at: BlockNumber,
	/// Whether it validates in the current session.
	pub validator: bool,
	/// Whether it has session keys for the next session.
	pub has_session_keys: bool,
}

impl Operator {
	/// Own bond plus delegations: what earns and counts for the validator set.
	pub fn active_stake(&self) -> Balance {
		self.self_bond.saturating_add(self.delegated)
	}

	/// Whether it may be assigned jobs: active and bonded at least `min_self_bond`.
	pub fn is_eligible(&self, min_self_bond: Balance) -> bool {
		self.status == Status::Active && self.self_bond >= min_self_bond
	}
}

/// Session keys made by a node's keystore, with the proof that `owner` holds them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GeneratedKeys {
	/// The SCALE-encoded public keys (aura ‖ grandpa ‖ infr).
	#[serde(with = "hex_bytes")]
	pub keys: Vec<u8>,
	/// The ownership proof (absent when the node's runtime cannot make one).
	#[serde(default, with = "opt_hex_bytes")]
	pub proof: Option<Vec<u8>>,
}

/// A staking transaction that made it into a block.
#[derive(Clone, Debug, Serialize)]
pub struct StakeReceipt {
	/// What was done, in words.
	pub action: String,
	/// The block.
	pub block_number: u64,
	/// Its hash.
	pub block_hash: subxt::utils::H256,
}

impl StakeReceipt {
	fn new(action: String, included: &Included) -> Self {
		StakeReceipt {
			action,
			block_number: included.block_number,
			block_hash: included.block_hash,
		}
	}
}

impl Verity {
	/// The least own bond an operator must keep to register and be assigned jobs.
	pub async fn min_self_bond(&self) -> Result<Balance> {
		let at = self.at_best().await?;
		at.constants()
			.entry(runtime::constants().operators().min_self_bond())
			.map_err(ClientError::chain)
	}

	/// Every registered operator, by decreasing active stake.
	pub async fn operators(&self) -> Result<Vec<Operator>> {
		let at = self.at_best().await?;
		let validators =
			Verity::storage_value(&at, runtime::storage().session().validators(), ()).await?;
		let mut entries = at
			.storage()
			.iter(runtime::storage().operators().operators(), ())
			.await
			.map_err(ClientError::chain)?;
		let mut operators = Vec::new();
		while let Some(entry) = entries.next().await {
			let entry = entry.map_err(ClientError::chain)?;
			let (account,) =
				entry.key().map_err(ClientError::chain)?.decode().map_err(ClientError::chain)?;
			let info = entry.value().decode().map_err(ClientError::chain)?;
			let has_session_keys = at
				.storage()
				.try_fetch(runtime::storage().session().next_keys(), (account,))
				.await
				.map_err(ClientError::chain)?
				.is_some();
			let validator = validators.contains(&account);
			operators.push(operator_from_chain(account, info, validator, has_session_keys));
		}
		operators.sort_by(|a, b| {
			b.active_stake().cmp(&a.active_stake()).then_with(|| a.account.0.cmp(&b.account.0))
		});
		Ok(operators)
	}

	/// Operator `account`, if registered.
	pub async fn operator(&self, account: &AccountId) -> Result<Option<Operator>> {
		Ok(self.operators().await?.into_iter().find(|o| &o.account == account))
	}

	/// Registers `signer` as an operator bonding `self_bond`, with `commission` (parts per
	/// billion) and serving `models`.
	pub async fn register_operator(
		&self,
		signer: &Signer,
		self_bond: Balance,
		commission: u32,
		models: Vec<ModelId>,
	) -> Result<StakeReceipt> {
		let who = account_of(signer);
		let min = self.min_self_bond().await?;
		if self_bond < min {
			return Err(ClientError::InvalidArgument(format!(
				"the self-bond must be at least {} VRT, not {} VRT",
				format_vrt(min),
				format_vrt(self_bond)
			)));
		}
		self.ensure_models_exist(&models).await?;
		self.ensure_can_pay(&who, self_bond, "the operator bond").await?;
		let call = runtime::tx().operators().register(
			self_bond,
			Perbill(commission),
			BoundedVec(models.clone()),
		);
		let included = self.submit(&call, signer).await?;
		Ok(StakeReceipt::new(
			format!(
				"{who} registered as an operator: bond {} VRT, commission {}, {} model(s)",
				format_vrt(self_bond),
				format_percent(commission),
				models.len()
			),
			&included,
		))
	}

	/// Replaces the models `signer` serves.
	pub async fn set_models(&self, signer: &Signer, models: Vec<ModelId>) -> Result<StakeReceipt> {
		self.ensure_models_exist(&models).await?;
		let call = runtime::tx().operators().set_models(BoundedVec(models.clone()));
		let included = self.submit(&call, signer).await?;
		Ok(StakeReceipt::new(
			format!("{} now serves {} model(s)", account_of(signer), models.len()),
			&included,
		))
	}

	/// Stakes `amount` of `signer`'s free balance on `operator`.
	pub async fn delegate(
		&self,
		signer: &Signer,
		operator: &AccountId,
		amount: Balance,
	) -> Result<StakeReceipt> {
		self.ensure_operator(operator).await?;
		self.ensure_can_pay(&account_of(signer), amount, "the delegation").await?;
		let call = runtime::tx().operators().delegate(*operator, amount);
		let included = self.submit(&call, signer).await?;
		Ok(StakeReceipt::new(
			format!("delegated {} VRT to {operator}", format_vrt(amount)),
			&included,
		))
	}

	/// Starts unbonding `amount` of `signer`'s delegation to `operator` (withdrawable after
	/// the unbonding period, slashable until then).
	pub async fn undelegate(
		&self,
		signer: &Signer,
		operator: &AccountId,
		amount: Balance,
	) -> Result<StakeReceipt> {
		self.ensure_operator(operator).await?;
		let call = runtime::tx().operators().undelegate(*operator, amount);
		let included = self.submit(&call, signer).await?;
		let event: runtime::operators::events::Undelegated =
			included.event("Operators.Undelegated")?;
		Ok(StakeReceipt::new(
			format!(
				"undelegating {} VRT from {operator}; withdrawable from block {}",
				format_vrt(amount),
				event.unlock_at
			),
			&included,
		))
	}

	/// Completes `signer`'s unlocked unbonding with `operator`.
	pub async fn withdraw_unbonded(
		&self,
		signer: &Signer,
		operator: &AccountId,
	) -> Result<StakeReceipt> {
		let call = runtime::tx().operators().withdraw_unbonded(*operator);
		let included = self.submit(&call, signer).await?;
		let withdrawn: Balance = included
			.events
			.find::<runtime::operators::events::Withdrawn>()
			.flatten()
			.map(|e| e.amount)
			.sum();
		Ok(StakeReceipt::new(
			format!("withdrew {} VRT unbonded from {operator}", format_vrt(withdrawn)),
			&included,
		))
	}

	/// Pays `signer`'s rewards with `operator`.
	pub async fn claim(&self, signer: &Signer, operator: &AccountId) -> Result<StakeReceipt> {
		self.ensure_operator(operator).await?;
		let call = runtime::tx().operators().claim(*operator);
		let included = self.submit(&call, signer).await?;
		let event: runtime::operators::events::RewardsClaimed =
			included.event("Operators.RewardsClaimed")?;
		Ok(StakeReceipt::new(
			format!("claimed {} VRT of rewards from {operator}", format_vrt(event.amount)),
			&included,
		))
	}

	/// Asks the node at `keys_node_url` (the operator's own node) for new session keys owned
	/// by `owner`, with their ownership proof.
	pub async fn rotate_session_keys(
		keys_node_url: &str,
		owner: &AccountId,
	) -> Result<GeneratedKeys> {
		let node = Verity::connect(keys_node_url).await?;
		let owner_hex = format!("0x{}", hex::encode(owner.0));
		node.raw_rpc()
			.request("author_rotateKeysWithOwner", subxt::rpcs::rpc_params![owner_hex])
			.await
			.map_err(|e| {
				ClientError::Chain(format!(
					"{keys_node_url} cannot make session keys ({e}); the RPC is unsafe: run the node with --rpc-methods unsafe or reach it on localhost"
				))
			})
	}

	/// Sets `signer`'s session keys from their SCALE encoding and ownership proof.
	pub async fn set_session_keys(
		&self,
		signer: &Signer,
		keys: &[u8],
		proof: &[u8],
	) -> Result<StakeReceipt> {
		use subxt::ext::codec::Decode;
		let decoded = SessionKeys::decode(&mut &keys[..]).map_err(|e| {
			ClientError::InvalidArgument(format!(
				"the session keys are not this chain's aura ‖ grandpa ‖ infr public keys ({} bytes): {e}",
				keys.len()
			))
		})?;
		let call = runtime::tx().session().set_keys(decoded, proof.to_vec());
		let included = self.submit(&call, signer).await?;
		Ok(StakeReceipt::new(
			format!("session keys of {} set; they apply from the next session", account_of(signer)),
			&included,
		))
	}

	async fn ensure_operator(&self, operator: &AccountId) -> Result<()> {
		let at = self.at_best().await?;
		let exists = at
			.storage()
			.try_fetch(runtime::storage().operators().operators(), (*operator,))
			.await
			.map_err(ClientError::chain)?
			.is_some();
		if exists {
			Ok(())
		} else {
			Err(ClientError::InvalidArgument(format!(
				"{operator} is not a registered operator (see `verity operator list`)"
			)))
		}
	}

	async fn ensure_models_exist(&self, models: &[ModelId]) -> Result<()> {
		for model in models {
			self.existing_model(*model).await?;
		}
		Ok(())
	}
}

fn operator_from_chain(
	account: AccountId,
	info: OperatorInfo,
	validator: bool,
	has_session_keys: bool,
) -> Operator {
	Operator {
		account,
		status: match info.status {
			OperatorStatus::Active => Status::Active,
			OperatorStatus::Chilled => Status::Chilled,
			OperatorStatus::Leaving => Status::Leaving,
		},
		commission: info.commission.0,
		self_bond: info.self_bond,
		delegated: info.delegated,
		unbonding: info.unbonding,
		delegators: info.delegators,
		models: info.models.0,
		registered_at: info.registered_at,
		validator,
		has_session_keys,
	}
}

mod hex_bytes {
	use serde::{Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
		s.serialize_str(&format!("0x{}", hex::encode(bytes)))
	}

	pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
		let text = String::deserialize(d)?;
		hex::decode(text.trim_start_matches("0x")).map_err(serde::de::Error::custom)
	}
}

mod opt_hex_bytes {
	use serde::{Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
		match bytes {
			Some(bytes) => super::hex_bytes::serialize(bytes, s),
			None => s.serialize_none(),
		}
	}

	pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
		let text = Option::<String>::deserialize(d)?;
		text.map(|t| hex::decode(t.trim_start_matches("0x")).map_err(serde::de::Error::custom))
			.transpose()
	}
}
