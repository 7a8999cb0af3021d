//! Measures E5 natively, both protocols: runs the experiment as the page does and prints each
//! search's end point (start loss, loss, ‖∇L‖, index, flatness, converged), each protocol's
//! converged share and the time: `cargo run --release -p mlds-core --example e5_probe --
//! "runs=20&protocol=both"`.

use std::time::Instant;

use burn::tensor::Device;
use mlds_core::engine::{FromParams, Outcome};
use mlds_core::events::{CollectingHost, Event, SearchProtocol};
use mlds_core::experiments::minratio::MinRatioConfig;
use mlds_core::experiments::Experiment;
use mlds_core::params::Params;

fn main() {
    let query = std::env::args().nth(1).unwrap_or_default();
    let config = MinRatioConfig::from_params(&mut Params::parse(&query));
    let mut host = CollectingHost::default();
    let t0 = Instant::now();
    let outcome = pollster::block_on(config.run(None, &Device::flex(), &mut host));
    let seconds = t0.elapsed().as_secs_f64();
    assert_eq!(outcome, Outcome::Done, "{:?}", host.events.last());
    let points: Vec<_> = host
        .events
        .iter()
        .filter_map(|e| match e {
            Event::CriticalPoint(p) => Some(p),
            _ => None,
        })
        .collect();
    for p in &points {
        println!(
            "run {:>3} {:>8}: start loss {:.3e} -> loss {:.6e}  |g| {:.2e} -> {:.2e}  neg/flat/pos {}/{}/{}  ratio {:.3}  r {:.2}  {}",
            p.run,
            p.protocol.id(),
            p.start_loss,
            p.loss,
            p.start_grad_norm,
            p.grad_norm,
            p.negative,
            p.flat,
            p.positive,
            p.ratio,
            p.flatness,
            if p.converged { "converged" } else { "-" }
        );
    }
    for protocol in SearchProtocol::ALL {
        let mine: Vec<_> = points.iter().filter(|p| p.protocol == protocol).collect();
        let converged = mine.iter().filter(|p| p.converged).count();
        let counted = mine.iter().filter(|p| p.counts()).count();
        println!(
            "{}: {converged} of {} converged, {counted} not gradient-flat",
            protocol.id(),
            mine.len()
        );
    }
    if let Some(f) = mlds_core::report::finding(&config.clone().into(), &host.events) {
        println!("finding ({}): {}", if f.agrees { "✓" } else { "✗" }, f.text);
    }
    println!("{seconds:.1} s in all");
}
