//! Components shared by the experiment panels.

mod backend_line;
mod chart;
mod dataset_box;
mod draft_input;
mod export;
mod figure;
mod function_field;
mod model_table;
mod notices;
mod open_run;
mod param_field;
mod presets;
mod progress;
mod run_buttons;
mod runs_list;
mod scatter;
mod smoothing;

pub use backend_line::{backend_options, backend_title, BackendLine, WorkersNotice};
pub use chart::warm_text;
pub use dataset_box::{DataStatus, DatasetBox};
pub use draft_input::DraftInput;
pub(crate) use export::save_text;
pub use figure::{figures_html, use_compared, FigureView, Figures};
pub use function_field::FunctionField;
pub use model_table::ModelTable;
pub use notices::Notices;
pub use open_run::{is_run_file, OpenRun, SectionRead};
pub use param_field::{ParamField, ParamOptions};
pub use presets::{Preset, Presets};
pub use progress::Progress;
pub use run_buttons::RunButtons;
pub use runs_list::RunsList;
pub use scatter::ScatterChart;
pub use smoothing::Smoothing;
