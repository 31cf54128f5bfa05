//! The content-addressed store: import, re-hash on load, and a typed error for every way the
//! store or a request can be wrong.

mod common;

use std::fs;

use common::*;
use verity_engine::{Digest, Engine, EngineError, Manifest, ModelStore};

#[test]
fn import_is_content_addressed_and_idempotent() {
	let (engine, id, dir) = mlp_engine();
	let manifest = engine.store().manifest(&id).unwrap();
	assert_eq!(manifest.id(), id);
	assert_eq!(Digest::of(&manifest.to_canonical_bytes()), id);
	for (role, file) in &manifest.files {
		let bytes = fs::read(dir.join("blobs").join(file.sha256.to_hex())).unwrap();
		assert_eq!(Digest::of(&bytes), file.sha256, "{role}");
		assert_eq!(bytes.len() as u64, file.size);
	}
	// Same files, same manifest, same id.
	let (again, _) = engine.import(&risk_mlp_spec(&risk_mlp_dir())).unwrap();
	assert_eq!(again, id);
	assert_eq!(engine.store().list().unwrap().len(), 1);
	assert_eq!(engine.store().resolve("risk-mlp").unwrap(), id);
	assert_eq!(engine.store().resolve(&id.to_hex()).unwrap(), id);
}

#[test]
fn tampered_weights_are_refused() {
	let (_, id, dir) = mlp_engine();
	let store = ModelStore::open(&dir).unwrap();
	let weights = store.manifest(&id).unwrap().files["weights"].clone();
	let path = store.blob_path(&weights.sha256);
	let mut bytes = fs::read(&path).unwrap();
	let last = bytes.len() - 1;
	bytes[last] ^= 0x01;
	fs::write(&path, &bytes).unwrap();
	// A fresh engine: nothing cached.
	let err = Engine::open(&dir).unwrap().run(id.as_bytes(), &features(&[0.0; 8])).unwrap_err();
	assert!(
		matches!(&err, EngineError::DigestMismatch { expected, .. } if *expected == weights.sha256.to_hex()),
		"{err}"
	);
}

#[test]
fn truncated_weights_are_refused() {
	let (_, id, dir) = mlp_engine();
	let store = ModelStore::open(&dir).unwrap();
	let weights = store.manifest(&id).unwrap().files["weights"].clone();
	let path = store.blob_path(&weights.sha256);
	let bytes = fs::read(&path).unwrap();
	fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
	let err = Engine::open(&dir).unwrap().load(&id).err().expect("load must fail");
	assert!(matches!(err, EngineError::DigestMismatch { .. }), "{err}");
}

#[test]
fn importing_truncated_weights_fails_and_leaves_no_manifest() {
	let src = temp_dir("truncated-src");
	let bytes = fs::read(risk_mlp_dir().join("model.safetensors")).unwrap();
	fs::write(src.join("model.safetensors"), &bytes[..bytes.len() - 100]).unwrap();
	fs::copy(risk_mlp_dir().join("config.json"), src.join("config.json")).unwrap();
	let store = temp_dir("truncated-store");
	let engine = Engine::open(&store).unwrap();
	let err = engine.import(&risk_mlp_spec(&src)).unwrap_err();
	assert!(matches!(err, EngineError::InvalidModel(_)), "{err}");
	assert!(engine.store().list().unwrap().is_empty());
}

#[test]
fn unknown_model_id_is_not_found() {
	let (engine, id, _) = mlp_engine();
	let mut wrong = *id.as_bytes();
	wrong[0] ^= 0xff;
	let err = engine.run(&wrong, &features(&[0.0; 8])).unwrap_err();
	assert!(matches!(err, EngineError::ModelNotFound(_)), "{err}");
	assert!(matches!(engine.store().resolve("no-such-model"), Err(EngineError::ModelNotFound(_))));
}

#[test]
fn manifest_renamed_to_a_wrong_digest_is_refused() {
	let (_, id, dir) = mlp_engine();
	let mut other = *id.as_bytes();
	other[31] ^= 0x01;
	let other = Digest(other);
	let manifests = dir.join("manifests");
	fs::copy(manifests.join(format!("{id}.json")), manifests.join(format!("{other}.json")))
		.unwrap();
	let err = Engine::open(&dir).unwrap().load(&other).err().expect("load must fail");
	assert!(matches!(err, EngineError::DigestMismatch { .. }), "{err}");
}

#[test]
fn unknown_architecture_is_a_typed_error() {
	let (engine, id, dir) = mlp_engine();
	let manifest = engine.store().manifest(&id).unwrap();
	let json = String::from_utf8(manifest.to_canonical_bytes()).unwrap();
	let bytes = json.replace("\"architecture\":\"Mlp\"", "\"architecture\":\"Transformer9000\"");
	assert!(matches!(
		Manifest::from_bytes(bytes.as_bytes()),
		Err(EngineError::UnknownArchitecture(a)) if a == "Transformer9000"
	));
	// The same through the store: a manifest file with that content, named by its digest.
	let bad = Digest::of(bytes.as_bytes());
	fs::write(dir.join("manifests").join(format!("{bad}.json")), &bytes).unwrap();
	let err = engine.run(bad.as_bytes(), &features(&[0.0; 8])).unwrap_err();
	assert!(matches!(err, EngineError::UnknownArchitecture(_)), "{err}");
	assert!(matches!(
		"Transformer9000".parse::<verity_engine::Architecture>(),
		Err(EngineError::UnknownArchitecture(_))
	));
}

#[test]
fn non_canonical_manifest_bytes_are_refused() {
	let (engine, id, _) = mlp_engine();
	let manifest = engine.store().manifest(&id).unwrap();
	let pretty = serde_json::to_vec_pretty(&manifest).unwrap();
	assert!(matches!(Manifest::from_bytes(&pretty), Err(EngineError::InvalidManifest(_))));
}

#[test]
fn missing_blob_is_model_not_found() {
	let (_, id, dir) = mlp_engine();
	let store = ModelStore::open(&dir).unwrap();
	let weights = store.manifest(&id).unwrap().files["weights"].clone();
	fs::remove_file(store.blob_path(&weights.sha256)).unwrap();
	let err = Engine::open(&dir).unwrap().load(&id).err().expect("load must fail");
	assert!(matches!(err, EngineError::ModelNotFound(_)), "{err}");
}
