//! The `mlds` command's tests, one binary (each module was a test crate of its own; one binary
//! links once: issue 31, the test command's cold time).

mod common;

mod cli;
mod cluster;
mod report;
mod safety;
