//! # verity-client
//!
//! A small Rust SDK for the Verity chain, built on [subxt], and the `verity` command line on top
//! of it. dApps submit inference jobs and read their results, model owners register models from
//! an engine model store, operators register and set their session keys, token holders delegate.
//!
//! ```no_run
//! # async fn demo() -> Result<(), verity_client::ClientError> {
//! use verity_client::{jobs::JobRequest, signer::signer_from_suri, Verity};
//! let chain = Verity::connect("ws://127.0.0.1:9944").await?;
//! let bob = signer_from_suri("//Bob")?;
//! // A model id, or the name of a model in the local store that one registered model runs.
//! let store = verity_engine::default_store_dir();
//! let model = chain.resolve_model(&store, "all-MiniLM-L6-v2").await?;
//! let job = chain.submit_job(&bob, &JobRequest::new(model, b"hello".to_vec())).await?;
//! let outcome = chain.wait_for_job(&job, |event| eprintln!("{event:?}")).await?;
//! # Ok(()) }
//! ```
//!
//! ## How it talks to the chain
//!
//! The calls, storage items, events, constants and runtime APIs are generated at compile time
//! ([`runtime`]) from the committed metadata `client/artifacts/verity.scale`, which
//! `scripts/update-metadata.sh` refreshes from a dev node. subxt checks every static call against
//! the connected runtime's metadata, so a client built for an older runtime fails with a clear
//! "incompatible" error instead of sending a wrongly encoded transaction.
//!
//! Reads happen at the node's **best** block (what a wallet shows) unless a function says
//! otherwise; [`Verity::wait_for_job`] reports a job as done only once its settlement is in a
//! **finalized** block. Transactions take their nonce from the node's transaction pool
//! (`system_accountNextIndex`), so several can be sent back to back.
//!
//! Every function checks what it can before signing (the model exists, the input fits, the
//! job's terms are within the chain's bounds, the account can pay the fee and the deposit) and turns the runtime's dispatch errors into [`ClientError`]s that say what
//! went wrong in words.

pub mod amount;
pub mod chain;
mod client;
mod config;
pub mod error;
pub mod jobs;
pub mod models;
pub mod operators;
pub mod output;
pub mod parse;
pub mod signer;

pub use client::{Included, Verity};
pub use config::VerityConfig;
pub use error::ClientError;

/// The chain's interface, generated from `client/artifacts/verity.scale`.
#[subxt::subxt(
	runtime_metadata_path = "artifacts/verity.scale",
	derive_for_all_types = "Clone",
	// Session keys come from a node's RPC as SCALE bytes and are decoded into the call argument.
	derive_for_type(
		path = "verity_runtime::opaque::SessionKeys",
		derive = "::subxt::ext::codec::Decode",
		recursive
	)
)]
pub mod runtime {}

/// An account on the chain (sr25519 public key; shown in SS58 with prefix 42).
pub type AccountId = subxt::utils::AccountId32;
/// A registered model's id, derived from its engine manifest's digest and its spec
/// ([`models::model_id`]); also the type of a manifest digest.
pub type ModelId = subxt::utils::H256;
/// An inference job, numbered from zero in submission order.
pub type JobId = u64;
/// An amount of the native token in its smallest unit (10⁻¹² VRT).
pub type Balance = u128;
/// A block number.
pub type BlockNumber = u32;

/// The endpoint of a dev chain started with `scripts/run-dev.sh`.
pub const DEFAULT_URL: &str = "ws://127.0.0.1:9944";
