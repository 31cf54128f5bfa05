//! `verity-node`: the Verity chain's node.

mod chain_spec;
mod cli;
mod command;
mod inference;
mod rpc;
mod service;

use std::process::ExitCode;

fn main() -> ExitCode {
	match command::run() {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			// Display, not Debug: a user reads `Error: unknown chain ...`, not an enum dump.
			eprintln!("Error: {error}");
			ExitCode::FAILURE
		}
	}
}
