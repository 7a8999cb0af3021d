// The front page: every experiment as a card with its presets; a preset link opens its panel
// with the preset's settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, DIST } from './harness.mjs';

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

test('the front page lists every experiment with its presets, and a preset opens its panel', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/`);
    await page.waitForSelector('[data-experiment="home"] .card');
    const ids = await page.$$eval('[data-experiment="home"] .card', (cards) => cards.map((c) => c.dataset.card));
    assert.deepEqual(ids, ['fit', 'tasks', 'trajectory', 'gradnorm', 'minratio', 'surface',
      'random-labels', 'params', 'interpolate', 'sensitivity', 'sharpness']);
    for (const id of ids) {
      const presets = await page.locator(`[data-card="${id}"] .card-presets a`).count();
      assert.ok(presets >= 2 || (id === 'params' && presets >= 1), `${id}: ${presets} presets`);
    }
    await page.click('[data-card="gradnorm"] .card-presets a >> nth=0');
    await page.waitForSelector('[data-experiment="gradnorm"][data-state="idle"]');
    assert.match(await page.evaluate(() => location.hash), /exp=gradnorm/);
    assert.match(await page.evaluate(() => location.hash), /task=function/);
    // Back to the list from the navigation.
    await page.click('nav.experiments >> text=All experiments');
    await page.waitForSelector('[data-experiment="home"]');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
