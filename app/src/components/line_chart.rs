//! A line chart drawn on a canvas with plotters, redrawn whenever its series change.

use std::rc::Rc;

use mlds_core::ModelInfo;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Model colours, in model order (the ground truth is drawn in black).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub color: RGBColor,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
}

/// One series per model, coloured in model order.
pub fn model_series(models: &[ModelInfo], points: &[Vec<(f64, f64)>]) -> Rc<Vec<Series>> {
    Rc::new(
        models
            .iter()
            .zip(points)
            .enumerate()
            .map(|(i, (m, p))| Series {
                name: m.name.clone(),
                color: PALETTE[i % PALETTE.len()],
                points: p.clone(),
                dashed: false,
            })
            .collect(),
    )
}

#[derive(Properties, PartialEq)]
pub struct LineChartProps {
    pub id: AttrValue,
    pub title: AttrValue,
    pub x_label: AttrValue,
    pub y_label: AttrValue,
    #[prop_or_default]
    pub log_y: bool,
    pub series: Rc<Vec<Series>>,
}

#[function_component]
pub fn LineChart(props: &LineChartProps) -> Html {
    let canvas = use_node_ref();
    let draws = use_mut_ref(|| 0u32);
    {
        let canvas = canvas.clone();
        let deps = (props.series.clone(), props.log_y, props.title.clone());
        let (x_label, y_label) = (props.x_label.clone(), props.y_label.clone());
        use_effect_with(deps, move |(series, log_y, title)| {
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                match draw(&canvas, title, &x_label, &y_label, *log_y, series) {
                    Ok(()) => {
                        *draws.borrow_mut() += 1;
                        let _ = canvas.set_attribute("data-draws", &draws.borrow().to_string());
                    }
                    Err(e) => web_sys::console::warn_1(&format!("chart {title}: {e}").into()),
                }
            }
        });
    }
    html! {
        <figure class="chart">
            <canvas id={props.id.clone()} ref={canvas} width="560" height="340" data-draws="0"></canvas>
        </figure>
    }
}

struct Labels<'a> {
    x: &'a str,
    y: &'a str,
    log_y: bool,
}

/// Tick text: `1e-3` on log axes, no trailing `.0` on whole numbers.
fn tick(v: f64, log: bool) -> String {
    if log {
        format!("{v:.0e}")
    } else if v.fract().abs() < 1e-9 && v.abs() >= 1.0 {
        format!("{v:.0}")
    } else {
        format!("{:.2}", v)
    }
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw(
    canvas: &HtmlCanvasElement,
    title: &str,
    x_label: &str,
    y_label: &str,
    log_y: bool,
    series: &[Series],
) -> DrawResult {
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2-D context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let points = series.iter().flat_map(|s| s.points.iter());
    let finite = |v: f64| v.is_finite() && (!log_y || v > 0.0);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points.filter(|(x, y)| x.is_finite() && finite(*y)) {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        // Nothing yet: an empty frame with the title.
        root.titled(title, ("sans-serif", 16))?;
        return Ok(root.present()?);
    }
    if x1 - x0 < 1e-12 {
        x1 = x0 + 1.0;
    }
    if log_y {
        (y0, y1) = (y0 * 0.8, y1 * 1.25);
    } else {
        let pad = ((y1 - y0) * 0.08).max(1e-6);
        (y0, y1) = (y0 - pad, y1 + pad);
    }
    let labels = Labels {
        x: x_label,
        y: y_label,
        log_y,
    };
    if log_y {
        plot(&root, title, &labels, x0..x1, (y0..y1).log_scale(), series)
    } else {
        plot(&root, title, &labels, x0..x1, y0..y1, series)
    }
}

fn plot<Y>(
    root: &DrawingArea<CanvasBackend, Shift>,
    title: &str,
    labels: &Labels,
    x_range: std::ops::Range<f64>,
    y_range: Y,
    series: &[Series],
) -> DrawResult
where
    Y: AsRangedCoord<Value = f64>,
    <Y as AsRangedCoord>::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 16))
        .margin(8)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range, y_range)?;
    chart
        .configure_mesh()
        .x_desc(labels.x)
        .y_desc(labels.y)
        .x_label_formatter(&|v| tick(*v, false))
        .y_label_formatter(&|v| tick(*v, labels.log_y))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    for s in series {
        let style = ShapeStyle::from(&s.color).stroke_width(if s.dashed { 1 } else { 2 });
        let points = s
            .points
            .iter()
            .copied()
            .filter(|(x, y)| x.is_finite() && y.is_finite());
        chart
            .draw_series(LineSeries::new(points, style))?
            .label(s.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    root.present()?;
    Ok(())
}
