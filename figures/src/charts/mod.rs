//! The kinds of chart, each a plain description (its texts, axes and data) that draws itself on
//! any plotters backend and gives its data as CSV and in words: [`Line`], [`Stacked`],
//! [`DualAxis`], [`Heatmap`] and [`Scatter`]. [`Figure`] is any one of them.

mod common;
mod csv;
mod describe;
mod dual_axis;
mod heatmap;
mod line;
mod log_axis;
mod scatter;
mod stacked;

pub use common::{Area, Backend, DrawResult, PALETTE};
pub use dual_axis::DualAxis;
pub use heatmap::{Heatmap, HeatmapGrid};
pub use line::{model_series, Line, Series};
pub use scatter::{nearest, tip_text, Hit, Scatter, ScatterPoint, ScatterSeries, PICK_RADIUS};
pub use stacked::Stacked;

use plotters::backend::SVGBackend;

/// What every kind of chart does.
pub trait Chart {
    /// Its size in pixels (the page's canvas, the SVG's size).
    const SIZE: (u32, u32);
    /// Draws it in `root` (the whole drawing area, cleared to white).
    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult;
    /// Its data as CSV text.
    fn csv(&self) -> String;
    /// The chart in words, from its data: its text alternative.
    fn description(&self) -> String;
}

/// One chart of a figure list: what the page draws on a canvas and the report as SVG.
#[derive(Clone, Debug, PartialEq)]
pub enum Figure {
    Line(Line),
    Stacked(Stacked),
    DualAxis(DualAxis),
    Heatmap(Heatmap),
    Scatter(Scatter),
}

/// `$body` with `$chart` bound to the figure's chart, whatever its kind.
macro_rules! each_kind {
    ($figure:expr, $chart:ident => $body:expr) => {
        match $figure {
            Figure::Line($chart) => $body,
            Figure::Stacked($chart) => $body,
            Figure::DualAxis($chart) => $body,
            Figure::Heatmap($chart) => $body,
            Figure::Scatter($chart) => $body,
        }
    };
}

/// The size of a chart of kind `C` (a const cannot be read through a match arm's binding).
fn size_of<C: Chart>(_: &C) -> (u32, u32) {
    C::SIZE
}

impl Figure {
    /// Its element id, and the name of its downloads.
    pub fn id(&self) -> &str {
        each_kind!(self, c => &c.id)
    }

    pub fn title(&self) -> &str {
        each_kind!(self, c => &c.title)
    }

    /// The panel's own line for the caption (a finding, which run is shown), if any.
    pub fn caption(&self) -> Option<&str> {
        each_kind!(self, c => c.caption.as_deref())
    }

    pub fn size(&self) -> (u32, u32) {
        each_kind!(self, c => size_of(c))
    }

    pub fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult {
        each_kind!(self, c => c.draw(root))
    }

    pub fn csv(&self) -> String {
        each_kind!(self, c => c.csv())
    }

    pub fn description(&self) -> String {
        each_kind!(self, c => c.description())
    }

    /// The chart as an SVG document of its size.
    pub fn svg(&self) -> Result<String, Box<dyn std::error::Error>> {
        svg_document(self.size(), |root| self.draw(root))
    }
}

/// What `draw` draws, as an SVG document of `size` pixels.
pub fn svg_document(
    size: (u32, u32),
    draw: impl Fn(&Area<SVGBackend>) -> DrawResult,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut text = String::new();
    {
        let root = common::white_area(SVGBackend::with_string(&mut text, size))?;
        draw(&root)?;
        root.present()?;
    }
    Ok(text)
}

/// Clears `backend` to white and gives it as a chart's drawing area.
pub use common::white_area;
