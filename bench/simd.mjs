// What SIMD gives the CPU backend: the same runs in headless Chromium from the shipped build
// (dist/: burn's `simd` feature, `+simd128`) and from the same commit built without either
// (dist-nosimd/, `scripts/bench.sh` builds it), alternating builds, `workers=1` (one worker
// trains). Figures: E2's three CNNs and E8's widest MLP in training images per second (the
// second epoch's training, `epoch_train_ms`: warm, no test pass), E1's deep model in ms per
// step. Each figure is the best of `ROUNDS` runs (the least disturbed by the machine).
// Usage: node bench/simd.mjs [--quick] [--other DIR --label TEXT]   (after both builds; `--other`
// compares the shipped build with another one instead, e.g. another opt-level)
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { serve, launch, open, metrics, DIST } from '../tests/e2e/harness.mjs';

const quick = process.argv.includes('--quick');
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const NOSIMD = path.resolve(arg('--other') ?? path.join(DIST, '..', 'dist-nosimd'));
const LABEL = arg('--label') ?? 'without SIMD';
if (!fs.existsSync(path.join(NOSIMD, 'index.html'))) {
  throw new Error(`no build in ${NOSIMD}: run scripts/bench.sh (it builds dist-nosimd)`);
}
const ROUNDS = quick ? 1 : 2;
const TRAIN = quick ? 1000 : 2000;
const loadAtStart = os.loadavg()[0];
const servers = { simd: await serve(DIST), nosimd: await serve(NOSIMD) };

/** A run of `hash` on build `build` until done: its data-metrics. */
async function run(build, experiment, hash) {
  const browser = await launch({ webgpu: false });
  try {
    const { page } = await open(browser, `${servers[build].url}/#${hash}&backend=cpu&workers=1&autorun=1`);
    const panel = `[data-experiment="${experiment}"]`;
    await page.waitForSelector(`${panel}[data-state="done"], ${panel}[data-state="error"]`, { timeout: 600_000 });
    const m = await metrics(page, experiment);
    if (m.state !== 'done') throw new Error(`${hash} on ${build}: ${m.state}`);
    return m;
  } finally { await browser.close(); }
}

const trained = (m) => TRAIN / (m.epoch_train_ms / 1e3);
const WORKLOADS = [
  ...['cnn1', 'cnn2', 'cnn3'].map((model) => ({
    name: `E2 ${model}, MNIST, batch 64 (img/s)`,
    higher: true,
    measure: async (build) => trained(await run(build, 'tasks',
      `exp=tasks&dataset=mnist&source=subset&models=${model}&epochs=2&train_size=${TRAIN}&batch=64`)),
  })),
  {
    name: "E8's widest MLP, 784-1024-10, batch 64 (img/s)",
    higher: true,
    measure: async (build) => trained(await run(build, 'random-labels',
      `exp=random-labels&labels=true&hidden=1024&train_size=${TRAIN}&test_size=100&epochs=2&batch=64&lr=0.001`)),
  },
  {
    name: "E1's deep model, 512 points, full batch (ms per step)",
    higher: false,
    measure: async (build) => {
      const epochs = quick ? 500 : 1500;
      const m = await run(build, 'fit', `exp=fit&shapes=1-5-10-10-10-10-10-5-1&samples=512&epochs=${epochs}`);
      return m.elapsed_ms / m.epoch;
    },
  },
];

console.log(`| workload (CPU backend, headless Chromium, one worker) | shipped build | ${LABEL} | shipped's gain |`);
console.log('|---|---:|---:|---:|');
for (const w of WORKLOADS) {
  const best = { simd: w.higher ? 0 : Infinity, nosimd: w.higher ? 0 : Infinity };
  for (let r = 0; r < ROUNDS; r++) {
    for (const build of r % 2 ? ['nosimd', 'simd'] : ['simd', 'nosimd']) {
      const v = await w.measure(build);
      best[build] = w.higher ? Math.max(best[build], v) : Math.min(best[build], v);
    }
  }
  const gain = w.higher ? best.simd / best.nosimd : best.nosimd / best.simd;
  const fmt = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(2));
  console.log(`| ${w.name} | ${fmt(best.simd)} | ${fmt(best.nosimd)} | ${gain.toFixed(2)}x |`);
}
console.log(`\n(${os.cpus().length} cores, load average ${loadAtStart.toFixed(2)} at start; best of ${ROUNDS} alternating runs each)`);
// What a visitor downloads: each build's two wasm files, gzipped.
const { gzipSync } = await import('node:zlib');
for (const [name, dir] of [['shipped build', DIST], [LABEL, NOSIMD]]) {
  const sizes = fs.readdirSync(dir).filter((f) => f.endsWith('.wasm'))
    .map((f) => `${f.replace(/-[0-9a-f]{16}_bg/, '')} ${(gzipSync(fs.readFileSync(path.join(dir, f)), { level: 9 }).length / 1e6).toFixed(2)} MB`);
  console.log(`${name}: ${sizes.join(', ')} gzipped`);
}
await Promise.all(Object.values(servers).map((s) => s.close()));
