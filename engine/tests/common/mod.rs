//! Shared test helpers: the model store and fresh temporary stores.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use verity_engine::{Architecture, Digest, Engine, ImportSpec};

/// The store `scripts/fetch-models.sh` fills (`VERITY_MODEL_STORE`, else the default path).
pub fn store_dir() -> PathBuf {
	verity_engine::default_store_dir()
}

/// An engine over the fetched store, and the id of the model `name` in it. Fails (never skips)
/// when the model is absent.
pub fn fetched(name: &str) -> (Engine, Digest) {
	let dir = store_dir();
	let engine = Engine::open(&dir).expect("open model store");
	let id = engine.store().resolve(name).unwrap_or_else(|e| {
		panic!(
			"model `{name}` is not in the store {} ({e}).\n\
			 Run scripts/fetch-models.sh first (or set VERITY_MODEL_STORE to a store that has it).",
			dir.display()
		)
	});
	(engine, id)
}

/// A fresh, empty directory under the target's tmp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
	static N: AtomicU32 = AtomicU32::new(0);
	let dir = std::env::temp_dir().join(format!(
		"verity-engine-test-{tag}-{}-{}",
		std::process::id(),
		N.fetch_add(1, Ordering::Relaxed)
	));
	let _ = std::fs::remove_dir_all(&dir);
	std::fs::create_dir_all(&dir).expect("create temp dir");
	dir
}

/// The committed risk-mlp model directory.
pub fn risk_mlp_dir() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("models/risk-mlp")
}

/// The import spec of the committed risk-mlp, reading files from `dir`.
pub fn risk_mlp_spec(dir: &Path) -> ImportSpec {
	ImportSpec {
		name: "risk-mlp".into(),
		architecture: Architecture::Mlp,
		files: [
			("weights".to_string(), dir.join("model.safetensors")),
			("config".to_string(), dir.join("config.json")),
		]
		.into_iter()
		.collect(),
		limits: None,
		numerics: None,
	}
}

/// An engine over a fresh temporary store holding only the risk-mlp.
pub fn mlp_engine() -> (Engine, Digest, PathBuf) {
	let dir = temp_dir("mlp");
	let engine = Engine::open(&dir).expect("open temp store");
	let (id, _) = engine.import(&risk_mlp_spec(&risk_mlp_dir())).expect("import risk-mlp");
	(engine, id, dir)
}

/// Canonical feature input from reals at the default scale.
pub fn features(values: &[f64]) -> Vec<u8> {
	verity_engine::encoding::encode_features(values, verity_engine::manifest::DEFAULT_INPUT_SCALE)
		.expect("encode features")
}
