//! Components shared by the experiment panels.

mod backend_line;
mod chart;
mod dataset_box;
mod describe;
mod dual_axis;
mod export;
mod heatmap;
mod line_chart;
mod log_axis;
mod model_table;
mod notices;
mod open_run;
mod param_field;
mod presets;
mod progress;
mod run_buttons;
mod scatter;
mod smoothing;
mod stacked;

pub use backend_line::{backend_options, backend_title, BackendLine};
pub use chart::{warm_text, PALETTE};
pub use dataset_box::{DataStatus, DatasetBox};
pub use dual_axis::DualAxisChart;
pub(crate) use export::save_text;
pub use heatmap::{Heatmap, HeatmapGrid};
pub use line_chart::{model_series, LineChart, Series};
pub use model_table::ModelTable;
pub use notices::Notices;
pub use open_run::{is_run_file, OpenRun};
pub use param_field::{ParamField, ParamOptions};
pub use presets::{Preset, Presets};
pub use progress::Progress;
pub use run_buttons::RunButtons;
pub use scatter::{ScatterChart, ScatterPoint, ScatterSeries};
pub use smoothing::{smoothed, Smoothing, DEFAULT_SMOOTHING};
pub use stacked::StackedChart;
