//! The chain's state at a glance: blocks, peers, session and validators, the job queue.

use serde::Serialize;

use crate::{
	error::{ClientError, Result},
	runtime, AccountId, JobId, Verity,
};

/// A block by number and hash.
#[derive(Clone, Debug, Serialize)]
pub struct BlockId {
	/// Its number.
	pub number: u64,
	/// Its hash.
	pub hash: subxt::utils::H256,
}

/// What `verity chain status` shows.
#[derive(Clone, Debug, Serialize)]
pub struct ChainStatus {
	/// The endpoint.
	pub url: String,
	/// The chain's name (`Development`, `Local Testnet`, ...).
	pub chain: String,
	/// The node's implementation name and version.
	pub node: String,
	/// The runtime's spec version.
	pub spec_version: u32,
	/// The best block.
	pub best: BlockId,
	/// The latest finalized block.
	pub finalized: BlockId,
	/// Peers the node is connected to.
	pub peers: usize,
	/// Whether the node is still syncing.
	pub syncing: bool,
	/// The current session.
	pub session: u32,
	/// The validators of the current session.
	pub validators: Vec<AccountId>,
	/// Registered models.
	pub models: usize,
	/// Open inference jobs.
	pub open_jobs: u32,
	/// The id the next job will get.
	pub next_job_id: JobId,
}

impl Verity {
	/// The chain's status at the best block.
	pub async fn chain_status(&self) -> Result<ChainStatus> {
		let rpc = self.rpc();
		let chain = rpc.system_chain().await.map_err(ClientError::chain)?;
		let name = rpc.system_name().await.map_err(ClientError::chain)?;
		let version = rpc.system_version().await.map_err(ClientError::chain)?;
		let health = rpc.system_health().await.map_err(ClientError::chain)?;
		let at = self.at_best().await?;
		let finalized = self.at_finalized().await?;
		let session =
			Verity::storage_value(&at, runtime::storage().session().current_index(), ()).await?;
		let validators =
			Verity::storage_value(&at, runtime::storage().session().validators(), ()).await?;
		let open_jobs =
			Verity::storage_value(&at, runtime::storage().inference().open_jobs(), ()).await?;
		let next_job_id =
			Verity::storage_value(&at, runtime::storage().inference().next_job_id(), ()).await?;
		let models = self.models().await?.len();
		Ok(ChainStatus {
			url: self.url().to_string(),
			chain,
			node: format!("{name} {version}"),
			spec_version: at.spec_version(),
			best: BlockId { number: at.block_number(), hash: at.block_hash() },
			finalized: BlockId { number: finalized.block_number(), hash: finalized.block_hash() },
			peers: health.peers,
			syncing: health.is_syncing,
			session,
			validators,
			models,
			open_jobs,
			next_job_id,
		})
	}
}
