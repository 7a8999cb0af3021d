//! Every run that ends in a panel (done, stopped, or opened from a file), kept in IndexedDB so
//! that the panel's Runs list survives a reload. Database `mlds-runs` (version 1), one object
//! store `runs` keyed by the kept run's id; a value is `{ id, experiment, name, saved_ms,
//! query, backend, headline, file }`, `file` the run file's JSON text (`mlds_core::run_file`).
//!
//! The cost stays bounded: a run of more than [`MAX_EVENTS`] events or [`MAX_BYTES`] of JSON is
//! not kept (the list says so; its file can still be downloaded), at most [`MAX_RUNS`] are
//! kept per experiment (the oldest go), and listing reads only the small fields: a kept run's
//! file is parsed when it is compared, through `RunFile::parse`, the same checks as a file
//! from someone else, so what an older build (or a crafted file) left behind is never trusted.

use std::rc::Rc;

use js_sys::Array;
use mlds_core::run_file::RunFile;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use web_sys::IdbTransactionMode;

use crate::idb::{self, committed, describe, wait, Db};

const DB_NAME: &str = "mlds-runs";
const DB_VERSION: u32 = 1;
const STORE: &str = "runs";

/// A kept run holds at most this many events (E1 at the homework's 20,000 epochs has fewer).
pub const MAX_EVENTS: usize = 60_000;
/// A kept run's file is at most this long (JSON text).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// Kept runs per experiment; keeping one more forgets the oldest.
pub const MAX_RUNS: usize = 30;

/// A kept run: what the list shows, and its run file's text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptRun {
    pub id: String,
    pub experiment: String,
    /// The user's name for it (empty: named by its settings).
    pub name: String,
    /// When it was kept (ms since the epoch).
    pub saved_ms: f64,
    /// The run's query (its file's).
    pub query: String,
    pub backend: String,
    /// Its headline numbers (`run_file::compare::headline`), worked out when it was kept.
    pub headline: String,
    /// The run file as JSON text: parsed only when the run is compared, as text when it is
    /// downloaded.
    #[serde(with = "shared_text")]
    pub file: Rc<String>,
}

impl KeptRun {
    /// Its run file, read with the checks a file from someone else gets.
    pub fn run_file(&self) -> Result<RunFile, String> {
        let file = RunFile::parse(&self.file)?;
        if file.experiment != self.experiment || file.query != self.query {
            return Err("its file is of another run than the list says".into());
        }
        Ok(file)
    }
}

/// Why a run is not kept, if it is too large to.
pub fn too_large(events: usize, bytes: usize) -> Option<String> {
    if events > MAX_EVENTS {
        return Some(format!(
            "it has {events} events, more than the {MAX_EVENTS} a kept run may have"
        ));
    }
    (bytes > MAX_BYTES).then(|| {
        format!(
            "its file is {:.1} MB, more than the {} MB a kept run may be",
            bytes as f64 / 1e6,
            MAX_BYTES / (1024 * 1024)
        )
    })
}

mod shared_text {
    use std::rc::Rc;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(text: &Rc<String>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Rc<String>, D::Error> {
        String::deserialize(d).map(Rc::new)
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
    let value = serde_wasm_bindgen::to_value(run).map_err(|e| fail(e.to_string()))?;
    let db = open().await.map_err(fail)?;
    let (tx, store) = idb::store(&db, STORE, IdbTransactionMode::Readwrite).map_err(fail)?;
    let committed = committed(&tx);
    let put = store
        .put_with_key(&value, &JsValue::from_str(&run.id))
        .map_err(|e| fail(describe(&e)))?;
    wait(&put).await.map_err(fail)?;
    committed.await.map_err(fail)
}

/// The kept runs of `experiment`, newest first, and a message for each value that could not be
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
        let experiment_of = js_sys::Reflect::get(&value, &"experiment".into())
            .ok()
            .and_then(|v| v.as_string());
        if experiment_of.as_deref() != Some(experiment) {
            continue;
        }
        match serde_wasm_bindgen::from_value::<KeptRun>(value.clone()) {
            Ok(run) if run.file.len() <= MAX_BYTES => kept.push(run),
            read => {
                let why = read
                    .err()
                    .map_or("too large".to_string(), |e| e.to_string());
                set_aside.push(format!(
                    "A kept run could not be read back ({why}); it was removed."
                ));
                let id = js_sys::Reflect::get(&value, &"id".into()).ok();
                remove.extend(id.and_then(|v| v.as_string()));
            }
        }
    }
    kept.sort_by(|a, b| b.saved_ms.total_cmp(&a.saved_ms));
    remove.extend(kept.drain(kept.len().min(MAX_RUNS)..).map(|k| k.id));
    if !remove.is_empty() {
        if let Err(e) = delete(&remove).await {
            set_aside.push(e);
        }
    }
    Ok((kept, set_aside))
}

/// Forget the kept runs of `ids`.
pub async fn delete(ids: &[String]) -> Result<(), String> {
    let fail = |e: String| format!("Could not remove the kept run: {e}");
    let db = open().await.map_err(fail)?;
    idb::delete_keys(&db, STORE, ids).await.map_err(fail)
}
