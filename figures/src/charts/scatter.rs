//! A scatter chart: one dot per point (e.g. one per trained model), optional text beside each
//! dot, optional thin lines joining a series' points (trajectories), a highlighted selection and
//! click-to-select. Clicks are resolved against where the dots were actually drawn (pixel
//! positions kept from the last draw), so picking stays right on log axes and scaled canvases.
//! Either axis can be log-scaled: a log x axis suits sweeps over sizes (batch size 16…4096,
//! parameter count ~800…1e6), whose points would otherwise bunch up at the left.

use std::rc::Rc;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use super::common::{
    bounds, draw_legend, marker, padded, plottable, short, tick, title_only, widened, Area, Axis,
    Backend, DrawResult,
};
use super::csv::{curves_csv, spread_csv};
use super::log_axis::{log_axis, log_extent, powers_of_two};
use super::{describe, Chart};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScatterPoint {
    pub x: f64,
    pub y: f64,
    /// Small text drawn beside the dot, e.g. an accuracy "91%".
    pub label: Option<String>,
    /// Shown when the pointer rests on the dot (the canvas's tooltip), after the series name
    /// and the coordinates: what a label would say where labels would overlap.
    pub tip: Option<String>,
    /// Drawn as an outline: a point that does not count (a run that did not converge, a model
    /// that missed its training target).
    pub hollow: bool,
    /// A vertical bar of ± this much around the dot: the spread over seeds (a standard
    /// deviation), where the point is a mean.
    pub error: Option<f64>,
}

impl ScatterPoint {
    /// A plain dot at (x, y).
    pub fn at(x: f64, y: f64) -> Self {
        ScatterPoint {
            x,
            y,
            ..Self::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScatterSeries {
    pub name: String,
    pub color: RGBColor,
    pub points: Vec<ScatterPoint>,
    /// Join the points in order with a thin line (a trajectory rather than a cloud).
    pub joined: bool,
    /// Draw rings instead of dots (points that did not meet a criterion, E5).
    pub hollow: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scatter {
    pub id: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Log-scaled x axis; points with x ≤ 0 are left out. Ticks read as values (`16`, `4096`,
    /// `1e6`), on powers of two when every x is one (batch sizes): see `log_axis`.
    pub log_x: bool,
    pub log_y: bool,
    pub series: Rc<Vec<ScatterSeries>>,
    /// (series index, point index) drawn with a ring around it.
    pub selected: Option<(usize, usize)>,
    /// The panel's line for the figure's caption.
    pub caption: Option<String>,
    /// Its axes belong to this run alone (E3's principal components, fitted to its snapshots):
    /// another run's points mean nothing on them, so a compared run is shown beside it.
    pub own_axes: bool,
}

impl Chart for Scatter {
    const SIZE: (u32, u32) = (560, 400);

    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult {
        // Where the dots land matters on the page's canvas only (clicks).
        self.draw_with_hits(root, &mut Vec::new())
    }

    fn csv(&self) -> String {
        let points = |s: &ScatterSeries| s.points.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>();
        let spread = |s: &ScatterSeries| s.points.iter().map(|p| p.error).collect::<Vec<_>>();
        match self
            .series
            .iter()
            .any(|s| s.points.iter().any(|p| p.error.is_some()))
        {
            // Means with their spread: a `y_std` column beside `y`.
            true => spread_csv(
                self.series
                    .iter()
                    .map(|s| (s.name.clone(), points(s), spread(s))),
            ),
            false => curves_csv(self.series.iter().map(|s| (s.name.clone(), points(s)))),
        }
    }

    fn description(&self) -> String {
        describe::points(
            &self.title,
            &self.x_label,
            &self.y_label,
            self.series.iter().map(|s| {
                let points = s
                    .points
                    .iter()
                    .map(|p| (p.x, p.y, p.hollow || s.hollow))
                    .collect();
                (s.name.as_str(), points)
            }),
        )
    }
}

impl Scatter {
    /// Draws the chart and refills `hits` with where each drawable point landed (what a click
    /// on the page's canvas is resolved against).
    pub fn draw_with_hits<DB: Backend>(&self, root: &Area<DB>, hits: &mut Vec<Hit>) -> DrawResult {
        let scene = Scene {
            title: &self.title,
            x: &self.x_label,
            y: &self.y_label,
            log_x: self.log_x,
            log_y: self.log_y,
            series: &self.series,
            selected: self.selected,
        };
        draw(root, &scene, hits)
    }
}

/// How far from a dot (in canvas pixels) a click still picks it.
pub const PICK_RADIUS: f64 = 12.0;

/// Legends for more series than this would cover the plot.
const MAX_LEGEND: usize = 10;

/// A drawn dot: which point it is and where it landed on the canvas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub series: usize,
    pub point: usize,
    pub px: (i32, i32),
}

/// The dot nearest to canvas pixel (x, y), if within [`PICK_RADIUS`].
pub fn nearest(hits: &[Hit], x: f64, y: f64) -> Option<Hit> {
    hits.iter()
        .map(|h| {
            let (dx, dy) = (f64::from(h.px.0) - x, f64::from(h.px.1) - y);
            (h, dx * dx + dy * dy)
        })
        .filter(|&(_, d2)| d2 <= PICK_RADIUS * PICK_RADIUS)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(h, _)| *h)
}

/// A dot's tooltip: its series, coordinates and tip.
pub fn tip_text(series: &[ScatterSeries], hit: Hit) -> Option<String> {
    let s = series.get(hit.series)?;
    let p = s.points.get(hit.point)?;
    let mut text = format!("{}: ({}, {})", s.name, short(p.x), short(p.y));
    if let Some(tip) = p.tip.as_ref().or(p.label.as_ref()) {
        text.push_str(&format!(" · {tip}"));
    }
    Some(text)
}

/// What one draw shows: texts, axis scales, the points and the selection.
struct Scene<'a> {
    title: &'a str,
    x: &'a str,
    y: &'a str,
    log_x: bool,
    log_y: bool,
    series: &'a [ScatterSeries],
    selected: Option<(usize, usize)>,
}

impl Scene<'_> {
    /// Whether a point can be drawn on the scene's axes (positive where log-scaled).
    fn ok(&self, p: &ScatterPoint) -> bool {
        plottable(p.x, self.log_x) && plottable(p.y, self.log_y)
    }

    /// A drawable point's error bar, (low, high), where it has one that can be drawn: on a log
    /// axis a bar reaching 0 or below stops at a hundredth of its point.
    fn bar(&self, p: &ScatterPoint) -> Option<(f64, f64)> {
        let e = p.error.filter(|e| e.is_finite() && *e > 0.0)?;
        let (lo, hi) = (p.y - e, p.y + e);
        let lo = match self.log_y && lo <= 0.0 {
            true => p.y / 100.0,
            false => lo,
        };
        (self.ok(p) && plottable(lo, self.log_y) && plottable(hi, self.log_y)).then_some((lo, hi))
    }
}

/// Draws the chart and refills `hits` with where each drawable point landed.
fn draw<DB: Backend>(root: &Area<DB>, scene: &Scene, hits: &mut Vec<Hit>) -> DrawResult {
    hits.clear();
    // The range holds the error bars' ends too, so that no bar is cut.
    let points = scene.series.iter().flat_map(|s| {
        s.points.iter().filter(|p| scene.ok(p)).flat_map(|p| {
            let bar = scene.bar(p).map(|(lo, hi)| [(p.x, lo), (p.x, hi)]);
            std::iter::once((p.x, p.y)).chain(bar.into_iter().flatten())
        })
    });
    let Some(b) = bounds(points, scene.log_y) else {
        return title_only(root, scene.title);
    };
    // Unlike lines, dots at the very edge would be cut in half: pad x too, and give a lone
    // point (or a vertical / horizontal row of them) a span to sit in the middle of.
    if scene.log_x {
        let xs = scene.series.iter().flat_map(|s| s.points.iter());
        let xs = xs.filter(|p| scene.ok(p)).map(|p| p.x);
        with_y(
            root,
            scene,
            log_axis(log_extent(b.x), powers_of_two(xs)),
            b.y,
            hits,
        )
    } else {
        let (x0, x1) = widened(b.x.0, b.x.1);
        let (x0, x1) = padded(x0, x1, false);
        with_y(root, scene, (x0..x1, |v| tick(v, false)), b.y, hits)
    }
}

/// [`plot`] over `x` and the y extent `(y0, y1)`, padded and scaled as the scene says.
fn with_y<DB: Backend, X>(
    root: &Area<DB>,
    scene: &Scene,
    x: Axis<X>,
    (y0, y1): (f64, f64),
    hits: &mut Vec<Hit>,
) -> DrawResult
where
    X: AsRangedCoord<Value = f64>,
    <X as AsRangedCoord>::CoordDescType: ValueFormatter<f64>,
{
    // A log y axis with ticks that read as values, also over less than a decade (plotters'
    // own log ticks leave none there: sensitivities 0.02…0.08).
    if scene.log_y {
        plot(root, scene, x, log_axis(log_extent((y0, y1)), false), hits)
    } else {
        let (y0, y1) = widened(y0, y1);
        let (y0, y1) = padded(y0, y1, false);
        plot(root, scene, x, (y0..y1, |v| tick(v, false)), hits)
    }
}

fn plot<DB: Backend, X, Y>(
    root: &Area<DB>,
    scene: &Scene,
    (x_range, x_text): Axis<X>,
    (y_range, y_text): Axis<Y>,
    hits: &mut Vec<Hit>,
) -> DrawResult
where
    X: AsRangedCoord<Value = f64>,
    <X as AsRangedCoord>::CoordDescType: ValueFormatter<f64>,
    Y: AsRangedCoord<Value = f64>,
    <Y as AsRangedCoord>::CoordDescType: ValueFormatter<f64>,
{
    let series = scene.series;
    let mut chart = ChartBuilder::on(root)
        .caption(scene.title, ("sans-serif", 16))
        .margin(8)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range, y_range)?;
    let x_tick = |v: &f64| x_text(*v);
    let y_tick = |v: &f64| y_text(*v);
    chart
        .configure_mesh()
        .x_desc(scene.x)
        .y_desc(scene.y)
        .x_label_formatter(&x_tick)
        .y_label_formatter(&y_tick)
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    let ok = |p: &&ScatterPoint| scene.ok(p);
    // Joining lines first, so every dot sits on top of them.
    for s in series.iter().filter(|s| s.joined) {
        let line = s.points.iter().filter(ok).map(|p| (p.x, p.y));
        chart.draw_series(LineSeries::new(line, s.color.mix(0.6).stroke_width(1)))?;
    }
    // Error bars next, under the dots: a vertical line with short caps.
    for s in series.iter() {
        let bars = s.points.iter().filter_map(|p| Some((p.x, scene.bar(p)?)));
        for (x, (lo, hi)) in bars {
            let style = s.color.mix(0.8).stroke_width(1);
            chart.draw_series(LineSeries::new([(x, lo), (x, hi)], style))?;
            for end in [lo, hi] {
                let cap = EmptyElement::at((x, end)) + PathElement::new([(-4, 0), (4, 0)], style);
                chart.draw_series(std::iter::once(cap))?;
            }
        }
    }
    let legend = series.len() <= MAX_LEGEND;
    for (si, s) in series.iter().enumerate() {
        let color = s.color;
        // Filled or outlined, each series in a shape of its own (see `marker`).
        let style = move |hollow: bool| match hollow {
            true => color.stroke_width(2),
            false => color.filled(),
        };
        let hollow = s.hollow;
        let dots = s.points.iter().filter(ok);
        let drawn = chart.draw_series(
            dots.map(|p| marker(si, (p.x, p.y), 4, style(p.hollow || s.hollow), None)),
        )?;
        if legend {
            drawn
                .label(s.name.clone())
                .legend(move |(x, y)| marker(si, (x + 8, y), 4, style(hollow), None));
        }
        for (pi, p) in s.points.iter().enumerate().filter(|(_, p)| ok(p)) {
            let px = chart.backend_coord(&(p.x, p.y));
            hits.push(Hit {
                series: si,
                point: pi,
                px,
            });
        }
    }
    // Text after all dots, so no dot hides a label. Up and to the right of its dot.
    let font = ("sans-serif", 11).into_font().color(&RGBColor(60, 60, 60));
    let texts = series.iter().flat_map(|s| s.points.iter()).filter(ok);
    chart.draw_series(texts.filter_map(|p| {
        let label = p.label.clone()?;
        Some(EmptyElement::at((p.x, p.y)) + Text::new(label, (6, -14), font.clone()))
    }))?;
    let picked = scene
        .selected
        .and_then(|(si, pi)| series.get(si)?.points.get(pi));
    if let Some(p) = picked.filter(ok) {
        let ring = Circle::new((p.x, p.y), 8, BLACK.stroke_width(2));
        chart.draw_series(std::iter::once(ring))?;
    }
    if legend {
        draw_legend(&mut chart)?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_carry_their_spread_as_bars_and_as_a_csv_column() {
        let point = |x, y, error| ScatterPoint {
            error,
            ..ScatterPoint::at(x, y)
        };
        let scene = |log_y| Scene {
            title: "",
            x: "",
            y: "",
            log_x: true,
            log_y,
            series: &[],
            selected: None,
        };
        assert_eq!(
            scene(false).bar(&point(16.0, 3.0, Some(1.0))),
            Some((2.0, 4.0))
        );
        assert_eq!(scene(false).bar(&point(16.0, 3.0, None)), None);
        assert_eq!(scene(false).bar(&point(16.0, 3.0, Some(f64::NAN))), None);
        // Below 0 on a log axis, the bar stops at a hundredth of the point.
        assert_eq!(
            scene(true).bar(&point(16.0, 3.0, Some(5.0))),
            Some((0.03, 8.0))
        );
        let chart = |error| Scatter {
            series: Rc::new(vec![ScatterSeries {
                name: "sharpness".into(),
                color: RED,
                points: vec![point(16.0, 3.0, error), point(64.0, 5.0, error)],
                joined: true,
                hollow: false,
            }]),
            ..Scatter::default()
        };
        assert_eq!(
            chart(Some(0.5)).csv(),
            "series,x,y,y_std\nsharpness,16,3,0.5\nsharpness,64,5,0.5\n"
        );
        assert_eq!(
            chart(None).csv(),
            "series,x,y\nsharpness,16,3\nsharpness,64,5\n"
        );
        // Drawn: the bars widen the range, and nothing fails.
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (560, 400)).into_drawing_area();
            chart(Some(0.5)).draw(&root).unwrap();
        }
        assert!(svg.contains("<svg"));
    }

    #[test]
    fn nearest_picks_the_closest_dot_within_reach() {
        let hit = |series, point, px| Hit { series, point, px };
        let hits = [hit(0, 0, (100, 100)), hit(1, 3, (108, 100))];
        assert_eq!(nearest(&hits, 103.0, 100.0), Some(hits[0]));
        assert_eq!(nearest(&hits, 106.0, 101.0), Some(hits[1]));
        assert_eq!(nearest(&hits, 100.0, 113.0), None);
        assert_eq!(nearest(&[], 0.0, 0.0), None);
    }
}
