//! The run engine: what any experiment's run is made of, whichever experiment it is.
//!
//! - A run parses from the URL's params ([`FromParams`]) and ends in an [`Outcome`].
//! - A sweep is [`units`]: independent units, one config and seed each, picked by `unit=`.
//! - [`seeds`]: a sweep's points trained over several seeds, each seed × point a unit, and
//!   pooled into means with their spread.
//! - [`merge`] turns the streams of units run apart into the stream of the whole run;
//!   [`side_by_side`] does so for models that train at once (E1's, E2's).
//! - [`plan`] cuts a run into parts for a pool of workers and orders them.
//! - [`batch`] delivers a run's events to a page a few times a second.
//!
//! Nothing here names an experiment: the registry that does (`crate::job`) sits above the
//! experiments, which sit above this.

pub mod batch;
pub mod merge;
pub mod placement;
pub mod plan;
pub mod seeds;
pub mod side_by_side;
pub mod units;

pub use batch::EventBatch;

use crate::budget::Footprint;
use crate::events::{Event, Host};
use crate::params::{to_query, Params};
use crate::train::{Halt, Stopwatch};

/// Parse an experiment config from URL params: the config and the notices raised.
pub trait FromParams: Sized {
    /// The keys that set how much the run holds (widths, batch sizes, counts): what falls
    /// back to its default when the config is over its host's budget.
    const SIZE_KEYS: &'static [&'static str] = &[];

    fn from_params(params: &mut Params) -> Self;
    /// The params that reproduce this config (in a stable order, for the URL).
    fn to_params(&self) -> Vec<(&'static str, String)>;

    /// The run's estimated peak memory (see [`crate::budget`]); nothing for configs that
    /// hold no model.
    fn footprint(&self) -> Footprint {
        Footprint::default()
    }

    /// [`FromParams::from_params`], then the budget: a config over `params`' budget falls back
    /// to its default sizes ([`FromParams::SIZE_KEYS`]) with a notice that says what was
    /// asked, the budget and what is used instead. Every reader of a config goes through here.
    fn from_params_within_budget(params: &mut Params) -> Self {
        let config = Self::from_params(params);
        let (asked, budget) = (config.footprint(), params.budget());
        if budget.admits(&asked) {
            return config;
        }
        let mut pairs = config.to_params();
        pairs.retain(|(k, _)| !Self::SIZE_KEYS.contains(k));
        let fallback = Self::from_params(&mut Params::parse(&to_query(pairs)).within(budget));
        let keys = Self::SIZE_KEYS.join(", ");
        params.notice(format!(
            "this run would hold {asked}, over {budget}: using the default {keys} ({}) instead",
            fallback.footprint()
        ));
        fallback
    }
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
