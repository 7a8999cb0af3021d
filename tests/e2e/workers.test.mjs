// CPU runs train in a dedicated Web Worker: the page's main thread only renders, so it has no
// long task during an E2 run; pause holds the worker; the results equal a run on the page
// (`workers=0`) bit for bit; a worker that cannot start is reported and the page goes on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, metrics, DIST } from './harness.mjs';

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

const panel = '[data-experiment="tasks"]';
const RUN = '#exp=tasks&dataset=mnist&train_size=2000&epochs=2&backend=cpu';

/** A page that counts the Workers it creates and records its main thread's long tasks. */
async function instrumented(browser) {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    window.__workers = 0;
    const Native = window.Worker;
    window.Worker = class extends Native { constructor(...a) { super(...a); window.__workers += 1; } };
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push(Math.round(e.duration));
    }).observe({ type: 'longtask', buffered: true });
  });
  return { page, errors };
}

/** Every model's test accuracy after the last epoch: a function of the trained weights alone
 * (the training curves' points are means over batches between reads a few times a second,
 * whose boundaries depend on timing). */
const results = (m) => Object.fromEntries(Object.entries(m.models).map(([k, v]) => [k, v.test_accuracy]));

test('an E2 CPU run trains in a worker: no main-thread task over 100 ms, pause holds, same results as on the page', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await instrumented(browser);
    await page.goto(`${server.url}/${RUN}`);
    await page.waitForSelector(`${panel}[data-state="idle"]`);
    await page.waitForTimeout(1000);
    await page.evaluate(() => { window.__long = []; });
    await page.click(`${panel} button.start`);
    await page.waitForSelector(`${panel}[data-state="running"]`);
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-experiment="tasks"] [data-metrics]').textContent).epoch >= 0.2 || false, null, { timeout: 60_000 }).catch(() => {});
    await page.click(`${panel} button.pause`);
    await page.waitForSelector(`${panel}[data-state="paused"]`);
    await page.waitForTimeout(500);
    const held = JSON.stringify(await metrics(page, 'tasks'));
    await page.waitForTimeout(1500);
    assert.equal(JSON.stringify(await metrics(page, 'tasks')), held, 'nothing moves while paused');
    await page.click(`${panel} button.pause`);
    await page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 300_000 });
    assert.equal(await page.evaluate(() => window.__workers), 1);
    const long = await page.evaluate(() => window.__long);
    assert.ok(long.every((ms) => ms <= 100), `main-thread long tasks: ${long}`);
    const inWorker = results(await metrics(page, 'tasks'));
    assert.deepEqual(errors, []);

    // The same run on the page (workers=0): no worker, the same numbers.
    const onPage = await instrumented(browser);
    await onPage.page.goto(`${server.url}/${RUN}&workers=0&autorun=1`);
    await onPage.page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 300_000 });
    assert.equal(await onPage.page.evaluate(() => window.__workers), 0);
    assert.deepEqual(results(await metrics(onPage.page, 'tasks')), inWorker);
    assert.match(await onPage.page.evaluate(() => location.hash), /workers=0/);
    assert.deepEqual(onPage.errors, []);
  } finally {
    await browser.close();
  }
});

test('a worker that cannot start is reported in the page, which keeps working', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page } = await instrumented(browser);
    await page.route('**/mlds-worker_loader.js', (route) => route.fulfill({ status: 404, body: 'gone' }));
    await page.goto(`${server.url}/#exp=fit&epochs=50&backend=cpu&autorun=1`);
    const alert = await page.waitForSelector('[data-experiment="fit"] [role="alert"]', { timeout: 60_000 });
    assert.match(await alert.textContent(), /training worker/i);
    assert.equal(await page.getAttribute('[data-experiment="fit"]', 'data-state'), 'error');
    assert.equal(await page.isHidden('#fatal'), true, 'no panic banner');
    // On the page instead: it runs.
    await page.goto(`${server.url}/#exp=fit&epochs=50&backend=cpu&workers=0&autorun=1`);
    await page.reload();
    await page.waitForSelector('[data-experiment="fit"][data-state="done"]', { timeout: 60_000 });
  } finally {
    await browser.close();
  }
});
