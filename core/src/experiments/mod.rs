//! The experiments, one file each. Each one is an `async fn run(config, device, host)`.

pub mod fit;
pub mod tasks;

use crate::events::{Event, Host};
use crate::params::Params;

/// Parse an experiment config from URL params: the config and the notices raised.
pub trait FromParams: Sized {
    fn from_params(params: &mut Params) -> Self;
    /// The params that reproduce this config (in a stable order, for the URL).
    fn to_params(&self) -> Vec<(&'static str, String)>;
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Done,
    Stopped,
    Failed(String),
}

/// Epochs at which losses are read back: the first, every `every`-th, and the last. Reading
/// costs a device round trip, so long runs read at most ~`points` times.
pub fn is_log_epoch(epoch: usize, total: usize, points: usize) -> bool {
    let every = (total / points.max(1)).max(1);
    epoch == 1 || epoch == total || epoch.is_multiple_of(every)
}

/// End a run with an error the user reads.
pub(crate) fn fail<H: Host>(host: &mut H, message: String) -> Outcome {
    host.emit(Event::Error {
        message: message.clone(),
    });
    Outcome::Failed(message)
}
