//! Finished report sections, kept in IndexedDB so that a reload resumes the report instead of
//! starting over. Database `mlds-report` (version 1), one object store `sections` keyed by the
//! section's query (which names the experiment and every setting, so the quick and full modes
//! are kept apart); a value is the section as a plain JS object (serde-wasm-bindgen, not JSON:
//! a run's events may hold NaN or ±∞, e.g. the explained variance of a single snapshot).

use std::collections::HashMap;
use std::rc::Rc;

use js_sys::Array;
use mlds_core::{BackendKind, Event};
use serde::{Deserialize, Serialize};
use serde_wasm_bindgen::Serializer;
use wasm_bindgen::JsValue;
use web_sys::IdbTransactionMode;

use crate::idb::{self, committed, describe, wait, Db};

const DB_NAME: &str = "mlds-report";
const DB_VERSION: u32 = 1;
const STORE: &str = "sections";

/// A finished section: what ran, where, and every event of its run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedSection {
    pub query: String,
    pub backend: BackendKind,
    pub events: Vec<Event>,
}

/// A kept section, shared. Two are equal when they are the same one: props compare it on every
/// render of the page, which must not walk thousands of events.
#[derive(Clone, Debug)]
pub struct Kept(pub Rc<SavedSection>);

impl PartialEq for Kept {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Kept {
    type Target = SavedSection;

    fn deref(&self) -> &SavedSection {
        &self.0
    }
}

async fn open() -> Result<Db, String> {
    idb::open(DB_NAME, DB_VERSION, |db| {
        db.create_object_store(STORE).map(drop)
    })
    .await
}

/// Keep `section` (replacing an earlier run of the same query).
pub async fn save(section: &SavedSection) -> Result<(), String> {
    let fail = |e: String| format!("Could not keep the section for a reload: {e}");
    let value = section
        .serialize(&Serializer::new().serialize_maps_as_objects(true))
        .map_err(|e| fail(e.to_string()))?;
    let db = open().await.map_err(fail)?;
    let (tx, store) = idb::store(&db, STORE, IdbTransactionMode::Readwrite).map_err(fail)?;
    let committed = committed(&tx);
    let put = store
        .put_with_key(&value, &JsValue::from_str(&section.query))
        .map_err(|e| fail(describe(&e)))?;
    wait(&put).await.map_err(fail)?;
    committed.await.map_err(fail)
}

/// Every kept section, by query. Entries that no longer parse (an older version's events) are
/// skipped: those sections simply run again.
pub async fn load_all() -> Result<HashMap<String, Kept>, String> {
    let fail = |e: String| format!("Could not read the kept sections: {e}");
    let db = open().await.map_err(fail)?;
    let (_tx, store) = idb::store(&db, STORE, IdbTransactionMode::Readonly).map_err(fail)?;
    let request = store.get_all().map_err(|e| fail(describe(&e)))?;
    let values: Array = wait(&request).await.map_err(fail)?.into();
    Ok(values
        .iter()
        .filter_map(|v| serde_wasm_bindgen::from_value::<SavedSection>(v).ok())
        .map(|s| (s.query.clone(), Kept(Rc::new(s))))
        .collect())
}

/// Forget every kept section.
pub async fn clear() -> Result<(), String> {
    let fail = |e: String| format!("Could not forget the kept sections: {e}");
    let db = open().await.map_err(fail)?;
    let (tx, store) = idb::store(&db, STORE, IdbTransactionMode::Readwrite).map_err(fail)?;
    let committed = committed(&tx);
    let request = store.clear().map_err(|e| fail(describe(&e)))?;
    wait(&request).await.map_err(fail)?;
    committed.await.map_err(fail)
}
