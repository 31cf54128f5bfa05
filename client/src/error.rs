//! The client's errors: each says what went wrong in words a user can act on.

use crate::{amount::format_vrt, Balance, JobId, ModelId};

/// Everything the SDK can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
	/// No node answers at the URL (wrong address, node not started, not a WebSocket endpoint).
	#[error("cannot reach node at {url}: {reason}")]
	Unreachable {
		/// The URL tried.
		url: String,
		/// What the connection attempt reported.
		reason: String,
	},
	/// The secret URI does not name a key. The secret itself is never repeated.
	#[error("bad secret URI: {0} (expected a dev account such as //Alice, a BIP-39 mnemonic with optional //hard and /soft derivations, or a 0x-prefixed 32-byte seed)")]
	BadSuri(String),
	/// A transaction needs a signer and none was given.
	#[error(
		"this command sends a transaction and needs a signer: pass --suri (e.g. --suri //Alice)"
	)]
	SignerRequired,
	/// Bytes given in hex do not parse.
	#[error("bad hex in {what}: {reason}")]
	BadHex {
		/// Which argument.
		what: String,
		/// Why.
		reason: String,
	},
	/// An amount of VRT does not parse.
	#[error("bad amount `{input}`: {reason} (write VRT like 10 or 0.5, at most 12 decimals)")]
	BadAmount {
		/// The text given.
		input: String,
		/// Why.
		reason: String,
	},
	/// A percentage does not parse or is out of range.
	#[error("bad percentage `{input}`: {reason} (write e.g. 67, 66.5 or 2/3, between 0 and 100)")]
	BadPercent {
		/// The text given.
		input: String,
		/// Why.
		reason: String,
	},
	/// Any other argument that cannot be used as given.
	#[error("{0}")]
	InvalidArgument(String),
	/// No model is registered on chain under this id.
	#[error("unknown model {0:?}: no model is registered under this id (see `verity model list`)")]
	UnknownModel(ModelId),
	/// The model is deprecated and takes no new jobs.
	#[error("model {0:?} is deprecated and takes no new jobs")]
	ModelDeprecated(ModelId),
	/// The engine's model store cannot provide the model.
	#[error("model store {store}: {reason}")]
	ModelStore {
		/// The store directory.
		store: String,
		/// What the engine reported.
		reason: String,
	},
	/// The job input is empty.
	#[error("the job input is empty")]
	EmptyInput,
	/// The job input exceeds the model's on-chain limit.
	#[error("input too large: {len} bytes, but model {model:?} accepts at most {max} bytes")]
	InputTooLong {
		/// The model.
		model: ModelId,
		/// The input's length.
		len: usize,
		/// The model's limit.
		max: u32,
	},
	/// The account cannot pay what the call costs (checked before signing).
	#[error("insufficient funds: {what} needs {} VRT but {account} has {} VRT free", format_vrt(*needed), format_vrt(*available))]
	InsufficientFunds {
		/// What was to be paid for.
		what: String,
		/// The account.
		account: String,
		/// What it needs.
		needed: Balance,
		/// What it has free.
		available: Balance,
	},
	/// The chain refused a payment the account could not afford (reported by the runtime or the
	/// transaction pool).
	#[error("insufficient funds: {0}")]
	FundsRefused(String),
	/// Fewer operators serve the model than the job's replication asks for.
	#[error("not enough operators: model {model:?} is served by {serving} eligible operator(s) but the job asks for {replication} ({})", operators_hint(*serving))]
	NotEnoughOperators {
		/// The model.
		model: ModelId,
		/// Operators serving it.
		serving: u32,
		/// The replication asked for.
		replication: u32,
	},
	/// The job is neither open nor has a kept result.
	#[error("job {0} not found: it is not open and has no kept result (never submitted, cancelled, failed, or its result expired)")]
	JobNotFound(JobId),
	/// The runtime rejected the call with one of its errors.
	#[error("the chain rejected the call: {pallet}.{error}{}", if docs.is_empty() { String::new() } else { format!(": {docs}") })]
	Dispatch {
		/// The pallet that failed the call.
		pallet: String,
		/// The error's name.
		error: String,
		/// Its documentation.
		docs: String,
	},
	/// The transaction never made it into a block (invalid, dropped, stale nonce, ...).
	#[error("the transaction was not included: {0}")]
	TransactionRejected(String),
	/// Waiting took longer than allowed.
	#[error("timed out: {0}")]
	Timeout(String),
	/// The connected runtime does not match the metadata this client was built from.
	#[error("the node's runtime does not match this client ({0}); rebuild the client after scripts/update-metadata.sh")]
	Incompatible(String),
	/// Anything else reported by subxt or the node.
	#[error("{0}")]
	Chain(String),
}

impl ClientError {
	/// Wraps an error of subxt or the node, turning dispatch errors, pool rejections and runtime
	/// mismatches into their own variants.
	pub fn chain(error: impl Into<subxt::Error>) -> Self {
		let error: subxt::Error = error.into();
		if let Some(dispatch) = find_dispatch_error(&error) {
			return Self::from_dispatch(dispatch);
		}
		let text = error.to_string();
		if text.contains("Inability to pay some fees") {
			return Self::FundsRefused(
				"the account cannot pay the transaction fee (its free balance is too low)".into(),
			);
		}
		if is_incompatible(&error) {
			return Self::Incompatible(text);
		}
		Self::Chain(text)
	}

	/// Turns a runtime dispatch error into a client error, naming the pallet error and its docs.
	pub fn from_dispatch(error: &subxt::error::DispatchError) -> Self {
		use subxt::error::{DispatchError, TokenError};
		match error {
			DispatchError::Module(module) => match module.details() {
				Ok(details) => {
					let pallet = details.pallet.name().to_string();
					let name = details.variant.name.clone();
					let mut docs = details.variant.docs.join(" ").trim().to_string();
					if let Some(hint) = dispatch_hint(&pallet, &name) {
						docs = format!("{docs} ({hint})");
					}
					if is_funds_error(&name) {
						Self::FundsRefused(format!("{pallet}.{name}: {docs}"))
					} else {
						Self::Dispatch { pallet, error: name, docs }
					}
				}
				Err(_) => Self::Chain(format!("the chain rejected the call: {module}")),
			},
			DispatchError::Token(TokenError::FundsUnavailable | TokenError::BelowMinimum) => {
				Self::FundsRefused(format!("{error}"))
			}
			other => Self::Chain(format!("the chain rejected the call: {other}")),
		}
	}
}

/// What to do about too few operators.
fn operators_hint(serving: u32) -> String {
	if serving == 0 {
		"operators declare the models they serve with `verity operator set-models`".into()
	} else {
		format!("pass --replication {serving} or fewer, or wait for more operators to declare the model")
	}
}

/// What to do about a runtime error, where its documentation does not say.
fn dispatch_hint(pallet: &str, error: &str) -> Option<&'static str> {
	Some(match (pallet, error) {
		("Inference", "QuorumTooHigh") => {
			"a job may require at most two thirds of its seats to agree: pass --quorum 2/3 or less, or omit it for the model's"
		}
		("Inference", "TooManyOpenJobs") => {
			"wait for some of this account's jobs to settle, or submit from another account"
		}
		("Inference", "BlockFull") => "submit again: the next block takes new jobs",
		("Inference", "NotDrawnYet") => {
			"the operators are drawn at the start of the block after the submission: try again in the next block"
		}
		("Inference", "QueueFull") => "wait for open jobs to settle",
		("Inference", "DeadlineTooSoon") => "pass a longer --deadline-blocks",
		("Inference", "DeadlineFull") => "pass another --deadline-blocks",
		("Inference", "NotEnoughOperators") => {
			"operators declare the models they serve with `verity operator set-models`"
		}
		("Inference", "InvalidReplication") => {
			"a job runs on at least the model's replication and the chain's MinReplication"
		}
		("Models", "ContractNotForArchitecture") => {
			"LlamaGguf models take the token-match contract; Mlp and BertEmbedding take exact or tolerance"
		}
		("Models", "DeprecatedByForce") => "only governance (root) can reactivate or remove it",
		_ => return None,
	})
}

/// Pallet errors that mean "the account cannot afford it".
fn is_funds_error(name: &str) -> bool {
	matches!(name, "InsufficientBalance" | "InsufficientDeposit" | "FundsUnavailable")
}

fn find_dispatch_error(error: &subxt::Error) -> Option<&subxt::error::DispatchError> {
	use subxt::error::{TransactionEventsError, TransactionFinalizedSuccessError};
	match error {
		subxt::Error::TransactionEventsError(TransactionEventsError::ExtrinsicFailed(e)) => Some(e),
		subxt::Error::TransactionFinalizedSuccessError(
			TransactionFinalizedSuccessError::SuccessError(
				TransactionEventsError::ExtrinsicFailed(e),
			),
		) => Some(e),
		_ => None,
	}
}

/// Whether subxt refused a static call, storage item or runtime API because the node's
/// metadata differs from the one this client was generated from.
fn is_incompatible(error: &subxt::Error) -> bool {
	let text = error.to_string();
	text.contains("incompatible") || text.contains("not compatible")
}

/// The result type of the SDK.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;
