//! `verity`: the command line of the Verity chain, for dApp developers, model owners,
//! operators and stakers. Human-readable output by default, `--json` for scripts; errors go to
//! stderr as `Error: ...` with a non-zero exit status.

mod commands;
mod render;

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};

/// Talk to a Verity chain: models, inference jobs, operators, stake.
#[derive(Parser, Debug)]
#[command(name = "verity", version)]
pub struct Cli {
	/// The node's RPC endpoint (ws:// or http://).
	#[arg(long, global = true, env = "VERITY_URL", default_value = verity_client::DEFAULT_URL)]
	pub url: String,
	/// Who signs transactions: a secret URI such as //Alice, a mnemonic, or a 0x seed. Prefer
	/// the VERITY_SURI environment variable for real keys (command lines are visible to others).
	#[arg(long, global = true, env = "VERITY_SURI", hide_env_values = true)]
	pub suri: Option<String>,
	/// Print machine-readable JSON to stdout (progress and errors still go to stderr).
	#[arg(long, global = true)]
	pub json: bool,
	#[command(subcommand)]
	pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
	/// Models: register from an engine model store, list, show.
	#[command(subcommand)]
	Model(ModelCommand),
	/// Inference jobs: submit (and wait for the result), show.
	#[command(subcommand)]
	Job(JobCommand),
	/// Operators: register, session keys, served models, list.
	#[command(subcommand)]
	Operator(OperatorCommand),
	/// Stake: delegate to operators, undelegate, withdraw, claim rewards.
	#[command(subcommand)]
	Stake(StakeCommand),
	/// The chain: blocks, peers, session, validators.
	#[command(subcommand)]
	Chain(ChainCommand),
}

#[derive(Subcommand, Debug)]
pub enum ModelCommand {
	/// Register a model of the engine's model store under its manifest digest.
	Register(RegisterModel),
	/// List the registered models.
	List,
	/// Show one registered model.
	Show {
		/// The model id (0x + 64 hex digits).
		id: String,
	},
}

#[derive(Args, Debug)]
pub struct RegisterModel {
	/// The model in the store: its id (manifest digest) or its name (e.g. risk-mlp).
	pub model: String,
	/// The model store directory [default: $VERITY_MODEL_STORE, else
	/// $VERITY_HOME/store, else ~/.local/share/verity/store].
	#[arg(long)]
	pub store: Option<PathBuf>,
	/// Price of one run by one operator, in VRT (a job on k operators costs k × price).
	#[arg(long, default_value = "0.01")]
	pub price: String,
	/// Operators per job unless the submitter says otherwise.
	#[arg(long, default_value_t = 3)]
	pub replication: u32,
	/// Percent of the assigned operators' stake that must agree on a result.
	#[arg(long, default_value = "67")]
	pub quorum: String,
	/// Percent of every settled job's fee paid to the owner.
	#[arg(long, default_value = "0")]
	pub royalty: String,
}

// Parsed once per run: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum JobCommand {
	/// Pay for one run of a model; prints the job id, or with --wait the final result.
	Submit(SubmitJob),
	/// Show an open job or a settled job's result.
	Show {
		/// The job id.
		id: u64,
	},
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("input").required(true).multiple(false)))]
pub struct SubmitJob {
	/// The model id (0x + 64 hex digits).
	#[arg(long)]
	pub model: String,
	/// Text input (BertEmbedding, LlamaGguf), sent as its UTF-8 bytes.
	#[arg(long, group = "input")]
	pub text: Option<String>,
	/// Raw input bytes in hex.
	#[arg(long, group = "input")]
	pub input_hex: Option<String>,
	/// Raw input bytes from a file.
	#[arg(long, group = "input")]
	pub input_file: Option<PathBuf>,
	/// Mlp features as comma-separated numbers, scaled by the model's input scale (from the
	/// local model store when it has the model, else the engine default 10^4).
	#[arg(long, group = "input", allow_hyphen_values = true)]
	pub features: Option<String>,
	/// Operators to run the job [default: the model's replication].
	#[arg(long)]
	pub replication: Option<u32>,
	/// Percent of assigned stake that must agree [default: the model's quorum].
	#[arg(long)]
	pub quorum: Option<String>,
	/// The most to pay, in VRT [default: exactly replication × price].
	#[arg(long)]
	pub max_fee: Option<String>,
	/// Blocks until the deadline (half to commit, half to reveal).
	#[arg(long, default_value_t = verity_client::jobs::DEFAULT_DEADLINE_BLOCKS)]
	pub deadline_blocks: u32,
	/// Follow the job until its settlement is finalized, then print the output.
	#[arg(long)]
	pub wait: bool,
	/// With --wait: give up after this many seconds [default: when the deadline has passed].
	#[arg(long)]
	pub timeout: Option<u64>,
	/// The model store used to find the model's scales [default: as for `model register`].
	#[arg(long)]
	pub store: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum OperatorCommand {
	/// Register the signer as an operator, bonding stake of its own.
	Register {
		/// The self-bond, in VRT.
		#[arg(long)]
		bond: String,
		/// Percent of rewards the operator keeps before sharing with delegators.
		#[arg(long, default_value = "10")]
		commission: String,
		/// The models it serves (ids, comma-separated).
		#[arg(long, value_delimiter = ',')]
		models: Vec<String>,
	},
	/// Set the signer's session keys (aura, grandpa, infr). By default asks the node at
	/// --keys-from (or --url) to make new keys owned by the signer.
	SetKeys {
		/// The operator's own node, whose keystore makes the keys [default: --url].
		#[arg(long, conflicts_with_all = ["keys", "proof"])]
		keys_from: Option<String>,
		/// SCALE-encoded session keys in hex (from author_rotateKeysWithOwner).
		#[arg(long, requires = "proof")]
		keys: Option<String>,
		/// Their ownership proof in hex.
		#[arg(long, requires = "keys")]
		proof: Option<String>,
	},
	/// Replace the models the signer serves.
	SetModels {
		/// The model ids (none: serve nothing).
		models: Vec<String>,
	},
	/// List the operators.
	List,
}

#[derive(Subcommand, Debug)]
pub enum StakeCommand {
	/// Stake free balance on an operator.
	Delegate {
		/// The operator (SS58 address).
		operator: String,
		/// The amount, in VRT.
		amount: String,
	},
	/// Start unbonding a delegation (withdrawable after the unbonding period).
	Undelegate {
		/// The operator (SS58 address).
		operator: String,
		/// The amount, in VRT.
		amount: String,
	},
	/// Withdraw unbonded stake whose unbonding period is over.
	Withdraw {
		/// The operator (SS58 address).
		operator: String,
	},
	/// Claim rewards earned with an operator.
	Claim {
		/// The operator (SS58 address).
		operator: String,
	},
}

#[derive(Subcommand, Debug)]
pub enum ChainCommand {
	/// Best and finalized blocks, peers, session, validators, job queue.
	Status,
}

fn main() -> ExitCode {
	let cli = Cli::parse();
	let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
		Ok(runtime) => runtime,
		Err(e) => {
			eprintln!("Error: cannot start the async runtime: {e}");
			return ExitCode::FAILURE;
		}
	};
	let json = cli.json;
	match runtime.block_on(commands::run(cli)) {
		Ok(report) => {
			report.print(json);
			ExitCode::SUCCESS
		}
		Err(error) => {
			eprintln!("Error: {error:#}");
			ExitCode::FAILURE
		}
	}
}
