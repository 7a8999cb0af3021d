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
mod overlay;
mod scatter;
mod stacked;

pub use common::Series;
pub use common::{white_area, Area, Backend, DrawResult, PALETTE};
pub use dual_axis::DualAxis;
pub use heatmap::{Heatmap, HeatmapGrid};
pub use line::{model_colour, model_series, Line};
pub use overlay::{overlay, Compared};
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

    /// The same chart under another id and title (a compared run's, shown beside).
    pub fn renamed(mut self, id: String, title: String) -> Figure {
        each_kind!(&mut self, c => {
            c.id = id;
            c.title = title;
        });
        self
    }

    /// The caption with `runs` (which runs the chart shows) after the panel's own line.
    pub fn with_runs(mut self, runs: &str) -> Figure {
        each_kind!(&mut self, c => {
            c.caption = Some(match c.caption.take() {
                Some(line) => format!("{line} {runs}"),
                None => runs.to_owned(),
            });
        });
        self
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

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;

    fn line(points: Vec<(f64, f64)>) -> Figure {
        Figure::Line(Line {
            id: "loss".into(),
            title: "Training loss".into(),
            x_label: "epoch".into(),
            y_label: "loss".into(),
            series: Rc::new(vec![Series {
                name: "deep".into(),
                color: PALETTE[0],
                points,
                dashed: false,
            }]),
            ..Line::default()
        })
    }

    /// The texts of the SVG's `<text>` elements.
    fn texts(svg: &str) -> Vec<&str> {
        svg.split("<text")
            .skip(1)
            .map(|t| {
                let t = &t[t.find('>').unwrap() + 1..];
                t[..t.find("</text>").unwrap()].trim()
            })
            .collect()
    }

    /// The points of the series' line: the polyline in the first palette colour (the axes
    /// and grid lines are polylines too, in black and greys).
    fn polyline(svg: &str) -> Vec<(f64, f64)> {
        let stroke = "stroke=\"#0072B2\"";
        let start = svg
            .match_indices("<polyline")
            .map(|(i, _)| i)
            .find(|&i| svg[i..].split('>').next().unwrap().contains(stroke))
            .expect("the series' polyline");
        let points = &svg[start..];
        let points = &points[points.find("points=\"").unwrap() + 8..];
        let points = &points[..points.find('"').unwrap()];
        points
            .split_whitespace()
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn a_line_is_drawn_through_its_points_in_order() {
        // y = x on [0, 4]: the drawn points are evenly spaced and rise on the page (y falls).
        let svg = line((0..5).map(|i| (i as f64, i as f64)).collect())
            .svg()
            .unwrap();
        assert!(svg.starts_with("<svg width=\"560\" height=\"340\""));
        let texts = texts(&svg);
        assert!(
            texts.contains(&"Training loss") && texts.contains(&"deep"),
            "{texts:?}"
        );
        let drawn = polyline(&svg);
        assert_eq!(drawn.len(), 5);
        let dx: Vec<f64> = drawn.windows(2).map(|w| w[1].0 - w[0].0).collect();
        let dy: Vec<f64> = drawn.windows(2).map(|w| w[1].1 - w[0].1).collect();
        assert!(
            dx.iter().all(|&d| d > 0.0 && (d - dx[0]).abs() <= 1.0),
            "{dx:?}"
        );
        assert!(
            dy.iter().all(|&d| d < 0.0 && (d - dy[0]).abs() <= 1.0),
            "{dy:?}"
        );
        // Points that cannot be drawn are left out, not drawn at 0.
        let svg = line(vec![(0.0, 1.0), (1.0, f64::NAN), (2.0, 3.0)])
            .svg()
            .unwrap();
        assert_eq!(polyline(&svg).len(), 2);
        // On a log axis a point at y ≤ 0 is left out too, wherever its x: a fuzzed run file
        // put one at x = 1e300, past the range framed on the others, and plotters' pixel
        // arithmetic overflowed (a panic in a debug build).
        let mut log = line(vec![(1.0, 1.0), (1e300, -1e300), (2.0, 3.0), (3.0, 2.0)]);
        if let Figure::Line(l) = &mut log {
            l.log_y = true;
        }
        assert_eq!(polyline(&log.svg().unwrap()).len(), 3);
    }

    #[test]
    fn nothing_to_plot_draws_the_title_alone() {
        let svg = line(Vec::new()).svg().unwrap();
        assert_eq!(texts(&svg), ["Training loss"]);
        assert!(!svg.contains("<polyline"));
        assert_eq!(line(Vec::new()).size(), Line::SIZE);
    }

    #[test]
    fn a_log_axis_over_less_than_a_decade_still_has_ticks_that_read_as_values() {
        // Sensitivities 0.02…0.08 against batch sizes: ticks on the swept powers of two, and
        // 1-2-5 values on the y axis (plotters' own log ticks leave none there).
        let points = [(16.0, 0.08), (256.0, 0.03), (4096.0, 0.02)];
        let figure = Figure::Scatter(Scatter {
            id: "sensitivity".into(),
            title: "Sensitivity vs batch size".into(),
            log_x: true,
            log_y: true,
            series: Rc::new(vec![ScatterSeries {
                name: "loss gradient".into(),
                color: PALETTE[0],
                points: points
                    .iter()
                    .map(|&(x, y)| ScatterPoint::at(x, y))
                    .collect(),
                joined: true,
                hollow: false,
            }]),
            ..Scatter::default()
        });
        let svg = figure.svg().unwrap();
        let texts = texts(&svg);
        for label in ["16", "256", "4096", "0.02", "0.05"] {
            assert!(texts.contains(&label), "{label} in {texts:?}");
        }
    }

    #[test]
    fn a_figure_gives_its_data_and_words() {
        let figure = line(vec![(1.0, 0.5), (2.0, 0.25)]);
        assert_eq!(figure.csv(), "series,x,y\ndeep,1,0.5\ndeep,2,0.25\n");
        assert_eq!(figure.id(), "loss");
        assert!(
            figure.description().contains("deep"),
            "{}",
            figure.description()
        );
    }
}
