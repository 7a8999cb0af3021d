// The training worker's first script (see app/src/workers). It waits for the page's "load"
// message, which carries the worker's wasm already compiled (the page compiles it once for all
// its workers) and the build id, then imports the wasm-bindgen glue of that same build (the id
// in the URL keeps a cached glue of another build out) and starts the worker's Rust `main`,
// which takes over the messages and says "ready". An error here reaches the page as the
// worker's `error` event.
self.onmessage = (event) => {
  const { type, module, build } = event.data || {};
  if (type !== 'load') return;
  self.onmessage = null;
  importScripts(`./mlds-worker.js?v=${encodeURIComponent(build)}`);
  wasm_bindgen.initSync({ module });
};
