//! What the page's canvas charts share: the canvas as a drawing area, the draw-then-count step
//! that the browser tests read (`data-draws`), the text warm-up and mouse positions in canvas
//! pixels. The charts themselves (their drawing, data and words) are `mlds_figures`'.

use std::cell::RefCell;

use mlds_figures::charts::{white_area, Area, DrawResult};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The font sizes the charts write in: point labels, ticks and legends, titles.
const TEXT_SIZES: [u32; 3] = [11, 12, 16];

/// Draws the charts' text sizes once on a scratch canvas. Chromium builds a canvas font's glyph
/// cache at its first text, which in a headless page took ~90 ms for the 11 px point labels —
/// inside a run's first draw of them, a long task. Called once after the page has loaded, it
/// pays that before any run.
pub fn warm_text() {
    let context = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
        .and_then(|c| c.get_context("2d").ok().flatten())
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    let Some(context) = context else {
        return;
    };
    for size in TEXT_SIZES {
        context.set_font(&format!("{size}px sans-serif"));
        let _ = context.fill_text("0123456789 .%-e start run PC1 loss (α θ)", 0.0, 20.0);
    }
}

/// The whole canvas as a plotters drawing area, cleared to white.
pub(super) fn canvas_area(
    canvas: &HtmlCanvasElement,
) -> Result<Area<CanvasBackend>, Box<dyn std::error::Error>> {
    white_area(CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2-D context")?)
}

/// After a draw: bump the canvas's `data-draws` counter (browser tests wait on it), or warn on
/// the console. A failed draw is not worth a panic: the next props change redraws.
pub(super) fn finish_draw(
    canvas: &HtmlCanvasElement,
    draws: &RefCell<u32>,
    title: &str,
    result: DrawResult,
) {
    match result {
        Ok(()) => {
            *draws.borrow_mut() += 1;
            let _ = canvas.set_attribute("data-draws", &draws.borrow().to_string());
        }
        Err(e) => web_sys::console::warn_1(&format!("chart {title}: {e}").into()),
    }
}

/// Where a mouse event falls in canvas pixels (the ones plotters draws in): CSS may scale the
/// canvas (`max-width: 100%`), and `offset_x/y` are in CSS pixels.
pub(super) fn event_pixel(canvas: &HtmlCanvasElement, e: &web_sys::MouseEvent) -> (f64, f64) {
    let sx = f64::from(canvas.width()) / f64::from(canvas.client_width().max(1));
    let sy = f64::from(canvas.height()) / f64::from(canvas.client_height().max(1));
    (f64::from(e.offset_x()) * sx, f64::from(e.offset_y()) * sy)
}
