//! Unit tests, one file per topic. Every test runs through `ExtBuilder::build_and_execute`,
//! which checks the pallets' `do_try_state`, escrow per account and issuance conservation.

mod agenda;
mod api;
mod attacks;
mod attestation;
mod cancel;
mod commit_reveal;
mod decide;
mod offchain;
mod settlement;
mod submit;
