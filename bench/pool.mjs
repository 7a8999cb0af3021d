// A sweep's wall time with one worker and with the default pool (one worker per core but
// one, at least two on two cores), in headless Chromium on the CPU backend; goal: >= 1.7x on
// this 2-core machine. The time is from Start to `data-state="done"`, workers' start-up
// (under a second: the page compiles their wasm once) included.
// Usage: node bench/pool.mjs [--quick]   (after a release build in dist/; --quick runs E5
// with 20 runs)
import os from 'node:os';
import { serve, launch, metrics, DIST } from '../tests/e2e/harness.mjs';

const quick = process.argv.includes('--quick');
const SWEEPS = [
  { name: quick ? 'E5 minratio, 20 runs' : 'E5 minratio, default preset (100 runs)', exp: 'minratio', hash: quick ? 'runs=20' : '' },
  { name: 'E10 sharpness, default preset (5 batch sizes)', exp: 'sharpness', hash: '' },
  ...(quick ? [] : [{ name: 'E8 params, default preset (11 widths)', exp: 'params', hash: '' }]),
];
const GOAL = 1.7;

async function wallTime(server, sweep, workers) {
  const browser = await launch({ webgpu: false });
  try {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      window.__workers = 0;
      const Native = window.Worker;
      window.Worker = class extends Native { constructor(...a) { super(...a); window.__workers += 1; } };
    });
    const pool = workers === undefined ? '' : `&workers=${workers}`;
    await page.goto(`${server.url}/#exp=${sweep.exp}&${sweep.hash}&backend=cpu${pool}`.replace('&&', '&'));
    const panel = `[data-experiment="${sweep.exp}"]`;
    await page.waitForSelector(`${panel} button.start:not([disabled])`);
    const t0 = performance.now();
    await page.click(`${panel} button.start`);
    await page.waitForSelector(`${panel}[data-state="running"]`);
    await page.waitForSelector(`${panel}[data-state="done"], ${panel}[data-state="error"]`, { timeout: 900_000 });
    if (await page.getAttribute(panel, 'data-state') !== 'done') throw new Error('the run failed');
    const seconds = (performance.now() - t0) / 1000;
    const m = await metrics(page, sweep.exp);
    return { seconds, units: m.sweep?.units, workersCreated: await page.evaluate(() => window.__workers) };
  } finally {
    await browser.close();
  }
}

const loadAtStart = os.loadavg()[0];
const server = await serve(DIST);
console.log(`\n| sweep (CPU backend, headless Chromium) | 1 worker | default pool | speed-up | goal | |`);
console.log('|---|---:|---:|---:|---:|---|');
for (const sweep of SWEEPS) {
  try {
    const one = await wallTime(server, sweep, 1);
    const pool = await wallTime(server, sweep, undefined);
    const speedup = one.seconds / pool.seconds;
    console.log(`| ${sweep.name} | ${one.seconds.toFixed(1)} s | ${pool.seconds.toFixed(1)} s (${pool.workersCreated} workers) | ${speedup.toFixed(2)}x | >= ${GOAL}x | ${speedup >= GOAL ? 'met' : 'NOT met'} |`);
  } catch (e) {
    console.log(`| ${sweep.name} | error: ${String(e).split('\n')[0]} | | | | |`);
  }
}
await server.close();
console.log(`\n(${os.cpus().length} cores, load average ${loadAtStart.toFixed(2)} at start)`);
