//! Fetching the app's own files (`data/…`), with progress for the large ones.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use crate::js_error::describe;

async fn response(url: &str) -> Result<Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let r: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("fetching {url} failed: {}", describe(&e)))?
        .dyn_into()
        .map_err(|_| format!("fetching {url} gave no response"))?;
    if !r.ok() {
        return Err(format!("fetching {url} failed: HTTP {}", r.status()));
    }
    Ok(r)
}

pub async fn text(url: &str) -> Result<String, String> {
    let r = response(url).await?;
    let promise = r.text().map_err(|e| describe(&e))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| describe(&e))?
        .as_string()
        .ok_or_else(|| format!("{url} is not text"))
}

/// The body of `url`; `progress` gets the bytes received so far after every chunk.
pub async fn bytes(url: &str, progress: impl Fn(f64)) -> Result<Vec<u8>, String> {
    let r = response(url).await?;
    let Some(body) = r.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| format!("{url}: the body cannot be streamed"))?;
    let mut out = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("downloading {url} failed: {}", describe(&e)))?;
        let done = Reflect::get(&chunk, &"done".into())
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            break;
        }
        if let Ok(value) = Reflect::get(&chunk, &"value".into()) {
            let array: Uint8Array = value.unchecked_into();
            let start = out.len();
            out.resize(start + array.length() as usize, 0);
            array.copy_to(&mut out[start..]);
            progress(out.len() as f64);
        }
    }
    Ok(out)
}
