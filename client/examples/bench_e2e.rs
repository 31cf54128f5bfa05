//! End-to-end latency of verified inference on a running network, next to the raw engine time.
//!
//! Makes sure the model is registered (by //Alice) and served by //Alice, //Bob and //Charlie,
//! then submits `--jobs` jobs, replicated on all three operators with a two-thirds quorum,
//! `--concurrency` at a time, each with its own input, and follows each one until its
//! settlement is finalized. For every job it records, on this machine's clock:
//!
//! - submission: just before the transaction is signed and sent;
//! - inclusion: the block holding `submit_job`, and when that block became the node's best;
//! - settlement: the block whose events settle the job, and when it became the best;
//! - finalized: when a finalized block at or above the settlement block was first seen.
//!
//! Block times come from subscriptions to the node's best and finalized blocks, so they do not
//! depend on how often the SDK polls. The same inputs are run through `verity_engine::Engine`
//! in this process (one warm-up run first), single-threaded, for the raw engine time.
//!
//! Usually started by `scripts/bench-e2e.sh`, which starts a fresh three-validator network:
//!
//! ```sh
//! cargo run -p verity-client --example bench_e2e -- --url ws://127.0.0.1:9944 --jobs 20
//! ```

use std::{
	collections::BTreeMap,
	path::PathBuf,
	process::ExitCode,
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context as _};
use clap::Parser;
use serde::Serialize;
use verity_client::{
	jobs::{JobOutcome, JobProgress, JobRequest, DEADLINE_GRACE_BLOCKS},
	models::{
		model_id, read_store_model, spec_from_manifest, RegisterOptions, StoreModel, TWO_THIRDS,
	},
	runtime,
	signer::{account_of, signer_from_suri, Signer},
	ModelId, Verity, DEFAULT_URL,
};
use verity_engine::{Architecture, Engine, Output};

/// Two thirds of the seats (the chain's largest quorum): two of three operators reach it.
const QUORUM: u32 = TWO_THIRDS;

/// Every job runs on all three validators of the local network.
const REPLICATION: u32 = 3;

/// The operators of `scripts/testnet.sh`'s network.
const OPERATORS: [&str; 3] = ["//Alice", "//Bob", "//Charlie"];

/// Endowed development accounts that are not operators. Each worker submits from its own
/// account: the SDK takes nonces from the node's pool, so two jobs signed at the same moment by
/// one account would collide.
const SUBMITTERS: [&str; 9] = [
	"//Dave",
	"//Eve",
	"//Ferdie",
	"//Dave//stash",
	"//Eve//stash",
	"//Ferdie//stash",
	"//Alice//stash",
	"//Bob//stash",
	"//Charlie//stash",
];

/// Varied text inputs (MiniLM sentences, SmolLM prompts), used in turn.
const SENTENCES: [&str; 24] = [
	"This is an example sentence",
	"Each sentence is converted",
	"The quick brown fox jumps over the lazy dog.",
	"A validator runs the model and commits to its output.",
	"Deterministic inference lets independent operators agree on a result.",
	"Rust is a systems programming language.",
	"What is the capital of France?",
	"Embeddings map text to vectors in a metric space.",
	"The weather in Lisbon is mild in winter.",
	"Stake-weighted voting decides which output is accepted.",
	"A commitment hides the output until every operator has chosen.",
	"GRANDPA finalizes blocks that two thirds of the validators vote for.",
	"How many legs does a spider have?",
	"The library opens at nine in the morning.",
	"She sold her old bicycle to a neighbour.",
	"Write a short poem about the sea.",
	"Photosynthesis turns light into chemical energy.",
	"The train to Munich leaves from platform four.",
	"Name three prime numbers greater than ten.",
	"A good benchmark measures what users wait for.",
	"The museum was closed for renovation last year.",
	"Explain why the sky is blue.",
	"Coffee prices rose sharply after the frost.",
	"The committee approved the budget on Tuesday.",
];

#[derive(Parser)]
#[command(about = "End-to-end latency of verified inference on a running Verity network")]
struct Args {
	/// The node's RPC endpoint (a validator of a network where //Alice, //Bob and //Charlie
	/// operate, e.g. `scripts/testnet.sh start`).
	#[arg(long, default_value = DEFAULT_URL)]
	url: String,
	/// The model, by name or id in the model store.
	#[arg(long, default_value = "all-MiniLM-L6-v2")]
	model: String,
	/// The engine model store (the one the nodes' `--model-store` points at).
	#[arg(long, env = "VERITY_MODEL_STORE")]
	store: Option<PathBuf>,
	/// Jobs measured (a warm-up job runs first and is not counted).
	#[arg(long, default_value_t = 20)]
	jobs: usize,
	/// Jobs in flight at once.
	#[arg(long, default_value_t = 4)]
	concurrency: usize,
	/// Blocks from submission to a job's deadline (default 20; 40 for a LlamaGguf model,
	/// which three nodes sharing two cores run slowly).
	#[arg(long)]
	deadline_blocks: Option<u32>,
	/// Timed engine runs per input; the median is kept.
	#[arg(long, default_value_t = 3)]
	engine_repeats: usize,
	/// Writes every job's record and the summary as JSON to this file.
	#[arg(long)]
	json: Option<PathBuf>,
}

fn main() -> ExitCode {
	// The engine baseline runs on one thread, like bench-engine.sh; rayon reads this once, when
	// its pool starts, so it is set before any thread exists.
	if std::env::var_os("RAYON_NUM_THREADS").is_none() {
		std::env::set_var("RAYON_NUM_THREADS", "1");
	}
	let args = Args::parse();
	let runtime = tokio::runtime::Builder::new_multi_thread()
		.enable_all()
		.build()
		.expect("the async runtime starts");
	match runtime.block_on(run(args)) {
		Ok(all_settled) if all_settled => ExitCode::SUCCESS,
		Ok(_) => {
			eprintln!("Error: some jobs did not settle (see `error` in the table above)");
			ExitCode::FAILURE
		}
		Err(e) => {
			eprintln!("Error: {e:#}");
			ExitCode::FAILURE
		}
	}
}

/// Runs the benchmark; `Ok(false)` when some job did not settle.
async fn run(args: Args) -> anyhow::Result<bool> {
	if args.jobs == 0 {
		bail!("--jobs must be at least 1");
	}
	if !(1..=SUBMITTERS.len()).contains(&args.concurrency) {
		bail!("--concurrency must be 1..={} (one submitting account each)", SUBMITTERS.len());
	}
	let store = args.store.clone().unwrap_or_else(verity_engine::default_store_dir);
	let model = read_store_model(&store, &args.model)?;
	let architecture = model.manifest.architecture;
	let deadline_blocks = args.deadline_blocks.unwrap_or(match architecture {
		Architecture::LlamaGguf => 40,
		_ => 20,
	});
	// Input 0 is the warm-up job's; inputs 1..=jobs are the measured jobs'.
	let inputs: Vec<Vec<u8>> = (0..=args.jobs)
		.map(|i| input_for(architecture, i, model.manifest.numerics.input_scale))
		.collect::<anyhow::Result<_>>()?;

	eprintln!(
		"engine: {} runs of each input ({} thread(s))",
		args.engine_repeats.max(1),
		threads()
	);
	let engine = Engine::open(&store).context("opening the model store")?;
	let engine_runs = time_engine(&engine, model.digest, &inputs[1..], args.engine_repeats.max(1))?;

	let chain = Verity::connect(&args.url).await?;
	let slot_ms: u64 = chain
		.api()
		.at_current_block()
		.await?
		.constants()
		.entry(runtime::constants().aura().slot_duration())?;
	let id = prepare_model(&chain, &store, &model).await?;

	let start = Instant::now();
	let clock = Arc::new(Mutex::new(BlockClock::default()));
	tokio::spawn(watch_blocks(chain.clone(), clock.clone(), start));

	let timeout =
		Duration::from_millis(slot_ms * (u64::from(deadline_blocks) + DEADLINE_GRACE_BLOCKS + 10));
	let bench = Arc::new(Bench {
		chain,
		model: id,
		deadline_blocks,
		timeout,
		start,
		clock: clock.clone(),
		inputs,
	});

	// One job first so that every node has loaded the model, as the engine had its warm-up.
	eprintln!("warm-up job (not counted)");
	let warmup = bench.run_job(0, &signer_from_suri(SUBMITTERS[0])?).await;
	if let Some(error) = &warmup.error {
		bail!("the warm-up job did not settle: {error}");
	}

	eprintln!("{} jobs, {} at a time", args.jobs, args.concurrency);
	let next_job = Arc::new(AtomicUsize::new(1));
	let mut workers = Vec::new();
	for suri in &SUBMITTERS[..args.concurrency] {
		let (bench, next_job, signer) = (bench.clone(), next_job.clone(), signer_from_suri(suri)?);
		let jobs = args.jobs;
		workers.push(tokio::spawn(async move {
			let mut records = Vec::new();
			loop {
				let index = next_job.fetch_add(1, Ordering::SeqCst);
				if index > jobs {
					break records;
				}
				records.push(bench.run_job(index, &signer).await);
			}
		}));
	}
	let mut records = Vec::new();
	for worker in workers {
		records.extend(worker.await?);
	}
	records.sort_by_key(|r| r.index);
	for (record, engine) in records.iter_mut().zip(&engine_runs) {
		record.engine_ms = engine.median_ms;
		record.output_matches_engine =
			record.output.as_ref().map(|output| *output == engine.output);
	}

	let measured_block_s = mean_block_time(&records);
	let mut report = Report::new(
		&args,
		&model.manifest.name,
		id,
		deadline_blocks,
		slot_ms,
		measured_block_s,
		records,
	);
	report.print();
	{
		let clock = lock(&clock);
		report.best_block_seen_at = clock.best.clone();
		report.finalized_block_seen_at = clock.finalized.clone();
	}
	if let Some(path) = &args.json {
		let json = serde_json::to_string_pretty(&report)?;
		std::fs::write(path, json + "\n").with_context(|| format!("writing {}", path.display()))?;
		eprintln!("raw data: {}", path.display());
	}
	Ok(report.jobs.iter().all(|job| job.error.is_none()))
}

fn threads() -> String {
	std::env::var("RAYON_NUM_THREADS").unwrap_or_default()
}

/// The canonical input of job `index`: a sentence or prompt for text models, an applicant's
/// eight features for the risk MLP.
fn input_for(
	architecture: Architecture,
	index: usize,
	scale: Option<u64>,
) -> anyhow::Result<Vec<u8>> {
	Ok(match architecture {
		Architecture::BertEmbedding | Architecture::LlamaGguf => {
			SENTENCES[index % SENTENCES.len()].as_bytes().to_vec()
		}
		Architecture::Mlp => {
			let i = index as f64;
			let features = [
				25.0 + (index % 40) as f64,        // age, years
				30.0 + 7.0 * (index % 20) as f64,  // income, k
				0.05 + 0.03 * (index % 15) as f64, // debt to income
				0.1 + 0.04 * (index % 20) as f64,  // credit utilisation
				(index % 4) as f64,                // late payments
				1.0 + (i * 1.7) % 25.0,            // credit history, years
				1.0 + (index % 9) as f64,          // open accounts
				5.0 + 3.0 * (index % 30) as f64,   // loan, k
			];
			let scale = scale.ok_or_else(|| anyhow!("the model's manifest has no input scale"))?;
			verity_engine::encoding::encode_features(&features, scale)?
		}
	})
}

/// The engine's time and output for one input.
struct EngineRun {
	median_ms: f64,
	/// The output as the chain settles it: a generation's token ids without their text.
	output: Vec<u8>,
}

/// What the chain settles of `output` when every operator revealed it: the vector itself, or
/// a generation's token-id prefix (the text is not compared, so not settled).
fn settled_form(output: Output) -> Vec<u8> {
	match output {
		Output::Generation { token_ids, .. } => {
			Output::Generation { token_ids, text: String::new() }.to_bytes()
		}
		vector => vector.to_bytes(),
	}
}

/// Runs every input `repeats` times after one warm-up run; keeps each input's median time.
fn time_engine(
	engine: &Engine,
	model: ModelId,
	inputs: &[Vec<u8>],
	repeats: usize,
) -> anyhow::Result<Vec<EngineRun>> {
	engine.run(&model.0, &inputs[0]).context("the engine runs the model")?;
	inputs
		.iter()
		.map(|input| {
			let mut times = Vec::with_capacity(repeats);
			let mut output = Vec::new();
			for _ in 0..repeats {
				let started = Instant::now();
				output = settled_form(engine.run(&model.0, input)?);
				times.push(started.elapsed().as_secs_f64() * 1e3);
			}
			Ok(EngineRun { median_ms: Stats::of(&times).median, output })
		})
		.collect()
}

/// Registers the model under the default spec (owner //Alice, as `scripts/testnet.sh` does)
/// unless it is, and has //Alice, //Bob and //Charlie serve it, keeping the models they already
/// serve. Returns its id.
async fn prepare_model(
	chain: &Verity,
	store: &std::path::Path,
	model: &StoreModel,
) -> anyhow::Result<ModelId> {
	let limits = chain.registry_limits().await?;
	let spec = spec_from_manifest(store, &model.manifest, &RegisterOptions::default(), &limits)?;
	let id = model_id(&model.digest, &spec);
	if chain.model(id).await?.is_none() {
		let registered =
			chain.register_model(&signer_from_suri("//Alice")?, model.digest, &spec).await?;
		eprintln!(
			"registered {} as {id:?} in block #{}",
			model.manifest.name, registered.block_number
		);
	}
	for suri in OPERATORS {
		let signer = signer_from_suri(suri)?;
		let operator =
			chain.operator(&account_of(&signer)).await?.ok_or_else(|| {
				anyhow!("{suri} is not an operator here: run this against `scripts/testnet.sh`'s network")
			})?;
		if !operator.models.contains(&id) {
			let mut models = operator.models;
			models.push(id);
			chain.set_models(&signer, models).await?;
			eprintln!("{suri} now serves the model");
		}
	}
	Ok(id)
}

/// When this process first saw each block number as the node's best, and as finalized, in
/// seconds since the benchmark started.
#[derive(Default)]
struct BlockClock {
	best: BTreeMap<u64, f64>,
	finalized: BTreeMap<u64, f64>,
}

impl BlockClock {
	/// Records block `number` seen at `at`. Numbers skipped since the last one seen (two blocks
	/// imported between notifications) get the same time: they were there no later.
	fn saw(seen: &mut BTreeMap<u64, f64>, number: u64, at: f64) {
		let first_missing = seen.last_key_value().map_or(number, |(last, _)| last + 1);
		for n in first_missing..=number {
			seen.entry(n).or_insert(at);
		}
	}

	fn best_seen(&self, number: u64) -> Option<f64> {
		self.best.get(&number).copied()
	}

	/// When a block at or above `number` was first seen finalized.
	fn finalized_seen(&self, number: u64) -> Option<f64> {
		self.finalized.range(number..).map(|(_, at)| *at).reduce(f64::min)
	}

	/// The best block's number at time `at`.
	fn best_at(&self, at: f64) -> Option<u64> {
		self.best.iter().filter(|(_, seen)| **seen <= at).map(|(number, _)| *number).max()
	}
}

/// The chain's mean block time over the run, in seconds, from the on-chain timestamps of the
/// first inclusion block and the last settlement block (skipped slots lengthen it).
fn mean_block_time(jobs: &[JobRecord]) -> Option<f64> {
	let first =
		jobs.iter().filter_map(|j| Some((j.inclusion_block?, j.inclusion_timestamp_ms?))).min()?;
	let last = jobs
		.iter()
		.filter_map(|j| Some((j.settlement_block?, j.settlement_timestamp_ms?)))
		.max()?;
	(last.0 > first.0).then(|| (last.1 - first.1) as f64 / 1e3 / (last.0 - first.0) as f64)
}

fn lock(clock: &Mutex<BlockClock>) -> std::sync::MutexGuard<'_, BlockClock> {
	clock.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Follows the node's best and finalized blocks into `clock` until either stream ends.
async fn watch_blocks(chain: Verity, clock: Arc<Mutex<BlockClock>>, start: Instant) {
	let streams = async {
		Ok::<_, anyhow::Error>((
			chain.api().stream_best_blocks().await?,
			chain.api().stream_blocks().await?,
		))
	};
	let (mut best, mut finalized) = match streams.await {
		Ok(streams) => streams,
		Err(e) => {
			return eprintln!("warning: cannot follow blocks ({e}); times fall back to polling")
		}
	};
	loop {
		tokio::select! {
			block = best.next() => match block {
				Some(Ok(block)) => BlockClock::saw(&mut lock(&clock).best, block.number(), start.elapsed().as_secs_f64()),
				Some(Err(e)) => eprintln!("warning: best-block stream: {e}"),
				None => break,
			},
			block = finalized.next() => match block {
				Some(Ok(block)) => BlockClock::saw(&mut lock(&clock).finalized, block.number(), start.elapsed().as_secs_f64()),
				Some(Err(e)) => eprintln!("warning: finalized-block stream: {e}"),
				None => break,
			},
		}
	}
}

/// What every job shares.
struct Bench {
	chain: Verity,
	model: ModelId,
	deadline_blocks: u32,
	timeout: Duration,
	start: Instant,
	clock: Arc<Mutex<BlockClock>>,
	inputs: Vec<Vec<u8>>,
}

/// One job, as measured. Times are seconds since the benchmark started; `*_timestamp_ms` are
/// the blocks' on-chain timestamps (their slot's start).
#[derive(Clone, Debug, Default, Serialize)]
struct JobRecord {
	index: usize,
	input: String,
	job_id: Option<u64>,
	submitter: String,
	submitted_at: f64,
	best_block_at_submission: Option<u64>,
	inclusion_block: Option<u64>,
	inclusion_seen_at: Option<f64>,
	inclusion_timestamp_ms: Option<u64>,
	/// Each operator's commit and reveal, in the order seen.
	commits: Vec<Step>,
	reveals: Vec<Step>,
	settlement_block: Option<u64>,
	settlement_seen_at: Option<f64>,
	settlement_timestamp_ms: Option<u64>,
	finalized_seen_at: Option<f64>,
	best_block_at_finalized: Option<u64>,
	agreeing_operators: usize,
	engine_ms: f64,
	output_matches_engine: Option<bool>,
	#[serde(skip)]
	output: Option<Vec<u8>>,
	error: Option<String>,
}

/// An operator's commit or reveal: who, and in which block.
#[derive(Clone, Debug, Serialize)]
struct Step {
	operator: String,
	block: u64,
}

/// `//Alice`, `//Bob` or `//Charlie` for the local network's operators, else the address.
fn operator_name(account: &verity_client::AccountId) -> String {
	OPERATORS
		.into_iter()
		.find(|suri| signer_from_suri(suri).is_ok_and(|s| account_of(&s) == *account))
		.map_or_else(|| account.to_string(), str::to_string)
}

impl JobRecord {
	/// (blocks, seconds) from submission to the finalized result.
	fn submission_to_finalized(&self) -> Option<(f64, f64)> {
		let blocks = self.best_block_at_finalized? as f64 - self.best_block_at_submission? as f64;
		Some((blocks, self.finalized_seen_at? - self.submitted_at))
	}

	/// (blocks, seconds) from inclusion to settlement.
	fn inclusion_to_settlement(&self) -> Option<(f64, f64)> {
		let blocks = self.settlement_block? as f64 - self.inclusion_block? as f64;
		Some((blocks, self.settlement_seen_at? - self.inclusion_seen_at?))
	}

	fn submission_to_inclusion(&self) -> Option<(f64, f64)> {
		let blocks = self.inclusion_block? as f64 - self.best_block_at_submission? as f64;
		Some((blocks, self.inclusion_seen_at? - self.submitted_at))
	}

	fn settlement_to_finalized(&self) -> Option<(f64, f64)> {
		let blocks = self.best_block_at_finalized? as f64 - self.settlement_block? as f64;
		Some((blocks, self.finalized_seen_at? - self.settlement_seen_at?))
	}
}

impl Bench {
	fn now(&self) -> f64 {
		self.start.elapsed().as_secs_f64()
	}

	/// Submits job `index` and follows it to its finalized outcome.
	async fn run_job(&self, index: usize, signer: &Signer) -> JobRecord {
		let input = &self.inputs[index];
		let mut record = JobRecord {
			index,
			input: String::from_utf8(input.clone())
				.unwrap_or_else(|_| format!("0x{}", hex::encode(input))),
			submitter: account_of(signer).to_string(),
			..Default::default()
		};
		if let Err(e) = self.follow(signer, &mut record).await {
			eprintln!("job {index}: {e:#}");
			record.error = Some(format!("{e:#}"));
		}
		record
	}

	async fn follow(&self, signer: &Signer, record: &mut JobRecord) -> anyhow::Result<()> {
		let request = JobRequest {
			replication: Some(REPLICATION),
			quorum: Some(QUORUM),
			deadline_blocks: Some(self.deadline_blocks),
			..JobRequest::new(self.model, self.inputs[record.index].clone())
		};
		record.submitted_at = self.now();
		record.best_block_at_submission = lock(&self.clock).best_at(record.submitted_at);
		let job = self.chain.submit_job(signer, &request).await?;
		let included_at = self.now();
		record.job_id = Some(job.job_id);
		record.inclusion_block = Some(job.block_number);

		// The SDK's own sightings, a fallback for when the block streams lag behind its polls.
		let (mut settled_at, mut finalized_at) = (None, None);
		let outcome = self
			.chain
			.wait_for_job_with_timeout(&job, Some(self.timeout), |progress| match progress {
				JobProgress::Committed { operator, block, .. } => {
					record.commits.push(Step { operator: operator_name(&operator), block })
				}
				JobProgress::Revealed { operator, block, .. } => {
					record.reveals.push(Step { operator: operator_name(&operator), block })
				}
				JobProgress::Settled { block, .. } => {
					record.settlement_block = Some(block);
					settled_at = Some(self.now());
				}
				JobProgress::Finalized { .. } => finalized_at = Some(self.now()),
				_ => {}
			})
			.await?;
		let result = match outcome {
			JobOutcome::Settled { result, .. } => result,
			other => bail!("job {} did not settle: {other:?}", job.job_id),
		};
		let settlement_block = u64::from(result.settled_at);
		record.settlement_block = Some(settlement_block);
		record.agreeing_operators = result.agreeing.len();
		record.output = Some(result.output);

		// The streams normally saw these blocks first; give them a moment if not.
		let streams_saw = |number| {
			let clock = lock(&self.clock);
			clock.finalized_seen(number).is_some() && clock.best_seen(number).is_some()
		};
		for _ in 0..20 {
			if streams_saw(settlement_block) {
				break;
			}
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
		{
			let clock = lock(&self.clock);
			let earliest = |stream: Option<f64>, polled: Option<f64>| match (stream, polled) {
				(Some(a), Some(b)) => Some(a.min(b)),
				(a, b) => a.or(b),
			};
			record.inclusion_seen_at =
				earliest(clock.best_seen(job.block_number), Some(included_at))
					.map(|t| t.max(record.submitted_at));
			record.settlement_seen_at = earliest(clock.best_seen(settlement_block), settled_at);
			record.finalized_seen_at =
				earliest(clock.finalized_seen(settlement_block), finalized_at);
			record.best_block_at_finalized =
				record.finalized_seen_at.and_then(|at| clock.best_at(at));
		}
		record.inclusion_timestamp_ms = Some(self.timestamp_ms(job.block_number).await?);
		record.settlement_timestamp_ms = Some(self.timestamp_ms(settlement_block).await?);
		Ok(())
	}

	/// Block `number`'s on-chain timestamp.
	async fn timestamp_ms(&self, number: u64) -> anyhow::Result<u64> {
		let at = self.chain.api().at_block(number).await?;
		Ok(at.storage().fetch(runtime::storage().timestamp().now(), ()).await?.decode()?)
	}
}

/// Median, 90th percentile (nearest rank), min and max of some samples.
#[derive(Clone, Copy, Debug, Serialize)]
struct Stats {
	median: f64,
	p90: f64,
	min: f64,
	max: f64,
}

impl Stats {
	fn of(samples: &[f64]) -> Stats {
		let mut sorted = samples.to_vec();
		sorted.sort_by(f64::total_cmp);
		let n = sorted.len();
		let median =
			if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
		let p90 = sorted[(n * 9).div_ceil(10).max(1) - 1];
		Stats { median, p90, min: sorted[0], max: sorted[n - 1] }
	}
}

/// Of the steps `steps_after` gives (a block and the steps that follow it), how many landed in
/// the very next block, the earliest they could, and how many there were.
fn count_prompt(
	jobs: &[JobRecord],
	steps_after: impl Fn(&JobRecord) -> Option<(u64, &Vec<Step>)>,
) -> (usize, usize) {
	jobs.iter().filter_map(steps_after).fold((0, 0), |(prompt, all), (block, steps)| {
		let next = steps.iter().filter(|step| step.block == block + 1).count();
		(prompt + next, all + steps.len())
	})
}

/// `ms` milliseconds, in µs below one (the risk MLP runs in microseconds).
fn duration(ms: f64) -> String {
	if ms < 1.0 {
		format!("{:.1} µs", ms * 1e3)
	} else {
		format!("{ms:.2} ms")
	}
}

/// One latency in blocks and in seconds over the settled jobs.
#[derive(Clone, Debug, Serialize)]
struct Latency {
	name: &'static str,
	blocks: Stats,
	seconds: Stats,
}

impl Latency {
	fn of(
		name: &'static str,
		jobs: &[JobRecord],
		metric: fn(&JobRecord) -> Option<(f64, f64)>,
	) -> Option<Latency> {
		let (blocks, seconds): (Vec<f64>, Vec<f64>) = jobs.iter().filter_map(metric).unzip();
		(!blocks.is_empty()).then(|| Latency {
			name,
			blocks: Stats::of(&blocks),
			seconds: Stats::of(&seconds),
		})
	}
}

#[derive(Debug, Serialize)]
struct Report {
	model: String,
	model_id: ModelId,
	jobs_submitted: usize,
	jobs_settled: usize,
	concurrency: usize,
	replication: u32,
	quorum_percent: f64,
	deadline_blocks: u32,
	block_time_s: f64,
	measured_block_time_s: Option<f64>,
	/// How many measured jobs each inclusion block held.
	jobs_per_inclusion_block: Option<Stats>,
	engine_threads: String,
	engine_ms: Stats,
	latencies: Vec<Latency>,
	/// Median verified latency over the median raw engine time.
	ratio_submission_to_finalized: Option<f64>,
	ratio_inclusion_to_settlement: Option<f64>,
	outputs_equal_to_engine: usize,
	/// Commits in the block right after the job's inclusion, of all commits.
	prompt_commits: (usize, usize),
	/// Reveals in the block right after the job's last commit, of all reveals.
	prompt_reveals: (usize, usize),
	jobs: Vec<JobRecord>,
	/// When each block number was first seen as the best, and as finalized (seconds).
	best_block_seen_at: BTreeMap<u64, f64>,
	finalized_block_seen_at: BTreeMap<u64, f64>,
}

impl Report {
	#[allow(clippy::too_many_arguments)]
	fn new(
		args: &Args,
		name: &str,
		model_id: ModelId,
		deadline_blocks: u32,
		slot_ms: u64,
		measured_block_s: Option<f64>,
		jobs: Vec<JobRecord>,
	) -> Report {
		let settled: Vec<JobRecord> = jobs.iter().filter(|j| j.error.is_none()).cloned().collect();
		let latencies: Vec<Latency> = [
			Latency::of("submission → inclusion", &settled, JobRecord::submission_to_inclusion),
			Latency::of("inclusion → settlement", &settled, JobRecord::inclusion_to_settlement),
			Latency::of("settlement → finalized", &settled, JobRecord::settlement_to_finalized),
			Latency::of(
				"submission → finalized result",
				&settled,
				JobRecord::submission_to_finalized,
			),
		]
		.into_iter()
		.flatten()
		.collect();
		let engine_ms = Stats::of(&jobs.iter().map(|j| j.engine_ms).collect::<Vec<_>>());
		let ratio = |name: &str| {
			let latency = latencies.iter().find(|l| l.name == name)?;
			Some(latency.seconds.median * 1e3 / engine_ms.median)
		};
		let mut per_block = BTreeMap::<u64, f64>::new();
		for block in jobs.iter().filter_map(|j| j.inclusion_block) {
			*per_block.entry(block).or_default() += 1.0;
		}
		let per_block: Vec<f64> = per_block.into_values().collect();
		Report {
			model: name.into(),
			model_id,
			jobs_submitted: jobs.len(),
			jobs_settled: settled.len(),
			concurrency: args.concurrency,
			replication: REPLICATION,
			quorum_percent: f64::from(QUORUM) / 1e7,
			deadline_blocks,
			block_time_s: slot_ms as f64 / 1e3,
			measured_block_time_s: measured_block_s,
			jobs_per_inclusion_block: (!per_block.is_empty()).then(|| Stats::of(&per_block)),
			engine_threads: threads(),
			engine_ms,
			ratio_submission_to_finalized: ratio("submission → finalized result"),
			ratio_inclusion_to_settlement: ratio("inclusion → settlement"),
			latencies,
			outputs_equal_to_engine: jobs
				.iter()
				.filter(|j| j.output_matches_engine == Some(true))
				.count(),
			prompt_commits: count_prompt(&settled, |job| {
				let inclusion = job.inclusion_block?;
				Some((inclusion, &job.commits))
			}),
			prompt_reveals: count_prompt(&settled, |job| {
				let last_commit = job.commits.iter().map(|step| step.block).max()?;
				Some((last_commit, &job.reveals))
			}),
			jobs,
			best_block_seen_at: BTreeMap::new(),
			finalized_block_seen_at: BTreeMap::new(),
		}
	}

	fn print(&self) {
		println!();
		println!("model {} (0x{})", self.model, hex::encode(self.model_id.0));
		println!(
			"{} of {} jobs settled; {} at a time, replication {}, quorum {} %, deadline {} blocks",
			self.jobs_settled,
			self.jobs_submitted,
			self.concurrency,
			self.replication,
			self.quorum_percent,
			self.deadline_blocks
		);
		let measured = self.measured_block_time_s.map_or("?".into(), |s| format!("{s:.2} s"));
		println!(
			"block time {:.1} s (runtime slot), {measured} measured (block timestamps)",
			self.block_time_s
		);
		if let Some(per_block) = &self.jobs_per_inclusion_block {
			println!(
				"jobs per inclusion block: median {}, max {}",
				per_block.median, per_block.max
			);
		}
		println!();
		println!("| latency | median | p90 | min | max |");
		println!("|---|---|---|---|---|");
		for latency in &self.latencies {
			let cell = |blocks: f64, seconds: f64| format!("{blocks} blk, {seconds:.2} s");
			let (b, s) = (latency.blocks, latency.seconds);
			println!(
				"| {} | {} | {} | {} | {} |",
				latency.name,
				cell(b.median, s.median),
				cell(b.p90, s.p90),
				cell(b.min, s.min),
				cell(b.max, s.max)
			);
		}
		let e = self.engine_ms;
		println!(
			"| raw engine ({} thread(s), same inputs) | {} | {} | {} | {} |",
			self.engine_threads,
			duration(e.median),
			duration(e.p90),
			duration(e.min),
			duration(e.max)
		);
		println!();
		let ratio = |r: Option<f64>| r.map_or("?".into(), |r| format!("{r:.0}×"));
		println!("verified / raw engine (medians): submission → finalized result {}, inclusion → settlement {}",
			ratio(self.ratio_submission_to_finalized), ratio(self.ratio_inclusion_to_settlement));
		println!(
			"commits in the block after inclusion: {} of {}; reveals in the block after the last \
			 commit: {} of {}",
			self.prompt_commits.0,
			self.prompt_commits.1,
			self.prompt_reveals.0,
			self.prompt_reveals.1
		);
		println!(
			"settled outputs equal to this process's engine output: {} of {}",
			self.outputs_equal_to_engine, self.jobs_settled
		);
		for job in self.jobs.iter().filter(|j| j.error.is_some()) {
			println!("job {} error: {}", job.index, job.error.as_deref().unwrap_or_default());
		}
	}
}
