//! Unit tests, one file per topic.

mod lifecycle;
mod register;
