//! Unit tests, one file per topic.

mod attacks;
mod lifecycle;
mod register;
