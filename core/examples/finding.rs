//! Prints the report's finding of a run file written by `mlds run` (its events), e.g.
//! `cargo run --release -p mlds-core --example finding -- sharpness-run.json`: how the
//! findings of a preset's native run were checked.

use mlds_core::report::finding;
use mlds_core::run_file::RunFile;

fn main() {
    let path = std::env::args().nth(1).expect("a run file");
    let text = std::fs::read_to_string(&path).expect("a readable run file");
    let run = RunFile::parse(&text).unwrap_or_else(|why| panic!("{path}: {why}"));
    let id = run.experiment.clone();
    match finding(&run.job(), &run.events) {
        Some(f) => println!("{} {id}: {}", if f.agrees { "✓" } else { "✗" }, f.text),
        None => println!("{id}: no finding"),
    }
}
