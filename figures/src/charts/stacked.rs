//! Two line panels stacked on one canvas over the same x axis, e.g. gradient norm above loss
//! against iteration: reading one off against the other needs the x positions to line up
//! exactly, which two separate charts with their own ranges would not give.

use std::rc::Rc;

use super::common::{
    padded, series_bounds, shared_x, title_only, Area, Backend, Bounds, DrawResult,
};
use super::csv::curves_csv;
use super::line::{line_panel, Panel};
use super::{describe, Chart, Series};

#[derive(Clone, Debug, PartialEq)]
pub struct Stacked {
    pub id: String,
    pub title: String,
    /// Under the bottom panel only: the panels share the x axis.
    pub x_label: String,
    pub top_label: String,
    pub bottom_label: String,
    pub top: Rc<Vec<Series>>,
    pub bottom: Rc<Vec<Series>>,
    pub log_y_top: bool,
    pub log_y_bottom: bool,
    /// The panel's line for the figure's caption.
    pub caption: Option<String>,
}

impl Chart for Stacked {
    const SIZE: (u32, u32) = (560, 460);

    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult {
        draw(root, self)
    }

    fn csv(&self) -> String {
        fn panel<'a>(label: &str, s: &'a Series) -> (String, &'a [(f64, f64)]) {
            (format!("{label}: {}", s.name), &s.points)
        }
        curves_csv(
            self.top
                .iter()
                .map(|s| panel(&self.top_label, s))
                .chain(self.bottom.iter().map(|s| panel(&self.bottom_label, s))),
        )
    }

    fn description(&self) -> String {
        let panel = |label: &str, series: &[Series]| {
            let curves = series.iter().map(|s| (s.name.as_str(), &s.points[..]));
            describe::curves(label, &self.x_label, label, curves)
        };
        format!(
            "{}. Top: {} Bottom: {}",
            self.title,
            panel(&self.top_label, &self.top),
            panel(&self.bottom_label, &self.bottom)
        )
    }
}

/// Height of the top panel, chosen so both plots get the same height: the top panel also holds
/// the title (16 px text plus 2×5 px padding), the bottom one the 36 px x-label area, and
/// (460 + 26 − 36) / 2 = 225.
const TOP_HEIGHT: i32 = 225;

fn draw<DB: Backend>(root: &Area<DB>, chart: &Stacked) -> DrawResult {
    let Stacked {
        title,
        x_label,
        top_label,
        bottom_label,
        ..
    } = chart;
    let (log_top, log_bottom) = (chart.log_y_top, chart.log_y_bottom);
    let (top, bottom) = (&chart.top[..], &chart.bottom[..]);
    // One x range over both panels: that is what makes them line up.
    let [top_bounds, bottom_bounds] = [(top, log_top), (bottom, log_bottom)].map(series_bounds);
    let Some((x0, mut x1)) = shared_x(&[top_bounds, bottom_bounds]) else {
        return title_only(root, title);
    };
    if x1 - x0 < 1e-12 {
        x1 = x0 + 1.0;
    }
    // A panel with nothing to draw yet still gets its frame, over a nominal y range.
    let y_range = |b: Option<Bounds>, log: bool| match b {
        Some(b) => padded(b.y.0, b.y.1, log),
        None if log => (1.0, 10.0),
        None => (0.0, 1.0),
    };
    let (upper, lower) = root.split_vertically(TOP_HEIGHT);
    let top_panel = Panel {
        caption: Some(title),
        x_label: None,
        y_label: top_label,
        log_y: log_top,
    };
    line_panel(
        &upper,
        &top_panel,
        x0..x1,
        y_range(top_bounds, log_top),
        top,
    )?;
    let bottom_panel = Panel {
        caption: None,
        x_label: Some(x_label),
        y_label: bottom_label,
        log_y: log_bottom,
    };
    line_panel(
        &lower,
        &bottom_panel,
        x0..x1,
        y_range(bottom_bounds, log_bottom),
        bottom,
    )?;
    root.present()?;
    Ok(())
}
