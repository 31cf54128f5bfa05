//! The connection to a node and the transaction plumbing every module shares.

use std::time::Duration;

use subxt::{
	backend::BlockRef,
	config::{DefaultExtrinsicParamsBuilder, RpcConfigFor},
	extrinsics::ExtrinsicEvents,
	rpcs::{LegacyRpcMethods, RpcClient},
	transactions::{Payload, TransactionStatus},
	OnlineClient, OnlineClientAtBlock,
};

use crate::{
	error::{ClientError, Result},
	runtime,
	signer::{account_of, Signer},
	AccountId, Balance, VerityConfig,
};

/// How long connecting may take before the node counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// How many blocks a transaction stays valid: long enough for a busy pool, short enough that a
/// transaction that was not included does not linger for ever.
const MORTALITY_BLOCKS: u64 = 64;

/// The client's view of the chain at one block.
pub(crate) type AtBlock = OnlineClientAtBlock<VerityConfig>;

/// The legacy JSON-RPC methods (`system_*`, `chain_*`, `author_*`).
pub(crate) type Rpc = LegacyRpcMethods<RpcConfigFor<VerityConfig>>;

/// A connection to a Verity node.
#[derive(Clone)]
pub struct Verity {
	api: OnlineClient<VerityConfig>,
	rpc: Rpc,
	raw: RpcClient,
	url: String,
}

/// A transaction that made it into a block and succeeded.
pub struct Included {
	/// The block it is in (best block at the time; it may still be re-orged out).
	pub block_hash: subxt::utils::H256,
	/// That block's number.
	pub block_number: u64,
	/// The transaction's hash.
	pub extrinsic_hash: subxt::utils::H256,
	/// The events it emitted.
	pub events: ExtrinsicEvents<VerityConfig>,
}

impl Included {
	/// The first event of type `E` (named `name` in errors) the transaction emitted.
	pub fn event<E: subxt::events::DecodeAsEvent>(&self, name: &str) -> Result<E> {
		match self.events.find_first::<E>() {
			Some(event) => event.map_err(ClientError::chain),
			None => Err(ClientError::Chain(format!(
				"the transaction succeeded but emitted no {name} event"
			))),
		}
	}
}

impl Verity {
	/// Connects to the node at `url` (`ws://` or `wss://`; `http(s)://` is rewritten to its
	/// WebSocket form, since subxt follows blocks through subscriptions).
	pub async fn connect(url: &str) -> Result<Self> {
		let url = websocket_url(url);
		let unreachable = |reason: String| ClientError::Unreachable {
			url: url.clone(),
			// subxt nests "RPC error: client error: " once per layer; the cause is what helps.
			reason: reason.replace("RPC error: ", "").replace("client error: ", ""),
		};
		if !(url.starts_with("ws://") || url.starts_with("wss://")) {
			return Err(unreachable("not a ws://, wss://, http:// or https:// URL".into()));
		}
		let raw = tokio::time::timeout(CONNECT_TIMEOUT, RpcClient::from_insecure_url(&url))
			.await
			.map_err(|_| unreachable(format!("no answer within {CONNECT_TIMEOUT:?}")))?
			.map_err(|e| unreachable(e.to_string()))?;
		let api = OnlineClient::from_rpc_client_with_config(VerityConfig::default(), raw.clone())
			.await
			.map_err(|e| unreachable(e.to_string()))?;
		let rpc = Rpc::new(raw.clone());
		Ok(Verity { api, rpc, raw, url })
	}

	/// The URL connected to.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// The subxt client, for anything this SDK does not wrap.
	pub fn api(&self) -> &OnlineClient<VerityConfig> {
		&self.api
	}

	/// The node's legacy RPC methods.
	pub(crate) fn rpc(&self) -> &Rpc {
		&self.rpc
	}

	/// The raw RPC client, for methods subxt does not wrap.
	pub(crate) fn raw_rpc(&self) -> &RpcClient {
		&self.raw
	}

	/// The chain at the node's best block.
	pub(crate) async fn at_best(&self) -> Result<AtBlock> {
		let hash = self
			.rpc
			.chain_get_block_hash(None)
			.await
			.map_err(ClientError::chain)?
			.ok_or_else(|| ClientError::Chain("the node reports no best block".into()))?;
		self.api.at_block(BlockRef::from_hash(hash)).await.map_err(ClientError::chain)
	}

	/// The chain at the node's latest finalized block.
	pub(crate) async fn at_finalized(&self) -> Result<AtBlock> {
		self.api.at_current_block().await.map_err(ClientError::chain)
	}

	/// The decoded value at a storage `address` in block `at` (the entry's default when absent).
	pub(crate) async fn storage_value<Addr: subxt::storage::Address>(
		at: &AtBlock,
		address: Addr,
		keys: Addr::KeyParts,
	) -> Result<Addr::Value> {
		let value = at.storage().fetch(address, keys).await.map_err(ClientError::chain)?;
		value.decode().map_err(ClientError::chain)
	}

	/// The free balance of `who` at the best block (what it can spend or have held).
	pub async fn free_balance(&self, who: &AccountId) -> Result<Balance> {
		let at = self.at_best().await?;
		let account = at
			.storage()
			.try_fetch(runtime::storage().system().account(), (*who,))
			.await
			.map_err(ClientError::chain)?;
		match account {
			Some(value) => Ok(value.decode().map_err(ClientError::chain)?.data.free),
			None => Ok(0),
		}
	}

	/// Fails with [`ClientError::InsufficientFunds`] when `who` has less than `needed` free.
	pub(crate) async fn ensure_can_pay(
		&self,
		who: &AccountId,
		needed: Balance,
		what: &str,
	) -> Result<()> {
		let available = self.free_balance(who).await?;
		if available < needed {
			return Err(ClientError::InsufficientFunds {
				what: what.into(),
				account: who.to_string(),
				needed,
				available,
			});
		}
		Ok(())
	}

	/// Signs `call`, submits it and waits until it is in a best block; fails when it is not
	/// included or its dispatch fails. The nonce comes from the node's pool, so transactions sent
	/// back to back do not collide.
	pub(crate) async fn submit<Call: Payload>(
		&self,
		call: &Call,
		signer: &Signer,
	) -> Result<Included> {
		let at = self.at_best().await?;
		let account = account_of(signer);
		let nonce =
			self.rpc.system_account_next_index(&account).await.map_err(ClientError::chain)?;
		let params = DefaultExtrinsicParamsBuilder::<VerityConfig>::new()
			.nonce(nonce)
			.mortal(MORTALITY_BLOCKS)
			.build();
		let mut progress = at
			.tx()
			.sign_and_submit_then_watch(call, signer, params)
			.await
			.map_err(ClientError::chain)?;
		while let Some(status) = progress.next().await {
			match status.map_err(ClientError::chain)? {
				TransactionStatus::InBestBlock(in_block)
				| TransactionStatus::InFinalizedBlock(in_block) => {
					let events = in_block.wait_for_success().await.map_err(ClientError::chain)?;
					let block_number =
						in_block.at().await.map_err(ClientError::chain)?.block_number();
					return Ok(Included {
						block_hash: in_block.block_hash(),
						block_number,
						extrinsic_hash: in_block.extrinsic_hash(),
						events,
					});
				}
				TransactionStatus::Invalid { message }
				| TransactionStatus::Dropped { message }
				| TransactionStatus::Error { message } => {
					return Err(rejection(message));
				}
				_ => continue,
			}
		}
		Err(ClientError::TransactionRejected(
			"the node closed the transaction's status stream before it was included".into(),
		))
	}
}

/// A pool rejection, with "cannot pay the fee" told apart.
fn rejection(message: String) -> ClientError {
	if message.contains("Inability to pay some fees") {
		ClientError::FundsRefused(
			"the account cannot pay the transaction fee (its free balance is too low)".into(),
		)
	} else {
		ClientError::TransactionRejected(message)
	}
}

/// `http://` → `ws://`, `https://` → `wss://`; anything else unchanged.
fn websocket_url(url: &str) -> String {
	let url = url.trim();
	if let Some(rest) = url.strip_prefix("http://") {
		format!("ws://{rest}")
	} else if let Some(rest) = url.strip_prefix("https://") {
		format!("wss://{rest}")
	} else {
		url.to_string()
	}
}

#[cfg(test)]
mod tests {
	use super::websocket_url;

	#[test]
	fn http_urls_become_websocket_urls() {
		assert_eq!(websocket_url("http://127.0.0.1:9944"), "ws://127.0.0.1:9944");
		assert_eq!(websocket_url("https://rpc.example"), "wss://rpc.example");
		assert_eq!(websocket_url(" ws://x:1 "), "ws://x:1");
	}
}
