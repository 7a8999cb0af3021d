//! Prints the report's finding of a run file written by `mlds run` (its events), e.g.
//! `cargo run --release -p mlds-core --example finding -- sharpness-run.json`: how the
//! findings of a preset's native run were checked.

use mlds_core::report::finding;
use mlds_core::Event;

fn main() {
    let path = std::env::args().nth(1).expect("a run file");
    let text = std::fs::read_to_string(&path).expect("a readable run file");
    let run: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let id = run["experiment"].as_str().expect("the run's experiment");
    let events: Vec<Event> =
        serde_json::from_value(run["events"].clone()).expect("the run's events");
    match finding(id, &events) {
        Some(f) => println!("{} {id}: {}", if f.agrees { "✓" } else { "✗" }, f.text),
        None => println!("{id}: no finding"),
    }
}
