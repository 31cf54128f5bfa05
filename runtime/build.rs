//! Builds the wasm runtime blob that the node embeds and the chain spec stores.

fn main() {
	#[cfg(feature = "std")]
	{
		// The wasm runtime is built by a nested cargo that pins its dependencies from the
		// workspace's Cargo.lock, found by searching up from the target directory. Our target
		// directory lives outside the clone (see scripts/lib.sh), so name the workspace here:
		// only for this crate, since other crates' wasm builds must not see our workspace.
		if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
			let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
			std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
		}
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
}
