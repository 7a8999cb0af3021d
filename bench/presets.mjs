// The default presets of E3–E10, wall time in headless Chromium on the CPU backend, beside
// their goals: E5's 100-run preset < 5 min, E3's MNIST preset < 3 min, E6's 31×31 sinc5 grid
// < 20 s, each of E7–E10's default presets < 5 min. The time is from load (autorun) to
// `data-state="done"`, so it includes start-up, dataset loading, training and analysis.
// Usage: node bench/presets.mjs [--quick]   (after a release build in dist/; --quick runs
// E5 with 20 runs and scales its time by 5, and skips E7–E10)
import os from 'node:os';
import { serve, launch, metrics, DIST } from '../tests/e2e/harness.mjs';

const quick = process.argv.includes('--quick');
const PRESETS = [
  { name: 'E3 trajectory, MNIST preset (8 runs × 24 epochs)', exp: 'trajectory', hash: 'task=images&dataset=mnist', goal: 180 },
  { name: 'E6 surface, sinc5 31×31 grid (random directions)', exp: 'surface', hash: 'task=function&fn=sinc5&dirs=random', goal: 20 },
  { name: 'E6 surface, sinc5 31×31 grid (PCA directions)', exp: 'surface', hash: 'task=function&fn=sinc5&dirs=pca', goal: 20 },
  { name: quick ? 'E5 minratio, 20 of the 100 runs (×5 for the preset)' : 'E5 minratio, default preset (100 runs)', exp: 'minratio', hash: quick ? 'runs=20' : '', goal: 300, scale: quick ? 5 : 1 },
  ...(quick ? [] : [
    { name: 'E7 random labels, default preset (500 images, 60 epochs)', exp: 'random-labels', hash: '', goal: 300 },
    { name: 'E8 params, default preset (11 widths)', exp: 'params', hash: '', goal: 300 },
    { name: 'E9a interpolate, default preset (batch 64 vs 1024, 31 points)', exp: 'interpolate', hash: '', goal: 300 },
    { name: 'E9b sensitivity, default preset (batch 16 … 4096)', exp: 'sensitivity', hash: '', goal: 300 },
    { name: 'E10 sharpness, default preset (batch 16 … 4096)', exp: 'sharpness', hash: '', goal: 300 },
  ]),
];

const loadAtStart = os.loadavg()[0];
const server = await serve(DIST);
const rows = [];
for (const p of PRESETS) {
  const browser = await launch({ webgpu: false });
  try {
    const page = await browser.newPage();
    const t0 = performance.now();
    await page.goto(`${server.url}/#exp=${p.exp}&${p.hash}&backend=cpu&autorun=1`.replace('&&', '&'));
    const panel = `[data-experiment="${p.exp}"]`;
    await page.waitForSelector(`${panel}[data-state="done"], ${panel}[data-state="error"]`, { timeout: 900_000 });
    const seconds = (performance.now() - t0) / 1000 * (p.scale ?? 1);
    const state = await page.getAttribute(panel, 'data-state');
    const m = await metrics(page, p.exp);
    rows.push({ name: p.name, seconds, goal: p.goal, state, training_s: m.elapsed_ms / 1000 * (p.scale ?? 1) });
  } catch (e) {
    rows.push({ name: p.name, error: String(e) });
  } finally {
    await browser.close();
  }
}
await server.close();

console.log('\n| preset (CPU backend, headless Chromium) | wall time | of which computing | goal | |');
console.log('|---|---:|---:|---:|---|');
for (const r of rows) {
  if (r.error) { console.log(`| ${r.name} | error: ${r.error} | | | |`); continue; }
  const met = r.state === 'done' && r.seconds <= r.goal ? 'met' : 'NOT met';
  console.log(`| ${r.name} | ${r.seconds.toFixed(1)} s | ${r.training_s.toFixed(1)} s | < ${r.goal} s | ${met} |`);
}
console.log(`\n(${os.cpus().length} cores, load average ${loadAtStart.toFixed(2)} at start${quick ? '; --quick scales E5 from 20 runs' : ''})`);
