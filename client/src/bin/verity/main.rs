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
	/// Models: register from an engine model store (or compute the id it would get), list, show.
	#[command(subcommand)]
	Model(ModelCommand),
	/// Inference jobs: submit (and wait for the result), show, cancel.
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
	/// Register a model of the engine's model store under a spec. Its id is derived from the
	/// manifest and the spec (so the same weights at another price are another model); it is
	/// printed before signing.
	Register(RegisterModel),
	/// List the registered models.
	List,
	/// Show one registered model.
	Show {
		/// The model id (0x + 64 hex digits), or the name of a model in the local store when
		/// exactly one registered model runs it.
		model: String,
	},
}

#[derive(Args, Debug)]
pub struct RegisterModel {
	/// The model in the store: its name (e.g. risk-mlp) or its manifest digest.
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
	/// Share of a job's seats that must agree on a result: a percentage or a fraction (jobs
	/// use at most two thirds).
	#[arg(long, default_value = "2/3")]
	pub quorum: String,
	/// Percent of every settled job's fee paid to the owner.
	#[arg(long, default_value = "0")]
	pub royalty: String,
	/// Blocks an operator may need to run one job (the chain keeps each job's commit window
	/// open this much longer) [default: 0 for Mlp and BertEmbedding, 5 for LlamaGguf].
	#[arg(long)]
	pub compute_blocks: Option<u32>,
	/// Check the spec against the chain and print the model id it would get, without signing.
	#[arg(long)]
	pub dry_run: bool,
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
		/// The model store used to decode the result (a generation's text, a vector's scale)
		/// [default: as for `model register`].
		#[arg(long)]
		store: Option<PathBuf>,
	},
	/// Withdraw an open job before any operator committed: the fee comes back; the deposit
	/// too if the operators were not drawn yet, else it is forfeited.
	Cancel {
		/// The job id.
		id: u64,
	},
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("input").required(true).multiple(false)))]
pub struct SubmitJob {
	/// The model id (0x + 64 hex digits), or the name of a model in the local store when
	/// exactly one registered model runs it.
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
	/// Operators to run the job, at least the model's replication and the chain's minimum
	/// [default: that minimum].
	#[arg(long)]
	pub replication: Option<u32>,
	/// Share of the seats that must agree, a percentage or a fraction, at most 2/3 [default:
	/// the model's quorum, capped at 2/3].
	#[arg(long)]
	pub quorum: Option<String>,
	/// The most to pay, in VRT [default: exactly replication × price].
	#[arg(long)]
	pub max_fee: Option<String>,
	/// Blocks until the deadline (half to commit, half to reveal) [default: 20, longer for a
	/// model that declares more compute time].
	#[arg(long)]
	pub deadline_blocks: Option<u32>,
	/// Follow the job until its settlement is finalized, then print the output.
	#[arg(long)]
	pub wait: bool,
	/// With --wait: give up after this many seconds [default: when the deadline has passed].
	#[arg(long)]
	pub timeout: Option<u64>,
	/// The model store used to find the model by name, its scales and a generation's text
	/// [default: as for `model register`].
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
		/// The models it serves (ids, or names in the local store; comma-separated).
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
		/// The model ids, or names in the local store (none: serve nothing).
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
