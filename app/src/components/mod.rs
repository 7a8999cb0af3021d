//! Components shared by the experiment panels.

mod line_chart;
mod param_field;
mod progress;
mod run_buttons;

pub use line_chart::{LineChart, Series, PALETTE};
pub use param_field::{ParamField, ParamOptions};
pub use progress::Progress;
pub use run_buttons::RunButtons;
