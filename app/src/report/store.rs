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

/// What the store gave back: the kept sections that pass the checks a file passes, by query;
/// and, for each one that does not, why, naming it (it is removed from the store).
pub struct Loaded {
    pub kept: HashMap<String, Kept>,
    pub set_aside: Vec<String>,
}

/// Every kept section, by query, read back through the same checks as a file
/// ([`super::open::check_kept`]): one that fails (an older version's events, or a section kept
/// from a crafted file by an earlier build) is set aside with a message naming it, and removed,
/// so that the rest of the report works and a reload does not meet it again.
pub async fn load_all() -> Result<Loaded, String> {
    let fail = |e: String| format!("Could not read the kept sections: {e}");
    let values: Array = {
        let db = open().await.map_err(fail)?;
        let (_tx, store) = idb::store(&db, STORE, IdbTransactionMode::Readonly).map_err(fail)?;
        let request = store.get_all().map_err(|e| fail(describe(&e)))?;
        wait(&request).await.map_err(fail)?.into()
    };
    let mut loaded = Loaded {
        kept: HashMap::new(),
        set_aside: Vec::new(),
    };
    let mut remove = Vec::new();
    for value in values.iter() {
        let read = serde_wasm_bindgen::from_value::<SavedSection>(value.clone())
            .map_err(|e| format!("it is not a section this version reads ({e})"))
            .and_then(|s| super::open::check_kept(&s).map(|()| s));
        match read {
            Ok(section) => {
                loaded
                    .kept
                    .insert(section.query.clone(), Kept(Rc::new(section)));
            }
            Err(why) => {
                let query = js_sys::Reflect::get(&value, &"query".into())
                    .ok()
                    .and_then(|q| q.as_string())
                    .unwrap_or_default();
                loaded.set_aside.push(format!(
                    "The kept run of {} could not be read back: {why}. It was set aside (removed); run that section again.",
                    super::open::name_of(&query)
                ));
                remove.push(query);
            }
        }
    }
    if !remove.is_empty() {
        if let Err(e) = delete(&remove).await {
            loaded.set_aside.push(e);
        }
    }
    Ok(loaded)
}

/// Forget the kept sections of `queries`.
async fn delete(queries: &[String]) -> Result<(), String> {
    let fail = |e: String| format!("Could not remove a section set aside: {e}");
    let db = open().await.map_err(fail)?;
    idb::delete_keys(&db, STORE, queries).await.map_err(fail)
}

/// Forget every kept section (and any set aside after a panic).
pub async fn clear() -> Result<(), String> {
    super::guard::forget();
    let fail = |e: String| format!("Could not forget the kept sections: {e}");
    let db = open().await.map_err(fail)?;
    let (tx, store) = idb::store(&db, STORE, IdbTransactionMode::Readwrite).map_err(fail)?;
    let committed = committed(&tx);
    let request = store.clear().map_err(|e| fail(describe(&e)))?;
    wait(&request).await.map_err(fail)?;
    committed.await.map_err(fail)
}
