//! The content-addressed model store.
//!
//! ```text
//! <store>/blobs/<sha256>            model files, named by the SHA-256 of their bytes
//! <store>/manifests/<model id>.json manifests, named by the SHA-256 of their canonical bytes
//! <store>/tmp/                      partial copies during import (renamed into place when hashed)
//! ```
//! Nothing is trusted on read: [`ModelStore::manifest`] re-hashes the manifest and
//! [`ModelStore::read_file`] re-hashes each file, so a tampered, truncated or misnamed file is a
//! [`EngineError::DigestMismatch`], never a silently different model.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::digest::{Digest, Hasher};
use crate::error::{EngineError, Result};
use crate::manifest::{Architecture, FileEntry, Limits, Manifest, Numerics, MANIFEST_FORMAT};

/// Environment variable naming the store directory.
pub const STORE_ENV: &str = "VERITY_MODEL_STORE";

/// The default store: `$VERITY_MODEL_STORE`, else `$VERITY_HOME/store`, else
/// `$HOME/.local/share/verity/store` (what `scripts/fetch-models.sh` fills).
pub fn default_store_dir() -> PathBuf {
	if let Some(dir) = std::env::var_os(STORE_ENV) {
		return PathBuf::from(dir);
	}
	if let Some(home) = std::env::var_os("VERITY_HOME") {
		return PathBuf::from(home).join("store");
	}
	let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
	home.join(".local/share/verity/store")
}

/// What to import: an architecture and its files by role. Limits and numerics default to the
/// architecture's defaults.
#[derive(Clone, Debug)]
pub struct ImportSpec {
	/// Human-readable model name.
	pub name: String,
	/// The architecture.
	pub architecture: Architecture,
	/// Files by role (`weights`, `config`, `tokenizer`).
	pub files: BTreeMap<String, PathBuf>,
	/// Input/output bounds; `None` for the architecture's defaults.
	pub limits: Option<Limits>,
	/// Scales and contract; `None` for the architecture's defaults.
	pub numerics: Option<Numerics>,
}

/// A model store on disk.
#[derive(Clone, Debug)]
pub struct ModelStore {
	root: PathBuf,
}

impl ModelStore {
	/// Opens (creating if needed) the store at `root`.
	pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
		let root = root.into();
		for dir in ["blobs", "manifests", "tmp"] {
			let path = root.join(dir);
			fs::create_dir_all(&path).map_err(|e| EngineError::io(&path, e))?;
		}
		Ok(ModelStore { root })
	}

	/// The store's root directory.
	pub fn root(&self) -> &Path {
		&self.root
	}

	/// Path of the blob named `digest` (which may not exist).
	pub fn blob_path(&self, digest: &Digest) -> PathBuf {
		self.root.join("blobs").join(digest.to_hex())
	}

	fn manifest_path(&self, id: &Digest) -> PathBuf {
		self.root.join("manifests").join(format!("{}.json", id.to_hex()))
	}

	/// Copies a file into the store, hashing it on the way; returns its entry. Importing the same
	/// content twice is a no-op.
	pub fn add_file(&self, path: &Path) -> Result<FileEntry> {
		static COUNTER: AtomicU64 = AtomicU64::new(0);
		let tmp = self.root.join("tmp").join(format!(
			"{}-{}",
			std::process::id(),
			COUNTER.fetch_add(1, Ordering::Relaxed)
		));
		let mut src = fs::File::open(path).map_err(|e| EngineError::io(path, e))?;
		let mut dst = fs::File::create(&tmp).map_err(|e| EngineError::io(&tmp, e))?;
		let mut hasher = Hasher::default();
		let mut buf = vec![0u8; 1 << 20];
		let mut size = 0u64;
		loop {
			let n = src.read(&mut buf).map_err(|e| EngineError::io(path, e))?;
			if n == 0 {
				break;
			}
			hasher.update(&buf[..n]);
			dst.write_all(&buf[..n]).map_err(|e| EngineError::io(&tmp, e))?;
			size += n as u64;
		}
		dst.sync_all().map_err(|e| EngineError::io(&tmp, e))?;
		drop(dst);
		let sha256 = hasher.finish();
		let target = self.blob_path(&sha256);
		let keep_existing = match fs::read(&target) {
			Ok(bytes) => Digest::of(&bytes) == sha256,
			Err(_) => false,
		};
		if keep_existing {
			fs::remove_file(&tmp).map_err(|e| EngineError::io(&tmp, e))?;
		} else {
			fs::rename(&tmp, &target).map_err(|e| EngineError::io(&target, e))?;
		}
		let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
		Ok(FileEntry { name, sha256, size })
	}

	/// Imports a model: copies its files, writes its manifest, returns the model id and manifest.
	/// The model is not loaded here; [`crate::Engine::import`] also loads it once to check it.
	pub fn import(&self, spec: &ImportSpec) -> Result<(Digest, Manifest)> {
		let mut files = BTreeMap::new();
		for (role, path) in &spec.files {
			files.insert(role.clone(), self.add_file(path)?);
		}
		let manifest = Manifest {
			format: MANIFEST_FORMAT,
			name: spec.name.clone(),
			architecture: spec.architecture,
			files,
			limits: spec.limits.clone().unwrap_or_else(|| spec.architecture.default_limits()),
			numerics: spec.numerics.clone().unwrap_or_else(|| spec.architecture.default_numerics()),
		};
		manifest.validate()?;
		let id = self.add_manifest(&manifest)?;
		Ok((id, manifest))
	}

	/// Writes a manifest (canonical bytes) and returns its id.
	pub fn add_manifest(&self, manifest: &Manifest) -> Result<Digest> {
		let bytes = manifest.to_canonical_bytes();
		let id = Digest::of(&bytes);
		let path = self.manifest_path(&id);
		let tmp = self.root.join("tmp").join(format!("{}.json", id.to_hex()));
		fs::write(&tmp, &bytes).map_err(|e| EngineError::io(&tmp, e))?;
		fs::rename(&tmp, &path).map_err(|e| EngineError::io(&path, e))?;
		Ok(id)
	}

	/// Reads a manifest, re-hashing it: a file whose bytes do not hash to `id` is refused.
	pub fn manifest(&self, id: &Digest) -> Result<Manifest> {
		let path = self.manifest_path(id);
		let bytes = match fs::read(&path) {
			Ok(bytes) => bytes,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
				return Err(EngineError::ModelNotFound(id.to_hex()))
			}
			Err(e) => return Err(EngineError::io(&path, e)),
		};
		let actual = Digest::of(&bytes);
		if actual != *id {
			return Err(EngineError::DigestMismatch {
				what: format!("manifest {}", path.display()),
				expected: id.to_hex(),
				actual: actual.to_hex(),
			});
		}
		Manifest::from_bytes(&bytes)
	}

	/// Reads a model file into memory and checks its digest. The bytes returned are the bytes
	/// hashed, so nothing can change between the check and the load.
	pub fn read_file(&self, role: &str, entry: &FileEntry) -> Result<Vec<u8>> {
		let path = self.blob_path(&entry.sha256);
		let bytes = match fs::read(&path) {
			Ok(bytes) => bytes,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
				return Err(EngineError::ModelNotFound(format!(
					"{} (its {role} file {} is missing)",
					entry.sha256, entry.name
				)))
			}
			Err(e) => return Err(EngineError::io(&path, e)),
		};
		let actual = Digest::of(&bytes);
		if actual != entry.sha256 {
			return Err(EngineError::DigestMismatch {
				what: format!("{role} file {}", entry.name),
				expected: entry.sha256.to_hex(),
				actual: actual.to_hex(),
			});
		}
		Ok(bytes)
	}

	/// All manifests in the store, sorted by name then id. Manifests that fail their check are
	/// skipped (loading them by id reports why).
	pub fn list(&self) -> Result<Vec<(Digest, Manifest)>> {
		let dir = self.root.join("manifests");
		let entries = fs::read_dir(&dir).map_err(|e| EngineError::io(&dir, e))?;
		let mut out = Vec::new();
		for entry in entries {
			let entry = entry.map_err(|e| EngineError::io(&dir, e))?;
			let file_name = entry.file_name();
			let Some(stem) = file_name.to_str().and_then(|n| n.strip_suffix(".json")) else {
				continue;
			};
			let Ok(id) = stem.parse::<Digest>() else { continue };
			if let Ok(manifest) = self.manifest(&id) {
				out.push((id, manifest));
			}
		}
		out.sort_by(|a, b| (&a.1.name, a.0).cmp(&(&b.1.name, b.0)));
		Ok(out)
	}

	/// Finds a model by id (hex) or by name. A name that several manifests carry is refused, so a
	/// name is never ambiguous.
	pub fn resolve(&self, id_or_name: &str) -> Result<Digest> {
		if let Ok(id) = id_or_name.parse::<Digest>() {
			return Ok(id);
		}
		let matches: Vec<Digest> = self
			.list()?
			.into_iter()
			.filter(|(_, m)| m.name == id_or_name)
			.map(|(id, _)| id)
			.collect();
		match matches.as_slice() {
			[id] => Ok(*id),
			[] => Err(EngineError::ModelNotFound(id_or_name.to_string())),
			_ => Err(EngineError::InvalidManifest(format!(
				"{} models are named `{id_or_name}`; use an id",
				matches.len()
			))),
		}
	}
}
