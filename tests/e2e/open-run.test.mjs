// Run files opened in the page (issue 21, "Back in the page"): a run downloaded from a panel
// and opened in a fresh page on another experiment renders as if it had just run (same
// metrics, charts, link); a malformed or foreign file is refused with a notice and the page
// keeps its run; a file written by the `mlds` command opens with the page's own figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, open, metrics, canvasInfo, DIST } from './harness.mjs';

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

const fit = '[data-experiment="fit"]';
const QUERY = 'exp=fit&epochs=40&samples=64&backend=cpu';

/** Run `query` in a fresh page (in the page, no workers); its page and metrics once done. */
async function runInPage(browser, query) {
  const { page, errors } = await open(browser, `${server.url}/#${query}&workers=0&autorun=1`);
  await page.waitForSelector(`${fit}[data-state="done"]`, { timeout: 240_000 });
  return { page, errors, metrics: await metrics(page, 'fit') };
}

/** "Download run as JSON": the file's path (under its own name) and its parsed content. */
async function downloadRun(page) {
  const [saved] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download run as JSON' }).click()]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlds-open-')), saved.suggestedFilename());
  await saved.saveAs(file);
  return { file, run: JSON.parse(fs.readFileSync(file, 'utf8')) };
}

/** A fresh page on E4, idle: where the files are opened; `page` adds page settings (`&workers=1`). */
async function idlePage(browser, page = '') {
  const opened = await open(browser, `${server.url}/#exp=gradnorm${page}`);
  await opened.page.waitForSelector('[data-experiment="gradnorm"][data-state="idle"]');
  return opened;
}

test('a downloaded run opens in a fresh page on another experiment, as if it had just run', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const original = await runInPage(browser, QUERY);
    const { file, run } = await downloadRun(original.page);
    // The run file is core's format (mlds-run v1), the same the `mlds` command writes.
    assert.equal(run.format, 'mlds-run');
    assert.equal(run.version, 1);
    assert.equal(run.experiment, 'fit');
    assert.match(run.query, /^exp=fit&/);
    assert.equal(run.backend, 'cpu');
    assert.ok(run.build.length > 0);
    assert.equal(run.events.at(-1).type, 'done');

    const { page, errors } = await idlePage(browser);
    await page.setInputFiles('[data-open-run]', file);
    await page.waitForSelector(`${fit}[data-state="done"]`, { timeout: 60_000 });
    assert.deepEqual(await metrics(page, 'fit'), original.metrics);
    // The link reproduces it: the hash is the file's query.
    assert.equal(await page.evaluate(() => location.hash), `#${run.query}`);
    assert.equal(await page.getAttribute(fit, 'data-run-backend'), 'cpu');
    assert.match(await page.textContent(`${fit} .opened-run`), /Showing fit-run\.json/);
    for (const id of ['fit-loss', 'fit-predictions']) {
      const c = await canvasInfo(page, id);
      assert.ok(c.draws >= 1 && c.ink > 2000, `${id} drawn: ${JSON.stringify(c)}`);
    }
    // Its exports are the run's: downloaded again, the same events.
    const again = await downloadRun(page);
    assert.deepEqual(again.run.events, run.events);
    assert.equal(again.run.query, run.query);

    // Dropped on the panel (not a dataset's files): opened the same way, here in place.
    const text = fs.readFileSync(file, 'utf8');
    await page.evaluate(({ panel, text }) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'dropped-run.json', { type: 'application/json' }));
      document.querySelector(panel).dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, { panel: fit, text });
    await page.waitForFunction((panel) => document.querySelector(`${panel} .opened-run`)?.textContent.includes('dropped-run.json'), fit);
    assert.equal(await page.getAttribute(fit, 'data-state'), 'done');
    assert.deepEqual(await metrics(page, 'fit'), original.metrics);
    assert.deepEqual([...original.errors, ...errors], []);
  } finally {
    await browser.close();
  }
});

test('a malformed or foreign file gets a clear notice and the run on the page stays', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors, metrics: before } = await runInPage(browser, QUERY);
    const hash = await page.evaluate(() => location.hash);
    const cases = [
      ['broken.json', '{ "format": "mlds-run", "version": 1, "events": [', /broken\.json could not be opened as a run: it is not JSON/],
      ['archive.json', '{"format":"zip","version":1,"events":[]}', /archive\.json could not be opened as a run: it is not a run file \(its format is 'zip'/],
      ['future.json', '{"format":"mlds-run","version":9,"query":"exp=fit","events":[]}', /written by a newer version/],
      ['cut.json', '{"format":"mlds-run","version":1,"query":"exp=fit&epochs=5","events":[{"type":"losses","epoch":1,"elapsed_ms":1,"losses":[0.5]}]}', /its run has no end/],
    ];
    for (const [name, text, expected] of cases) {
      await page.setInputFiles('[data-open-run]', { name, mimeType: 'application/json', buffer: Buffer.from(text) });
      await page.waitForFunction(({ panel, name }) => document.querySelector(`${panel} .notices`)?.textContent.includes(name), { panel: fit, name });
      assert.match(await page.textContent(`${fit} .notices`), expected);
      assert.equal(await page.getAttribute(fit, 'data-state'), 'done');
      assert.deepEqual(await metrics(page, 'fit'), before);
      assert.equal(await page.evaluate(() => location.hash), hash);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

/** The `mlds` command: $MLDS, else this checkout's, built now if it is not up to date (a debug
 * build, as the CLI's tests build it; a no-op after them). */
function mldsCommand() {
  if (process.env.MLDS) return process.env.MLDS;
  const root = new URL('../..', import.meta.url).pathname;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
  execFileSync('cargo', ['build', '-q', '-p', 'mlds-cli'], { cwd: root, stdio: 'inherit' });
  return path.join(target, 'debug', 'mlds');
}

test('a run file written by `mlds run` opens in the page with the page\'s own figures', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlds-open-'));
  const file = path.join(dir, 'cli-run.json');
  execFileSync(mldsCommand(), ['run', QUERY, '--out', file, '--quiet'], { stdio: 'inherit' });
  const browser = await launch({ webgpu: false });
  try {
    const own = await runInPage(browser, QUERY);
    await own.page.close();
    const ran = own.metrics;
    // A page with its own setting (one worker): opening a file keeps it, it is not the run's.
    const { page, errors } = await idlePage(browser, '&workers=1');
    await page.setInputFiles('[data-open-run]', file);
    await page.waitForSelector(`${fit}[data-state="done"]`, { timeout: 60_000 });
    const cli = await metrics(page, 'fit');
    // Equal: what does not depend on arithmetic (the schedule, the models, the backend).
    for (const key of ['state', 'backend', 'epoch', 'total_epochs']) assert.equal(cli[key], ran[key], key);
    assert.deepEqual(Object.keys(cli.models), Object.keys(ran.models));
    // Within a tolerance: the losses (native SIMD/FMA vs WebAssembly's rounding, README
    // "Reproducibility"). The first epoch's loss agrees far closer than the last one's.
    for (const [name, m] of Object.entries(cli.models)) {
      const p = ran.models[name];
      assert.equal(m.params, p.params, name);
      const rel = (a, b) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
      console.log(`${name}: first loss rel. diff ${rel(m.first_loss, p.first_loss).toExponential(2)}, final ${rel(m.loss, p.loss).toExponential(2)}`);
      assert.ok(rel(m.first_loss, p.first_loss) < 1e-5, `${name} first loss: mlds ${m.first_loss}, page ${p.first_loss}`);
      assert.ok(rel(m.loss, p.loss) < 1e-2, `${name} final loss: mlds ${m.loss}, page ${p.loss}`);
    }
    const written = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(await page.evaluate(() => location.hash), `#${written.query}&workers=1`);
    // Downloaded again, it still says which build computed it: `mlds`, not this page.
    const again = await downloadRun(page);
    assert.match(written.build, /^mlds /, 'the command stamps its own build');
    assert.equal(again.run.build, written.build);
    assert.deepEqual(again.run.events, written.events);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the report opens the run of one of its sections, and says where any other run belongs', async () => {
  const browser = await launch({ webgpu: false });
  try {
    // E1's quick section is `exp=fit&fn=sinc5&epochs=2000` (core/src/report/mod.rs), run here
    // in its panel; and a run of E1 with other settings.
    const section = await runInPage(browser, 'exp=fit&fn=sinc5&epochs=2000');
    const { file } = await downloadRun(section.page);
    const other = await runInPage(browser, QUERY);
    const { file: otherFile } = await downloadRun(other.page);

    const { page, errors } = await open(browser, `${server.url}/#exp=report`);
    const report = '[data-experiment="report"]';
    await page.waitForSelector(`${report} [data-open-run]`);
    await page.setInputFiles(`${report} [data-open-run]`, otherFile);
    await page.waitForSelector(`${report} .error`);
    assert.match(await page.textContent(`${report} .error`), /fit-run\.json could not be opened in the report: its settings are not those of the report's E1/);
    assert.equal(await page.getAttribute('[data-section="fit"]', 'data-state'), 'idle');

    await page.setInputFiles(`${report} [data-open-run]`, file);
    await page.waitForSelector('[data-section="fit"][data-state="done"]', { timeout: 60_000 });
    assert.notEqual(await page.getAttribute('[data-section="fit"]', 'data-finding'), '');
    assert.match(await page.textContent(`${report} .opened-run`), /as E1/);
    // Kept like a section that ran here (in IndexedDB): a reload shows it again.
    await page.waitForFunction(() => new Promise((resolve) => {
      const req = indexedDB.open('mlds-report');
      req.onsuccess = () => {
        try {
          const count = req.result.transaction('sections').objectStore('sections').count();
          count.onsuccess = () => { req.result.close(); resolve(count.result > 0); };
        } catch { req.result.close(); resolve(false); }
      };
      req.onerror = () => resolve(false);
    }));
    await page.reload();
    await page.waitForSelector('[data-section="fit"][data-state="done"]', { timeout: 60_000 });
    const finding = await page.getAttribute('[data-section="fit"]', 'data-finding');

    // The report's own download opens in a report page that has nothing kept (another
    // browser): its section is shown as it was, the rest stay to run.
    const [saved] = await Promise.all([page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download report as HTML' }).click()]);
    const reportFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlds-open-')), saved.suggestedFilename());
    await saved.saveAs(reportFile);
    const fresh = await launch({ webgpu: false });
    try {
      const again = await open(fresh, `${server.url}/#exp=report`);
      await again.page.waitForSelector(`${report} [data-open-run]`);
      assert.equal(await again.page.getAttribute('[data-section="fit"]', 'data-state'), 'idle');
      await again.page.setInputFiles(`${report} [data-open-run]`, reportFile);
      await again.page.waitForSelector('[data-section="fit"][data-state="done"]', { timeout: 60_000 });
      assert.equal(await again.page.getAttribute('[data-section="fit"]', 'data-finding'), finding);
      assert.match(await again.page.textContent(`${report} .opened-run`), /Showing mlds-report\.html: E1/);
      assert.equal(await again.page.getAttribute('[data-section="tasks"]', 'data-state'), 'idle');
      // On a panel, a report is not one run: said so, nothing lost.
      const panel = await idlePage(fresh);
      await panel.page.setInputFiles('[data-open-run]', reportFile);
      await panel.page.waitForFunction(() => document.querySelector('[data-experiment="gradnorm"] .notices')?.textContent.includes('is a report, not one run'));
      assert.equal(await panel.page.getAttribute('[data-experiment="gradnorm"]', 'data-state'), 'idle');
      assert.deepEqual([...again.errors, ...panel.errors], []);
    } finally {
      await fresh.close();
    }
    assert.deepEqual([...section.errors, ...other.errors, ...errors], []);
  } finally {
    await browser.close();
  }
});

test('a report written by `mlds report` opens in the report page with the same findings', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlds-open-'));
  const file = path.join(dir, 'mlds-report.html');
  execFileSync(mldsCommand(), ['report', '--only', 'fit', '--out', file, '--quiet'], { stdio: 'inherit' });
  const html = fs.readFileSync(file, 'utf8');
  // The page's report format: E1's section with its finding and its two charts as inline SVG.
  assert.match(html, /<section data-section="fit" data-agrees="yes">/);
  assert.equal((html.match(/<svg role="img" aria-label="(Training loss \(MSE\)|Ground truth and predictions)"/g) ?? []).length, 2);
  const data = JSON.parse(html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)[1]);
  const fitData = data.find((d) => d.section === 'fit');
  assert.match(fitData.build, /^mlds /, 'the command stamps its own build');
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=report`);
    const report = '[data-experiment="report"]';
    await page.waitForSelector(`${report} [data-open-run]`);
    await page.setInputFiles(`${report} [data-open-run]`, file);
    await page.waitForSelector('[data-section="fit"][data-state="done"]', { timeout: 60_000 });
    // The page folds the same events with the same code: the same finding, word for word.
    assert.equal(await page.getAttribute('[data-section="fit"]', 'data-finding'), fitData.finding);
    assert.equal(await page.getAttribute('[data-section="fit"]', 'data-agrees'), 'yes');
    assert.equal(await page.getAttribute('[data-section="tasks"]', 'data-state'), 'idle');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-section="fit"] canvas')]
      .every((c) => Number(c.dataset.draws) >= 1));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("E2's deepest CNN trains to the same numbers in the page and in `mlds` (the CPU kernels' SIMD128 path in the wasm, their scalar path natively)", async () => {
  // cnn3: every 3×3 convolution and 2×2 pooling of this project's kernels (mlds-kernels),
  // rows of widths 28, 14 and 7, so both the four-window SIMD steps and the scalar rest run.
  const query = 'exp=tasks&dataset=mnist&source=subset&models=cnn3&train_size=256&epochs=2&batch=32&backend=cpu';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlds-open-'));
  const file = path.join(dir, 'cli-run.json');
  execFileSync(mldsCommand(), ['run', query, '--out', file, '--quiet'], { stdio: 'inherit' });
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#${query}&workers=0&autorun=1`);
    await page.waitForSelector('[data-experiment="tasks"][data-state="done"]', { timeout: 240_000 });
    const { run } = await downloadRun(page);
    const losses = (events, type) => events.filter((e) => e.type === type).map((e) => e.losses[0]);
    const native = JSON.parse(fs.readFileSync(file, 'utf8')).events;
    for (const type of ['train_metrics', 'test_metrics']) {
      const [ours, theirs] = [losses(run.events, type), losses(native, type)];
      assert.equal(ours.length, theirs.length, type);
      assert.ok(ours.length > 0, type);
      const rel = ours.map((v, i) => Math.abs(v - theirs[i]) / Math.abs(theirs[i]));
      console.log(`${type}: page ${ours.map((v) => v.toFixed(5)).join(' ')}; largest rel. diff ${Math.max(...rel).toExponential(2)}`);
      // The first loss is one forward pass: rounding alone. Later ones drift a little with the
      // steps (gemm's products sum in another order natively), far less than a wrong window.
      assert.ok(rel[0] < 1e-5, `${type}: first loss page ${ours[0]} vs mlds ${theirs[0]}`);
      assert.ok(Math.max(...rel) < 1e-4, `${type}: page ${ours} vs mlds ${theirs}`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
