//! The scatter chart on the page: the [`Scatter`] figure on a canvas, with click-to-select and
//! a tooltip per dot. Clicks are resolved against where the dots were actually drawn (pixel
//! positions kept from the last draw), so picking stays right on log axes and scaled canvases.

use mlds_figures::charts::{nearest, tip_text, Chart, Hit, Scatter};
use mlds_figures::Figure;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::chart::{canvas_area, event_pixel, finish_draw};
use super::export::{caption_id, use_draw_next_frame, ChartCaption, ChartExport};

#[derive(Properties, PartialEq, Clone)]
pub struct ScatterChartProps {
    pub chart: Scatter,
    /// Called with (series index, point index) of the dot nearest a click, if one is within
    /// `PICK_RADIUS` canvas pixels.
    #[prop_or_default]
    pub on_click: Option<Callback<(usize, usize)>>,
}

#[function_component]
pub fn ScatterChart(props: &ScatterChartProps) -> Html {
    let canvas = use_node_ref();
    let draws = use_mut_ref(|| 0u32);
    let hits = use_mut_ref(Vec::<Hit>::new);
    {
        let hits = hits.clone();
        use_draw_next_frame(canvas.clone(), props.chart.clone(), move |chart, canvas| {
            let result = canvas_area(canvas)
                .and_then(|root| chart.draw_with_hits(&root, &mut hits.borrow_mut()));
            finish_draw(canvas, &draws, &chart.title, result);
        });
    }
    let onclick = {
        let (canvas, on_click, hits) = (canvas.clone(), props.on_click.clone(), hits.clone());
        Callback::from(move |e: MouseEvent| {
            let (Some(on_click), Some(canvas)) = (&on_click, canvas.cast::<HtmlCanvasElement>())
            else {
                return;
            };
            let (x, y) = event_pixel(&canvas, &e);
            if let Some(hit) = nearest(&hits.borrow(), x, y) {
                on_click.emit((hit.series, hit.point));
            }
        })
    };
    // The canvas's tooltip names the dot under the pointer (with its tip, if any).
    let onmousemove = {
        let (canvas, hits, series) = (canvas.clone(), hits, props.chart.series.clone());
        Callback::from(move |e: MouseEvent| {
            let Some(canvas) = canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let (x, y) = event_pixel(&canvas, &e);
            let text = nearest(&hits.borrow(), x, y).and_then(|h| tip_text(&series, h));
            let _ = canvas.set_attribute("title", text.as_deref().unwrap_or(""));
        })
    };
    let cursor = props.on_click.as_ref().map(|_| "cursor: pointer");
    let chart = &props.chart;
    let id = AttrValue::from(chart.id.clone());
    let (width, height) = Scatter::SIZE;
    html! {
        <figure class="chart">
            <canvas id={id.clone()} ref={canvas.clone()} width={width.to_string()} height={height.to_string()} data-draws="0"
                role="img" aria-label={chart.title.clone()} aria-describedby={caption_id(&id)}
                style={cursor} {onclick} {onmousemove}></canvas>
            <ChartCaption id={id.clone()} caption={chart.caption.clone().map(AttrValue::from)} description={chart.description()} />
            <ChartExport {id} {canvas} figure={Figure::Scatter(chart.clone())} />
        </figure>
    }
}
