//! Unit tests, one file per topic.

mod delegation;
mod operator;
mod provider;
mod rewards;
mod session;
mod slashing;
