//! Builds the wasm runtime blob that the node embeds and the chain spec stores.

fn main() {
	#[cfg(feature = "std")]
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}
