// The Runs list (#32): every run that ends in a panel is kept in the browser, survives a reload,
// and overlays on the panel's charts when ticked. E1 (a typed function against a preset's),
// E5 and E8, on the CPU backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { serve, launch, open, metrics, startAndWaitDone, DIST } from './harness.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

const panelOf = (exp) => `[data-experiment="${exp}"]`;

/** Wait until the panel lists exactly `n` kept runs. */
async function keptRuns(page, exp, n) {
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(`${sel} [data-runs] [data-run]`).length === n,
    [panelOf(exp), n], { timeout: 60_000 });
}

/**
 * Run the page's query, change one setting with `change`, run again; then tick the older run and
 * check the overlay, reload and check the list, delete and clear. `setting` is the differing
 * setting the older run is named by ("fn sinc5").
 */
async function keepCompareAndForget(page, errors, exp, { change, setting, keyboard = false, reopen = false }) {
  const panel = panelOf(exp);
  // Started by Start, not `autorun=1`: the link keeps `autorun`, and a reload would run again.
  await page.waitForSelector(`${panel}[data-state="idle"]`);
  await startAndWaitDone(page, panel);
  await keptRuns(page, exp, 1);
  const first = await metrics(page, exp);
  assert.deepEqual(first.compared, [], 'nothing compared yet');

  await change(page, panel);
  await startAndWaitDone(page, panel);
  await keptRuns(page, exp, 2);
  // Newest first: the older run is second, named by the setting in which it differs.
  const older = page.locator(`${panel} [data-runs] [data-run]`).nth(1);
  assert.match(await older.locator('.run-label').textContent(), new RegExp(`Compare: .*${setting}`));
  const olderQuery = await older.getAttribute('data-query');

  const box = older.locator('input[data-compare]');
  if (keyboard) {
    await box.focus();
    await page.keyboard.press('Space');
  } else {
    await box.check();
  }
  await page.waitForFunction((sel) => JSON.parse(document.querySelector(`${sel} [data-metrics]`).textContent).compared.length === 1, panel);
  assert.deepEqual((await metrics(page, exp)).compared, [olderQuery]);
  // A chart shows both runs, and its caption names them.
  await page.locator(`${panel} figcaption`).filter({ hasText: `Runs: this run; ${setting}` }).first().waitFor();

  // The link holds the comparison: kept across a reload, the same run ticked again.
  assert.match(await page.evaluate(() => location.hash), /[#&]compare=/);
  await page.reload();
  await keptRuns(page, exp, 2);
  await page.waitForFunction((sel) => JSON.parse(document.querySelector(`${sel} [data-metrics]`).textContent).compared.length === 1, panel);
  assert.deepEqual((await metrics(page, exp)).compared, [olderQuery]);
  assert.ok(await page.locator(`${panel} [data-run]`).nth(1).locator('input[data-compare]').isChecked());

  if (reopen) {
    // A kept run downloaded and opened again joins the list (a file from someone else would).
    const [saved] = await Promise.all([page.waitForEvent('download'),
      page.locator(`${panel} [data-run] button.run-download`).first().click()]);
    const file = await saved.path();
    await page.setInputFiles(`${panel} [data-open-run]`, file);
    await keptRuns(page, exp, 3);
    await page.locator(`${panel} [data-run] button.run-delete`).first().click();
    await keptRuns(page, exp, 2);
  }

  // Renamed: the name shows in the list and survives a reload.
  const name = page.locator(`${panel} [data-runs] [data-run]`).nth(1).locator('input.run-name');
  await name.fill('my baseline');
  // A render of the list while a name is being typed (a run kept, a tick stored) keeps what is
  // typed: a tick by script re-renders the list and leaves the focus in the field.
  await page.evaluate((sel) => document.querySelector(`${sel} [data-run] input[data-compare]`).click(), panel);
  await page.waitForFunction((sel) => JSON.parse(document.querySelector(`${sel} [data-metrics]`).textContent).compared.length === 2, panel);
  assert.equal(await name.inputValue(), 'my baseline');
  await name.press('Tab');
  await page.waitForFunction((sel) => document.querySelectorAll(`${sel} [data-run] .run-label`)[1]?.textContent.includes('my baseline'), panel);
  await page.reload();
  await keptRuns(page, exp, 2);
  await page.waitForFunction((sel) => document.querySelectorAll(`${sel} [data-run] .run-label`)[1]?.textContent.includes('my baseline'), panel);

  await page.locator(`${panel} [data-run] button.run-delete`).first().click();
  await keptRuns(page, exp, 1);
  await page.click(`${panel} button.runs-clear`);
  await keptRuns(page, exp, 0);
  // Nothing ticked is left in the link.
  assert.doesNotMatch(await page.evaluate(() => location.hash), /[#&]compare=/);
  await page.reload();
  await page.waitForSelector(`${panel} .runs-empty`);
  await keptRuns(page, exp, 0);
  assert.deepEqual(errors, []);
}

test('E1: a run with a typed function overlays the sinc5 preset\'s run from the Runs list, ticked by keyboard; kept across reloads (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    // The sinc5 preset's link, as its button sets it (2000 epochs, ~20 s on the CPU).
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&fn=sinc5`);
    await keepCompareAndForget(page, errors, 'fit', {
      setting: 'fn sinc5',
      keyboard: true,
      reopen: true,
      change: async (page, panel) => {
        const field = `${panel} input[name="fn-expr"]`;
        await page.fill(field, 'sin(3*x)*exp(-x*x)');
        await page.press(field, 'Tab');
        await page.waitForFunction(() => location.hash.includes('fn=expr%3A'));
      },
    });
  } finally {
    await browser.close();
  }
});

test('E5: two runs of the critical-point search compared on its charts (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=minratio&runs=3&epochs=200&samples=64&steps=10`);
    await keepCompareAndForget(page, errors, 'minratio', {
      setting: 'runs 3',
      change: async (page, panel) => {
        await page.fill(`${panel} input[name="runs"]`, '2');
        await page.press(`${panel} input[name="runs"]`, 'Tab');
        await page.waitForFunction(() => location.hash.includes('runs=2'));
      },
    });
  } finally {
    await browser.close();
  }
});

test('E8: two width sweeps compared on the same charts (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=params&widths=2,4&epochs=1&train_size=64&batch=32&eval_size=64&backend=cpu`);
    await keepCompareAndForget(page, errors, 'params', {
      setting: 'epochs 1',
      change: async (page, panel) => {
        await page.fill(`${panel} input[name="epochs"]`, '2');
        await page.press(`${panel} input[name="epochs"]`, 'Tab');
        await page.waitForFunction(() => location.hash.includes('epochs=2'));
      },
    });
  } finally {
    await browser.close();
  }
});

test('a link that compares runs this browser has not kept lists them, each a link that opens it with the rest of the comparison; the Runs list passes the axe audit', async () => {
  const browser = await launch({ webgpu: false });
  // The audit's script is the test's, not the page's: its CSP is bypassed for it.
  const context = await browser.newContext({ bypassCSP: true });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    const other = 'exp=fit&fn=sgn5&shapes=1-8-1&epochs=30&samples=64';
    const third = 'exp=fit&fn=sinc5&shapes=1-3-3-1&epochs=30&samples=64';
    const compare = encodeURIComponent(`${other}|${third}`);
    const comparedIn = (hash) => new URLSearchParams(hash.replace(/^#/, '')).get('compare')?.split('|') ?? [];
    await page.goto(`${server.url}/#exp=fit&shapes=1-8-1&epochs=30&samples=64&backend=cpu&compare=${compare}&autorun=1`);
    const panel = panelOf('fit');
    await page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 240_000 });
    await keptRuns(page, 'fit', 1);
    const base = await page.locator(`${panel} [data-run]`).first().getAttribute('data-query');
    const missing = page.locator(`${panel} .runs-missing a`);
    await missing.first().waitFor();
    assert.equal(await missing.count(), 2);
    // No notice about an unknown key: `compare` is the page's, not the run's.
    assert.equal(await page.locator(`${panel} .notices li`).count(), 0);
    // Listed as their runs' queries are written (every key), so that a short one finds its run.
    const [otherQuery, thirdQuery] = await missing.allTextContents();
    assert.match(otherQuery, /^exp=fit&fn=sgn5&.*&epochs=30&/);
    assert.match(thirdQuery, /^exp=fit&fn=sinc5&.*&shapes=1-3-3-1&/);
    // Each link opens its run with the rest of the comparison: the run on show and the other one.
    const href = await missing.first().getAttribute('href');
    assert.ok(href.startsWith(`#${otherQuery}&compare=`), href);
    assert.deepEqual(comparedIn(href), [base, thirdQuery]);

    await missing.first().click();
    await page.waitForFunction(() => /[#&]fn=sgn5&/.test(location.hash));
    await page.waitForSelector(`${panel}[data-state="idle"]`);
    // The run kept here is ticked there at once; the one still to run is listed, and stays in the link.
    await page.waitForFunction((sel) => JSON.parse(document.querySelector(`${sel} [data-metrics]`).textContent).compared.length === 1, panel);
    assert.deepEqual((await metrics(page, 'fit')).compared, [base]);
    await page.locator(`${panel} .runs-missing a`).first().waitFor();
    assert.equal(await page.locator(`${panel} .runs-missing a`).count(), 1);
    assert.deepEqual(comparedIn(await page.evaluate(() => location.hash)), [base, thirdQuery]);
    assert.equal(await page.locator(`${panel} .runs-missing a`).first().textContent(), thirdQuery);
    await startAndWaitDone(page, panel);
    await keptRuns(page, 'fit', 2);
    assert.deepEqual((await metrics(page, 'fit')).compared, [base]);
    await page.locator(`${panel} figcaption`).filter({ hasText: 'Runs: this run; ' }).first().waitFor();

    await page.addScriptTag({ path: AXE });
    const serious = await page.evaluate(async () => {
      const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
    });
    assert.deepEqual(serious, []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await browser.close();
  }
});

test('a link that compares more runs than can be shown reads the first four, once each, and does not list the run on show', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const queries = [1, 2, 2, 3, 4, 5, 6].map((seed) => `exp=fit&epochs=30&seed=${seed}`);
    // The run on show is seed 1 (the default): it is run here with Start, not listed.
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&epochs=30&seed=1&compare=${encodeURIComponent(queries.join('|'))}`);
    const panel = panelOf('fit');
    await page.waitForSelector(`${panel}[data-state="idle"]`);
    const missing = page.locator(`${panel} .runs-missing a`);
    await missing.first().waitFor();
    // The first four entries (seeds 1, 2, 2, 3), the repeated one once, the run on show left out.
    const seeds = (await missing.allTextContents()).map((q) => new URLSearchParams(q).get('seed'));
    assert.deepEqual(seeds, ['2', '3']);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a browser that refuses storage says so above the Runs list; the run is still listed and compared for this visit', async () => {
  const browser = await launch({ webgpu: false });
  try {
    // As in some private windows: no IndexedDB at all.
    const init = () => Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&shapes=1-8-1&epochs=30&samples=64&backend=cpu&autorun=1`, { init });
    const panel = panelOf('fit');
    await page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 240_000 });
    await page.locator(`${panel} .runs .error`).filter({ hasText: /no storage for this page/ }).first().waitFor();
    await keptRuns(page, 'fit', 1);
    await startAndWaitDone(page, panel);
    await keptRuns(page, 'fit', 2);
    await page.locator(`${panel} [data-run]`).nth(1).locator('input[data-compare]').check();
    await page.waitForFunction((sel) => JSON.parse(document.querySelector(`${sel} [data-metrics]`).textContent).compared.length === 1, panel);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
