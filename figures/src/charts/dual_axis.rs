//! Two quantities in different units over one x axis, each against its own y axis: e.g. train
//! and test cross-entropy (log scale, left) with train and test accuracy (0…1, right) against
//! α. One plot rather than two keeps the x positions identical, so where the loss turns and
//! where the accuracy moves can be read off against each other directly.

use std::ops::Range;
use std::rc::Rc;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use super::common::{
    draw_legend, marker, marker_points, padded, plottable, series_bounds, shared_x, tick,
    title_only, widened, Area, Axis, Backend, Bounds, DrawResult,
};
use super::csv::curves_csv;
use super::log_axis::{log_axis, log_extent};
use super::{describe, Chart, Series};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DualAxis {
    pub id: String,
    pub title: String,
    pub x_label: String,
    pub left_label: String,
    pub right_label: String,
    /// Drawn against the left y axis.
    pub left: Rc<Vec<Series>>,
    /// Drawn against the right y axis; listed in the legend with " (right)".
    pub right: Rc<Vec<Series>>,
    /// Log-scaled left axis (e.g. cross-entropy); points with y ≤ 0 are left out. Its ticks
    /// read as values (`0.05 0.1 0.2 0.5 1`), as on [`super::Scatter`]'s log x axis.
    pub log_left: bool,
    /// As `log_left`, for the right axis.
    pub log_right: bool,
    /// The least the right axis spans, e.g. `Some((0.0, 1.0))` for accuracy, so its scale does
    /// not jump about while a sweep fills in; data beyond it widens it. `None` fits the data.
    pub right_range: Option<(f64, f64)>,
    /// The panel's line for the figure's caption.
    pub caption: Option<String>,
}

impl Chart for DualAxis {
    const SIZE: (u32, u32) = (560, 400);

    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult {
        draw(root, self)
    }

    fn csv(&self) -> String {
        fn side<'a>(axis: &str, s: &'a Series) -> (String, &'a [(f64, f64)]) {
            (format!("{} ({axis})", s.name), &s.points)
        }
        curves_csv(
            self.left
                .iter()
                .map(|s| side("left", s))
                .chain(self.right.iter().map(|s| side("right", s))),
        )
    }

    fn description(&self) -> String {
        let side = |label: &String, series: &[Series]| {
            let curves = series.iter().map(|s| (s.name.as_str(), &s.points[..]));
            describe::curves(label, &self.x_label, label, curves)
        };
        format!(
            "{}. Left axis: {} Right axis: {}",
            self.title,
            side(&self.left_label, &self.left),
            side(&self.right_label, &self.right)
        )
    }
}

/// One side: its series, its axis description, whether it is log-scaled.
struct Side<'a> {
    series: &'a [Series],
    label: &'a str,
    log: bool,
}

fn draw<DB: Backend>(root: &Area<DB>, chart: &DualAxis) -> DrawResult {
    let DualAxis {
        title,
        x_label,
        left_label,
        right_label,
        log_left,
        log_right,
        right_range,
        ..
    } = chart;
    let (log_left, log_right, right_range) = (*log_left, *log_right, *right_range);
    let (left, right) = (&chart.left[..], &chart.right[..]);
    // One x range over both sides' points.
    let [left_bounds, right_bounds] = [(left, log_left), (right, log_right)].map(series_bounds);
    let Some((x0, x1)) = shared_x(&[left_bounds, right_bounds]) else {
        return title_only(root, title);
    };
    // A lone α (the first of a sweep) in the middle, where its dot is seen whole.
    let (x0, x1) = widened(x0, x1);
    let left_y = y_extent(left_bounds, log_left, None);
    let right_y = y_extent(right_bounds, log_right, right_range);
    let left = Side {
        series: left,
        label: left_label,
        log: log_left,
    };
    let right = Side {
        series: right,
        label: right_label,
        log: log_right,
    };
    let frame = Frame {
        title,
        x_label,
        x_range: x0..x1,
    };
    if log_left {
        with_right(
            root,
            &frame,
            log_axis(left_y, false),
            &left,
            &right,
            right_y,
        )?;
    } else {
        with_right(root, &frame, linear(left_y), &left, &right, right_y)?;
    }
    root.present()?;
    Ok(())
}

/// A y axis range: the data's extent padded (a side with no points yet gets a nominal range, so
/// the other side still draws), or `fixed` when that is usable on this scale, grown to cover
/// the data: a fixed range stays exact (accuracy 0…1, not -0.08…1.08) while the data fit.
fn y_extent(b: Option<Bounds>, log: bool, fixed: Option<(f64, f64)>) -> (f64, f64) {
    let fixed = fixed.filter(|&(lo, hi)| plottable(lo, log) && plottable(hi, log) && lo < hi);
    match (fixed, b) {
        (Some((lo, hi)), Some(b)) => (lo.min(b.y.0), hi.max(b.y.1)),
        (Some(range), None) => range,
        (None, Some(b)) if log => log_extent(b.y),
        (None, Some(b)) => {
            let (lo, hi) = widened(b.y.0, b.y.1);
            padded(lo, hi, false)
        }
        (None, None) if log => (0.1, 10.0),
        (None, None) => (0.0, 1.0),
    }
}

/// A linear axis over `(lo, hi)` with the usual tick text.
fn linear((lo, hi): (f64, f64)) -> Axis<Range<f64>> {
    (lo..hi, |v| tick(v, false))
}

/// The title, the x axis description and the shared x range.
struct Frame<'a> {
    title: &'a str,
    x_label: &'a str,
    x_range: Range<f64>,
}

fn with_right<DB: Backend, L>(
    root: &Area<DB>,
    frame: &Frame,
    left_axis: Axis<L>,
    left: &Side,
    right: &Side,
    right_y: (f64, f64),
) -> DrawResult
where
    L: AsRangedCoord<Value = f64>,
    <L as AsRangedCoord>::CoordDescType: ValueFormatter<f64>,
{
    if right.log {
        plot(
            root,
            frame,
            (left_axis, log_axis(right_y, false)),
            left,
            right,
        )
    } else {
        plot(root, frame, (left_axis, linear(right_y)), left, right)
    }
}

fn plot<DB: Backend, L, R>(
    root: &Area<DB>,
    frame: &Frame,
    ((left_range, left_text), (right_range, right_text)): (Axis<L>, Axis<R>),
    left: &Side,
    right: &Side,
) -> DrawResult
where
    L: AsRangedCoord<Value = f64>,
    <L as AsRangedCoord>::CoordDescType: ValueFormatter<f64>,
    R: AsRangedCoord<Value = f64>,
    <R as AsRangedCoord>::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .caption(frame.title, ("sans-serif", 16))
        .margin(8)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .right_y_label_area_size(64)
        .build_cartesian_2d(frame.x_range.clone(), left_range)?
        .set_secondary_coord(frame.x_range.clone(), right_range);
    let x_tick = |v: &f64| tick(*v, false);
    let left_tick = |v: &f64| left_text(*v);
    let right_tick = |v: &f64| right_text(*v);
    chart
        .configure_mesh()
        .x_desc(frame.x_label)
        .y_desc(left.label)
        .x_label_formatter(&x_tick)
        .y_label_formatter(&left_tick)
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc(right.label)
        .y_label_formatter(&right_tick)
        .draw()?;
    // Series differ by marker shape as well as colour: the right axis's shapes follow the left's.
    for (i, s) in left.series.iter().enumerate() {
        let (style, points) = (line_style(s), drawable(s, left.log));
        let drawn = match s.dashed {
            true => chart.draw_series(DashedLineSeries::new(points.clone(), 6, 4, style))?,
            false => chart.draw_series(LineSeries::new(points.clone(), style))?,
        };
        drawn
            .label(s.name.clone())
            .legend(move |(x, y)| marker(i, (x + 8, y), 3, style.filled(), Some((8, style))));
        let points: Vec<_> = points.collect();
        let marks = marker_points(&points, i).map(|p| marker(i, p, 3, style.filled(), None));
        chart.draw_series(marks)?;
    }
    let shift = left.series.len();
    for (i, s) in right.series.iter().enumerate() {
        let (style, points) = (line_style(s), drawable(s, right.log));
        let drawn = match s.dashed {
            true => {
                chart.draw_secondary_series(DashedLineSeries::new(points.clone(), 6, 4, style))?
            }
            false => chart.draw_secondary_series(LineSeries::new(points.clone(), style))?,
        };
        let m = shift + i;
        drawn
            .label(format!("{} (right)", s.name))
            .legend(move |(x, y)| marker(m, (x + 8, y), 3, style.filled(), Some((8, style))));
        let points: Vec<_> = points.collect();
        let marks = marker_points(&points, m).map(|p| marker(m, p, 3, style.filled(), None));
        chart.draw_secondary_series(marks)?;
    }
    draw_legend(&mut chart)
}

/// As in [`super::LineChart`]: a dashed series (e.g. test next to train) is drawn dashed.
fn line_style(s: &Series) -> ShapeStyle {
    ShapeStyle::from(&s.color).stroke_width(2)
}

/// The series' points that can be drawn on its axis: finite, and positive on a log one.
fn drawable(s: &Series, log: bool) -> impl Iterator<Item = (f64, f64)> + Clone + '_ {
    s.points
        .iter()
        .copied()
        .filter(move |&(x, y)| x.is_finite() && plottable(y, log))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(y: (f64, f64)) -> Option<Bounds> {
        Some(Bounds { x: (0.0, 1.0), y })
    }

    #[test]
    fn y_extent_keeps_a_fixed_range_unless_data_leave_it() {
        assert_eq!(y_extent(b((0.2, 0.9)), false, Some((0.0, 1.0))), (0.0, 1.0));
        assert_eq!(y_extent(b((0.2, 1.2)), false, Some((0.0, 1.0))), (0.0, 1.2));
        assert_eq!(y_extent(None, false, Some((0.0, 1.0))), (0.0, 1.0));
        // Not usable on a log axis: fit the data instead.
        assert_eq!(y_extent(b((0.5, 2.0)), true, Some((0.0, 1.0))), (0.4, 2.5));
        assert_eq!(y_extent(None, true, None), (0.1, 10.0));
        assert_eq!(y_extent(b((0.0, 8.0)), false, None), (-0.64, 8.64));
    }
}
