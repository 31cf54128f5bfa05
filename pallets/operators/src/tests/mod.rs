//! Unit tests, one file per topic.

mod attacks;
mod delegation;
mod migrations;
mod operator;
mod provider;
mod rewards;
mod session;
mod slashing;
