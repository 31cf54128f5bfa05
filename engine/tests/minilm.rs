//! all-MiniLM-L6-v2 (BertEmbedding) known answers. Needs the fetched store
//! (scripts/fetch-models.sh).

mod common;

use common::fetched;
use serde::Deserialize;
use verity_engine::{EngineError, Output};

const MODEL: &str = "all-MiniLM-L6-v2";
const SCALE: f64 = 1e8;

/// The first values sentence-transformers publishes for "This is an example sentence".
const PUBLISHED: [f64; 4] = [0.0676568, 0.0634960, 0.0487131, 0.0793050];

#[derive(Deserialize)]
struct Reference {
	sentences: Vec<Sentence>,
}

#[derive(Deserialize)]
struct Sentence {
	text: String,
	token_ids: Vec<u32>,
	embedding: Vec<f64>,
}

/// Float64 numpy reference (tests/data/minilm_reference.py), independent of candle.
fn reference() -> Reference {
	serde_json::from_str(include_str!("data/minilm_reference.json")).expect("reference json")
}

fn embedding(output: &Output) -> Vec<f64> {
	output.to_f64(SCALE as u64).expect("a vector output")
}

#[test]
fn example_sentence_matches_published_values() {
	let (engine, id) = fetched(MODEL);
	let out = engine.run(id.as_bytes(), b"This is an example sentence").unwrap();
	let e = embedding(&out);
	assert_eq!(e.len(), 384);
	for (i, (got, want)) in e.iter().zip(PUBLISHED).enumerate() {
		// The published values have 7 decimals: allow their rounding plus 1e-6.
		assert!((got - want).abs() <= 1e-6 + 5e-8, "dim {i}: {got} vs published {want}");
	}
	let norm: f64 = e.iter().map(|x| x * x).sum::<f64>().sqrt();
	assert!((norm - 1.0).abs() < 1e-6, "not L2-normalised: {norm}");
}

#[test]
fn all_dimensions_match_a_float64_reference_within_1e6() {
	let (engine, id) = fetched(MODEL);
	let loaded = engine.load(&id).unwrap();
	for s in reference().sentences {
		let out = loaded.run(s.text.as_bytes()).unwrap();
		let e = embedding(&out);
		assert_eq!(e.len(), s.embedding.len());
		let max = e.iter().zip(&s.embedding).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
		assert!(max <= 1e-6, "{:?}: max |diff| {max:e} vs float64 reference", s.text);
	}
}

#[test]
fn tokenization_matches_the_reference_tokenizer() {
	let (engine, id) = fetched(MODEL);
	let manifest = engine.store().manifest(&id).unwrap();
	let store = engine.store();
	let file = |r: &str| store.read_file(r, manifest.file(r).unwrap()).unwrap();
	let model = verity_engine::models::bert::SentenceEmbedder::load(
		file("weights"),
		&file("config"),
		&file("tokenizer"),
		256,
		100_000_000,
		16384,
	)
	.unwrap();
	for s in reference().sentences {
		assert_eq!(model.tokenize(&s.text).unwrap(), s.token_ids, "{:?}", s.text);
	}
	// Long inputs are truncated to 256 tokens, [CLS] and [SEP] included.
	let long = "word ".repeat(1000);
	let ids = model.tokenize(&long).unwrap();
	assert_eq!(ids.len(), 256);
	assert_eq!((ids[0], ids[255]), (101, 102));
	// A batch (encoded unpadded, all texts' tokens in one matrix) gives exactly the bits of
	// single runs: each output of the engine's matmul is one fixed fma chain whatever the rows.
	let refs = reference();
	let texts: Vec<&str> = refs.sentences.iter().map(|s| s.text.as_str()).collect();
	let batch = model.embed_batch(&texts).unwrap();
	assert_eq!(batch.len(), texts.len());
	for (t, b) in texts.iter().zip(batch) {
		let single = model.embed(t).unwrap();
		let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
		assert_eq!(bits(&single), bits(&b), "{t:?}: batch vs single");
	}
}

#[test]
fn text_input_errors_are_typed() {
	let (engine, id) = fetched(MODEL);
	let err = engine.run(id.as_bytes(), b"caf\xc3\x28 au lait").unwrap_err();
	assert!(matches!(err, EngineError::InvalidUtf8 { valid_up_to: 3 }), "{err}");
	let max = engine.store().manifest(&id).unwrap().limits.max_input_bytes as usize;
	let err = engine.run(id.as_bytes(), &vec![b'a'; max + 1]).unwrap_err();
	assert!(
		matches!(err, EngineError::InputTooLarge { len, max: m } if len == max + 1 && m == max)
	);
	// Exactly at the limit is accepted (and truncated to 256 tokens).
	engine.run(id.as_bytes(), &vec![b'a'; max]).unwrap();
}
