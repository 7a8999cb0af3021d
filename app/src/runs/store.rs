//! Every run that ends in a panel (done, stopped, or opened from a file), kept in IndexedDB so
//! that the panel's Runs list survives a reload. Database `mlds-runs` (version 1), one object
//! store `runs` keyed by the kept run's id; a value is `{ id, experiment, name, saved_ms,
//! file }`, `file` the run file's JSON text (`mlds_core::run_file`): read back through
//! `RunFile::parse`, the same checks as a file from someone else, so a value an older build
//! (or a crafted file) left behind is set aside in words, never trusted.

use js_sys::Array;
use mlds_core::run_file::compare::headline;
use mlds_core::run_file::RunFile;
use mlds_core::view::RunView;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use web_sys::IdbTransactionMode;

use crate::idb::{self, committed, describe, wait, Db};

const DB_NAME: &str = "mlds-runs";
const DB_VERSION: u32 = 1;
const STORE: &str = "runs";

/// A kept run as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Stored {
    id: String,
    experiment: String,
    name: String,
    saved_ms: f64,
    file: String,
}

/// A kept run, read back and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct KeptRun {
    pub id: String,
    /// The user's name for it (empty: named by its settings).
    pub name: String,
    /// When it was kept (ms since the epoch).
    pub saved_ms: f64,
    pub file: RunFile,
    /// Its headline numbers ([`headline`]), worked out once: lists re-render on every event.
    pub headline: String,
}

impl KeptRun {
    pub fn new(id: String, name: String, saved_ms: f64, file: RunFile) -> Self {
        let headline = headline(&RunView::of_events(file.events.clone()));
        Self {
            id,
            name,
            saved_ms,
            file,
            headline,
        }
    }
}

async fn open() -> Result<Db, String> {
    idb::open(DB_NAME, DB_VERSION, |db| {
        db.create_object_store(STORE).map(drop)
    })
    .await
}

/// Keep `run` (replacing the kept run of the same id: a rename).
pub async fn save(run: &KeptRun) -> Result<(), String> {
    let fail = |e: String| format!("Could not keep the run for a reload: {e}");
    let stored = Stored {
        id: run.id.clone(),
        experiment: run.file.experiment.clone(),
        name: run.name.clone(),
        saved_ms: run.saved_ms,
        file: run.file.to_json(),
    };
    let value = serde_wasm_bindgen::to_value(&stored).map_err(|e| fail(e.to_string()))?;
    let db = open().await.map_err(fail)?;
    let (tx, store) = idb::store(&db, STORE, IdbTransactionMode::Readwrite).map_err(fail)?;
    let committed = committed(&tx);
    let put = store
        .put_with_key(&value, &JsValue::from_str(&run.id))
        .map_err(|e| fail(describe(&e)))?;
    wait(&put).await.map_err(fail)?;
    committed.await.map_err(fail)
}

/// The kept runs of `experiment`, newest first, and a message for each one that could not be
/// read back (it is removed).
pub async fn load(experiment: &str) -> Result<(Vec<KeptRun>, Vec<String>), String> {
    let fail = |e: String| format!("Could not read the kept runs: {e}");
    let values: Array = {
        let db = open().await.map_err(fail)?;
        let (_tx, store) = idb::store(&db, STORE, IdbTransactionMode::Readonly).map_err(fail)?;
        let request = store.get_all().map_err(|e| fail(describe(&e)))?;
        wait(&request).await.map_err(fail)?.into()
    };
    let (mut kept, mut set_aside, mut remove) = (Vec::new(), Vec::new(), Vec::new());
    for value in values.iter() {
        let stored = match serde_wasm_bindgen::from_value::<Stored>(value.clone()) {
            Ok(stored) => stored,
            Err(e) => {
                set_aside.push(format!(
                    "A kept run could not be read back ({e}); it was removed."
                ));
                if let Some(id) = js_sys::Reflect::get(&value, &"id".into())
                    .ok()
                    .and_then(|v| v.as_string())
                {
                    remove.push(id);
                }
                continue;
            }
        };
        if stored.experiment != experiment {
            continue;
        }
        match RunFile::parse(&stored.file) {
            Ok(file) => kept.push(KeptRun::new(stored.id, stored.name, stored.saved_ms, file)),
            Err(why) => {
                set_aside.push(format!(
                    "The kept run \"{}\" could not be read back: {why}. It was removed.",
                    stored.name
                ));
                remove.push(stored.id);
            }
        }
    }
    if !remove.is_empty() {
        if let Err(e) = delete(&remove).await {
            set_aside.push(e);
        }
    }
    kept.sort_by(|a, b| b.saved_ms.total_cmp(&a.saved_ms));
    Ok((kept, set_aside))
}

/// Forget the kept runs of `ids`.
pub async fn delete(ids: &[String]) -> Result<(), String> {
    let fail = |e: String| format!("Could not remove the kept run: {e}");
    let db = open().await.map_err(fail)?;
    let (tx, store) = idb::store(&db, STORE, IdbTransactionMode::Readwrite).map_err(fail)?;
    let committed = committed(&tx);
    for id in ids {
        let request = store
            .delete(&JsValue::from_str(id))
            .map_err(|e| fail(describe(&e)))?;
        wait(&request).await.map_err(fail)?;
    }
    committed.await.map_err(fail)
}
