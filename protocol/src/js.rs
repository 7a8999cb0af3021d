//! Plain JS objects, read and written field by field.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// `target[key] = value`.
pub fn set(target: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &key.into(), value);
}

/// `value[key]`, unless it is missing, `undefined` or `null`.
pub fn field(value: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(value, &key.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// `value[key]` as a string.
pub fn text(value: &JsValue, key: &str) -> Option<String> {
    field(value, key)?.as_string()
}

/// `value[key]` as a number.
pub fn number(value: &JsValue, key: &str) -> Option<f64> {
    field(value, key)?.as_f64()
}
