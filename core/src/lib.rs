//! MLDS Playground core: models, the training loop, metrics, datasets and experiments.
//!
//! Nothing here knows about the DOM. An experiment is an `async` function of a serializable
//! config that reports through a [`Host`]: the browser app's host yields to the event loop and
//! renders events, the native tests' host just collects them.

pub mod analysis;
pub mod backend;
pub mod budget;
pub mod data;
pub mod engine;
pub mod events;
pub mod experiments;
pub mod job;
pub mod models;
pub mod params;
pub mod progress;
pub mod report;
pub mod run_file;
pub mod train;
pub mod view;

pub use backend::{BackendChoice, BackendKind};
pub use engine::EventBatch;
pub use events::{Event, Flow, Host, ModelInfo};
