// Chart downloads: every chart has a "Download PNG" (the canvas) and a "Download SVG" (the same
// chart drawn again into an SVG document) button. E1's loss chart and E6's heatmap, on the CPU.
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
  const button = figure.getByRole('button', { name: new RegExp(kind) });
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
    // Every chart on the page has both buttons.
    const charts = await page.locator('figure.chart').count();
    assert.ok(charts >= 2);
    assert.equal(await page.locator('figure.chart button.export').count(), 2 * charts);
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
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
