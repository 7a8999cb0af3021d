// Run files from anyone (issue 33): a real run of every experiment (figures/tests/runs/*.json,
// tiny presets written by `mlds run`) with every number in its events made extreme (counts,
// epochs and indices at the largest exact integer, other numbers ±1e300), opened over a
// finished run. Each is refused in words that name the file, with the run on the page kept, or
// opens; either way the page never panics, and no main-thread task takes over 200 ms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, open, metrics, countWorkersAndLongTasks, waitForWorkerCode, DIST } from './harness.mjs';

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

const RUNS = new URL('../../figures/tests/runs/', import.meta.url).pathname;
const fit = '[data-experiment="fit"]';

/** `value` with every number made extreme: integers to 2^53 − 1, others to ±1e300. */
function extreme(value) {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return Number.MAX_SAFE_INTEGER;
    return value < 0 ? -1e300 : 1e300;
  }
  if (Array.isArray(value)) return value.map(extreme);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, extreme(v)]));
  }
  return value;
}

test('run files of every experiment with extreme numbers: refused in words with the run kept, or opened; no panic, no long task', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const files = fs.readdirSync(RUNS).filter((f) => f.endsWith('.json')).sort();
    assert.ok(files.length >= 11, `a run of every experiment: ${files}`);
    let refused = 0;
    for (const file of files) {
      const run = JSON.parse(fs.readFileSync(path.join(RUNS, file), 'utf8'));
      const name = `extreme-${file}`;
      const text = JSON.stringify({ ...run, events: extreme(run.events) });
      const { page, errors } = await open(browser,
        `${server.url}/#exp=fit&epochs=20&samples=32&backend=cpu&workers=0&autorun=1`, { init: countWorkersAndLongTasks });
      await page.waitForSelector(`${fit}[data-state="done"]`, { timeout: 120_000 });
      const kept = await metrics(page, 'fit');
      const hash = await page.evaluate(() => location.hash);
      await page.evaluate(() => { window.__long = []; });
      await page.setInputFiles('[data-open-run]', { name, mimeType: 'application/json', buffer: Buffer.from(text) });
      // Refused (a notice on the panel that names the file) or opened (its experiment's panel
      // says it shows the file).
      await page.waitForFunction(({ panel, name }) =>
        document.querySelector(`${panel} .notices`)?.textContent.includes(name)
        || document.querySelector('.opened-run')?.textContent.includes(name), { panel: fit, name }, { timeout: 60_000 });
      const notice = await page.evaluate((panel) => document.querySelector(`${panel} .notices`)?.textContent ?? '', fit);
      if (notice.includes(name)) {
        refused += 1;
        assert.match(notice, new RegExp(`${name.replace('.', '\\.')} could not be opened as a run: .+`), file);
        assert.deepEqual(await metrics(page, 'fit'), kept, `${file}: the run on the page is kept`);
        assert.equal(await page.evaluate(() => location.hash), hash);
      }
      assert.equal(await page.isHidden('#fatal'), true, `${file}: no fatal banner`);
      // Still responsive: the page answers and draws.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
      const long = await page.evaluate(() => window.__long);
      assert.ok(long.every((ms) => ms <= 200), `${file}: main-thread long tasks ${long}`);
      assert.deepEqual(errors, [], file);
      await page.close();
    }
    // Most extreme files break a bound their query sets (an epoch past the schedule, an index
    // past the runs): a test where everything opened would not test the refusals.
    assert.ok(refused >= files.length / 2, `${refused} of ${files.length} refused`);
  } finally {
    await browser.close();
  }
});

/**
 * An honest run of E1 (three models, 100,000 epochs, predictions every `every` epochs) as the
 * page writes it (indented JSON): about 20 MB of losses, and 21 kB per predictions event.
 */
function largeRun(every) {
  const shapes = ['1-8-1', '1-4-4-1', '1-3-3-3-1'];
  const epochs = 100_000;
  const samples = 256;
  const query = `exp=fit&fn=sinc5&xmin=0&xmax=1&samples=${samples}&shapes=${shapes.join('%2C')}`
    + `&act=tanh&opt=adam&lr=0.005&epochs=${epochs}&batch=full&seed=1&backend=auto`;
  const xs = Array.from({ length: samples }, (_, i) => i / (samples - 1));
  const events = [
    { type: 'started', models: shapes.map((s, i) => ({ name: s, shape: s, params: 10 + i })), total_epochs: epochs },
    { type: 'reference', xs, ys: xs.map((x) => (x === 0 ? 1 : Math.sin(5 * x) / (5 * x))) },
  ];
  for (let epoch = 1; epoch <= epochs; epoch += 1) {
    events.push({ type: 'losses', epoch, elapsed_ms: epoch * 0.5, losses: shapes.map((_, i) => 0.3 / (1 + epoch * 1e-3 * (i + 1))) });
    if (epoch % every === 0) {
      events.push({ type: 'predictions', epoch, ys: shapes.map((_, i) => xs.map((x) => Math.sin(5 * x) + i * 1e-3)) });
    }
  }
  events.push({ type: 'done', epoch: epochs, elapsed_ms: epochs * 0.5 });
  const file = { format: 'mlds-run', version: 1, experiment: 'fit', query, link: `#${query}`, hash: `#${query}`, build: 'test', backend: 'cpu', events };
  return JSON.stringify(file, null, 2);
}

/** The largest a run file may be (`mlds_core::run_file::MAX_BYTES`). */
const MAX_BYTES = 64 * 1024 * 1024;

test('a run file near the size limit opens with no main-thread task over 200 ms; one over it is refused by its size', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlds-large-'));
  const browser = await launch({ webgpu: false });
  try {
    const text = largeRun(55);
    assert.ok(text.length > 0.9 * MAX_BYTES && text.length <= MAX_BYTES, `${text.length} bytes`);
    const large = path.join(dir, 'large-run.json');
    fs.writeFileSync(large, text);
    // Over the limit by a byte: refused by its size before a byte is read (a sparse file).
    const over = path.join(dir, 'over-limit.json');
    fs.closeSync(fs.openSync(over, 'w'));
    fs.truncateSync(over, MAX_BYTES + 1);

    const { page, errors } = await open(browser,
      `${server.url}/#exp=fit&epochs=20&samples=32&backend=cpu&autorun=1`, { init: countWorkersAndLongTasks });
    await page.waitForSelector(`${fit}[data-state="done"]`, { timeout: 120_000 });
    await waitForWorkerCode(page);
    const kept = await metrics(page, 'fit');
    await page.evaluate(() => { window.__long = []; });
    await page.setInputFiles('[data-open-run]', over);
    await page.waitForFunction((panel) => document.querySelector(`${panel} .notices`)?.textContent.includes('over-limit.json'), fit, { timeout: 60_000 });
    const notice = await page.evaluate((panel) => document.querySelector(`${panel} .notices`).textContent, fit);
    assert.match(notice, /over-limit\.json was not opened: it is 67\.1 MB, more than the 64 MB a run or report file may be/);
    assert.deepEqual(await metrics(page, 'fit'), kept, 'the run on the page is kept');

    // The large file: read in a worker, its events taken a slice per task.
    await page.setInputFiles('[data-open-run]', large);
    await page.waitForFunction(() => document.querySelector('.opened-run')?.textContent.includes('large-run.json'), null, { timeout: 300_000 });
    await page.waitForFunction((panel) => document.querySelector(panel)?.dataset.state === 'done', fit, { timeout: 60_000 });
    const shown = await metrics(page, 'fit');
    assert.equal(shown.epoch, 100_000, JSON.stringify(shown).slice(0, 300));
    // Drawn: the next frame comes, and no task of the whole reading held the page.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
    const long = await page.evaluate(() => window.__long);
    assert.ok(long.every((ms) => ms <= 200), `main-thread long tasks ${long}`);
    assert.equal(await page.isHidden('#fatal'), true);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
