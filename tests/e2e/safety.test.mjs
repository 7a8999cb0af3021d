// The safety nets (issue 35): a panic on the page shows the fatal banner in words, with what to
// do; a report section that would not fit its experiment (a crafted file's 12000 × 12000 E6
// grid) is set aside by name, from a file or from IndexedDB, and the rest of the report works;
// after a panic while kept sections were shown, a reload sets them aside instead of stopping
// again, and the banner's Clear empties them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, DIST } from './harness.mjs';

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

const report = '[data-experiment="report"]';
const PLANTED = 'a defect planted by the test';

/** Panic in the page's own wasm (main.rs's `page_panic_for_tests`): the call throws. */
async function plantPanic(page) {
  await page.waitForFunction(() => typeof window.wasmBindings?.page_panic_for_tests === 'function');
  const thrown = await page.evaluate((reason) => {
    try { window.wasmBindings.page_panic_for_tests(reason); return null; } catch (e) { return String(e); }
  }, PLANTED);
  assert.ok(thrown, 'the panic aborted the call');
}

/** The report section `id`'s query, as the page keys it (its link is `#` + query). */
const queryOf = async (page, id) =>
  (await page.getAttribute(`[data-section="${id}"] a.section-link`, 'href')).slice(1);

/** Put `value` in the report's store under `key`, as a kept section. */
const keep = (page, key, value) => page.evaluate(([key, value]) => new Promise((resolve, reject) => {
  const req = indexedDB.open('mlds-report', 1);
  req.onupgradeneeded = () => req.result.createObjectStore('sections');
  req.onerror = () => reject(req.error);
  req.onsuccess = () => {
    const tx = req.result.transaction('sections', 'readwrite');
    tx.objectStore('sections').put(value, key);
    tx.oncomplete = () => { req.result.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
}), [key, value]);

/** How many sections the report's store keeps. */
const keptCount = (page) => page.evaluate(() => new Promise((resolve) => {
  const req = indexedDB.open('mlds-report');
  req.onsuccess = () => {
    try {
      const count = req.result.transaction('sections').objectStore('sections').count();
      count.onsuccess = () => { req.result.close(); resolve(count.result); };
    } catch { req.result.close(); resolve(0); }
  };
  req.onerror = () => resolve(0);
}));

/** E6's events claiming a `side` × `side` grid (a 250 KB file at 12000). */
const hugeGrid = (side) => [
  { type: 'surface_grid', xs: Array(side).fill(0), ys: Array(side).fill(0), directions: 'crafted', path: [] },
  { type: 'done', epoch: 1, elapsed_ms: 1 },
];
const DONE = [{ type: 'done', epoch: 1, elapsed_ms: 1 }];

test('a panic on the page shows the fatal banner: what happened and what to do', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page } = await open(browser, `${server.url}/#exp=home`);
    assert.equal(await page.isHidden('#fatal'), true, 'no banner before');
    await plantPanic(page);
    await page.waitForSelector('#fatal', { state: 'visible' });
    const text = await page.textContent('#fatal');
    assert.match(text, /internal error and stopped .*a defect planted by the test.*Reload the page to start again/);
    assert.equal(await page.$('#fatal button.clear-report'), null, 'no report section was shown');
  } finally {
    await browser.close();
  }
});

test('a report file whose E6 section claims a 12000 × 12000 grid: that section is set aside by name, the others open, no panic', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=report`);
    await page.waitForSelector(`${report}[data-state="idle"]`);
    const [fit, surface] = [await queryOf(page, 'fit'), await queryOf(page, 'surface')];
    const data = JSON.stringify([
      { section: 'fit', query: fit, backend: 'cpu', build: 'x', events: DONE },
      { section: 'surface', query: surface, backend: 'cpu', build: 'x', events: hugeGrid(12000) },
    ]).replace(/</g, '\\u003c');
    const html = `<!DOCTYPE html><html><body><script type="application/json" id="report-data">${data}</script></body></html>`;
    await page.setInputFiles(`${report} [data-open-run]`, { name: 'crafted.html', mimeType: 'text/html', buffer: Buffer.from(html) });
    const alert = page.locator(`${report} > [role="alert"]`);
    await alert.waitFor();
    assert.match(await alert.textContent(),
      /In crafted\.html, its section 2 \(E6 · Error surface\) is not a run: its event 0 claims a 12000 × 12000 grid, and its query's is 31 × 31 \(grid=31\); it was set aside\. The rest of the report opened\./);
    await page.waitForSelector('[data-section="fit"][data-state="done"]');
    assert.equal(await page.getAttribute('[data-section="surface"]', 'data-state'), 'idle');
    assert.equal(await page.isHidden('#fatal'), true, 'no panic banner');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a kept E6 section with a 12000 × 12000 grid is set aside on reload, named, and removed; the rest of the report works', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=report`);
    await page.waitForSelector(`${report}[data-state="idle"]`);
    const [fit, surface] = [await queryOf(page, 'fit'), await queryOf(page, 'surface')];
    await keep(page, fit, { query: fit, backend: 'cpu', events: DONE });
    await keep(page, surface, { query: surface, backend: 'cpu', events: hugeGrid(12000) });
    await page.reload();
    const alert = page.locator(`${report} > [role="alert"]`);
    await alert.waitFor();
    assert.match(await alert.textContent(),
      /The kept run of E6 · Error surface could not be read back: its event 0 claims a 12000 × 12000 grid.*It was set aside \(removed\); run that section again\./);
    await page.waitForSelector('[data-section="fit"][data-state="done"]');
    assert.equal(await page.getAttribute('[data-section="surface"]', 'data-state'), 'idle');
    assert.equal(await keptCount(page), 1, 'only E1 is kept');
    // A reload meets it no more.
    await page.reload();
    await page.waitForSelector('[data-section="fit"][data-state="done"]');
    assert.equal(await page.$(`${report} > [role="alert"]`), null);
    assert.equal(await page.isHidden('#fatal'), true, 'no panic banner');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a panic while kept sections are shown: the banner offers Clear, a reload sets them aside, and Clear empties them', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page } = await open(browser, `${server.url}/#exp=report`);
    await page.waitForSelector(`${report}[data-state="idle"]`);
    const fit = await queryOf(page, 'fit');
    await keep(page, fit, { query: fit, backend: 'cpu', events: DONE });
    await page.reload();
    await page.waitForSelector('[data-section="fit"][data-state="done"]');
    await plantPanic(page);
    await page.waitForSelector('#fatal', { state: 'visible' });
    assert.match(await page.textContent('#fatal'),
      /Reload the page.*\(E1 · Simulate a function\), this report section could not be shown — Clear it/);
    assert.ok(await page.isVisible('#fatal button.clear-report'));

    // A reload does not show it again: set aside, named, until asked.
    await page.reload();
    const alert = page.locator(`${report} > [role="alert"]`);
    await alert.waitFor();
    assert.match(await alert.textContent(), /stopped with an error last time while it showed the kept sections E1 · Simulate a function: they are set aside/);
    assert.equal(await page.getAttribute('[data-section="fit"]', 'data-state'), 'idle');
    await page.click(`${report} button.show-aside`);
    await page.waitForSelector('[data-section="fit"][data-state="done"]');

    // The banner's Clear works without the (aborted) wasm: the store is emptied and the page reloads.
    await plantPanic(page);
    await page.waitForSelector('#fatal button.clear-report', { state: 'visible' });
    await Promise.all([page.waitForEvent('load'), page.click('#fatal button.clear-report')]);
    await page.waitForSelector(`${report}[data-state="idle"]`);
    assert.match(await page.textContent(`${report} .report-progress`), /0 of 11 sections kept/);
    assert.equal(await page.$(`${report} > [role="alert"]`), null, 'nothing set aside any more');
    assert.equal(await keptCount(page), 0);
    assert.equal(await page.isHidden('#fatal'), true);
  } finally {
    await browser.close();
  }
});
