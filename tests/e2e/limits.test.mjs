// A link cannot take the tab down (issue 34): a query over a tab's budget falls back to the
// default sizes with a notice that says so, `workers=64` is clamped to twice the cores, and a
// CIFAR-10 archive bomb is refused by its headers, in words, with no long task on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { serve, launch, open, metrics, startAndWaitDone, waitForWorkerCode, countWorkersAndLongTasks, DIST } from './harness.mjs';

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

test('a link over a tab\'s budget runs the default sizes and says what it asked, the budget and what it used', async () => {
  const browser = await launch({ webgpu: false });
  try {
    // 23 hidden layers of 4096: each width within its range, ~369 M parameters together.
    const deep = `1-${Array(23).fill(4096).join('-')}-1`;
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&shapes=${deep}&epochs=30&samples=64&backend=cpu&workers=0&autorun=1`);
    const panel = '[data-experiment="fit"]';
    await page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 240_000 });
    const notices = await page.textContent(`${panel} .notices`);
    assert.match(notices, /369\.2 M parameters, [\d.]+ GiB of training state, over a browser tab's budget of 1\.0 GiB: using the default shapes, samples, batch \(1714 parameters/);
    const m = await metrics(page, 'fit');
    assert.deepEqual(Object.keys(m.models).sort(), ['1-10-18-15-4-1', '1-190-1', '1-5-10-10-10-10-10-5-1']);
    assert.ok(!page.url().includes('4096'), 'the URL now holds what ran');
    assert.equal(await page.isHidden('#fatal'), true, 'no panic banner');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('workers=64 is clamped to twice the cores, with a notice, and the run ends', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=minratio&runs=6&steps=5&backend=cpu&workers=64`, { init: countWorkersAndLongTasks });
    const panel = '[data-experiment="minratio"]';
    await page.waitForSelector(`${panel}[data-state="idle"]`);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const notice = await page.textContent(`${panel} [data-workers-notice]`);
    assert.match(notice, new RegExp(`workers=64 is more than help on ${cores} cores; using ${2 * cores}`));
    await startAndWaitDone(page, panel, { timeout: 300_000 });
    const m = await metrics(page, 'minratio');
    assert.equal(m.runs_done, 6);
    const started = await page.evaluate(() => window.__workers);
    assert.ok(started >= 1 && started <= 2 * cores, `${started} workers on ${cores} cores`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

/** A 512-byte ustar header for `name` claiming `size` bytes. */
function tarHeader(name, size) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100); h.write('0000000\0', 108); h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('0', 156);
  h.write('ustar\0', 257); h.write('00', 263);
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

test('a CIFAR-10 archive bomb is refused by its headers in words, with no long task, and the page keeps working', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=tasks&dataset=mnist&models=dnn&epochs=1&train_size=64&backend=cpu`, { init: countWorkersAndLongTasks });
    const panel = '[data-experiment="tasks"]';
    await page.waitForSelector(`${panel}[data-state="idle"]`);
    await waitForWorkerCode(page);
    const tryFile = async (name, buffer, expected) => {
      await page.evaluate(() => { window.__long = []; });
      await page.setInputFiles(`${panel} input[data-dataset-input]`, { name, mimeType: 'application/gzip', buffer });
      await page.waitForFunction(({ panel, expected }) => new RegExp(expected).test(
        document.querySelector(`${panel} .dataset-box [role="alert"]`)?.textContent ?? ''), { panel, expected: expected.source });
      const long = await page.evaluate(() => window.__long);
      assert.ok(long.every((d) => d <= 200), `long tasks: ${long}`);
    };
    // A header that claims 8 GB for a batch file (its body need not exist).
    const claims = gzipSync(Buffer.concat([tarHeader('cifar-10-batches-bin/data_batch_1.bin', 8_000_000_000), Buffer.alloc(4096)]));
    await tryFile('cifar-10-binary.tar.gz', claims, /claims 8000000000 bytes, more than the 30730000 bytes a CIFAR-10 batch file holds/);
    // 64 MB of zeros under another name (64 kB compressed): refused by its header, not inflated.
    const zeros = gzipSync(Buffer.concat([tarHeader('cifar-10-batches-bin/zeros', 64 << 20), Buffer.alloc(64 << 20), Buffer.alloc(1024)]));
    assert.ok(zeros.length < 1 << 20);
    await tryFile('cifar-10-binary.tar.gz', zeros, /besides CIFAR-10's batch files/);
    assert.equal(await page.isHidden('#fatal'), true, 'no panic banner');
    // The page keeps working: the next run goes.
    await startAndWaitDone(page, panel, { timeout: 240_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
