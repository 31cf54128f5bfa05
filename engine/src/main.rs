//! `verity-engine`: the engine's command line. Import models into a store, run them, verify
//! claimed outputs and benchmark them. Machine-readable output is JSON on stdout; progress goes
//! to stderr.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use serde_json::{json, Value};
use verity_engine::encoding::encode_features;
use verity_engine::models::bert::SentenceEmbedder;
use verity_engine::models::llama::LlamaChat;
use verity_engine::{
	Architecture, Contract, Digest, Engine, ImportSpec, Manifest, ModelStore, Output,
};

#[derive(Parser)]
#[command(
	name = "verity-engine",
	version,
	about = "Deterministic candle inference with a content-addressed model store"
)]
struct Cli {
	/// Model store directory [env: VERITY_MODEL_STORE; default: $VERITY_HOME/store or
	/// ~/.local/share/verity/store]
	#[arg(long, global = true)]
	store: Option<PathBuf>,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Copy a model into the store and print its id (the digest of its manifest).
	Import(ImportArgs),
	/// List the models in the store.
	List {
		/// Print JSON.
		#[arg(long)]
		json: bool,
	},
	/// Print the SHA-256 of files, or the manifest of a model in the store.
	Digest {
		/// Files to hash.
		files: Vec<PathBuf>,
		/// Print the manifest and id of this model (id or name) instead.
		#[arg(long)]
		model: Option<String>,
	},
	/// Print the kernel profile of this build on this machine.
	Profile,
	/// Run a model on one input; prints the output, its canonical bytes and the run digest.
	Run {
		/// Model id (hex) or name.
		#[arg(long)]
		model: String,
		#[command(flatten)]
		input: InputArgs,
	},
	/// Recompute a run and compare it with a claimed output under the model's contract.
	/// Exits with status 1 when they disagree.
	Verify {
		/// Model id (hex) or name.
		#[arg(long)]
		model: String,
		#[command(flatten)]
		input: InputArgs,
		/// The claimed output's canonical bytes, hex.
		#[arg(long)]
		output_hex: String,
	},
	/// Measure latency and throughput of a model.
	Bench(BenchArgs),
}

#[derive(Args)]
struct ImportArgs {
	/// Architecture: Mlp, BertEmbedding or LlamaGguf.
	#[arg(long)]
	architecture: String,
	/// Model name (default: the directory or file name).
	#[arg(long)]
	name: Option<String>,
	/// A directory holding the model's files (model.safetensors, config.json, tokenizer.json)
	/// or, for LlamaGguf, the .gguf file.
	path: Option<PathBuf>,
	/// Explicit files as ROLE=PATH (weights, config, tokenizer); override `path`.
	#[arg(long = "file", value_name = "ROLE=PATH")]
	files: Vec<String>,
	/// Numerical contract: exact, tolerance:<eps> or token-match.
	#[arg(long)]
	contract: Option<String>,
	/// Largest input in bytes.
	#[arg(long)]
	max_input_bytes: Option<u32>,
	/// Most input tokens (BERT truncation, chat prompt limit).
	#[arg(long)]
	max_input_tokens: Option<u32>,
	/// Most generated tokens.
	#[arg(long)]
	max_new_tokens: Option<u32>,
	/// Print JSON.
	#[arg(long)]
	json: bool,
}

#[derive(Args)]
struct InputArgs {
	/// Text input (UTF-8).
	#[arg(long, group = "input")]
	text: Option<String>,
	/// Feature input: comma-separated reals, encoded at the model's input scale.
	#[arg(long, group = "input", allow_hyphen_values = true)]
	features: Option<String>,
	/// JSON input: {"text": "..."} or {"features": [..]}.
	#[arg(long, group = "input")]
	json: Option<String>,
	/// Canonical input bytes from a file ("-" for stdin).
	#[arg(long, group = "input")]
	input_file: Option<PathBuf>,
	/// Canonical input bytes, hex.
	#[arg(long, group = "input")]
	input_hex: Option<String>,
}

#[derive(Args)]
struct BenchArgs {
	/// Model id (hex) or name.
	#[arg(long)]
	model: String,
	/// BertEmbedding: sentences per batch (1 = the canonical single-input path).
	#[arg(long, default_value_t = 1)]
	batch: usize,
	/// Timed iterations (after one warm-up).
	#[arg(long, default_value_t = 20)]
	iters: usize,
	/// LlamaGguf: prompt length in tokens.
	#[arg(long, default_value_t = 128)]
	prompt_tokens: usize,
	/// LlamaGguf: tokens to generate (no stop tokens).
	#[arg(long, default_value_t = 64)]
	gen_tokens: usize,
}

fn main() {
	if let Err(e) = real_main() {
		eprintln!("error: {e:#}");
		std::process::exit(2);
	}
}

fn real_main() -> Result<()> {
	let cli = Cli::parse();
	let store_dir = cli.store.clone().unwrap_or_else(verity_engine::default_store_dir);
	match cli.command {
		Command::Import(args) => import(&store_dir, args),
		Command::List { json } => list(&store_dir, json),
		Command::Digest { files, model } => digest(&store_dir, &files, model),
		Command::Profile => {
			println!("{}", serde_json::to_string_pretty(&verity_engine::KernelProfile::detect())?);
			Ok(())
		}
		Command::Run { model, input } => {
			let engine = Engine::open(&store_dir)?;
			let id = engine.store().resolve(&model)?;
			let manifest = engine.store().manifest(&id)?;
			let input = input.to_bytes(&manifest)?;
			let start = Instant::now();
			let result = engine.run_with_digest(id.as_bytes(), &input)?;
			let elapsed = start.elapsed();
			let mut out = json!({
				"model_id": id,
				"model": manifest.name,
				"kernel_profile": engine.kernel_profile(),
				"input_hex": hex::encode(&input),
				"output": result.output,
				"output_hex": hex::encode(&result.output_bytes),
				"run_digest": result.digest,
				"elapsed_ms": elapsed.as_secs_f64() * 1e3,
			});
			if let (Some(scale), Some(values)) = (
				manifest.numerics.output_scale,
				manifest.numerics.output_scale.and_then(|s| result.output.to_f64(s)),
			) {
				out["output_scale"] = json!(scale);
				out["output_real"] = json!(values);
			}
			println!("{}", serde_json::to_string_pretty(&out)?);
			Ok(())
		}
		Command::Verify { model, input, output_hex } => {
			let engine = Engine::open(&store_dir)?;
			let id = engine.store().resolve(&model)?;
			let manifest = engine.store().manifest(&id)?;
			let input = input.to_bytes(&manifest)?;
			let claimed = hex::decode(output_hex.trim()).context("--output-hex is not hex")?;
			let verdict = engine.verify(id.as_bytes(), &input, &claimed)?;
			println!(
				"{}",
				serde_json::to_string_pretty(&json!({
					"model_id": id,
					"contract": manifest.numerics.contract,
					"kernel_profile": engine.kernel_profile(),
					"verdict": verdict,
				}))?
			);
			if !verdict.agree {
				std::process::exit(1);
			}
			Ok(())
		}
		Command::Bench(args) => bench(&store_dir, args),
	}
}

impl InputArgs {
	/// The canonical input bytes for `manifest`'s architecture.
	fn to_bytes(&self, manifest: &Manifest) -> Result<Vec<u8>> {
		let features = |values: Vec<f64>| -> Result<Vec<u8>> {
			let scale =
				manifest.numerics.input_scale.context("this model takes no feature input")?;
			Ok(encode_features(&values, scale)?)
		};
		if let Some(text) = &self.text {
			return Ok(text.as_bytes().to_vec());
		}
		if let Some(list) = &self.features {
			let values = list
				.split(',')
				.map(|v| v.trim().parse::<f64>().with_context(|| format!("feature `{v}`")))
				.collect::<Result<Vec<_>>>()?;
			return features(values);
		}
		if let Some(j) = &self.json {
			let v: Value = serde_json::from_str(j).context("--json is not JSON")?;
			if let Some(text) = v.get("text").and_then(Value::as_str) {
				return Ok(text.as_bytes().to_vec());
			}
			if let Some(list) = v.get("features").and_then(Value::as_array) {
				let values = list
					.iter()
					.map(|x| x.as_f64().context("features must be numbers"))
					.collect::<Result<Vec<_>>>()?;
				return features(values);
			}
			bail!("--json needs a \"text\" string or a \"features\" array");
		}
		if let Some(path) = &self.input_file {
			if path == Path::new("-") {
				let mut buf = Vec::new();
				std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)?;
				return Ok(buf);
			}
			return std::fs::read(path).with_context(|| format!("reading {}", path.display()));
		}
		if let Some(h) = &self.input_hex {
			return hex::decode(h.trim()).context("--input-hex is not hex");
		}
		bail!("give an input: --text, --features, --json, --input-file or --input-hex")
	}
}

fn import(store_dir: &Path, args: ImportArgs) -> Result<()> {
	let architecture: Architecture = args.architecture.parse()?;
	let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
	if let Some(path) = &args.path {
		files = default_files(architecture, path)?;
	}
	for f in &args.files {
		let (role, path) = f.split_once('=').context("--file takes ROLE=PATH")?;
		files.insert(role.to_string(), PathBuf::from(path));
	}
	let name = match (&args.name, &args.path) {
		(Some(n), _) => n.clone(),
		(None, Some(p)) => p
			.file_stem()
			.map(|s| s.to_string_lossy().into_owned())
			.context("cannot name the model from its path; give --name")?,
		(None, None) => bail!("give --name"),
	};
	let mut limits = architecture.default_limits();
	if let Some(v) = args.max_input_bytes {
		limits.max_input_bytes = v;
	}
	if let Some(v) = args.max_input_tokens {
		limits.max_input_tokens = Some(v);
	}
	if let Some(v) = args.max_new_tokens {
		limits.max_new_tokens = Some(v);
	}
	let mut numerics = architecture.default_numerics();
	if let Some(c) = &args.contract {
		numerics.contract = c.parse::<Contract>()?;
	}
	eprintln!("importing {name} ({architecture}) into {}", store_dir.display());
	let engine = Engine::open(store_dir)?;
	let spec =
		ImportSpec { name, architecture, files, limits: Some(limits), numerics: Some(numerics) };
	let (id, manifest) = engine.import(&spec)?;
	if args.json {
		println!("{}", serde_json::to_string_pretty(&json!({ "id": id, "manifest": manifest }))?);
	} else {
		for (role, f) in &manifest.files {
			eprintln!("  {role:<9} {} {} ({} bytes)", f.sha256, f.name, f.size);
		}
		println!("{id}");
	}
	Ok(())
}

/// The conventional file names of each architecture inside a model directory.
fn default_files(architecture: Architecture, path: &Path) -> Result<BTreeMap<String, PathBuf>> {
	let mut files = BTreeMap::new();
	match architecture {
		Architecture::LlamaGguf => {
			let gguf = if path.is_dir() {
				let mut found = std::fs::read_dir(path)?
					.filter_map(|e| e.ok().map(|e| e.path()))
					.filter(|p| p.extension().is_some_and(|e| e == "gguf"))
					.collect::<Vec<_>>();
				if found.len() != 1 {
					bail!("{} holds {} .gguf files; name one", path.display(), found.len());
				}
				found.remove(0)
			} else {
				path.to_path_buf()
			};
			files.insert("weights".into(), gguf);
		}
		Architecture::Mlp | Architecture::BertEmbedding => {
			files.insert("weights".into(), path.join("model.safetensors"));
			files.insert("config".into(), path.join("config.json"));
			if architecture == Architecture::BertEmbedding {
				files.insert("tokenizer".into(), path.join("tokenizer.json"));
			}
		}
	}
	for p in files.values() {
		if !p.is_file() {
			bail!("{} not found", p.display());
		}
	}
	Ok(files)
}

fn list(store_dir: &Path, as_json: bool) -> Result<()> {
	let store = ModelStore::open(store_dir)?;
	let models = store.list()?;
	if as_json {
		let v: Vec<Value> =
			models.iter().map(|(id, m)| json!({ "id": id, "manifest": m })).collect();
		println!("{}", serde_json::to_string_pretty(&v)?);
	} else {
		for (id, m) in models {
			println!("{id}  {:<14} {:<24} {}", m.architecture, m.name, m.numerics.contract);
		}
	}
	Ok(())
}

fn digest(store_dir: &Path, files: &[PathBuf], model: Option<String>) -> Result<()> {
	if let Some(model) = model {
		let store = ModelStore::open(store_dir)?;
		let id = store.resolve(&model)?;
		let manifest = store.manifest(&id)?;
		println!("{}", serde_json::to_string_pretty(&json!({ "id": id, "manifest": manifest }))?);
		return Ok(());
	}
	if files.is_empty() {
		bail!("give files to hash, or --model");
	}
	for path in files {
		let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
		println!("{}  {}", Digest::of(&bytes), path.display());
	}
	Ok(())
}

/// Sentences used by the BERT benchmark (the same list as scripts/bench-engine.sh's baseline).
const BENCH_SENTENCES: [&str; 8] = [
	"This is an example sentence",
	"Each sentence is converted",
	"The quick brown fox jumps over the lazy dog.",
	"A validator runs the model and commits to its output.",
	"Deterministic inference lets independent operators agree on a result.",
	"Rust is a systems programming language.",
	"What is the capital of France?",
	"Embeddings map text to vectors in a metric space.",
];

/// Peak resident set size of this process, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
	let status = std::fs::read_to_string("/proc/self/status").ok()?;
	let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
	let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
	Some(kib / 1024.0)
}

fn stats(mut samples: Vec<f64>) -> Value {
	samples.sort_by(|a, b| a.total_cmp(b));
	let n = samples.len().max(1) as f64;
	let mean = samples.iter().sum::<f64>() / n;
	let median = samples.get(samples.len() / 2).copied().unwrap_or(0.0);
	let min = samples.first().copied().unwrap_or(0.0);
	json!({ "mean_ms": mean * 1e3, "median_ms": median * 1e3, "min_ms": min * 1e3 })
}

fn bench(store_dir: &Path, args: BenchArgs) -> Result<()> {
	let store = ModelStore::open(store_dir)?;
	let id = store.resolve(&args.model)?;
	let manifest = store.manifest(&id)?;
	let file = |role: &str| -> Result<Vec<u8>> { Ok(store.read_file(role, manifest.file(role)?)?) };
	let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "default".into());
	eprintln!("bench {} ({}) threads={threads}", manifest.name, manifest.architecture);
	let result = match manifest.architecture {
		Architecture::BertEmbedding => {
			let model = SentenceEmbedder::load(
				file("weights")?,
				&file("config")?,
				&file("tokenizer")?,
				manifest.limits.max_input_tokens.unwrap_or(256) as usize,
				manifest.numerics.output_scale.unwrap_or(1),
				manifest.limits.max_input_bytes as usize,
			)?;
			let texts: Vec<&str> =
				(0..args.batch).map(|i| BENCH_SENTENCES[i % BENCH_SENTENCES.len()]).collect();
			let run = |i: usize| -> Result<()> {
				if args.batch == 1 {
					model.embed(texts[i % texts.len()].trim())?;
				} else {
					model.embed_batch(&texts)?;
				}
				Ok(())
			};
			run(0)?;
			let mut samples = Vec::new();
			for i in 0..args.iters {
				let t = Instant::now();
				run(i)?;
				samples.push(t.elapsed().as_secs_f64());
			}
			let total: f64 = samples.iter().sum();
			let mut v = stats(samples);
			v["batch"] = json!(args.batch);
			v["sentences_per_s"] = json!((args.iters * args.batch) as f64 / total);
			v
		}
		Architecture::LlamaGguf => {
			let mut model = LlamaChat::load(file("weights")?, 4096, 4096, usize::MAX)?;
			let mut ids = Vec::new();
			let filler = "The history of science is the study of the development of science and \
			              scientific knowledge, including both the natural and social sciences. ";
			while ids.len() < args.prompt_tokens {
				ids.extend(model.encode_text(filler)?);
			}
			ids.truncate(args.prompt_tokens);
			model.generate_ids(&ids, 2, &[])?; // warm-up
			let mut prompt_s = Vec::new();
			let mut gen_s = Vec::new();
			let mut generated = Vec::new();
			for _ in 0..args.iters.max(1) {
				let (out, _, t) = model.generate_ids(&ids, args.gen_tokens, &[])?;
				prompt_s.push(t.prompt.as_secs_f64());
				gen_s.push(t.generation.as_secs_f64());
				generated = out;
			}
			let median = |mut v: Vec<f64>| {
				v.sort_by(|a, b| a.total_cmp(b));
				v[v.len() / 2]
			};
			let (p, g) = (median(prompt_s), median(gen_s));
			json!({
				"prompt_tokens": ids.len(),
				"gen_tokens": generated.len(),
				"prompt_ms": p * 1e3,
				"gen_ms": g * 1e3,
				"prompt_tokens_per_s": ids.len() as f64 / p,
				"gen_tokens_per_s": generated.len() as f64 / g,
				"prompt_ids": ids,
				"generated_ids": generated,
			})
		}
		Architecture::Mlp => {
			let engine = Engine::open(store_dir)?;
			let n = manifest.limits.max_input_bytes.min(4 * 8) as usize;
			let input = vec![0u8; n];
			let _ = engine.run(id.as_bytes(), &input);
			let mut samples = Vec::new();
			for _ in 0..args.iters {
				let t = Instant::now();
				let out: Output = engine.run(id.as_bytes(), &input)?;
				std::hint::black_box(out);
				samples.push(t.elapsed().as_secs_f64());
			}
			stats(samples)
		}
	};
	let mut out = json!({
		"model": manifest.name,
		"model_id": id,
		"threads": threads,
		"iters": args.iters,
		"peak_rss_mib": peak_rss_mib(),
	});
	if let (Some(o), Some(r)) = (out.as_object_mut(), result.as_object()) {
		o.extend(r.clone());
	}
	println!("{}", serde_json::to_string_pretty(&out)?);
	Ok(())
}
