// Run files from anyone (issue 33): a real run of every experiment (figures/tests/runs/*.json,
// tiny presets written by `mlds run`) with every number in its events made extreme (counts,
// epochs and indices at the largest exact integer, other numbers ±1e300), opened over a
// finished run. Each is refused in words that name the file, with the run on the page kept, or
// opens; either way the page never panics, and no main-thread task takes over 200 ms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, open, metrics, countWorkersAndLongTasks, DIST } from './harness.mjs';

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
