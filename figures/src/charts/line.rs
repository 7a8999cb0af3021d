//! A line chart: curves over one x axis (losses per epoch, predictions over x), each with its
//! markers, optionally on a log y axis.

use std::ops::Range;
use std::rc::Rc;

use mlds_core::engine::seeds::{seed_groups, split_seed};
use mlds_core::ModelInfo;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use super::common::{
    bounds, draw_legend, log_safe, marker, marker_points, padded, plottable, tick, title_only,
    Area, Backend, Bounds, DrawResult, Series, PALETTE,
};
use super::csv::curves_csv;
use super::{describe, Chart};

/// One series per model, coloured in model order; the seeds of one model (`seeds=k`) share
/// its colour, the first drawn solid and the others dashed.
pub fn model_series(models: &[ModelInfo], points: &[Vec<(f64, f64)>]) -> Rc<Vec<Series>> {
    Rc::new(
        models
            .iter()
            .zip(points)
            .enumerate()
            .map(|(i, (m, p))| Series {
                name: m.name.clone(),
                color: PALETTE[model_colour(models, i) % PALETTE.len()],
                points: p.clone(),
                dashed: split_seed(&m.name).1.is_some_and(|s| s > 0),
            })
            .collect(),
    )
}

/// Model `i`'s colour index: its model's place among the models (its seeds share it).
pub fn model_colour(models: &[ModelInfo], i: usize) -> usize {
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    seed_groups(&names)
        .iter()
        .position(|(_, runs)| runs.contains(&i))
        .unwrap_or(i)
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Line {
    pub id: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_y: bool,
    pub series: Rc<Vec<Series>>,
    /// The panel's line for the figure's caption.
    pub caption: Option<String>,
}

impl Chart for Line {
    const SIZE: (u32, u32) = (560, 340);

    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult {
        draw(
            root,
            &self.title,
            &self.x_label,
            &self.y_label,
            self.log_y,
            &self.series,
        )
    }

    fn csv(&self) -> String {
        curves_csv(
            self.series
                .iter()
                .map(|s| (s.name.clone(), s.points.as_slice())),
        )
    }

    fn description(&self) -> String {
        let curves = self.series.iter().map(|s| (s.name.as_str(), &s.points[..]));
        describe::curves(&self.title, &self.x_label, &self.y_label, curves)
    }
}

/// How one panel of lines is framed: [`LineChart`] draws one, [`super::StackedChart`] two that
/// share the x axis (only the bottom one with x labels).
pub(crate) struct Panel<'a> {
    /// Drawn above the plot when given.
    pub caption: Option<&'a str>,
    /// The x axis description; `None` leaves out the x tick labels and their area as well.
    pub x_label: Option<&'a str>,
    pub y_label: &'a str,
    pub log_y: bool,
}

fn draw<DB: Backend>(
    root: &Area<DB>,
    title: &str,
    x_label: &str,
    y_label: &str,
    log_y: bool,
    series: &[Series],
) -> DrawResult {
    let points = series.iter().flat_map(|s| s.points.iter().copied());
    let Some(Bounds { x: (x0, mut x1), y }) = bounds(points, log_y) else {
        return title_only(root, title);
    };
    if x1 - x0 < 1e-12 {
        x1 = x0 + 1.0;
    }
    let panel = Panel {
        caption: Some(title),
        x_label: Some(x_label),
        y_label,
        log_y,
    };
    line_panel(root, &panel, x0..x1, padded(y.0, y.1, log_y), series)?;
    root.present()?;
    Ok(())
}

/// Draws `series` as lines in `area` over `x_range` and `y_range` (log-scaled when the panel
/// says so), with the legend.
pub(crate) fn line_panel<DB: Backend>(
    area: &Area<DB>,
    panel: &Panel,
    x_range: Range<f64>,
    (y0, y1): (f64, f64),
    series: &[Series],
) -> DrawResult {
    if panel.log_y {
        let (y0, y1) = log_safe((y0, y1));
        plot(area, panel, x_range, (y0..y1).log_scale(), series)
    } else {
        plot(area, panel, x_range, y0..y1, series)
    }
}

fn plot<DB: Backend, Y>(
    area: &Area<DB>,
    panel: &Panel,
    x_range: Range<f64>,
    y_range: Y,
    series: &[Series],
) -> DrawResult
where
    Y: AsRangedCoord<Value = f64>,
    <Y as AsRangedCoord>::CoordDescType: ValueFormatter<f64>,
{
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(8)
        .x_label_area_size(if panel.x_label.is_some() { 36 } else { 0 })
        .y_label_area_size(64);
    if let Some(caption) = panel.caption {
        builder.caption(caption, ("sans-serif", 16));
    }
    let mut chart = builder.build_cartesian_2d(x_range, y_range)?;
    let x_tick = |v: &f64| tick(*v, false);
    let y_tick = |v: &f64| tick(*v, panel.log_y);
    let mut mesh = chart.configure_mesh();
    mesh.y_desc(panel.y_label)
        .x_label_formatter(&x_tick)
        .y_label_formatter(&y_tick)
        .light_line_style(RGBColor(235, 235, 235));
    if let Some(x_label) = panel.x_label {
        mesh.x_desc(x_label);
    }
    mesh.draw()?;
    for (i, s) in series.iter().enumerate() {
        let style = ShapeStyle::from(&s.color).stroke_width(2);
        let points: Vec<(f64, f64)> = s
            .points
            .iter()
            .copied()
            // The points the range was framed on (see `bounds`): one left out of it, e.g. at
            // y ≤ 0 on a log axis, may lie anywhere on x, past what plotters' pixels can hold.
            .filter(|&(x, y)| x.is_finite() && plottable(y, panel.log_y))
            .collect();
        let drawn = match s.dashed {
            true => chart.draw_series(DashedLineSeries::new(points.clone(), 6, 4, style))?,
            false => chart.draw_series(LineSeries::new(points.clone(), style))?,
        };
        drawn
            .label(s.name.clone())
            .legend(move |(x, y)| marker(i, (x + 8, y), 3, style.filled(), Some((8, style))));
        // Markers along each curve: curves differ in shape, not only colour.
        let marks = marker_points(&points, i).map(|p| marker(i, p, 3, style.filled(), None));
        chart.draw_series(marks)?;
    }
    if series.is_empty() {
        // An empty panel of a stacked chart: no empty legend box.
        return Ok(());
    }
    draw_legend(&mut chart)
}
