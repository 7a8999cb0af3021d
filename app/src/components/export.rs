//! The PNG and SVG downloads under every chart. The PNG is the canvas as drawn; the SVG is the
//! same chart drawn again, by the same drawing function, into an SVG document of the canvas's
//! size. Either is saved as `<chart id>.png` / `.svg` through a temporary download link.

use std::rc::Rc;

use plotters::backend::SVGBackend;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};
use yew::prelude::*;

use super::chart::{white_area, Area, DrawResult};

/// Draws a chart, with its current props, into an SVG drawing area.
pub(super) type SvgDraw = Rc<dyn Fn(&Area<SVGBackend>) -> DrawResult>;

/// An [`SvgDraw`] from a closure (which gets its higher-ranked signature from this bound).
pub(super) fn svg_draw(draw: impl Fn(&Area<SVGBackend>) -> DrawResult + 'static) -> SvgDraw {
    Rc::new(draw)
}

/// How long a downloaded SVG's object URL stays valid: the browser reads it after the click.
const REVOKE_AFTER_MS: u32 = 10_000;

#[derive(Properties, Clone)]
pub(super) struct ChartExportProps {
    /// The chart's id: the file names.
    pub id: AttrValue,
    /// The chart's canvas: the PNG, and the SVG's size.
    pub canvas: NodeRef,
    pub svg: SvgDraw,
}

impl PartialEq for ChartExportProps {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.canvas == other.canvas && Rc::ptr_eq(&self.svg, &other.svg)
    }
}

/// The "Download PNG" and "Download SVG" buttons. A failed export is reported on the console.
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
    html! {
        <div class="exports">
            <button type="button" class="export" onclick={png}>{"Download PNG"}</button>
            <button type="button" class="export" onclick={svg}>{"Download SVG"}</button>
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
    let parts = js_sys::Array::of1(&JsValue::from_str(&text));
    let options = BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let saved = download(&url, &format!("{id}.svg"));
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
