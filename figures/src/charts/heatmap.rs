//! A 2-D scalar field (e.g. the loss around a trained model) as coloured cells with contour
//! lines, an optional path over it (the optimiser's trajectory) and labelled markers.
//!
//! Cells not computed yet are left blank, so the map can fill in live. Colours follow viridis
//! (perceptually even, readable in grey and by the colour-blind), optionally over log10 of the
//! value since losses span decades. The contour lines come from the `contour` crate (marching
//! squares with interpolation) once every cell is known.

use std::rc::Rc;

use contour::ContourBuilder;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;

use super::common::{bounds, short, tick, title_only, widened, Area, Backend, DrawResult, PALETTE};
use super::{describe, Chart};
pub use mlds_core::view::HeatmapGrid;

#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    pub id: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub grid: Rc<HeatmapGrid>,
    /// Colour (and contour) by log10 of the value; values ≤ 0 are then left blank.
    pub log_color: bool,
    /// Number of contour levels, evenly spaced in (log) value strictly between min and max.
    pub levels: usize,
    /// A trajectory: drawn as a polyline with dots, its start ringed.
    pub path: Rc<Vec<(f64, f64)>>,
    /// Labelled points, e.g. the trained model at the centre.
    pub markers: Rc<Vec<(f64, f64, String)>>,
    /// The panel's line for the figure's caption.
    pub caption: Option<String>,
}

impl Chart for Heatmap {
    const SIZE: (u32, u32) = (560, 460);

    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult {
        draw(root, self)
    }

    /// One row per computed cell.
    fn csv(&self) -> String {
        let g = &self.grid;
        let mut out = String::from("x,y,value\n");
        for (row, y) in g.ys.iter().enumerate() {
            for (col, x) in g.xs.iter().enumerate() {
                if let Some(Some(v)) = g.values.get(row * g.xs.len() + col) {
                    out.push_str(&format!("{x},{y},{v}\n"));
                }
            }
        }
        out
    }

    fn description(&self) -> String {
        let g = &self.grid;
        let scale = match self.log_color {
            true => "log colour scale",
            false => "linear colour scale",
        };
        let text = describe::grid(&self.title, &g.xs, &g.ys, &g.values);
        format!(
            "{text} Drawn on a {scale}; {} against {}.",
            self.y_label, self.x_label
        )
    }
}

/// Width of the colour-bar strip at the right.
const BAR_AREA: u32 = 72;

/// Cell extent around each grid coordinate: halfway to the neighbours, and as far again past
/// the ends, so that cells tile the plane with each value at its cell's centre.
fn cell_edges(c: &[f64]) -> Vec<(f64, f64)> {
    let n = c.len();
    let half = |i: usize| (c[i + 1] - c[i]) / 2.0;
    (0..n)
        .map(|i| match (i > 0, i + 1 < n) {
            (true, true) => (c[i] - half(i - 1), c[i] + half(i)),
            (false, true) => (c[i] - half(i), c[i] + half(i)),
            (true, false) => (c[i] - half(i - 1), c[i] + half(i - 1)),
            (false, false) => (c[i] - 0.5, c[i] + 0.5),
        })
        .collect()
}

fn draw<DB: Backend>(root: &Area<DB>, chart: &Heatmap) -> DrawResult {
    let Heatmap {
        title,
        x_label,
        y_label,
        grid,
        log_color,
        levels,
        path,
        markers,
        ..
    } = chart;
    let (w, h) = (grid.xs.len(), grid.ys.len());
    if grid.values.len() != w * h {
        return Err(format!("{} values for a {w}×{h} grid", grid.values.len()).into());
    }
    // Cells are placed between neighbouring coordinates, so unordered coordinates (a file
    // from anyone may hold them) would put cells outside the plotted range, where plotters'
    // pixel arithmetic overflows.
    let increasing = |c: &[f64]| c.windows(2).all(|p| p[0] < p[1]);
    if !(increasing(&grid.xs) && increasing(&grid.ys)) {
        return Err("grid coordinates must increase".into());
    }
    let (xe, ye) = (cell_edges(&grid.xs), cell_edges(&grid.ys));
    if !xe
        .iter()
        .chain(&ye)
        .all(|e| e.0.is_finite() && e.1.is_finite())
    {
        return Err("grid coordinates must be finite".into());
    }
    // What a cell is coloured by (log10 of the value, or the value), None for a blank cell.
    let shades: Vec<Option<f64>> = (grid.values.iter())
        .map(|v| match *v {
            Some(v) if *log_color => Some(v.log10()).filter(|l| l.is_finite()),
            Some(v) => Some(v).filter(|v| v.is_finite()),
            None => None,
        })
        .collect();
    // The plot spans the cells (not just their centres), and the overlays if they stray.
    let grid_box = (w > 0 && h > 0).then(|| [(xe[0].0, ye[0].0), (xe[w - 1].1, ye[h - 1].1)]);
    let overlays = path
        .iter()
        .copied()
        .chain(markers.iter().map(|m| (m.0, m.1)));
    let Some(b) = bounds(grid_box.into_iter().flatten().chain(overlays), false) else {
        return title_only(root, title);
    };
    let ((x0, x1), (y0, y1)) = (widened(b.x.0, b.x.1), widened(b.y.0, b.y.1));
    let area = root.titled(title, ("sans-serif", 16))?;
    let (main, bar) = area.split_horizontally(area.dim_in_pixel().0.saturating_sub(BAR_AREA));
    let mut chart = ChartBuilder::on(&main)
        .margin(8)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(x_label.as_str())
        .y_desc(y_label.as_str())
        .x_label_formatter(&|v| tick(*v, false))
        .y_label_formatter(&|v| tick(*v, false))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    let known = shades.iter().flatten().copied();
    if let Some((lo, hi)) = known.fold(None, |r, v| {
        Some(r.map_or((v, v), |(lo, hi)| (v.min(lo), v.max(hi))))
    }) {
        let colour = |v: f64| match hi > lo {
            true => ViridisRGB::get_color_normalized(v, lo, hi),
            false => ViridisRGB::get_color(0.5),
        };
        let cells = shades.iter().enumerate().filter_map(|(i, v)| {
            let ((cx0, cx1), (cy0, cy1)) = (xe[i % w], ye[i / w]);
            Some(Rectangle::new(
                [(cx0, cy0), (cx1, cy1)],
                colour((*v)?).filled(),
            ))
        });
        chart.draw_series(cells)?;
        if shades.iter().all(Option::is_some) {
            let values: Vec<f64> = shades.iter().flatten().copied().collect();
            let lines = contour_lines(&grid.xs, &grid.ys, &values, (lo, hi), *levels)?;
            let style = WHITE.mix(0.6).stroke_width(1);
            chart.draw_series(lines.into_iter().map(|l| PathElement::new(l, style)))?;
        }
        // The bar stands level with the plot: same top and bottom pixel rows.
        let (_, rows) = chart.plotting_area().get_pixel_range();
        let base = bar.get_base_pixel().1;
        let real = |v: f64| if *log_color { 10f64.powf(v) } else { v };
        let ends = (real(lo), real(hi));
        let scale = |t: f64| colour(lo + t * (hi - lo));
        colour_bar(&bar, (rows.start - base, rows.end - base), ends, &scale)?;
    }
    let shadowed = |at: (f64, f64), text: &str| {
        let font = ("sans-serif", 12).into_font();
        EmptyElement::at(at)
            + Text::new(text.to_string(), (7, -15), font.color(&WHITE))
            + Text::new(text.to_string(), (6, -16), font.color(&BLACK))
    };
    let track: Vec<(f64, f64)> = (path.iter().copied())
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let orange = PALETTE[1];
    chart.draw_series(LineSeries::new(track.clone(), orange.stroke_width(2)))?;
    chart.draw_series(track.iter().map(|&p| Circle::new(p, 2, orange.filled())))?;
    if let Some(&start) = track.first() {
        chart.draw_series([Circle::new(start, 6, orange.stroke_width(2))])?;
        chart.draw_series([shadowed(start, "start")])?;
    }
    for &(x, y, ref label) in markers
        .iter()
        .filter(|m| m.0.is_finite() && m.1.is_finite())
    {
        chart.draw_series([Circle::new((x, y), 5, WHITE.filled())])?;
        chart.draw_series([Circle::new((x, y), 5, BLACK.stroke_width(1))])?;
        chart.draw_series([shadowed((x, y), label)])?;
    }
    root.present()?;
    Ok(())
}

/// Contour lines of `values` (row-major over `xs` × `ys`, every cell known) at `levels`
/// thresholds evenly spaced strictly between `lo` and `hi`, as polylines in data coordinates.
fn contour_lines(
    xs: &[f64],
    ys: &[f64],
    values: &[f64],
    (lo, hi): (f64, f64),
    levels: usize,
) -> Result<Vec<Vec<(f64, f64)>>, contour::Error> {
    let (w, h) = (xs.len(), ys.len());
    if w < 2 || h < 2 || levels == 0 || hi <= lo {
        return Ok(Vec::new());
    }
    let sx = (xs[w - 1] - xs[0]) / (w - 1) as f64;
    let sy = (ys[h - 1] - ys[0]) / (h - 1) as f64;
    if sx == 0.0 || sy == 0.0 {
        return Ok(Vec::new());
    }
    // The crate puts value i at i + 0.5 on a unit grid (the centre of pixel i), then maps each
    // coordinate c to origin + c·step; value i belongs at xs[0] + i·step, so the origin is half
    // a step before xs[0] (likewise for y).
    let (ox, oy) = (xs[0] - sx / 2.0, ys[0] - sy / 2.0);
    let builder = ContourBuilder::new(w, h, true)
        .x_origin(ox)
        .x_step(sx)
        .y_origin(oy)
        .y_step(sy);
    let step = (hi - lo) / (levels + 1) as f64;
    let thresholds: Vec<f64> = (1..=levels).map(|k| lo + step * k as f64).collect();
    // Its isolines are closed rings: where one leaves the grid it runs back along the border
    // (c = 0 or c = w on the unit grid) as if everything outside were below the threshold.
    // Real crossings lie between value centres, c in [0.5, w − 0.5], so cut the rings wherever
    // they reach the border and keep the pieces in between.
    let inside = |p: &contour::Pt| {
        let (c, r) = ((p.x - ox) / sx, (p.y - oy) / sy);
        c > 0.25 && c < w as f64 - 0.25 && r > 0.25 && r < h as f64 - 0.25
    };
    let mut pieces = Vec::new();
    for line in builder.lines(values, &thresholds)? {
        for ring in &line.geometry().0 {
            let mut piece: Vec<(f64, f64)> = Vec::new();
            for p in &ring.0 {
                if inside(p) {
                    piece.push((p.x, p.y));
                } else if piece.len() > 1 {
                    pieces.push(std::mem::take(&mut piece));
                } else {
                    piece.clear();
                }
            }
            if piece.len() > 1 {
                pieces.push(piece);
            }
        }
    }
    Ok(pieces)
}

/// A vertical colour scale in `bar`'s pixel coordinates from row `top` (high values) to
/// `bottom` (low values), the range's ends written beside it. `scale` maps 0..=1 to a colour.
fn colour_bar<DB: Backend>(
    bar: &Area<DB>,
    (top, bottom): (i32, i32),
    (lo, hi): (f64, f64),
    scale: &dyn Fn(f64) -> RGBColor,
) -> DrawResult {
    const STEPS: i32 = 64;
    let (x0, x1) = (8, 22);
    let span = bottom - top;
    for k in 0..STEPS {
        let (y0, y1) = (top + span * k / STEPS, top + span * (k + 1) / STEPS);
        let t = 1.0 - (f64::from(k) + 0.5) / f64::from(STEPS);
        bar.draw(&Rectangle::new([(x0, y0), (x1, y1)], scale(t).filled()))?;
    }
    let frame = RGBColor(150, 150, 150).stroke_width(1);
    bar.draw(&Rectangle::new([(x0, top), (x1, bottom)], frame))?;
    let font = ("sans-serif", 11).into_font();
    bar.draw(&Text::new(short(hi), (x1 + 4, top), font.clone()))?;
    bar.draw(&Text::new(short(lo), (x1 + 4, bottom - 11), font))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_tile_around_their_centres() {
        assert_eq!(
            cell_edges(&[0.0, 1.0, 2.0]),
            [(-0.5, 0.5), (0.5, 1.5), (1.5, 2.5)]
        );
        assert_eq!(cell_edges(&[3.0]), [(2.5, 3.5)]);
    }

    fn svg_of(xs: Vec<f64>, ys: Vec<f64>) -> Result<String, String> {
        let values = vec![Some(1.0); xs.len() * ys.len()];
        let chart = Heatmap {
            id: "surface".into(),
            title: "Loss surface".into(),
            x_label: "α".into(),
            y_label: "β".into(),
            grid: Rc::new(HeatmapGrid { xs, ys, values }),
            log_color: false,
            levels: 3,
            path: Rc::new(Vec::new()),
            markers: Rc::new(Vec::new()),
            caption: None,
        };
        super::super::svg_document(Heatmap::SIZE, |root| chart.draw(root))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn coordinates_out_of_order_or_too_far_apart_are_refused_in_words() {
        // A fuzzed E6 run file put one column at 2³² − 1: its cell lay outside the plotted
        // range and plotters' pixel arithmetic overflowed (a panic in a debug build).
        let even = vec![-1.0, 0.0, 1.0];
        assert!(svg_of(even.clone(), even.clone()).is_ok());
        let unordered = vec![-1.0, 4294967295.0, 1.0];
        let why = svg_of(unordered.clone(), even.clone()).unwrap_err();
        assert_eq!(why, "grid coordinates must increase");
        assert_eq!(svg_of(even.clone(), unordered).unwrap_err(), why);
        let apart = vec![-f64::MAX, 0.0, f64::MAX];
        let why = svg_of(apart, even).unwrap_err();
        assert_eq!(why, "grid coordinates must be finite");
    }

    #[test]
    fn contours_sit_between_the_values_they_separate() {
        // v = x on a 5×3 grid over x = 10, 12, …, 18: the level-14 isoline is the line x = 14,
        // from the first row to the last, with nothing along the border.
        let xs = [10.0, 12.0, 14.0, 16.0, 18.0];
        let ys = [0.0, 1.0, 2.0];
        let values: Vec<f64> = ys.iter().flat_map(|_| xs).collect();
        let lines = contour_lines(&xs, &ys, &values, (10.0, 18.0), 1).unwrap();
        let points: Vec<(f64, f64)> = lines.concat();
        assert!(!lines.is_empty() && lines.iter().all(|l| l.len() > 1));
        assert!(
            points.iter().all(|&(x, _)| (x - 14.0).abs() < 1e-9),
            "{lines:?}"
        );
        let ys_on_line = points.iter().map(|p| p.1);
        let (min, max) = ys_on_line.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
        assert_eq!((min, max), (0.0, 2.0));
    }
}
