// Downloads: every chart has "Download PNG" (the canvas), "Download SVG" (the same chart drawn
// again into an SVG document) and "Download CSV" (its data); every run "Download run as JSON"
// (its link, URL parameters and events) and "Copy link". E1 and E6, on the CPU.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { serve, launch, open, canvasInfo, DIST } from './harness.mjs';

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

/** Clicks the button whose name contains `kind` under chart `id`; resolves to the download. */
async function download(page, id, kind) {
  const figure = page.locator('figure.chart', { has: page.locator(`canvas#${id}`) });
  const button = figure.getByRole('button', { name: new RegExp(`Download ${kind}`) });
  assert.equal(await button.getAttribute('class'), 'export');
  const [saved] = await Promise.all([page.waitForEvent('download'), button.click()]);
  assert.equal(saved.suggestedFilename(), `${id}.${kind.toLowerCase()}`);
  return fs.readFile(await saved.path());
}

/** The SVG text of chart `id`'s download, checked to be an SVG document with drawing in it. */
async function svgOf(page, id) {
  const text = (await download(page, id, 'SVG')).toString('utf8');
  assert.match(text.trimStart(), /^(<\?xml[^>]*\?>\s*)?<svg[\s>]/, text.slice(0, 200));
  assert.ok(text.includes('</svg>'), 'closed');
  assert.ok(/<path|<polyline/.test(text), 'has lines');
  const size = await page.evaluate((id) => {
    const c = document.getElementById(id);
    return [c.width, c.height];
  }, id);
  assert.match(text, new RegExp(`<svg[^>]*width="${size[0]}"[^>]*height="${size[1]}"`), 'canvas size');
  return text;
}

test('E1 loss chart downloads as PNG and SVG', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&epochs=50&samples=64&backend=cpu&autorun=1`);
    await page.waitForSelector('[data-experiment="fit"][data-state="done"]', { timeout: 240_000 });
    const before = await canvasInfo(page, 'fit-loss');
    const png = await download(page, 'fit-loss', 'PNG');
    assert.deepEqual([...png.subarray(0, 4)], PNG_SIGNATURE);
    assert.ok(png.length > 2048, `PNG of ${png.length} bytes`);
    const svg = await svgOf(page, 'fit-loss');
    assert.ok(svg.includes('Training loss (MSE)'), 'title text');
    assert.ok(svg.includes('<text'), 'text elements');
    // Exporting draws into the SVG only: the canvas is not redrawn.
    assert.equal((await canvasInfo(page, 'fit-loss')).draws, before.draws);
    // Every chart on the page has the three buttons.
    const charts = await page.locator('figure.chart').count();
    assert.ok(charts >= 2);
    assert.equal(await page.locator('figure.chart button.export').count(), 3 * charts);

    // The run as JSON: its link and hash reproduce the page's URL; its events are the run's.
    const [saved] = await Promise.all([page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download run as JSON' }).click()]);
    assert.equal(saved.suggestedFilename(), 'fit-run.json');
    const run = JSON.parse(await fs.readFile(await saved.path(), 'utf8'));
    assert.equal(run.hash, await page.evaluate(() => location.hash));
    assert.equal(run.link, await page.evaluate(() => location.href));
    assert.equal(run.experiment, 'fit');
    const types = run.events.map((e) => e.type);
    assert.equal(types[0], 'started');
    assert.equal(types.at(-1), 'done');
    const lossEvents = run.events.filter((e) => e.type === 'losses');

    // The loss chart's CSV: one row per model and read epoch, as the run's events say.
    const csv = (await download(page, 'fit-loss', 'CSV')).toString('utf8').trim().split('\n');
    assert.equal(csv[0], 'series,x,y');
    assert.equal(csv.length - 1, 3 * lossEvents.length, 'rows = models × loss points');
    const models = new Set(csv.slice(1).map((row) => row.split(',')[0]));
    assert.deepEqual([...models], ['1-5-10-10-10-10-10-5-1', '1-10-18-15-4-1', '1-190-1']);
    const last = lossEvents.at(-1);
    assert.equal(Number(csv.at(-1).split(',')[2]), last.losses[2]);

    // Copy link: copied, or (no clipboard permission) shown to copy by hand.
    await page.getByRole('button', { name: 'Copy link' }).click();
    const href = await page.evaluate(() => location.href);
    await page.waitForFunction((h) => document.querySelector('.copy-status').textContent.includes(h), href);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E6 heatmap downloads as SVG with its cells', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=surface&task=function&epochs=30&samples=32&grid=5&line=5&backend=cpu&autorun=1`);
    await page.waitForSelector('[data-experiment="surface"][data-state="done"]', { timeout: 240_000 });
    const svg = await svgOf(page, 'surface-map');
    const rects = svg.match(/<rect/g)?.length ?? 0;
    assert.ok(rects >= 25, `${rects} rects: 5×5 cells and more`);
    const csv = (await download(page, 'surface-map', 'CSV')).toString('utf8').trim().split('\n');
    assert.equal(csv[0], 'x,y,value');
    assert.equal(csv.length - 1, 25, 'one row per cell');
    assert.ok(csv.slice(1).every((row) => row.split(',').map(Number).every(Number.isFinite)));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
