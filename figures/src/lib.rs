//! The experiments' figures: each chart as a plain description ([`charts`]) drawn by one
//! drawing function on any plotters backend — the page's canvas, the SVG a chart downloads as,
//! the report `mlds report` writes — and, for each experiment, which charts it shows of a run
//! ([`experiments`]). It knows nothing of the DOM, so the page and the native command draw the
//! same figures with the same code, and write the same report ([`report`]).

pub mod charts;
pub mod compare;
pub mod experiments;
pub mod report;

pub use charts::{Chart, Figure};
pub use experiments::figures_of;
