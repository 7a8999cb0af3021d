// E2 in the built app: the MNIST subset on the CPU backend and on WebGPU (SwiftShader),
// user-given files (bad ones show an error; good ones are used and cached across reloads).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import fs from 'node:fs/promises';
import { serve, launch, open, metrics, canvasInfo, DIST, startAndWaitDone } from './harness.mjs';

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

const panel = '[data-experiment="tasks"]';
const CHARTS = ['tasks-loss', 'tasks-accuracy', 'tasks-test-accuracy'];

async function finishedRun(page, { backend, models, timeout = 240_000, minParams = 10_000, maxParams = 20_000 }) {
  await page.waitForSelector(`${panel}[data-state="done"]`, { timeout });
  assert.equal(await page.getAttribute('body', 'data-backend'), backend);
  const m = await metrics(page, 'tasks');
  assert.equal(m.backend, backend);
  assert.deepEqual(Object.keys(m.models), models);
  for (const [name, v] of Object.entries(m.models)) {
    assert.ok(v.params > minParams && v.params < maxParams, `${name}: ${v.params} parameters`);
    assert.ok(v.loss < v.first_loss, `${name}: loss ${v.first_loss} -> ${v.loss}`);
    assert.ok(v.accuracy > v.first_accuracy, `${name}: accuracy ${v.first_accuracy} -> ${v.accuracy}`);
    assert.ok(v.test_accuracy >= 0 && v.test_accuracy <= 1, `${name}: test accuracy ${v.test_accuracy}`);
  }
  // The last epoch's training time leaves out its test pass, which the run's time includes.
  assert.ok(m.epoch_train_ms > 0 && m.epoch_train_ms < m.elapsed_ms, `epoch ${m.epoch_train_ms} ms of ${m.elapsed_ms} ms`);
  assert.match(await page.textContent(`${panel} .throughput`), /training images per second/);
  for (const id of CHARTS) {
    const c = await canvasInfo(page, id);
    assert.ok(c.draws >= 2 && c.ink > 1000, `${id} drawn: ${JSON.stringify(c)}`);
  }
  return m;
}

test('E2 trains CNNs on the shipped MNIST subset on the CPU backend; a corrupt file shows its error', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=tasks&dataset=mnist&models=cnn1,cnn2,cnn3&epochs=1&train_size=768&batch=32&lr=0.003&backend=cpu&autorun=1`);
    const m = await finishedRun(page, { backend: 'cpu', models: ['CNN, 1 conv', 'CNN, 2 conv', 'CNN, 3 conv'] });
    assert.match(m.dataset.title, /subset/);
    assert.equal(m.dataset.train, 768);
    assert.equal(m.dataset.test, 2000);
    // One epoch of 768 images: well above chance (0.1); measured ≈ 0.6–0.8.
    for (const [name, v] of Object.entries(m.models)) assert.ok(v.test_accuracy > 0.4, `${name}: ${v.test_accuracy}`);
    assert.deepEqual(errors, []);

    // Mini-batch curves are smoothed (EMA, TensorBoard's 0.6 by default); 0 shows them raw.
    // The CSV holds what is drawn: the same points, the first one equal (the EMA is debiased).
    const lossCsv = async () => {
      const figure = page.locator('figure.chart', { has: page.locator('canvas#tasks-loss') });
      const [saved] = await Promise.all([page.waitForEvent('download'),
        figure.getByRole('button', { name: /Download CSV/ }).click()]);
      return (await fs.readFile(await saved.path(), 'utf8')).trim().split('\n');
    };
    const slider = page.locator(`${panel} input[name="smoothing"]`);
    assert.equal(await slider.inputValue(), '0.6');
    const smooth = await lossCsv();
    await slider.fill('0');
    await page.waitForFunction(() => document.querySelector('label.smoothing .value').textContent === '0.00');
    const raw = await lossCsv();
    assert.equal(raw.length, smooth.length);
    assert.ok(raw.length > 4, raw.join('\n'));
    assert.equal(raw[1], smooth[1]);
    assert.notDeepEqual(raw.slice(2), smooth.slice(2));

    // A file that claims to be the CIFAR-10 archive but is not gzip: a clear error, no panic.
    await page.setInputFiles(`${panel} input[data-dataset-input]`, {
      name: 'cifar-10-binary.tar.gz', mimeType: 'application/gzip', buffer: Buffer.from('not an archive at all'),
    });
    const alert = await page.waitForSelector(`${panel} .dataset-box [role="alert"]`);
    assert.match(await alert.textContent(), /gzip/i);
    assert.equal(await page.isHidden('#fatal'), true, 'no panic banner');

    // The page keeps working: the next run goes.
    await page.click(`${panel} button.reset`);
    await page.waitForSelector(`${panel}[data-state="idle"]`);
    await startAndWaitDone(page, panel, { timeout: 240_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E2 trains on WebGPU (software adapter)', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=tasks&dataset=mnist&models=cnn1,cnn3&epochs=2&train_size=192&batch=64&lr=0.005&autorun=1`);
    await page.waitForSelector('body[data-webgpu="available"]', { timeout: 60_000 });
    // auto picks WebGPU for CNNs.
    await finishedRun(page, { backend: 'webgpu', models: ['CNN, 1 conv', 'CNN, 3 conv'], timeout: 420_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

/** MNIST-format IDX files (gzip) holding `n` random images whose label is the brightest row band. */
function fakeMnist(n, prefix) {
  const images = Buffer.alloc(16 + n * 784);
  images.writeUInt32BE(0x803, 0); images.writeUInt32BE(n, 4); images.writeUInt32BE(28, 8); images.writeUInt32BE(28, 12);
  const labels = Buffer.alloc(8 + n);
  labels.writeUInt32BE(0x801, 0); labels.writeUInt32BE(n, 4);
  for (let i = 0; i < n; i++) {
    const label = i % 10;
    labels[8 + i] = label;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      images[16 + i * 784 + p] = row >= label * 2 + 4 && row < label * 2 + 7 ? 250 : (p * 7 + i) % 40;
    }
  }
  return [
    { name: `${prefix}-images-idx3-ubyte.gz`, mimeType: 'application/gzip', buffer: zlib.gzipSync(images) },
    { name: `${prefix}-labels-idx1-ubyte.gz`, mimeType: 'application/gzip', buffer: zlib.gzipSync(labels) },
  ];
}

test('E2 uses MNIST files the user gives, keeps them across reloads, and forgets them on request', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=tasks&dataset=mnist&source=full&backend=cpu`);
    // Not loaded yet: the page says how to get it instead of failing.
    await page.waitForSelector(`${panel} .dataset-box .missing >> text=official MNIST files`);
    await page.setInputFiles(`${panel} input[data-dataset-input]`, [...fakeMnist(300, 'train'), ...fakeMnist(100, 't10k')]);
    await page.waitForSelector(`${panel} .dataset-box .ready >> text=300 training and 100 test`);
    assert.match(await page.evaluate(() => location.hash), /source=full/);

    await page.reload();
    await page.waitForSelector(`${panel} .dataset-box .ready >> text=from your files`, { timeout: 60_000 });
    await page.fill(`${panel} input[name="epochs"]`, '1');
    await page.dispatchEvent(`${panel} input[name="epochs"]`, 'change');
    await page.click(`${panel} button.start`);
    const m = await finishedRun(page, { backend: 'cpu', models: ['CNN, 1 conv', 'CNN, 2 conv', 'CNN, 3 conv', 'DNN, 1 hidden'] });
    assert.equal(m.dataset.train, 300);

    await page.click(`${panel} button.clear-cache`);
    await page.waitForSelector(`${panel} .dataset-box .missing`);
    await page.reload();
    await page.waitForSelector(`${panel} .dataset-box .missing >> text=official MNIST files`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

/** A tar archive (ustar) of `entries` [{ name, data }], as `tar` writes it. */
function tar(entries) {
  const blocks = [];
  for (const { name, data } of entries) {
    const header = Buffer.alloc(512);
    header.write(name, 0);
    header.write('0000644\0', 100); header.write('0000000\0', 108); header.write('0000000\0', 116);
    header.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148); header.write('0', 156); header.write('ustar\0' + '00', 257);
    let sum = 0; for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

/** A CIFAR-10 batch file of `n` records whose label is the brightest colour channel band. */
function cifarBatch(n, seed) {
  const rec = 3073, out = Buffer.alloc(n * rec);
  for (let i = 0; i < n; i++) {
    const label = (i + seed) % 10;
    out[i * rec] = label;
    for (let p = 0; p < 3072; p++) {
      const row = Math.floor((p % 1024) / 32);
      out[i * rec + 1 + p] = row >= label * 3 && row < label * 3 + 3 ? 240 : (p * 13 + i) % 50;
    }
  }
  return out;
}

test('E2: dropping a CIFAR-10 archive on the panel makes the CIFAR-10 preset run', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=tasks&dataset=cifar10&models=cnn1,cnn2&epochs=3&batch=32&lr=0.01&backend=cpu`);
    // Without the dataset the preset says how to get it instead of failing.
    await page.waitForSelector(`${panel} .dataset-box .missing >> text=cifar-10-binary.tar.gz`);
    const dir = 'cifar-10-batches-bin/';
    const archive = zlib.gzipSync(tar([
      { name: dir + 'data_batch_1.bin', data: cifarBatch(120, 0) },
      { name: dir + 'data_batch_2.bin', data: cifarBatch(80, 3) },
      { name: dir + 'test_batch.bin', data: cifarBatch(60, 7) },
      { name: dir + 'batches.meta.txt', data: Buffer.from('airplane\n') },
    ]));
    // Drop it as a user would: a drop event whose DataTransfer holds the file.
    const transfer = await page.evaluateHandle((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'cifar-10-binary.tar.gz', { type: 'application/gzip' }));
      return dt;
    }, [...archive]);
    await page.dispatchEvent(panel, 'dragover', { dataTransfer: transfer });
    await page.dispatchEvent(panel, 'drop', { dataTransfer: transfer });
    await page.waitForSelector(`${panel} .dataset-box .ready >> text=200 training and 60 test`);
    await page.click(`${panel} button.start`);
    const m = await finishedRun(page, { backend: 'cpu', models: ['CNN, 1 conv', 'CNN, 2 conv'], minParams: 20_000, maxParams: 25_000 });
    assert.match(m.dataset.title, /CIFAR-10/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
