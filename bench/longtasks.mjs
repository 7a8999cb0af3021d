// The page only renders: every experiment's default preset, run to its end on the CPU backend
// with the default workers, and the page's main-thread tasks over 50 ms (the Long Tasks API),
// counted from Start (after the workers' code has been fetched and compiled, which happens
// once, shortly after load). The goal: none over 100 ms.
// Usage: node bench/longtasks.mjs [exp ...]   (after a release build in dist/; default: all)
import os from 'node:os';
import { serve, launch, waitForWorkerCode, DIST } from '../tests/e2e/harness.mjs';

const ALL = ['fit', 'tasks', 'trajectory', 'gradnorm', 'minratio', 'surface', 'random-labels',
  'params', 'interpolate', 'sensitivity', 'sharpness'];
const asked = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const EXPS = asked.length ? asked : ALL;

const loadAtStart = os.loadavg()[0];
const server = await serve(DIST);
const rows = [];
for (const exp of EXPS) {
  const browser = await launch({ webgpu: false });
  try {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      window.__long = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__long.push(Math.round(e.duration));
      }).observe({ type: 'longtask', buffered: true });
    });
    const panel = `[data-experiment="${exp}"]`;
    await page.goto(`${server.url}/#exp=${exp}&backend=cpu`);
    await page.waitForSelector(`${panel}[data-state="idle"]`);
    await waitForWorkerCode(page);
    await page.evaluate(() => { window.__long = []; });
    const t0 = performance.now();
    await page.click(`${panel} button.start`);
    await page.waitForSelector(`${panel}[data-state="done"], ${panel}[data-state="error"]`, { timeout: 900_000 });
    const seconds = (performance.now() - t0) / 1000;
    const long = await page.evaluate(() => window.__long);
    rows.push({ exp, seconds, state: await page.getAttribute(panel, 'data-state'), long });
  } catch (e) {
    rows.push({ exp, error: String(e).split('\n')[0] });
  } finally {
    await browser.close();
  }
}
await server.close();

console.log('\n| default preset (CPU backend, default workers) | run | tasks over 50 ms | over 100 ms | longest | goal: none over 100 ms |');
console.log('|---|---:|---:|---:|---:|---|');
for (const r of rows) {
  if (r.error) { console.log(`| ${r.exp} | error: ${r.error} | | | | |`); continue; }
  const over = r.long.filter((ms) => ms > 100).length;
  const longest = r.long.length ? Math.max(...r.long) : 0;
  console.log(`| ${r.exp} (${r.state}) | ${r.seconds.toFixed(1)} s | ${r.long.length} | ${over} | ${longest} ms | ${over === 0 ? 'met' : 'NOT met'} |`);
}
console.log(`\n(${os.cpus().length} cores, load average ${loadAtStart.toFixed(2)} at start)`);
