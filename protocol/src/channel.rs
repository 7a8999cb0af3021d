//! `MessageChannel`: the page's port to the training code loaded onto the page
//! (`workers=0`), and how the training code yields to its event loop.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The platform's `MessageChannel` (the page's port to the training code on the page, and
    /// [`yield_by_message`]), declared here rather than through web-sys features: the worker's
    /// web-sys is the same crate, and new features would rebuild burn's wgpu stack on it.
    pub type MessageChannel;
    #[wasm_bindgen(constructor)]
    pub fn new() -> MessageChannel;
    #[wasm_bindgen(method, getter)]
    pub fn port1(this: &MessageChannel) -> Port;
    #[wasm_bindgen(method, getter)]
    pub fn port2(this: &MessageChannel) -> Port;

    pub type Port;
    #[wasm_bindgen(method, setter)]
    pub fn set_onmessage(this: &Port, handler: &js_sys::Function);
    #[wasm_bindgen(method, js_name = postMessage)]
    pub fn post_message(this: &Port, message: &JsValue);
}

/// Let a worker's event loop run (the page's pause and stop arrive as messages): a message to
/// itself, a task that runs at once, where a `setTimeout(0)` from within a timer's task waits
/// at least 4 ms (browsers clamp nested timers), an eighth of a 30 ms slice.
pub async fn yield_by_message() {
    let channel = MessageChannel::new();
    let arrived = js_sys::Promise::new(&mut |resolve, _| channel.port1().set_onmessage(&resolve));
    channel.port2().post_message(&JsValue::NULL);
    let _ = wasm_bindgen_futures::JsFuture::from(arrived).await;
}
