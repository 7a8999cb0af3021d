//! Runs E1 natively with URL-style params and prints the loss curve's milestones:
//! `cargo run --release -p mlds-core --example fit_probe -- "epochs=3000&lr=0.005"`.

use burn::tensor::Device;
use mlds_core::engine::FromParams;
use mlds_core::events::CollectingHost;
use mlds_core::experiments::fit;
use mlds_core::params::Params;
use mlds_core::Event;

fn main() {
    let query = std::env::args().nth(1).unwrap_or_default();
    let mut params = Params::parse(&query);
    let config = fit::FitConfig::from_params(&mut params);
    for notice in params.finish() {
        eprintln!("notice: {notice}");
    }
    let mut host = CollectingHost::default();
    let outcome = pollster::block_on(fit::run(&config, &Device::flex(), &mut host));
    let history = host.loss_history();
    let step = (history.len() / 8).max(1);
    for (epoch, losses) in history.iter().step_by(step).chain(history.last()) {
        println!("epoch {epoch:>6}: {losses:.5?}");
    }
    if let Some(Event::Done { elapsed_ms, epoch }) = host.events.last() {
        println!(
            "{outcome:?}: {:.1} s, {:.3} ms per epoch (all models)",
            elapsed_ms / 1e3,
            elapsed_ms / *epoch as f64
        );
    } else {
        println!("{outcome:?}");
    }
}
