// E2 training throughput, training images per second per model, in headless Chromium: the
// playground's MNIST CNNs (burn flex on the CPU, burn wgpu on WebGPU/SwiftShader) beside the same
// architectures in TensorFlow.js 4.22 (wasm and cpu; webgpu), batch 64, Adam (lr 0.002).
// Each model is measured on its own (one model per app run), so images/s is per model.
// Usage: node bench/tasks.mjs [--quick]   (after a release build in dist/)
import os from 'node:os';
import path from 'node:path';
import { serve, launch, open, metrics, DIST } from '../tests/e2e/harness.mjs';

const quick = process.argv.includes('--quick');
const here = path.dirname(new URL(import.meta.url).pathname);
const BATCH = 64;
const BROWSER_TIMEOUT_MS = 600_000; // per browser; WebGPU on SwiftShader is slow
// MNIST 1×28×28; per conv block: 3×3 'same' conv + ReLU + 2×2/2 max-pool; then dense to 10.
const MODELS = [
  { id: 'cnn1', name: 'CNN, 1 conv', convs: [8], params: 15_770 },
  { id: 'cnn2', name: 'CNN, 2 conv', convs: [16, 24], params: 15_410 },
  { id: 'cnn3', name: 'CNN, 3 conv', convs: [16, 32, 28], params: 15_422 },
];
// App: training images in its one epoch (the shipped subset has 8,000). TF.js: timed steps of 64.
// SwiftShader runs WebGPU on the CPU: keep those runs tiny.
const PLAN = quick
  ? { appCpu: 2048, appGpu: 128, tfWasm: 20, tfCpu: 5, tfGpu: 5 }
  : { appCpu: 8000, appGpu: 256, tfWasm: 60, tfCpu: 15, tfGpu: 10 };

const t0 = performance.now();
const loadAtStart = os.loadavg()[0]; // other work on the machine skews every figure
const server = await serve(DIST, { '/bench/': here + '/' });
const results = {}; // results[model id][column] = { ips, wholeRun? } or { error }
for (const m of MODELS) results[m.id] = {};

/** Reject after `ms` (so one stuck browser cannot stall the whole bench). */
async function within(ms, what, promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms / 1000} s`)), ms);
  });
  try { return await Promise.race([promise, late]); } finally { clearTimeout(timer); } // or node waits for it
}

/** One app run of one model for two epochs of `trainSize` images; images per second in the
 * second epoch's training (`epoch_train_ms`: no test pass, and kernels/shaders already warm,
 * as TF.js's warm-up steps are). */
async function appRun(model, backend, trainSize) {
  const browser = await launch({ webgpu: backend === 'webgpu' });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(`${server.url}/#exp=tasks&dataset=mnist&source=subset&models=${model.id}&epochs=2` +
      `&train_size=${trainSize}&batch=${BATCH}&backend=${backend}&autorun=1`);
    const panel = '[data-experiment="tasks"]';
    await page.waitForSelector(`${panel}[data-state="done"], ${panel}[data-state="error"]`, { timeout: BROWSER_TIMEOUT_MS });
    if (await page.getAttribute(panel, 'data-state') === 'error') {
      const alert = await page.$(`${panel} [role="alert"]`);
      throw new Error(`run ended in error: ${alert ? (await alert.textContent()).trim() : errors[0] ?? '?'}`);
    }
    const m = await metrics(page, 'tasks');
    if (m.backend !== backend) throw new Error(`ran on ${m.backend}, not ${backend}`);
    if (m.dataset?.train !== trainSize) throw new Error(`trained on ${m.dataset?.train} images, not ${trainSize}`);
    const params = m.models[model.name]?.params;
    if (params !== model.params) throw new Error(`${params} parameters, expected ${model.params}`);
    if (m.epoch !== 2 || !(m.epoch_train_ms > 0)) throw new Error(`no second-epoch training time: ${JSON.stringify(m)}`);
    return { ips: trainSize / (m.epoch_train_ms / 1e3), wholeRun: 2 * trainSize / (m.elapsed_ms / 1e3) };
  } finally { await browser.close(); }
}

/** TF.js on `backend`, one model in a fresh page (bench/tfjs.html), `steps` timed steps; images per second. */
async function tfRun(model, backend, steps) {
  const browser = await launch({ webgpu: backend === 'webgpu' });
  try {
    const { page } = await open(browser, `${server.url}/bench/tfjs.html`);
    const r = await within(BROWSER_TIMEOUT_MS, `TF.js ${backend}`,
      page.evaluate(([b, c, s]) => benchTfCnn(b, c, s), [backend, model.convs, steps]));
    if (r.backend !== backend) throw new Error(`ran on ${r.backend}, not ${backend}`);
    if (r.params !== model.params) throw new Error(`${r.params} parameters, expected ${model.params}`);
    if (!Number.isFinite(r.loss)) throw new Error(`loss ${r.loss}`);
    return { ips: r.imagesPerSec };
  } finally { await browser.close(); }
}

/** Measure every model with `run(model)` into `results[model][column]`; a failure is kept, not thrown. */
async function measureAll(column, run) {
  for (const model of MODELS) {
    try { results[model.id][column] = await run(model); } catch (e) { results[model.id][column] = { error: e }; }
    console.error(`measured ${column} ${model.id}${results[model.id][column].error ? ' (failed)' : ''}`);
  }
}

await measureAll('appCpu', (m) => appRun(m, 'cpu', PLAN.appCpu));
await measureAll('tfWasm', (m) => tfRun(m, 'wasm', PLAN.tfWasm));
await measureAll('tfCpu', (m) => tfRun(m, 'cpu', PLAN.tfCpu));
await measureAll('appGpu', (m) => appRun(m, 'webgpu', PLAN.appGpu));
await measureAll('tfGpu', (m) => tfRun(m, 'webgpu', PLAN.tfGpu));
await server.close();
const minutes = (performance.now() - t0) / 60e3;

// ---- report ----
const firstLine = (e) => String(e?.message ?? e).split('\n')[0].replace(/^page\.evaluate: (Error: )?/, '').replaceAll('|', '\\|');
const num = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const cell = (r) => {
  if (!r || r.error) return `failed: ${firstLine(r?.error ?? 'not run')}`;
  return r.wholeRun ? `${num(r.ips)} (${num(r.wholeRun)} whole run)` : num(r.ips);
};
/** app/TF.js on the headline figure. */
const ratio = (app, tf) => {
  if (!app?.ips || !tf?.ips) return null;
  const r = app.ips / tf.ips;
  return { r, text: `${r.toFixed(2)}x` };
};
// The target compares each backend type with TF.js's best working backend of that type. TF.js
// wasm may be unable to train CNNs at all (4.22 has no Conv2DBackpropFilter kernel for it,
// tensorflow/tfjs#8474); then TF.js cpu is the CPU-side reference.
const best = (...rs) => rs.filter((r) => r?.ips).sort((a, b) => b.ips - a.ips)[0];

console.log(`\nE2 training throughput, MNIST CNNs, batch ${BATCH}, Adam (lr 0.002), headless Chromium` +
  ` (${os.cpus().length} cores, 1-min load ${loadAtStart.toFixed(1)} at start${quick ? ', --quick' : ''}),` +
  ' training images per second per model');
console.log(`App: two epochs of ${PLAN.appCpu} (CPU) / ${PLAN.appGpu} (WebGPU) subset images, each followed by a test` +
  ' pass over 2,000 images; the headline is the second epoch\'s training (the app\'s `epoch_train_ms`: warm, no' +
  ' test pass), "whole run" divides both epochs\' images by the whole run\'s time (warm-up and test passes included).');
console.log(`TF.js 4.22: ${PLAN.tfWasm} (wasm) / ${PLAN.tfCpu} (cpu) / ${PLAN.tfGpu} (webgpu) optimizer.minimize steps` +
  ' on fixed random batches after 3 warm-up steps, one 64×28×28×1 upload per step, ending with a read.');
console.log('Ratios: app/TF.js on the headline figures.' +
  ' WebGPU runs on SwiftShader (the CPU), so those columns say little about a real GPU.\n');
console.log('| model | app CPU (flex) img/s | TF.js wasm img/s | TF.js cpu img/s | ratio app/TF.js wasm |' +
  ' app WebGPU img/s | TF.js webgpu img/s | ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
const verdicts = []; // [backend type, model id, ratio or null, reference name]
for (const model of MODELS) {
  const r = results[model.id];
  const wasmRatio = ratio(r.appCpu, r.tfWasm), cpuRatio = ratio(r.appCpu, r.tfCpu), gpuRatio = ratio(r.appGpu, r.tfGpu);
  const cpuRef = best(r.tfWasm, r.tfCpu);
  verdicts.push(['CPU', model.id, ratio(r.appCpu, cpuRef), cpuRef === r.tfWasm ? 'TF.js wasm' : 'TF.js cpu'],
    ['WebGPU', model.id, gpuRatio, 'TF.js webgpu']);
  const cpuCell = wasmRatio ? wasmRatio.text : cpuRatio ? `– (vs TF.js cpu: ${cpuRatio.text})` : '–';
  console.log(`| ${model.id} (${model.convs.join('-')}, ${model.params.toLocaleString('en-US')} params) | ${cell(r.appCpu)} |` +
    ` ${cell(r.tfWasm)} | ${cell(r.tfCpu)} | ${cpuCell} | ${cell(r.appGpu)} | ${cell(r.tfGpu)} | ${gpuRatio?.text ?? '–'} |`);
}
const below = verdicts.filter(([, , v]) => v && v.r < 1);
const missing = verdicts.filter(([, , v]) => !v).map(([b, id]) => `${id} ${b}`);
console.log('\nTarget (issue): at least TF.js\'s training throughput on each backend type, per model: app CPU vs' +
  ' TF.js wasm (or TF.js cpu where wasm cannot train), app WebGPU vs TF.js webgpu.');
console.log(`Met: ${below.length === 0 && missing.length === 0 ? 'yes' : below.length === 0 ? 'not shown (some cells failed)' : 'no'}` +
  (below.length ? `; below TF.js: ${below.map(([b, id, v, ref]) => `${id} ${b} ${v.text} of ${ref}` +
    '').join(', ')}` : '') +
  (missing.length ? `; not measured: ${missing.join(', ')}` : '') + '.');
console.log(`Run time: ${minutes.toFixed(1)} min.`);
