//! Components shared by the experiment panels.

mod backend_line;
mod dataset_box;
mod line_chart;
mod model_table;
mod notices;
mod param_field;
mod progress;
mod run_buttons;

pub use backend_line::{backend_options, backend_title, BackendLine};
pub use dataset_box::{DataStatus, DatasetBox};
pub use line_chart::{model_series, LineChart, Series, PALETTE};
pub use model_table::ModelTable;
pub use notices::Notices;
pub use param_field::{ParamField, ParamOptions};
pub use progress::Progress;
pub use run_buttons::RunButtons;
