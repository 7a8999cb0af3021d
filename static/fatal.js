// The fatal banner's Clear button (see app/src/lib.rs's panic hook). After a panic the page's
// wasm has aborted, so this is plain JavaScript: it empties the report's kept sections
// (IndexedDB `mlds-report`, store `sections`, as app/src/report/store.rs keeps them), forgets
// the sections set aside after the panic, and reloads.
(function () {
  function reload() { location.reload(); }
  function clearKept() {
    try { localStorage.removeItem('mlds-report-panicked'); } catch (e) { /* no storage */ }
    if (!window.indexedDB) return reload();
    var request = indexedDB.open('mlds-report', 1);
    // A first visit: create the store as the page does, so the page finds it later.
    request.onupgradeneeded = function () { request.result.createObjectStore('sections'); };
    request.onerror = reload;
    request.onsuccess = function () {
      var db = request.result;
      var tx = db.transaction('sections', 'readwrite');
      tx.objectStore('sections').clear();
      tx.oncomplete = function () { db.close(); reload(); };
      tx.onerror = tx.onabort = function () { db.close(); reload(); };
    };
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('#fatal button.clear-report');
    if (button) {
      button.disabled = true;
      clearKept();
    }
  });
})();
