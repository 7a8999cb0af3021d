// Runs before the app's wasm loads: a browser that cannot run it (no WebAssembly, or no
// WebAssembly SIMD, which every wasm here is built with: see .cargo/config.toml) gets a
// message in the page instead of a blank one. Every current browser has both.
(function () {
  // The smallest module that uses a SIMD instruction (wasm-feature-detect's SIMD probe).
  var simdProbe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
    10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  var missing = typeof WebAssembly !== 'object' ? 'WebAssembly'
    : !WebAssembly.validate(simdProbe) ? 'WebAssembly SIMD' : null;
  if (!missing) return;
  document.addEventListener('DOMContentLoaded', function () {
    var fatal = document.getElementById('fatal');
    if (!fatal) return;
    fatal.textContent = 'MLDS Playground needs ' + missing + ', which this browser does not offer. ' +
      'Use a current Chrome, Edge, Firefox or Safari (16.4 or later).';
    fatal.hidden = false;
  });
})();
