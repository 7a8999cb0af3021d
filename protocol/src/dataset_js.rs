//! Datasets and dataset files as they cross between the page and a worker: both ways, so the
//! page and the worker read and write one shape. A dataset is `{name, train, test}`, an image
//! set `{channels, height, width, images, labels}` (bytes), files `[[name, bytes], …]`.

use js_sys::{Array, Object, Uint8Array};
use mlds_core::data::{ImageDataset, ImageSet, ImageShape};
use wasm_bindgen::{JsCast, JsValue};

use crate::js::{field, set};

fn image_set_to_js(s: &ImageSet) -> Object {
    let o = Object::new();
    set(&o, "channels", &(s.shape.channels as f64).into());
    set(&o, "height", &(s.shape.height as f64).into());
    set(&o, "width", &(s.shape.width as f64).into());
    set(&o, "images", &Uint8Array::from(s.images.as_slice()));
    set(&o, "labels", &Uint8Array::from(s.labels.as_slice()));
    o
}

fn image_set_from_js(value: &JsValue) -> Option<ImageSet> {
    let number = |key| field(value, key)?.as_f64().map(|n| n as usize);
    let bytes = |key| Some(field(value, key)?.dyn_into::<Uint8Array>().ok()?.to_vec());
    let shape = ImageShape {
        channels: number("channels")?,
        height: number("height")?,
        width: number("width")?,
    };
    // `ImageSet::new` checks the sizes against the shape before anything is trusted.
    ImageSet::new(shape, bytes("images")?, bytes("labels")?).ok()
}

/// `{name, train, test}`.
pub fn dataset_to_js(d: &ImageDataset) -> JsValue {
    let dataset = Object::new();
    set(&dataset, "name", &d.name.as_str().into());
    set(&dataset, "train", &image_set_to_js(&d.train));
    set(&dataset, "test", &image_set_to_js(&d.test));
    dataset.into()
}

/// The dataset in `value` (as [`dataset_to_js`] wrote it), or `None` when it is malformed.
pub fn dataset_from_js(value: &JsValue) -> Option<ImageDataset> {
    let set = |key| field(value, key).as_ref().and_then(image_set_from_js);
    Some(ImageDataset {
        name: field(value, "name")?.as_string()?,
        train: set("train")?,
        test: set("test")?,
    })
}

/// `[[name, bytes], …]`.
pub fn files_to_js(files: &[(String, Vec<u8>)]) -> JsValue {
    files
        .iter()
        .map(|(name, bytes)| Array::of2(&name.as_str().into(), &Uint8Array::from(bytes.as_slice())))
        .collect::<Array>()
        .into()
}

/// The files in `value` (as [`files_to_js`] wrote them), or `None` when it is malformed.
pub fn files_from_js(value: &JsValue) -> Option<Vec<(String, Vec<u8>)>> {
    let files = value.dyn_ref::<Array>()?;
    files
        .iter()
        .map(|pair| {
            let pair = pair.dyn_into::<Array>().ok()?;
            let name = pair.get(0).as_string()?;
            let bytes = pair.get(1).dyn_into::<Uint8Array>().ok()?.to_vec();
            Some((name, bytes))
        })
        .collect()
}
