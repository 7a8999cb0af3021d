//! Datasets in the browser: the subset shipped under `data/`, the official files a user gives
//! (file picker or drag-and-drop), and the ones a deployment lists in `data/manifest.json`.
//! Loaded datasets stay in memory for the session and in IndexedDB across reloads. Files are
//! parsed in one of the pool's workers (`workers::parse_dataset`), on the page's thread only
//! with `workers=0`.

pub mod cache;
mod fetch;
mod files;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use mlds_core::data::{roles, DataSource, DatasetKind, ImageDataset, Manifest};

use crate::workers::parse_dataset;

pub use files::{dropped_files, read_files, read_run_file, selected_files};

/// Why a dataset could not be had.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    /// Not shipped, not cached, not listed: the message says how to get it.
    Missing(String),
    /// Something went wrong (a network error, a malformed file): shown as an error.
    Failed(String),
}

/// Loading progress: what is happening, and bytes done of (maybe) a known total.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub stage: String,
    pub done: f64,
    pub total: Option<f64>,
}

/// A dataset being loaded: every caller that asks for it meanwhile awaits this one load.
type Loading = Shared<LocalBoxFuture<'static, Result<Rc<ImageDataset>, LoadError>>>;

thread_local! {
    /// Datasets parsed this session, by manifest id (`mnist-subset`, `mnist`, `cifar10`).
    static LOADED: RefCell<HashMap<String, Rc<ImageDataset>>> = RefCell::new(HashMap::new());
    /// Datasets being loaded, by manifest id.
    static LOADING: RefCell<HashMap<String, Loading>> = RefCell::new(HashMap::new());
}

/// The dataset if it is already in memory.
pub fn loaded(kind: DatasetKind, source: DataSource) -> Option<Rc<ImageDataset>> {
    LOADED.with(|l| l.borrow().get(&kind.manifest_id(source)).cloned())
}

fn remember(id: String, dataset: ImageDataset) -> Rc<ImageDataset> {
    let dataset = Rc::new(dataset);
    LOADED.with(|l| l.borrow_mut().insert(id, dataset.clone()));
    dataset
}

/// The dataset for a run: from memory, else the browser cache, else the files a deployment
/// serves (the MNIST subset always). `progress` hears about every chunk fetched. Asked again
/// while it loads (a panel's first look and an autorun's start come together), the dataset
/// is loaded and parsed once: the second caller awaits the first load (and hears no progress).
pub async fn obtain(
    kind: DatasetKind,
    source: DataSource,
    progress: impl Fn(Progress) + 'static,
) -> Result<Rc<ImageDataset>, LoadError> {
    if let Some(d) = loaded(kind, source) {
        return Ok(d);
    }
    let id = kind.manifest_id(source);
    let loading = LOADING.with(|l| {
        l.borrow_mut()
            .entry(id.clone())
            .or_insert_with(|| load(kind, source, progress).boxed_local().shared())
            .clone()
    });
    let result = loading.await;
    LOADING.with(|l| l.borrow_mut().remove(&id));
    result
}

/// [`obtain`]'s one load of a dataset not in memory.
async fn load(
    kind: DatasetKind,
    source: DataSource,
    progress: impl Fn(Progress),
) -> Result<Rc<ImageDataset>, LoadError> {
    let id = kind.manifest_id(source);
    if source == DataSource::Full {
        progress(Progress {
            stage: "Looking in this browser's cache…".into(),
            done: 0.0,
            total: None,
        });
        match cache::load(&id).await {
            Ok(Some(cached)) => {
                let files = cached.files;
                let d = parse_dataset(kind, &cached.title, &files)
                    .await
                    .map_err(|e| LoadError::Failed(format!("The cached {} is unreadable ({e}); clear the cache and give the files again.", kind.title())))?;
                return Ok(remember(id, d));
            }
            Ok(None) => {}
            // A browser without IndexedDB still works: it just asks again next time.
            Err(e) => web_sys::console::warn_1(&format!("dataset cache: {e}").into()),
        }
    }
    let manifest = fetch::text("data/manifest.json")
        .await
        .map_err(LoadError::Failed)
        .and_then(|t| Manifest::parse(&t).map_err(LoadError::Failed))?;
    let Some(entry) = manifest.entry(&id) else {
        return Err(LoadError::Missing(format!(
            "{} (full) is not loaded yet. {}",
            kind.title(),
            kind.how_to_get()
        )));
    };
    let total = entry.bytes.map(|b| b as f64);
    let mut files = Vec::new();
    let mut done = 0.0;
    for role in roles(kind) {
        let Some(path) = entry.files.get(role) else {
            return Err(LoadError::Failed(format!(
                "data/manifest.json: dataset '{id}' lists no '{role}' file"
            )));
        };
        let url = format!("data/{path}");
        let bytes = fetch::bytes(&url, |n| {
            progress(Progress {
                stage: format!("Downloading {}…", entry.title),
                done: done + n,
                total,
            })
        })
        .await
        .map_err(LoadError::Failed)?;
        done += bytes.len() as f64;
        files.push((url, bytes));
    }
    progress(Progress {
        stage: format!("Reading {}…", entry.title),
        done,
        total,
    });
    let d = parse_dataset(kind, &entry.title, &files)
        .await
        .map_err(LoadError::Failed)?;
    Ok(remember(id, d))
}

/// Parse files the user gave (which dataset they are is judged from their names), keep the
/// result for the session and in the browser cache. Returns the dataset's kind.
pub async fn adopt_user_files(
    files: Vec<(String, Vec<u8>)>,
) -> Result<(DatasetKind, Rc<ImageDataset>), String> {
    let kind = DatasetKind::detect(files.iter().map(|(n, _)| n.as_str()));
    let parsed = parse_dataset(kind, kind.title(), &files).await?;
    let title = format!(
        "{} ({} train / {} test, from your files)",
        kind.title(),
        parsed.train.len(),
        parsed.test.len()
    );
    let parsed = ImageDataset {
        name: title.clone(),
        ..parsed
    };
    let id = kind.manifest_id(DataSource::Full);
    if let Err(e) = cache::save(&id, &cache::CachedDataset { title, files }).await {
        web_sys::console::warn_1(&format!("dataset cache: {e}").into());
    }
    Ok((kind, remember(id, parsed)))
}

/// Forget every dataset: the browser cache and this session's memory.
pub async fn clear() -> Result<(), String> {
    LOADED.with(|l| l.borrow_mut().retain(|id, _| id.ends_with("-subset")));
    cache::clear().await
}
