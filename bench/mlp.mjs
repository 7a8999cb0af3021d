// The CPU backend on its own ground: E8's widest MLP (784-1024-10, 814,090 parameters, MNIST,
// batch 64, Adam) trained in one worker of the app (burn flex, SIMD128) beside TensorFlow.js
// 4.22's wasm backend (which can train MLPs; its SIMD build is used where the browser has SIMD)
// on the same model in the same headless Chromium. Training images per second; the app's
// figure is its second epoch's training time (`epoch_train_ms`: warm, no test pass), TF.js's
// its timed steps after warm-up.
// Usage: node bench/mlp.mjs [--quick]   (after a release build in dist/)
import os from 'node:os';
import path from 'node:path';
import { serve, launch, open, metrics, DIST } from '../tests/e2e/harness.mjs';

const quick = process.argv.includes('--quick');
const here = path.dirname(new URL(import.meta.url).pathname);
const TRAIN = quick ? 1000 : 2000;
const STEPS = quick ? 15 : 40;
const PARAMS = 814_090;

const loadAtStart = os.loadavg()[0];
const server = await serve(DIST, { '/bench/': here + '/' });

async function app() {
  const browser = await launch({ webgpu: false });
  try {
    const page = await browser.newPage();
    // E7's training loop on true labels: the same MLP, batch 64, Adam, and E2's epoch timing.
    await page.goto(`${server.url}/#exp=random-labels&labels=true&hidden=1024&train_size=${TRAIN}` +
      `&test_size=100&epochs=2&batch=64&lr=0.001&backend=cpu&workers=1&autorun=1`);
    const panel = '[data-experiment="random-labels"]';
    await page.waitForSelector(`${panel}[data-state="done"], ${panel}[data-state="error"]`, { timeout: 600_000 });
    const m = await metrics(page, 'random-labels');
    const params = Object.values(m.models)[0]?.params;
    if (params !== PARAMS) throw new Error(`${params} parameters, expected ${PARAMS}`);
    if (!(m.epoch_train_ms > 0)) throw new Error(`no epoch time: ${JSON.stringify(m)}`);
    return TRAIN / (m.epoch_train_ms / 1e3);
  } finally { await browser.close(); }
}

async function tfjs() {
  const browser = await launch({ webgpu: false });
  try {
    const { page } = await open(browser, `${server.url}/bench/tfjs.html`);
    const r = await page.evaluate(([s]) => benchTfCnn('wasm', [], s, [1024]), [STEPS]);
    if (r.params !== PARAMS) throw new Error(`${r.params} parameters, expected ${PARAMS}`);
    return r.imagesPerSec;
  } finally { await browser.close(); }
}

const ours = await app();
const theirs = await tfjs();
await server.close();
console.log('\n| E8\'s widest MLP, 784-1024-10, batch 64, training img/s | app CPU (flex, SIMD128) | TF.js 4.22 wasm | ratio | goal |');
console.log('|---|---:|---:|---:|---|');
const ratio = ours / theirs;
console.log(`| headless Chromium | ${ours.toFixed(0)} | ${theirs.toFixed(0)} | ${ratio.toFixed(2)}x | ≥ 3x: ${ratio >= 3 ? 'met' : 'not met'} |`);
console.log(`\n(${os.cpus().length} cores, load average ${loadAtStart.toFixed(2)} at start${quick ? ', --quick' : ''})`);
