//! A figure on the page: its canvas, drawn at the next animation frame whenever the figure
//! changes, its caption, and the PNG, SVG and CSV downloads under it. The PNG is the canvas as
//! drawn; the SVG is the same figure drawn again, by the same drawing function, into an SVG
//! document of the canvas's size; the CSV is the figure's data, one row per point. Each is
//! saved as `<chart id>.png` / `.svg` / `.csv` through a temporary download link.

use mlds_figures::Figure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};
use yew::prelude::*;

use super::chart::{canvas_area, finish_draw};

/// Runs `draw` on `canvas` at the next animation frame after `deps` change, not within the
/// update that brought the data: the task that delivered a run's events ends sooner (the
/// page's main thread has no long tasks), and updates within one frame draw once.
#[hook]
pub(super) fn use_draw_next_frame<D, F>(canvas: NodeRef, deps: D, draw: F)
where
    D: PartialEq + Clone + 'static,
    F: FnOnce(&D, &HtmlCanvasElement) + 'static,
{
    let frame = use_mut_ref(|| None::<gloo_render::AnimationFrame>);
    use_effect_with(deps, move |deps| {
        let deps = deps.clone();
        let next = gloo_render::request_animation_frame(move |_| {
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                draw(&deps, &canvas);
            }
        });
        // Replacing a frame not yet run cancels its draw.
        *frame.borrow_mut() = Some(next);
    });
}

/// A chart of `figure` on a canvas of its size, redrawn whenever the figure changes (the
/// `data-draws` counter counts the draws), with its PNG, SVG and CSV downloads.
#[hook]
pub(super) fn use_chart_figure(figure: &Figure) -> Html {
    let canvas = use_node_ref();
    let draws = use_mut_ref(|| 0u32);
    use_draw_next_frame(canvas.clone(), figure.clone(), move |figure, canvas| {
        let result = canvas_area(canvas).and_then(|root| figure.draw(&root));
        finish_draw(canvas, &draws, figure.title(), result);
    });
    let (id, (width, height)) = (AttrValue::from(figure.id().to_string()), figure.size());
    html! {
        <figure class="chart">
            <canvas id={id.clone()} ref={canvas.clone()} width={width.to_string()} height={height.to_string()} data-draws="0"
                role="img" aria-label={figure.title().to_string()} aria-describedby={caption_id(&id)}></canvas>
            <ChartCaption id={id.clone()} caption={figure.caption().map(|c| AttrValue::from(c.to_string()))} description={figure.description()} />
            <ChartExport {id} {canvas} figure={figure.clone()} />
        </figure>
    }
}

/// The id of chart `id`'s caption, which describes its canvas.
pub(super) fn caption_id(id: &str) -> String {
    format!("{id}-caption")
}

#[derive(Properties, PartialEq)]
pub(super) struct ChartCaptionProps {
    pub id: AttrValue,
    pub caption: Option<AttrValue>,
    pub description: String,
}

/// A chart's text alternative: the panel's line (shown), then the chart in words (for screen
/// readers; the same words are the canvas's description).
#[function_component]
pub(super) fn ChartCaption(props: &ChartCaptionProps) -> Html {
    html! {
        <figcaption id={caption_id(&props.id)}>
            if let Some(line) = &props.caption { <span class="caption-line">{ line.clone() }{ " " }</span> }
            <span class="visually-hidden">{ props.description.clone() }</span>
        </figcaption>
    }
}

/// How long a downloaded file's object URL stays valid: the browser reads it after the click.
const REVOKE_AFTER_MS: u32 = 10_000;

#[derive(Properties, Clone, PartialEq)]
pub(super) struct ChartExportProps {
    /// The chart's id: the file names.
    pub id: AttrValue,
    /// The chart's canvas: the PNG.
    pub canvas: NodeRef,
    /// The chart: its SVG, drawn again by the same code, and its CSV.
    pub figure: Figure,
}

/// The "Download PNG", "Download SVG" and "Download CSV" buttons. A failed export is reported
/// on the console.
#[function_component]
pub(super) fn ChartExport(props: &ChartExportProps) -> Html {
    let png = {
        let (id, canvas) = (props.id.clone(), props.canvas.clone());
        Callback::from(move |_: MouseEvent| warn_on_error(&id, save_png(&id, &canvas)))
    };
    let svg = {
        let (id, figure) = (props.id.clone(), props.figure.clone());
        Callback::from(move |_: MouseEvent| warn_on_error(&id, save_svg(&id, &figure)))
    };
    let csv = {
        let (id, figure) = (props.id.clone(), props.figure.clone());
        Callback::from(move |_: MouseEvent| {
            warn_on_error(
                &id,
                save_text(&format!("{id}.csv"), "text/csv", &figure.csv()),
            )
        })
    };
    html! {
        <div class="exports">
            <button type="button" class="export" onclick={png}>{"Download PNG"}</button>
            <button type="button" class="export" onclick={svg}>{"Download SVG"}</button>
            <button type="button" class="export" onclick={csv}>{"Download CSV"}</button>
        </div>
    }
}

fn warn_on_error(id: &str, result: Result<(), JsValue>) {
    if let Err(e) = result {
        web_sys::console::warn_2(&format!("chart {id}: export failed:").into(), &e);
    }
}

fn canvas_of(canvas: &NodeRef) -> Result<HtmlCanvasElement, JsValue> {
    canvas
        .cast::<HtmlCanvasElement>()
        .ok_or_else(|| "no canvas".into())
}

fn save_png(id: &str, canvas: &NodeRef) -> Result<(), JsValue> {
    let url = canvas_of(canvas)?.to_data_url()?;
    download(&url, &format!("{id}.png"))
}

fn save_svg(id: &str, figure: &Figure) -> Result<(), JsValue> {
    let text = figure
        .svg()
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    save_text(&format!("{id}.svg"), "image/svg+xml", &text)
}

/// Saves `text` as a file `name` of type `mime` (a Blob behind a temporary download link).
pub(crate) fn save_text(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let saved = download(&url, name);
    wasm_bindgen_futures::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(REVOKE_AFTER_MS).await;
        let _ = Url::revoke_object_url(&url);
    });
    saved
}

/// Saves `href` as `name` by clicking a temporary download link.
fn download(href: &str, name: &str) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let body = document.body().ok_or("no body")?;
    let link: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(href);
    link.set_download(name);
    body.append_child(&link)?;
    link.click();
    link.remove();
    Ok(())
}
