//! The experiments, one file each. Each one is an `async fn run(config, device, host)`.

pub mod common;
pub mod fit;
pub mod generalization;
pub mod gradnorm;
pub mod interpolate;
pub mod job;
pub mod merge;
pub mod minratio;
pub mod params_sweep;
pub mod plan;
pub mod random_labels;
pub mod sensitivity;
pub mod sharpness;
pub mod side_by_side;
pub mod subject;
pub mod surface;
pub mod tasks;
pub mod trajectory;
pub mod units;

use crate::events::{Event, Host};
use crate::params::Params;
use crate::train::{Halt, Stopwatch};

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

/// End a run with an error the user reads.
pub(crate) fn fail<H: Host>(host: &mut H, message: String) -> Outcome {
    host.emit(Event::Error {
        message: message.clone(),
    });
    Outcome::Failed(message)
}

/// End a run the way its training loop ended: `Done` after `epochs`, `Stopped`, or an error.
pub(crate) fn finish<H: Host>(
    host: &mut H,
    result: Result<(), Halt>,
    epochs: usize,
    clock: &Stopwatch,
) -> Outcome {
    match result {
        Ok(()) => {
            host.emit(Event::Done {
                epoch: epochs,
                elapsed_ms: clock.elapsed_ms(),
            });
            Outcome::Done
        }
        Err(Halt::Stopped { epoch }) => stopped(host, epoch, clock),
        Err(Halt::Failed(message)) => fail(host, message),
    }
}

/// End a run the host stopped after `epoch` epochs.
pub(crate) fn stopped<H: Host>(host: &mut H, epoch: usize, clock: &Stopwatch) -> Outcome {
    host.emit(Event::Stopped {
        epoch,
        elapsed_ms: clock.elapsed_ms(),
    });
    Outcome::Stopped
}
