//! IndexedDB cache for dataset files, so that a reload does not ask the user for them again.
//!
//! Database `mlds-playground` (version 1), one object store `datasets` with out-of-line keys
//! (the dataset id). A value is `{ title: string, files: [{ name: string, bytes: Uint8Array }] }`.
//! The store has one index, `title`, so that [`list`] walks (title, id) pairs with a key cursor
//! instead of reading back hundreds of megabytes of file bytes just to show the titles.
//!
//! Written straight on `web-sys` rather than the `idb` crate (which resolves and builds here):
//! `idb` reports an aborted transaction without its reason, and the reason is what the user
//! needs (quota exceeded is only reported when the write commits); it also leaks its callbacks
//! on every open and brings tokio along. Here each request becomes a `js_sys::Promise` whose
//! `resolve`/`reject` *are* the request's `onsuccess`/`onerror` handlers: no Rust closure to
//! keep alive or leak, and the result or the error is read back from the request itself.
//!
//! Every call opens its own connection and closes it when done: a connection left open would
//! block a later schema upgrade (a newer version of the page in another tab).

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, IdbCursor, IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest,
    IdbRequestReadyState, IdbTransaction, IdbTransactionMode,
};

const DB_NAME: &str = "mlds-playground";
const DB_VERSION: u32 = 1;
const STORE: &str = "datasets";
const TITLE_INDEX: &str = "title";

/// One cached dataset: the files as given (name, bytes), and a title shown in the page.
pub struct CachedDataset {
    pub title: String,
    pub files: Vec<(String, Vec<u8>)>,
}

/// Store (or replace) the dataset under `id`.
pub async fn save(id: &str, dataset: &CachedDataset) -> Result<(), String> {
    let fail = |e: String| format!("Could not keep the dataset in this browser: {e}");
    let db = open().await.map_err(fail)?;
    let (tx, store) = store(&db, IdbTransactionMode::Readwrite).map_err(fail)?;
    let committed = committed(&tx);
    // `put` clones the value synchronously, so the JS copies of the bytes (the one copy made
    // here) can be collected when this statement ends, before the write is committed.
    let put = store
        .put_with_key(&to_js(dataset), &JsValue::from_str(id))
        .map_err(|e| fail(describe(&e)))?;
    wait(&put).await.map_err(fail)?;
    committed.await.map_err(fail)
}

/// The dataset stored under `id`, if any.
pub async fn load(id: &str) -> Result<Option<CachedDataset>, String> {
    let fail = |e: String| format!("Could not read the dataset cache: {e}");
    let db = open().await.map_err(fail)?;
    let (_tx, store) = store(&db, IdbTransactionMode::Readonly).map_err(fail)?;
    let get = store
        .get(&JsValue::from_str(id))
        .map_err(|e| fail(describe(&e)))?;
    let value = wait(&get).await.map_err(fail)?;
    if value.is_undefined() {
        return Ok(None);
    }
    from_js(&value).map(Some).ok_or_else(|| {
        "The cached dataset is damaged: clear the cache and give the files again.".to_string()
    })
}

/// ids and titles of the cached datasets
// Part of the cache's API, for a page that shows what is cached; not every build calls it.
#[allow(dead_code)]
pub async fn list() -> Result<Vec<(String, String)>, String> {
    let fail = |e: String| format!("Could not read the dataset cache: {e}");
    let db = open().await.map_err(fail)?;
    let (_tx, store) = store(&db, IdbTransactionMode::Readonly).map_err(fail)?;
    let cursor = store
        .index(TITLE_INDEX)
        .and_then(|index| index.open_key_cursor())
        .map_err(|e| fail(describe(&e)))?;
    let mut found = Vec::new();
    // The same request fires `success` once per entry, and with `null` after the last one.
    loop {
        let next = wait(&cursor).await.map_err(fail)?;
        let Some(at) = next.dyn_ref::<IdbCursor>() else {
            break;
        };
        let id = at.primary_key().ok().and_then(|k| k.as_string());
        let title = at.key().ok().and_then(|k| k.as_string());
        if let (Some(id), Some(title)) = (id, title) {
            found.push((id, title));
        }
        at.continue_().map_err(|e| fail(describe(&e)))?;
    }
    Ok(found)
}

/// Forget every cached dataset.
pub async fn clear() -> Result<(), String> {
    let fail = |e: String| format!("Could not clear the dataset cache: {e}");
    let db = open().await.map_err(fail)?;
    let (tx, store) = store(&db, IdbTransactionMode::Readwrite).map_err(fail)?;
    let committed = committed(&tx);
    let request = store.clear().map_err(|e| fail(describe(&e)))?;
    wait(&request).await.map_err(fail)?;
    committed.await.map_err(fail)
}

/// An open connection, closed when dropped (after its pending transactions finish).
struct Db(IdbDatabase);

impl Drop for Db {
    fn drop(&mut self) {
        self.0.close();
    }
}

async fn open() -> Result<Db, String> {
    let factory = match web_sys::window().map(|w| w.indexed_db()) {
        Some(Ok(Some(factory))) => factory,
        Some(Err(e)) => return Err(describe(&e)),
        _ => {
            return Err(
                "this browser offers no storage for this page (IndexedDB is missing, \
                         e.g. in private browsing), so datasets cannot be kept across reloads."
                    .into(),
            )
        }
    };
    let request = factory
        .open_with_u32(DB_NAME, DB_VERSION)
        .map_err(|e| describe(&e))?;
    // First visit (or site data cleared): create the store. Kept alive until the open settles,
    // since `upgradeneeded` always comes before `success`.
    let upgrading = request.clone();
    let on_upgrade = Closure::<dyn FnMut()>::new(move || {
        let created = upgrading.result().and_then(|db| {
            let db: IdbDatabase = db.unchecked_into();
            let store = db.create_object_store(STORE)?;
            store.create_index_with_str(TITLE_INDEX, "title")
        });
        if created.is_err() {
            // Makes the open fail with an AbortError rather than succeed without the store.
            if let Some(tx) = upgrading.transaction() {
                let _ = tx.abort();
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let opened = wait(&request).await;
    request.set_onupgradeneeded(None);
    Ok(Db(opened?.unchecked_into()))
}

/// A transaction on the store, and the store.
fn store(db: &Db, mode: IdbTransactionMode) -> Result<(IdbTransaction, IdbObjectStore), String> {
    let tx =
        db.0.transaction_with_str_and_mode(STORE, mode)
            .map_err(|e| describe(&e))?;
    let store = tx.object_store(STORE).map_err(|e| describe(&e))?;
    Ok((tx, store))
}

/// Wait for a request to settle: its result, or its error in words.
async fn wait(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
        if let Some(open) = request.dyn_ref::<IdbOpenDbRequest>() {
            open.set_onblocked(Some(&reject));
        }
    });
    let settled = JsFuture::from(promise).await;
    match settled {
        Ok(_) => request.result().map_err(|e| describe(&e)),
        // Only `blocked` rejects while the request is still pending.
        Err(_) if request.ready_state() == IdbRequestReadyState::Pending => Err(
            "the cache is held by another tab of this page running an older version: close or \
             reload the other tabs and try again."
                .into(),
        ),
        Err(_) => Err(match request.error() {
            Ok(Some(e)) => describe(&e),
            _ => "the browser reported an unknown storage error.".into(),
        }),
    }
}

/// Resolves once `tx` commits; fails with the reason if it aborts. Quota exceeded is reported
/// only here, at commit. Made eagerly, so the promise always has a handler.
fn committed(tx: &IdbTransaction) -> impl std::future::Future<Output = Result<(), String>> {
    let promise = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    });
    let settled = JsFuture::from(promise);
    let tx = tx.clone();
    async move {
        settled.await.map(drop).map_err(|_| match tx.error() {
            Some(e) => describe(&e),
            None => "the browser cancelled the write.".into(),
        })
    }
}

/// A storage error in words a user can act on.
fn describe(error: &JsValue) -> String {
    let Some(e) = error.dyn_ref::<DomException>() else {
        return format!("browser storage failed ({}).", error_text(error));
    };
    match e.name().as_str() {
        "QuotaExceededError" => "not enough browser storage for the dataset (quota exceeded): \
                                 free some disk space or clear other sites' data, then try again."
            .into(),
        "InvalidStateError" | "SecurityError" => "this browser does not allow storage for this \
             page (private browsing, or site data blocked), so datasets cannot be kept across \
             reloads."
            .into(),
        "VersionError" => "the cache was written by a newer version of this page: reload the \
                           page, or clear this site's data."
            .into(),
        "AbortError" => "the browser cancelled the storage operation; try again.".into(),
        name => format!("browser storage failed ({name}: {}).", e.message()),
    }
}

fn error_text(error: &JsValue) -> String {
    error.as_string().unwrap_or_else(|| {
        Reflect::get(error, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| format!("{error:?}"))
    })
}

/// The JS value stored for a dataset: one copy of each file's bytes, as a `Uint8Array`.
fn to_js(dataset: &CachedDataset) -> Object {
    let files = Array::new();
    for (name, bytes) in &dataset.files {
        let file = Object::new();
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&file, &"name".into(), &JsValue::from_str(name));
        let _ = Reflect::set(&file, &"bytes".into(), &Uint8Array::from(bytes.as_slice()));
        files.push(&file);
    }
    let value = Object::new();
    let _ = Reflect::set(&value, &"title".into(), &JsValue::from_str(&dataset.title));
    let _ = Reflect::set(&value, &"files".into(), &files);
    value
}

/// Back from the stored value; `None` if it is not shaped as [`to_js`] writes it.
fn from_js(value: &JsValue) -> Option<CachedDataset> {
    let get = |v: &JsValue, key: &str| Reflect::get(v, &JsValue::from_str(key)).ok();
    let title = get(value, "title")?.as_string()?;
    let files = get(value, "files")?.dyn_into::<Array>().ok()?;
    let files = files
        .iter()
        .map(|file| {
            let name = get(&file, "name")?.as_string()?;
            let bytes = get(&file, "bytes")?.dyn_into::<Uint8Array>().ok()?;
            Some((name, bytes.to_vec()))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(CachedDataset { title, files })
}
