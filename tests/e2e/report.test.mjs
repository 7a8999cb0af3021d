// The report (#exp=report): the whole quick report runs on the CPU backend with pause, resume
// and stop; every section ends with its figures and a finding marked against the reference; the
// HTML export holds every section; a reload resumes from IndexedDB; Clear forgets. A single
// section runs from its own button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { serve, launch, open, DIST } from './harness.mjs';

const IDS = ['fit', 'tasks', 'trajectory', 'gradnorm', 'minratio', 'surface', 'random-labels',
  'params', 'interpolate', 'sensitivity', 'sharpness'];

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

const report = '[data-experiment="report"]';
const sections = (page) => page.$$eval('[data-section]', (els) => els.map((e) => ({
  id: e.dataset.section, state: e.dataset.state, finding: e.dataset.finding, agrees: e.dataset.agrees,
})));
/** Canvases in section `id` with ink on them. */
const drawn = (page, id) => page.$$eval(`[data-section="${id}"] canvas`, (cs) => cs.filter((c) => {
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 200 && px[i + 3] > 0) return true;
  return false;
}).length);

test('the whole quick report: pause, stop, run, export, resume after a reload, clear', { timeout: 1_200_000 }, async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=report&autorun=1`);
    await page.waitForSelector(`${report}[data-state="running"]`);
    assert.deepEqual((await sections(page)).map((s) => s.id), IDS);
    // Pause holds the running section; resume lets it go on.
    await page.waitForSelector('[data-section="fit"][data-state="running"]');
    await page.click(`${report} .report-controls >> text=Pause`);
    await page.waitForSelector(`${report}[data-state="paused"]`);
    await page.waitForSelector('[data-section="fit"][data-state="paused"]');
    await page.click(`${report} .report-controls >> text=Resume`);
    await page.waitForSelector('[data-section="fit"][data-state="running"]');
    // Stop ends the whole run: the stopped section has no finding, nothing else started.
    await page.click(`${report} .report-controls >> text=Stop`);
    await page.waitForSelector(`${report}[data-state="idle"]`);
    let now = await sections(page);
    assert.equal(now[0].agrees, 'pending');
    assert.ok(now.slice(1).every((s) => s.state === 'idle'), JSON.stringify(now));

    await page.click('button.run-all');
    await page.waitForSelector(`${report}[data-state="done"]`, { timeout: 1_100_000 });
    now = await sections(page);
    for (const s of now) {
      assert.equal(s.state, 'done', s.id);
      assert.ok(s.finding.length > 20, `${s.id}: ${s.finding}`);
      assert.ok(['yes', 'no'].includes(s.agrees), `${s.id}: ${s.agrees}`);
      assert.ok(await drawn(page, s.id) >= 1, `${s.id}: no figure drawn`);
    }
    // The deep-vs-shallow and memorisation findings of the quick presets agree with the spec.
    for (const id of ['fit', 'random-labels']) {
      assert.equal(now.find((s) => s.id === id).agrees, 'yes', id);
    }

    // One HTML file: every section with its finding, figures as inline SVG (each an image
    // named by its title), links, data.
    const [download] = await Promise.all([page.waitForEvent('download'),
      page.click(`${report} >> text=Download report as HTML`)]);
    assert.equal(download.suggestedFilename(), 'mlds-report.html');
    const html = await fs.readFile(await download.path(), 'utf8');
    assert.equal((html.match(/<section data-section=/g) ?? []).length, IDS.length);
    assert.ok((html.match(/<svg role="img" aria-label="[^"]+"/g) ?? []).length >= IDS.length);
    assert.ok(!/<script(?! type="application\/json")/.test(html), 'no executable script');
    const data = JSON.parse(html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)[1]);
    assert.deepEqual(data.map((d) => d.section), IDS);
    for (const [i, d] of data.entries()) {
      assert.equal(d.finding, now[i].finding);
      assert.equal(d.agrees, now[i].agrees === 'yes');
      assert.ok(d.events.some((e) => e.type === 'done'), d.section);
      assert.ok(d.link.endsWith(`#${d.query}`) && d.query.startsWith(`exp=${d.section}`), d.link);
      assert.ok(html.includes(now[i].finding.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')));
    }

    // A reload resumes: every section comes back from IndexedDB, with the same findings.
    await page.goto(`${server.url}/#exp=report`);
    await page.reload();
    await page.waitForSelector(`${report}[data-state="done"]`).catch(async (e) => {
      throw new Error(`not every section came back: ${JSON.stringify(await sections(page))} (${e})`);
    });
    const restored = await sections(page);
    assert.deepEqual(restored.map((s) => [s.id, s.finding, s.agrees]), now.map((s) => [s.id, s.finding, s.agrees]));
    assert.ok(await drawn(page, 'surface') >= 1);

    // Clear forgets them, here and after a reload.
    await page.click(`${report} .report-controls >> text=Clear`);
    await page.waitForSelector(`${report}[data-state="idle"]`);
    assert.ok((await sections(page)).every((s) => s.state === 'idle' && s.agrees === 'pending'));
    await page.reload();
    await page.waitForSelector(`${report}[data-state="idle"]`);
    // Nothing is restored from the store: every section stays idle once the store was read.
    await page.waitForSelector(`${report} .run-all:not([disabled])`);
    assert.ok((await sections(page)).every((s) => s.state === 'idle'));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('one section runs from its own button; the full mode has its own presets', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=report`);
    await page.waitForSelector(`${report}[data-state="idle"][data-mode="quick"]`);
    await page.click('[data-section="surface"] .section-controls >> text=Run');
    await page.waitForSelector('[data-section="surface"][data-state="done"]', { timeout: 120_000 });
    const surface = (await sections(page)).find((s) => s.id === 'surface');
    assert.match(surface.finding, /grid points/);
    assert.equal(await page.getAttribute(report, 'data-state'), 'idle');
    assert.match(await page.textContent(`${report} .report-progress`), /1 of 11 sections kept/);
    // Its link opens the experiment's panel with the section's settings.
    const href = await page.getAttribute('[data-section="surface"] a.section-link', 'href');
    assert.match(href, /^#exp=surface&/);
    // The full mode: other presets, nothing kept yet.
    await page.click(`${report} >> text=Switch to the homework's scale (full)`);
    await page.waitForSelector(`${report}[data-mode="full"]`);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-section]')]
      .every((s) => s.dataset.state === 'idle'));
    assert.match(await page.getAttribute('[data-section="fit"] a.section-link', 'href'), /epochs=20000/);
    // Part 3 on its papers' protocols, over seeds (issue 30): Keskar's 5 runs for E9a, E10 to
    // each minimum (1e-3 or no improvement) over 3 seeds, Novak's factor sweep for E9b.
    const link = (id) => page.getAttribute(`[data-section="${id}"] a.section-link`, 'href');
    assert.match(await link('interpolate'), /[#&]seeds=5(&|$)/);
    assert.match(await link('sharpness'), /target=0\.001/);
    assert.match(await link('sharpness'), /patience=20/);
    assert.match(await link('sharpness'), /[#&]seeds=3(&|$)/);
    assert.match(await link('sensitivity'), /sweep=factors/);
    for (const id of ['fit', 'tasks', 'params']) assert.match(await link(id), /[#&]seeds=3(&|$)/, id);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('without browser storage the report still runs and says that sections will not be kept', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=report`, {
      init: () => Object.defineProperty(window, 'indexedDB', { get: () => undefined }),
    });
    await page.waitForSelector(`${report}[data-state="idle"]`);
    await page.click('[data-section="surface"] .section-controls >> text=Run');
    await page.waitForSelector('[data-section="surface"][data-state="done"]', { timeout: 120_000 });
    assert.match((await sections(page)).find((s) => s.id === 'surface').finding, /grid points/);
    const alert = page.locator(`${report} > [role="alert"]`);
    await alert.waitFor();
    assert.match(await alert.textContent(), /a reload will run it again/);
    assert.equal(await page.isHidden('#fatal'), true, 'no panic banner');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
