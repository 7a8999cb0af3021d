//! IndexedDB cache for dataset files, so that a reload does not ask the user for them again.
//!
//! Database `mlds-playground` (version 1), one object store `datasets` with out-of-line keys
//! (the dataset id). A value is `{ title: string, files: [{ name: string, bytes: Uint8Array }] }`.
//! The store has one index, `title`, so that [`list`] walks (title, id) pairs with a key cursor
//! instead of reading back hundreds of megabytes of file bytes just to show the titles.
//!
//! The IndexedDB plumbing (requests as futures, errors in words) is in [`crate::idb`].

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbCursor, IdbObjectStore, IdbTransaction, IdbTransactionMode};

use crate::idb::{committed, describe, wait, Db};

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

async fn open() -> Result<Db, String> {
    crate::idb::open(DB_NAME, DB_VERSION, |db| {
        let store = db.create_object_store(STORE)?;
        store.create_index_with_str(TITLE_INDEX, "title").map(drop)
    })
    .await
}

/// A transaction on the store, and the store.
fn store(db: &Db, mode: IdbTransactionMode) -> Result<(IdbTransaction, IdbObjectStore), String> {
    crate::idb::store(db, STORE, mode)
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
