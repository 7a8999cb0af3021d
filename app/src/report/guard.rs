//! A reload never repeats a panic: while the report shows kept sections, the page's panic hook
//! ([`after_panic`]) notes them in `localStorage` (synchronous, so it is written before the
//! wasm instance aborts), and the next visit sets those sections aside ([`set_aside`]) instead
//! of showing them again, until the user clears them or asks to see them anyway. The fatal
//! banner offers Clear too (`static/fatal.js`, which runs without this code).

use std::cell::RefCell;

/// The `localStorage` key: the queries of the kept sections shown when the page panicked (a
/// JSON list). `static/fatal.js` removes it too when its Clear empties the store.
const KEY: &str = "mlds-report-panicked";

thread_local! {
    /// The kept sections the report shows now: (query, "E6 · Error surface").
    static SHOWN: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// The kept sections the report shows now (none once it is gone).
pub fn showing(sections: Vec<(String, String)>) {
    SHOWN.with(|s| {
        if let Ok(mut shown) = s.try_borrow_mut() {
            *shown = sections;
        }
    });
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// From the panic hook: note the kept sections shown, and name them (none: the panic was not
/// while the report showed any).
pub fn after_panic() -> Vec<String> {
    let shown = SHOWN.with(|s| s.try_borrow().map(|s| s.clone()).unwrap_or_default());
    if shown.is_empty() {
        return Vec::new();
    }
    let queries: Vec<&str> = shown.iter().map(|(q, _)| q.as_str()).collect();
    if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(&queries)) {
        let _ = storage.set_item(KEY, &json);
    }
    shown.into_iter().map(|(_, name)| name).collect()
}

/// The queries of the kept sections to set aside: those shown when the page last panicked.
pub fn set_aside() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// The sections set aside were cleared or shown again: forget them.
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}
