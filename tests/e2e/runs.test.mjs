// The Runs list (#32): every run that ends in a panel is kept in the browser, survives a reload,
// and overlays on the panel's charts when ticked. E1 (a typed function against a preset's),
// E5 and E8, on the CPU backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, metrics, startAndWaitDone, DIST } from './harness.mjs';

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
async function keepCompareAndForget(page, errors, exp, { change, setting, keyboard = false }) {
  const panel = panelOf(exp);
  await page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 240_000 });
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

  // Kept across a reload (ticks are not).
  await page.reload();
  await keptRuns(page, exp, 2);
  assert.deepEqual((await metrics(page, exp)).compared, []);

  // Renamed: the name shows in the list and survives a reload.
  const name = page.locator(`${panel} [data-runs] [data-run]`).nth(1).locator('input.run-name');
  await name.fill('my baseline');
  await name.press('Tab');
  await page.waitForFunction((sel) => document.querySelectorAll(`${sel} [data-run] .run-label`)[1]?.textContent.includes('my baseline'), panel);
  await page.reload();
  await keptRuns(page, exp, 2);
  await page.waitForFunction((sel) => document.querySelectorAll(`${sel} [data-run] .run-label`)[1]?.textContent.includes('my baseline'), panel);

  await page.locator(`${panel} [data-run] button.run-delete`).first().click();
  await keptRuns(page, exp, 1);
  await page.click(`${panel} button.runs-clear`);
  await keptRuns(page, exp, 0);
  await page.reload();
  await page.waitForSelector(`${panel} .runs-empty`);
  await keptRuns(page, exp, 0);
  assert.deepEqual(errors, []);
}

test('E1: a run with a typed function overlays a sinc5 run from the Runs list, ticked by keyboard; kept across reloads (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&fn=sinc5&shapes=1-8-1,1-3-3-1&epochs=60&samples=64&backend=cpu&autorun=1`);
    await keepCompareAndForget(page, errors, 'fit', {
      setting: 'fn sinc5',
      keyboard: true,
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
    const { page, errors } = await open(browser, `${server.url}/#exp=minratio&runs=3&epochs=200&samples=64&steps=10&autorun=1`);
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
      `${server.url}/#exp=params&widths=2,4&epochs=1&train_size=64&batch=32&eval_size=64&backend=cpu&autorun=1`);
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
