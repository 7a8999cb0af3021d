// The README's gallery: E3, E5 and E6 run to the end at their default presets (CPU backend,
// default workers), each panel photographed into static/gallery/.
// Usage: node bench/gallery.mjs [exp ...]   (after a release build in dist/)
import path from 'node:path';
import { serve, launch, DIST } from '../tests/e2e/harness.mjs';

const OUT = new URL('../static/gallery/', import.meta.url).pathname;
const asked = process.argv.slice(2);
const EXPS = asked.length ? asked : ['trajectory', 'minratio', 'surface'];

const server = await serve(DIST);
const browser = await launch({ webgpu: false });
try {
  for (const exp of EXPS) {
    const page = await browser.newPage({ viewport: { width: 1240, height: 900 } });
    const panel = `[data-experiment="${exp}"]`;
    await page.goto(`${server.url}/#exp=${exp}&backend=cpu&autorun=1`);
    await page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 900_000 });
    // Charts draw at the next animation frame after the last event.
    await page.waitForFunction((panel) => [...document.querySelectorAll(`${panel} canvas`)]
      .every((c) => Number(c.dataset.draws) > 0), panel);
    await page.locator(`${panel} .charts`).first().screenshot({ path: path.join(OUT, `${exp}.png`) });
    console.log(`${exp}: ${path.join(OUT, `${exp}.png`)}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
