//! Core's integration tests, one binary: each module was a test crate of its own, and every
//! binary links burn, so one binary links once (issue 31, the test command's cold time).

#[macro_use]
mod common;

mod budget;
mod fit;
mod formats;
mod formats_fuzz;
mod generalization;
mod optimization;
mod report;
mod tasks;
mod units;
