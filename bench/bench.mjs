// E1 training step, ms per model-step, in one headless Chromium: the playground (burn flex on
// the CPU, burn wgpu on WebGPU/SwiftShader) beside TensorFlow.js 4.22 (wasm, cpu, webgpu).
// Also: the release wasm's gzipped size and the time from Start to the first chart point.
// Usage: node bench/bench.mjs [--quick]   (after a release build in dist/)
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { serve, launch, open, metrics, DIST } from '../tests/e2e/harness.mjs';

const quick = process.argv.includes('--quick');
const here = path.dirname(new URL(import.meta.url).pathname);
const server = await serve(DIST, { '/bench/': here + '/' });
const rows = [];

async function burnStep(webgpu, epochs) {
  const browser = await launch({ webgpu });
  try {
    const backend = webgpu ? 'webgpu' : 'cpu';
    const { page } = await open(browser, `${server.url}/#exp=fit&shapes=1-5-10-10-10-10-10-5-1&samples=512&epochs=${epochs}&backend=${backend}&autorun=1`);
    await page.waitForSelector('[data-experiment="fit"][data-state="done"]', { timeout: 600_000 });
    const m = await metrics(page, 'fit');
    if (m.backend !== backend) throw new Error(`ran on ${m.backend}, not ${backend}`);
    return m.elapsed_ms / m.epoch;
  } finally { await browser.close(); }
}

// E1's three reference models (571 parameters each) trained side by side, a worker each, or
// all in one worker (`workers=1`): wall time from Start to done per model and epoch.
async function sideBySideStep(epochs, workers) {
  const browser = await launch({ webgpu: false });
  try {
    const pool = workers ? `&workers=${workers}` : '';
    const { page } = await open(browser, `${server.url}/#exp=fit&samples=512&epochs=${epochs}&backend=cpu${pool}`);
    const panel = '[data-experiment="fit"]';
    await page.waitForSelector(`${panel} button.start:not([disabled])`);
    const t0 = Date.now();
    await page.click(`${panel} button.start`);
    await page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 600_000 });
    const m = await metrics(page, 'fit');
    return (Date.now() - t0) / (epochs * Object.keys(m.models).length);
  } finally { await browser.close(); }
}

async function tfStep(backend, steps, shapes) {
  const browser = await launch({ webgpu: backend === 'webgpu' });
  try {
    const { page } = await open(browser, `${server.url}/bench/tfjs.html`);
    return (await page.evaluate(([b, s, m]) => benchTf(b, s, m), [backend, steps, shapes])).msPerStep;
  } finally { await browser.close(); }
}

// E1's three reference models (core's REFERENCE_SHAPES), 571 or 572 parameters each.
const REFERENCE = [[1, 5, 10, 10, 10, 10, 10, 5, 1], [1, 10, 18, 15, 4, 1], [1, 190, 1]];

async function firstPoint() {
  const browser = await launch({ webgpu: false });
  try {
    const { page } = await open(browser, `${server.url}/#exp=fit&backend=cpu`);
    await page.waitForSelector('[data-experiment="fit"] button.start:not([disabled])');
    return await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      document.querySelector('[data-experiment="fit"] button.start').click();
      const poll = () => {
        const m = JSON.parse(document.querySelector('[data-metrics]').textContent);
        const drawn = Number(document.getElementById('fit-loss').dataset.draws);
        if (m.epoch >= 1 && drawn > 0) resolve(performance.now() - t0); else requestAnimationFrame(poll);
      };
      poll();
    }));
  } finally { await browser.close(); }
}

const measure = async (engine, fn) => {
  try { rows.push([engine, await fn()]); } catch (e) { rows.push([engine, NaN, String(e).split('\n')[0]]); }
  console.error(`measured ${engine}`);
};
// CPU runs are cheap: long enough for V8 to tier the wasm up (its baseline code is much slower).
await measure('burn flex (playground, CPU backend)', () => burnStep(false, quick ? 1000 : 3000));
await measure("burn flex, E1's 3 models in one worker (wall time)", () => sideBySideStep(quick ? 500 : 1500, 1));
await measure("burn flex, E1's 3 models side by side, a worker each (wall time)", () => sideBySideStep(quick ? 500 : 1500, 0));
await measure('TensorFlow.js 4.22 wasm', () => tfStep('wasm', quick ? 500 : 1500));
await measure("TensorFlow.js 4.22 wasm, E1's 3 models one after another", () => tfStep('wasm', quick ? 500 : 1500, REFERENCE));
await measure('TensorFlow.js 4.22 cpu', () => tfStep('cpu', quick ? 50 : 200));
await measure('burn wgpu (playground, WebGPU on SwiftShader)', () => burnStep(true, quick ? 3 : 6));
await measure('TensorFlow.js 4.22 webgpu (SwiftShader)', () => tfStep('webgpu', quick ? 3 : 10));
const first = await firstPoint();
await server.close();

const tfWasm = rows.find(([e]) => e === 'TensorFlow.js 4.22 wasm')[1];
const tfWasmE1 = rows.find(([e]) => e.includes("wasm, E1's 3 models"))[1];
console.log('\nE1 training step (1-5-10-10-10-10-10-5-1, 512 points, full batch, Adam), headless Chromium');
console.log('| engine | ms per model-step | speed-up vs TF.js wasm |');
console.log('|---|---:|---:|');
for (const [engine, ms, err] of rows) {
  console.log(`| ${engine} | ${Number.isFinite(ms) ? ms.toFixed(2) : 'failed: ' + err} | ${Number.isFinite(ms) ? (tfWasm / ms).toFixed(2) + 'x' : ''} |`);
}
const flex = rows[0][1];
// The page's wasm (all a visitor needs to see the page) and the training code's (the workers',
// and with workers=0 the page's own training code), each gzipped.
const gzipped = (match) => {
  const file = fs.readdirSync(DIST).find((f) => f.endsWith('_bg.wasm') && match(f));
  return zlib.gzipSync(fs.readFileSync(path.join(DIST, file)), { level: 9 }).length / 1e6;
};
const pageGz = gzipped((f) => f.startsWith('mlds-app'));
const workerGz = gzipped((f) => f.startsWith('mlds-worker'));
console.log('\n| target | measured | goal |');
console.log('|---|---:|---:|');
const parallel = rows.find(([e]) => e.includes('side by side'))[1];
console.log(`| CPU backend vs TF.js wasm, per model-step | ${(tfWasm / flex).toFixed(2)}x faster | ≥ 3x |`);
console.log(`| E1's three models side by side in workers vs TF.js wasm on the same three models, per model-step | ${(tfWasmE1 / parallel).toFixed(2)}x faster | ≥ 3x |`);
console.log(`| release wasm, gzipped | page ${pageGz.toFixed(2)} MB, training code ${workerGz.toFixed(2)} MB | |`);
console.log(`| first load: wasm fetched before the first run (page + training code), gzipped | ${(pageGz + workerGz).toFixed(2)} MB | ≤ 3.5 MB |`);
console.log(`| Start → first chart point (CPU backend) | ${first.toFixed(0)} ms | < 2000 ms |`);
