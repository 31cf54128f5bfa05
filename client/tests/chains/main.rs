//! The tests that need running chains, in one binary so that they run side by side (cargo runs
//! test binaries one after another, but a binary's tests in parallel): the CLI against a dev
//! chain, and the three-validator end-to-end run. Each starts its own nodes, stopped by PID when
//! it ends; most of their time is spent waiting for blocks, so they overlap well.

#[path = "../common/mod.rs"]
mod common;

mod dev_chain;
mod e2e;
