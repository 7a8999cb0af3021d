//! What the charts share, kept in one place so they look and behave alike: the model colours
//! and marker shapes, tick text, axis ranges, the legend and the drawing backends. Every chart
//! draws through [`Backend`], so one drawing function fills the page's canvas, the SVG
//! download and the native report's SVG.

use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

/// Model colours, in model order (the ground truth is drawn in black): Okabe & Ito's palette,
/// made to stay distinguishable with the common colour-vision deficiencies, its yellow darkened
/// for white paper. Colour is never the only cue: series also differ by [`marker`] shape.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(96, 96, 96),    // grey
    RGBColor(160, 140, 0),   // dark yellow
];

/// How many marker shapes [`marker`] cycles through.
pub const MARKER_SHAPES: usize = 5;

/// One curve of a line chart: its points, name and colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub color: RGBColor,
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed (a reference or extrapolated curve).
    pub dashed: bool,
}

/// Series `index`'s marker at `at`: a circle, triangle, square, diamond or cross, so series
/// differ in shape as well as colour (a colour-blind reader, a grey print). `line`, a half
/// width and style, adds a short line through it (a line chart's legend entry).
pub fn marker<C>(
    index: usize,
    at: C,
    size: i32,
    style: ShapeStyle,
    line: Option<(i32, ShapeStyle)>,
) -> Marker<C> {
    Marker {
        at,
        shape: index % MARKER_SHAPES,
        size,
        style,
        line,
    }
}

/// How many markers a curve carries (fewer when it has fewer points).
const MARKERS_PER_CURVE: usize = 6;

/// Where series `index`'s markers go along its curve: about [`MARKERS_PER_CURVE`] of its
/// points (every point of a short curve, so a lone first point shows), shifted per series so
/// that curves lying on each other still show all their markers.
pub fn marker_points(points: &[(f64, f64)], index: usize) -> impl Iterator<Item = (f64, f64)> + '_ {
    let step = (points.len() / MARKERS_PER_CURVE).max(1);
    let first = (index * step / MARKER_SHAPES) % step;
    points.iter().copied().skip(first).step_by(step)
}

/// A plotters element: one [`marker`].
pub struct Marker<C> {
    at: C,
    shape: usize,
    size: i32,
    style: ShapeStyle,
    line: Option<(i32, ShapeStyle)>,
}

impl<'a, C> PointCollection<'a, C> for &'a Marker<C> {
    type Point = &'a C;
    type IntoIter = std::iter::Once<&'a C>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<C, DB: DrawingBackend> Drawable<DB> for Marker<C> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = points.next() else {
            return Ok(());
        };
        if let Some((half, style)) = &self.line {
            backend.draw_line((x - half, y), (x + half, y), style)?;
        }
        let (s, style) = (self.size, &self.style);
        // Outlines of a polygon: a filled one is filled, an open one drawn round.
        let mut polygon = |corners: Vec<BackendCoord>| match style.filled {
            true => backend.fill_polygon(corners, style),
            false => backend.draw_path(corners.iter().chain(&corners[..1]).copied(), style),
        };
        match self.shape {
            0 => backend.draw_circle((x, y), s as u32, style, style.filled),
            1 => polygon(vec![(x, y - s - 1), (x + s + 1, y + s), (x - s - 1, y + s)]),
            2 => backend.draw_rect((x - s, y - s), (x + s, y + s), style, style.filled),
            3 => polygon(vec![
                (x, y - s - 1),
                (x + s + 1, y),
                (x, y + s + 1),
                (x - s - 1, y),
            ]),
            _ => {
                let thick = style.stroke_width(2);
                backend.draw_line((x - s, y - s), (x + s, y + s), &thick)?;
                backend.draw_line((x - s, y + s), (x + s, y - s), &thick)
            }
        }
    }
}

pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// A plotters backend a chart can be drawn on: the canvas, or an SVG document for the download.
/// (`'static` errors convert into [`DrawResult`]'s boxed error.)
pub trait Backend: DrawingBackend<ErrorType: 'static> {}

impl<DB: DrawingBackend<ErrorType: 'static>> Backend for DB {}

/// A whole chart's drawing area on some backend.
pub type Area<DB> = DrawingArea<DB, Shift>;

/// The whole of `backend` as a plotters drawing area, cleared to white.
pub fn white_area<DB: Backend>(backend: DB) -> Result<Area<DB>, Box<dyn std::error::Error>> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    Ok(root)
}

/// Nothing to plot yet: an empty frame with the title, so the chart's place stays visible.
pub fn title_only<DB: Backend>(root: &Area<DB>, title: &str) -> DrawResult {
    root.titled(title, ("sans-serif", 16))?;
    Ok(root.present()?)
}

/// Tick text: `1e-3` on log axes; elsewhere three significant digits without trailing zeros
/// (ticks 0.005 apart stay distinct: `0.505`, `0.51`), exponents outside [1e-3, 1e5).
pub fn tick(v: f64, log: bool) -> String {
    let a = v.abs();
    if log {
        format!("{v:.0e}")
    } else if a < 1e-12 {
        "0".into()
    } else if (1e-3..1e5).contains(&a) {
        let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
        let text = format!("{v:.decimals$}");
        match text.contains('.') {
            true => text.trim_end_matches('0').trim_end_matches('.').to_string(),
            false => text,
        }
    } else {
        format!("{v:.1e}")
    }
}

/// An axis range and how its tick values are written.
pub type Axis<R> = (R, fn(f64) -> String);

/// A value as short text with about three significant digits (colour-bar ends).
pub fn short(v: f64) -> String {
    if v == 0.0 || (1e-2..1e4).contains(&v.abs()) {
        format!("{:.3}", v)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        format!("{v:.2e}")
    }
}

/// The extent of some points, `x` and `y` as `(min, max)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    pub x: (f64, f64),
    pub y: (f64, f64),
}

/// The extent of a group of series' drawable points (see [`bounds`]).
pub fn series_bounds((series, log_y): (&[Series], bool)) -> Option<Bounds> {
    bounds(series.iter().flat_map(|s| s.points.iter().copied()), log_y)
}

/// One x range over several groups' bounds (the sides of a dual-axis chart, the panels of a
/// stacked one, which share their x axis); `None` when no group has a point.
pub fn shared_x(groups: &[Option<Bounds>]) -> Option<(f64, f64)> {
    groups
        .iter()
        .flatten()
        .map(|b| b.x)
        .reduce(|(a0, a1), (b0, b1)| (a0.min(b0), a1.max(b1)))
}

/// Whether a y value can be drawn: finite, and positive on a log axis.
pub fn plottable(y: f64, log: bool) -> bool {
    y.is_finite() && (!log || y > 0.0)
}

/// The extent of the drawable points (see [`plottable`]), `None` when there are none.
pub fn bounds(points: impl IntoIterator<Item = (f64, f64)>, log_y: bool) -> Option<Bounds> {
    points
        .into_iter()
        .filter(|&(x, y)| x.is_finite() && plottable(y, log_y))
        .fold(None, |b, (x, y)| {
            Some(match b {
                None => Bounds {
                    x: (x, x),
                    y: (y, y),
                },
                Some(Bounds {
                    x: (x0, x1),
                    y: (y0, y1),
                }) => Bounds {
                    x: (x0.min(x), x1.max(x)),
                    y: (y0.min(y), y1.max(y)),
                },
            })
        })
}

/// Air around a value range so points do not sit on the frame: a factor 1.25 on log axes,
/// 8% of the span on linear ones.
pub fn padded(lo: f64, hi: f64, log: bool) -> (f64, f64) {
    if log {
        log_safe((lo * 0.8, hi * 1.25))
    } else {
        let pad = ((hi - lo) * 0.08).max(1e-6);
        (lo - pad, hi + pad)
    }
}

/// The most decades a log axis spans: beyond them a point is off the chart (a run file may
/// hold any numbers; no training curve spans 30 decades).
const MAX_DECADES: f64 = 30.0;

/// A log range plotters can draw: positive, normal and finite, at most [`MAX_DECADES`] wide
/// below its top. (Plotters' log ticks loop for ever from a start of 0, as from a subnormal
/// one padded down to 0.)
pub fn log_safe((lo, hi): (f64, f64)) -> (f64, f64) {
    let hi = match hi.is_finite() {
        true => hi.clamp(f64::MIN_POSITIVE * 1e3, f64::MAX / 16.0),
        false => f64::MAX / 16.0,
    };
    let floor = (hi / 10f64.powf(MAX_DECADES)).max(f64::MIN_POSITIVE);
    // A drawable range is left as it is; only a bottom at or beyond the floor, or not below
    // the top, is moved.
    let lo = match lo.is_finite() && lo > floor {
        true if lo < hi => lo,
        true => hi / 2.0,
        false => floor,
    };
    (lo, hi)
}

/// A linear range that is not a single value: a lone point gets a span around it, centred,
/// with readable ticks (unlike the 1e-6 of [`padded`]).
pub fn widened(lo: f64, hi: f64) -> (f64, f64) {
    if hi - lo < 1e-12 {
        let half = (lo.abs() * 0.1).max(0.5);
        (lo - half, hi + half)
    } else {
        (lo, hi)
    }
}

/// The legend box every chart uses, in the upper right.
pub fn draw_legend<'a, DB: Backend + 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> DrawResult {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_range_is_made_drawable_and_a_drawable_one_is_left_alone() {
        // A narrow range of losses stays as it is.
        assert_eq!(log_safe((0.4, 0.75)), (0.4, 0.75));
        // A bottom of 0 (plotters' ticks loop for ever from it) or a subnormal one is lifted
        // to 30 decades below the top.
        let (lo, hi) = log_safe((0.0, 1.0));
        assert_eq!(hi, 1.0);
        assert!((lo - 1e-30).abs() < 1e-40, "{lo}");
        assert_eq!(log_safe((5e-324, 1.0)), (lo, hi));
        // Not finite, or upside down: still a range with its bottom below its top.
        let (lo, hi) = log_safe((f64::NAN, f64::INFINITY));
        assert!(lo > 0.0 && lo < hi && hi.is_finite());
        assert_eq!(log_safe((2.0, 1.0)), (0.5, 1.0));
    }

    #[test]
    fn bounds_skip_unplottable_points() {
        let pts = [
            (0.0, 1.0),
            (f64::NAN, 5.0),
            (2.0, f64::INFINITY),
            (3.0, -1.0),
        ];
        let b = bounds(pts, false).unwrap();
        assert_eq!((b.x, b.y), ((0.0, 3.0), (-1.0, 1.0)));
        let b = bounds(pts, true).unwrap();
        assert_eq!((b.x, b.y), ((0.0, 0.0), (1.0, 1.0)));
        assert_eq!(bounds([(1.0, 0.0)], true), None);
    }

    #[test]
    fn ranges_and_text() {
        assert_eq!(widened(2.0, 2.0), (1.5, 2.5));
        assert_eq!(widened(1.0, 3.0), (1.0, 3.0));
        assert_eq!(padded(0.0, 10.0, false), (-0.8, 10.8));
        assert_eq!(tick(3.0, false), "3");
        assert_eq!(tick(0.505, false), "0.505");
        assert_eq!(tick(0.51, false), "0.51");
        assert_eq!(tick(2000.0, false), "2000");
        assert_eq!(tick(-12.5, false), "-12.5");
        assert_eq!(tick(0.001, true), "1e-3");
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(12.5), "12.5");
        assert_eq!(short(0.00123), "1.23e-3");
    }
}
