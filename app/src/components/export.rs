//! The PNG, SVG and CSV downloads under every chart. The PNG is the canvas as drawn; the SVG is
//! the same chart drawn again, by the same drawing function, into an SVG document of the
//! canvas's size; the CSV is the chart's data, one row per point. Each is saved as
//! `<chart id>.png` / `.svg` / `.csv` through a temporary download link.

use std::rc::Rc;

use plotters::backend::SVGBackend;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};
use yew::prelude::*;

use super::chart::{canvas_area, finish_draw, white_area, Area, Backend, DrawResult};

/// Draws a chart, with its current props, into an SVG drawing area.
pub(super) type SvgDraw = Rc<dyn Fn(&Area<SVGBackend>) -> DrawResult>;

/// An [`SvgDraw`] from a closure (which gets its higher-ranked signature from this bound).
pub(super) fn svg_draw(draw: impl Fn(&Area<SVGBackend>) -> DrawResult + 'static) -> SvgDraw {
    Rc::new(draw)
}

/// The chart's data as CSV text, made when asked for.
pub(super) type CsvData = Rc<dyn Fn() -> String>;

/// A [`CsvData`] from a closure.
pub(super) fn csv_data(make: impl Fn() -> String + 'static) -> CsvData {
    Rc::new(make)
}

/// One CSV field, quoted where it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    match text.contains([',', '"', '\n']) {
        true => format!("\"{}\"", text.replace('"', "\"\"")),
        false => text.to_string(),
    }
}

/// Curves (name, points) as CSV, one row per point: `series,x,y`. Points may be borrowed or
/// made on the fly, so every chart passes its series as they come.
pub(super) fn curves_csv<P: AsRef<[(f64, f64)]>>(
    curves: impl IntoIterator<Item = (String, P)>,
) -> String {
    let mut out = String::from("series,x,y\n");
    for (name, points) in curves {
        for (x, y) in points.as_ref() {
            out.push_str(&format!("{},{x},{y}\n", field(&name)));
        }
    }
    out
}

/// What every chart's props have: its element id (also its downloads' name), its title, and
/// the panel's own line for its caption. Implemented by [`chart_component!`].
pub(super) trait Figure {
    fn id(&self) -> AttrValue;
    fn title(&self) -> AttrValue;
    /// The panel's own line for the caption (a finding, which run is shown), if any.
    fn caption(&self) -> Option<AttrValue>;
}

/// A chart's props that can draw themselves on any plotters backend and give their data as
/// CSV: all [`use_chart_figure`] needs to draw, redraw and export the chart.
pub(super) trait ChartSpec: Figure + PartialEq + Clone + 'static {
    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult;
    fn csv(&self) -> String;
    /// The chart in words, from its data (see `describe`).
    fn description(&self) -> String;
}

/// A chart component, `chart_component!(Name(Props), width x height)`: the function component
/// that draws `Props` (a [`ChartSpec`] with the fields `id`, `title` and `caption`) on a canvas
/// of that size with [`use_chart_figure`], and the props' [`Figure`] side. A chart file then
/// holds only its props, its drawing, its CSV and its words.
macro_rules! chart_component {
    ($(#[$doc:meta])* $component:ident($props:ty), $width:literal x $height:literal) => {
        $(#[$doc])*
        #[yew::function_component]
        pub fn $component(props: &$props) -> yew::Html {
            super::export::use_chart_figure(props, $width, $height)
        }

        impl super::export::Figure for $props {
            fn id(&self) -> yew::AttrValue {
                self.id.clone()
            }

            fn title(&self) -> yew::AttrValue {
                self.title.clone()
            }

            fn caption(&self) -> Option<yew::AttrValue> {
                self.caption.clone()
            }
        }
    };
}
pub(super) use chart_component;

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

/// A chart of `spec` on a `width`×`height` canvas, redrawn whenever the spec changes (the
/// `data-draws` counter counts the draws), with its PNG, SVG and CSV downloads.
#[hook]
pub(super) fn use_chart_figure<P: ChartSpec>(spec: &P, width: u32, height: u32) -> Html {
    let canvas = use_node_ref();
    let draws = use_mut_ref(|| 0u32);
    use_draw_next_frame(canvas.clone(), spec.clone(), move |spec, canvas| {
        let result = canvas_area(canvas).and_then(|root| spec.draw(&root));
        finish_draw(canvas, &draws, &spec.title(), result);
    });
    let (s, c) = (spec.clone(), spec.clone());
    let svg = svg_draw(move |root| s.draw(root));
    let csv = csv_data(move || c.csv());
    let caption = html! { <ChartCaption id={spec.id()} caption={spec.caption()} description={spec.description()} /> };
    html! {
        <figure class="chart">
            <canvas id={spec.id()} ref={canvas.clone()} width={width.to_string()} height={height.to_string()} data-draws="0"
                role="img" aria-label={spec.title()} aria-describedby={caption_id(&spec.id())}></canvas>
            { caption }
            <ChartExport id={spec.id()} {canvas} {svg} {csv} />
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

#[derive(Properties, Clone)]
pub(super) struct ChartExportProps {
    /// The chart's id: the file names.
    pub id: AttrValue,
    /// The chart's canvas: the PNG, and the SVG's size.
    pub canvas: NodeRef,
    pub svg: SvgDraw,
    pub csv: CsvData,
}

impl PartialEq for ChartExportProps {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.canvas == other.canvas
            && Rc::ptr_eq(&self.svg, &other.svg)
            && Rc::ptr_eq(&self.csv, &other.csv)
    }
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
        let (id, canvas, draw) = (props.id.clone(), props.canvas.clone(), props.svg.clone());
        Callback::from(move |_: MouseEvent| warn_on_error(&id, save_svg(&id, &canvas, &*draw)))
    };
    let csv = {
        let (id, data) = (props.id.clone(), props.csv.clone());
        Callback::from(move |_: MouseEvent| {
            warn_on_error(&id, save_text(&format!("{id}.csv"), "text/csv", &data()))
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

fn save_svg(
    id: &str,
    canvas: &NodeRef,
    draw: &dyn Fn(&Area<SVGBackend>) -> DrawResult,
) -> Result<(), JsValue> {
    let canvas = canvas_of(canvas)?;
    let text = svg_document((canvas.width(), canvas.height()), draw)
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

/// The chart drawn into an SVG document of `size` pixels.
pub(super) fn svg_document(
    size: (u32, u32),
    draw: &dyn Fn(&Area<SVGBackend>) -> DrawResult,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut text = String::new();
    {
        let root = white_area(SVGBackend::with_string(&mut text, size))?;
        draw(&root)?;
        root.present()?;
    }
    Ok(text)
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
