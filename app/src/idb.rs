//! IndexedDB on `web-sys`: open a database, wait for a request or a transaction, and say what
//! went wrong in words a user can act on. The dataset cache and the report's store use it.
//!
//! Written straight on `web-sys` rather than the `idb` crate (which resolves and builds here):
//! `idb` reports an aborted transaction without its reason, and the reason is what the user
//! needs (quota exceeded is only reported when the write commits); it also leaks its callbacks
//! on every open and brings tokio along. Here each request becomes a `js_sys::Promise` whose
//! `resolve`/`reject` *are* the request's `onsuccess`/`onerror` handlers: no Rust closure to
//! keep alive or leak, and the result or the error is read back from the request itself.
//!
//! Every call site opens its own connection and drops it when done: a connection left open
//! would block a later schema upgrade (a newer version of the page in another tab).

use js_sys::{Promise, Reflect};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbRequestReadyState,
    IdbTransaction, IdbTransactionMode,
};

/// An open connection, closed when dropped (after its pending transactions finish).
pub struct Db(IdbDatabase);

impl Drop for Db {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Open database `name` at `version`; `upgrade` creates its stores on a first visit (or a
/// version bump).
pub async fn open(
    name: &str,
    version: u32,
    upgrade: fn(&IdbDatabase) -> Result<(), JsValue>,
) -> Result<Db, String> {
    let factory = match web_sys::window().map(|w| w.indexed_db()) {
        Some(Ok(Some(factory))) => factory,
        Some(Err(e)) => return Err(describe(&e)),
        _ => {
            return Err(
                "this browser offers no storage for this page (IndexedDB is missing, \
                         e.g. in private browsing), so nothing can be kept across reloads."
                    .into(),
            )
        }
    };
    let request = factory
        .open_with_u32(name, version)
        .map_err(|e| describe(&e))?;
    // First visit (or site data cleared): create the stores. Kept alive until the open settles,
    // since `upgradeneeded` always comes before `success`.
    let upgrading = request.clone();
    let on_upgrade = Closure::<dyn FnMut()>::new(move || {
        let created = upgrading
            .result()
            .and_then(|db| upgrade(&db.unchecked_into()));
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

/// A transaction on store `name`, and the store.
pub fn store(
    db: &Db,
    name: &str,
    mode: IdbTransactionMode,
) -> Result<(IdbTransaction, IdbObjectStore), String> {
    let tx =
        db.0.transaction_with_str_and_mode(name, mode)
            .map_err(|e| describe(&e))?;
    let store = tx.object_store(name).map_err(|e| describe(&e))?;
    Ok((tx, store))
}

/// Delete `keys` from store `name` in one transaction, waiting until it commits.
pub async fn delete_keys(db: &Db, name: &str, keys: &[String]) -> Result<(), String> {
    let (tx, store) = store(db, name, IdbTransactionMode::Readwrite)?;
    let committed = committed(&tx);
    for key in keys {
        let request = store
            .delete(&JsValue::from_str(key))
            .map_err(|e| describe(&e))?;
        wait(&request).await?;
    }
    committed.await
}

/// Wait for a request to settle: its result, or its error in words.
pub async fn wait(request: &IdbRequest) -> Result<JsValue, String> {
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
            "the storage is held by another tab of this page running an older version: close or \
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
pub fn committed(tx: &IdbTransaction) -> impl std::future::Future<Output = Result<(), String>> {
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
pub fn describe(error: &JsValue) -> String {
    let Some(e) = error.dyn_ref::<DomException>() else {
        return format!("browser storage failed ({}).", error_text(error));
    };
    match e.name().as_str() {
        "QuotaExceededError" => "not enough browser storage (quota exceeded): \
                                 free some disk space or clear other sites' data, then try again."
            .into(),
        "InvalidStateError" | "SecurityError" => "this browser does not allow storage for this \
             page (private browsing, or site data blocked), so nothing can be kept across \
             reloads."
            .into(),
        "VersionError" => "the storage was written by a newer version of this page: reload the \
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
