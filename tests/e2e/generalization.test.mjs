// E7–E10 in the built app: each on the CPU backend with a short schedule on the shipped MNIST
// subset, and E8 once on WebGPU (SwiftShader).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, metrics, canvasInfo, DIST } from './harness.mjs';

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

async function done(page, exp, timeout = 300_000) {
  const panel = `[data-experiment="${exp}"]`;
  await page.waitForSelector(`${panel}[data-state="done"], ${panel}[data-state="error"]`, { timeout });
  if (await page.getAttribute(panel, 'data-state') === 'error') {
    throw new Error(`run failed: ${await page.textContent(`${panel} [role="alert"]`)}`);
  }
  return metrics(page, exp);
}

/** A chart drawn with data: inked, and drawn at least `draws` times (charts that exist from
 * the start draw empty first; a density chart appears with its data and draws once). */
async function drawn(page, id, draws = 2) {
  // A chart redraws in the animation frame after the events that change it: on a busy machine
  // that frame can come after the run's `done`, so wait for it (up to 30 s) before judging.
  await page.waitForFunction(({ id, draws }) => Number(document.getElementById(id)?.dataset.draws) >= draws,
    { id, draws }, { timeout: 30_000 }).catch(() => {});
  const c = await canvasInfo(page, id);
  assert.ok(c.draws >= draws && c.ink > 2000, `${id} drawn: ${JSON.stringify(c)}`);
}

const inUnit = (v) => v >= 0 && v <= 1;

test('E7 memorises random labels: train loss falls, test accuracy stays near chance (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=random-labels&train_size=200&hidden=256-256&epochs=30&batch=50&test_size=300&backend=cpu&autorun=1`);
    const m = await done(page, 'random-labels');
    assert.equal(m.epoch, 30);
    const [name, v] = Object.entries(m.models)[0];
    assert.equal(name, 'random labels');
    assert.ok(v.loss < v.first_loss * 0.6, `train loss ${v.first_loss} -> ${v.loss}`);
    assert.ok(v.test_loss > v.first_test_loss, `test loss ${v.first_test_loss} -> ${v.test_loss}`);
    assert.ok(v.test_accuracy < 0.25, `test accuracy ${v.test_accuracy}`);
    assert.ok(inUnit(v.accuracy));
    await drawn(page, 'random-labels-loss');
    await drawn(page, 'random-labels-accuracy');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E8 adds one point per width over two seeds, parameters counted from the models (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=params&widths=2,8,32&seeds=2&epochs=2&train_size=300&eval_size=300&backend=cpu&autorun=1`);
    const m = await done(page, 'params');
    // Six units (three widths × two seeds) pooled into three points, each a mean with its spread.
    assert.deepEqual(m.points.map((p) => p.params), [1600, 6370, 25450]);
    for (const p of m.points) {
      assert.ok(inUnit(p.accuracy) && inUnit(p.test_accuracy) && p.train_loss > 0 && p.test_loss > 0, JSON.stringify(p));
      assert.equal(p.seeds, 2, JSON.stringify(p));
      assert.ok(p.train_loss_std > 0 && Number.isFinite(p.test_accuracy_std), JSON.stringify(p));
      assert.equal(p.params_std, undefined, 'a setting has no spread');
    }
    const cells = await page.$$eval('[data-experiment="params"] table.results td', (tds) => tds.map((t) => t.textContent));
    assert.ok(cells.some((c) => c.includes(' ± ')), cells.join(' | '));
    await drawn(page, 'params-loss');
    await drawn(page, 'params-accuracy');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E8 trains on WebGPU (software adapter)', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=params&widths=2,4&epochs=1&train_size=64&batch=32&eval_size=64&backend=webgpu&autorun=1`);
    await page.waitForSelector('body[data-webgpu="available"]', { timeout: 60_000 });
    const m = await done(page, 'params', 420_000);
    assert.equal(m.backend, 'webgpu');
    assert.deepEqual(m.points.map((p) => p.params), [1600, 3190]);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E9a evaluates the line through two models from one θ₀, with each end\'s rise and training (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=interpolate&hidden=16&train_size=300&epochs=2&batch=32&batch2=150&eval_size=200&backend=cpu&autorun=1`);
    const m = await done(page, 'interpolate');
    assert.equal(m.alphas.length, 25);
    for (const key of ['train_loss', 'test_loss', 'accuracy', 'test_accuracy']) {
      assert.equal(m[key].length, 25, key);
    }
    assert.ok(Math.abs(m.alphas[0] + 1) < 1e-9 && Math.abs(m.alphas[24] - 2) < 1e-9);
    assert.ok(m.accuracy.every(inUnit) && m.train_loss.every((l) => l > 0));
    // α = 0 is the first model, trained with 20 steps of batch 32: it has learned something.
    assert.ok(Math.abs(m.alphas[8]) < 1e-9 && m.accuracy[8] > 0.3, JSON.stringify(m.accuracy));
    // Keskar's target (1e-3, or 20 epochs without improvement): two epochs, the cap, reach
    // neither, and both ends say so.
    assert.equal(m.target_loss, 0.001);
    assert.equal(m.patience, 20);
    assert.equal(m.delta, 0.125);
    assert.ok(m.distance_ratio > 0 && Number.isFinite(m.distance_ratio), JSON.stringify(m));
    assert.deepEqual(m.ends.map((e) => [e.alpha, e.batch, e.epochs]), [[0, 32, 2], [1, 150, 2]]);
    for (const [i, e] of m.ends.entries()) {
      const at = i === 0 ? 8 : 16;
      assert.equal(e.reached_target, e.train_loss <= m.target_loss, JSON.stringify(e));
      assert.equal(e.train_loss, m.train_loss[at]);
      assert.equal(e.test_accuracy, m.test_accuracy[at]);
      // The rise at ±0.125: the grid's neighbours' mean less the end's own loss.
      const rise = (m.train_loss[at - 1] + m.train_loss[at + 1]) / 2 - m.train_loss[at];
      assert.ok(Math.abs(e.rise - rise) <= 1e-12 * Math.max(1, Math.abs(rise)), JSON.stringify(e));
    }
    await drawn(page, 'interpolate-chart');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E9a over two seeds: a pair and a line per seed, the ends as means with their spread (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=interpolate&hidden=8&train_size=200&epochs=1&batch=32&batch2=100&eval_size=100&seeds=2&backend=cpu&autorun=1`);
    const m = await done(page, 'interpolate');
    assert.equal(m.seeds, 2);
    // Each α once: the mean of the two seeds' lines.
    assert.equal(m.alphas.length, 25);
    assert.equal(m.seed_ends.length, 2);
    for (const ends of m.seed_ends) {
      assert.deepEqual(ends.map((e) => [e.alpha, e.batch]), [[0, 32], [1, 100]]);
    }
    const close = (a, b) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));
    for (const [i, e] of m.ends.entries()) {
      const [a, b] = m.seed_ends.map((ends) => ends[i]);
      assert.equal(e.seeds, 2, JSON.stringify(e));
      for (const key of ['train_loss', 'test_accuracy', 'rise']) {
        assert.ok(close(e[key], (a[key] + b[key]) / 2), `${key}: ${JSON.stringify(e)}`);
        assert.ok(close(e[`${key}_std`], Math.abs(a[key] - b[key]) / Math.SQRT2), `${key}_std: ${JSON.stringify(e)}`);
      }
      // Two seeds, two different initial weights: two different minima.
      assert.ok(e.train_loss_std > 0, JSON.stringify(e));
      // The curves are the means too.
      assert.ok(close(m.train_loss[i === 0 ? 8 : 16], e.train_loss), JSON.stringify(m.train_loss));
    }
    assert.ok(m.distance_ratio > 0 && m.distance_ratio_std >= 0, JSON.stringify(m));
    await drawn(page, 'interpolate-chart');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E9b measures both sensitivities for every batch size (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=sensitivity&batches=16,128&epochs=1&train_size=256&samples=50&eval_size=200&backend=cpu&autorun=1`);
    const m = await done(page, 'sensitivity');
    assert.deepEqual(m.points.map((p) => p.batch), [16, 128]);
    for (const p of m.points) {
      assert.ok(p.sensitivity > 0 && p.softmax_sensitivity > 0, JSON.stringify(p));
      assert.ok(inUnit(p.accuracy) && inUnit(p.test_accuracy) && p.train_loss > 0 && p.test_loss > 0);
      // One epoch is the cap: no model reaches training loss 0.05.
      assert.equal(p.reached_target, false, JSON.stringify(p));
      assert.equal(p.epochs, 1);
    }
    // The models, with their gaps; no model at the target, so no correlation to test.
    assert.deepEqual(m.models.map((x) => [x.batch, x.width, x.label_noise]), [[16, null, null], [128, null, null]]);
    assert.ok(m.models.every((x) => Math.abs(x.gap - (x.test_loss - x.train_loss)) < 1e-12), JSON.stringify(m.models));
    assert.equal(m.n, 0);
    assert.equal(m.spearman, null);
    for (const id of ['sensitivity-sensitivity', 'sensitivity-gap', 'sensitivity-loss', 'sensitivity-accuracy']) await drawn(page, id);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E9b over several factors: every combination a model with its factors, the full batch one step an epoch (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=sensitivity&sweep=factors&batches=16,full&widths=8&lrs=0.003&label_noises=0,0.5&train_size=64&epochs=2&target=5&samples=20&eval_size=64&backend=cpu&autorun=1`);
    const m = await done(page, 'sensitivity');
    assert.deepEqual(m.models.map((x) => [x.batch, x.width, x.lr, x.label_noise, x.train_size]),
      [[16, 8, 0.003, 0, 64], [16, 8, 0.003, 0.5, 64], [64, 8, 0.003, 0, 64], [64, 8, 0.003, 0.5, 64]]);
    for (const x of m.models) {
      assert.ok(x.sensitivity > 0 && x.softmax_sensitivity > 0 && Number.isFinite(x.gap), JSON.stringify(x));
      // Target 5 (above chance, ln 10 ≈ 2.3): every model is there after its first epoch.
      assert.equal(x.reached_target, true, JSON.stringify(x));
    }
    // Four models at the target: too few for p < 0.01 in any order, so no ρ is claimed.
    assert.equal(m.n, 4);
    assert.equal(m.spearman, null);
    for (const id of ['sensitivity-sensitivity', 'sensitivity-gap']) await drawn(page, id);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E10 measures sharpness, the Hessian\'s top eigenvalue, trace and density for every batch size (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=sharpness&batches=32,256&epochs=1&train_size=256&samples=64&lanczos_steps=6&slq_probes=1&trace_probes=3&ascent_steps=3&target=2&hidden=8&backend=cpu&autorun=1`);
    const m = await done(page, 'sharpness');
    assert.deepEqual(m.points.map((p) => p.batch), [32, 256]);
    for (const p of m.points) {
      assert.ok(p.sharpness >= 0 && p.top_eigenvalue > 0 && Number.isFinite(p.trace), JSON.stringify(p));
      assert.ok(inUnit(p.test_accuracy) && p.train_loss > 0 && p.test_loss > 0);
      // Target 2 (chance is ln 10 ≈ 2.3): reached_target is a boolean, and says train loss ≤ 2.
      assert.equal(typeof p.reached_target, 'boolean');
      assert.equal(p.reached_target, p.train_loss <= 2, JSON.stringify(p));
      assert.ok(p.hvp_asymmetry >= 0 && p.hvp_step > 0, JSON.stringify(p));
    }
    for (const id of ['sharpness-sharpness', 'sharpness-hessian', 'sharpness-loss', 'sharpness-accuracy']) await drawn(page, id);
    for (const id of ['sharpness-density-0', 'sharpness-density-1']) await drawn(page, id, 1);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E10 over two seeds: each batch size a mean with its spread, per-seed units pooled (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=sharpness&batches=32,256&seeds=2&epochs=1&train_size=256&samples=64&lanczos_steps=6&slq_probes=1&trace_probes=3&ascent_steps=3&target=2&hidden=8&backend=cpu&autorun=1`);
    const m = await done(page, 'sharpness');
    assert.deepEqual(m.points.map((p) => [p.batch, p.seeds]), [[32, 2], [256, 2]]);
    for (const p of m.points) {
      for (const key of ['sharpness', 'top_eigenvalue', 'trace', 'train_loss', 'test_accuracy']) {
        assert.ok(Number.isFinite(p[key]) && p[`${key}_std`] >= 0, `${key}: ${JSON.stringify(p)}`);
      }
      assert.equal(p.batch_std, undefined, 'a setting has no spread');
    }
    // Two seeds train two different models: their sharpness differs.
    assert.ok(m.points.some((p) => p.sharpness_std > 0), JSON.stringify(m.points));
    // The table shows means ± spreads; one density per batch size (its first seed's: units 0, 2).
    const cells = await page.$$eval('[data-experiment="sharpness"] table.results td', (tds) => tds.map((t) => t.textContent));
    assert.ok(cells.some((c) => c.includes(' ± ')), cells.join(' | '));
    for (const id of ['sharpness-sharpness', 'sharpness-loss']) await drawn(page, id);
    for (const id of ['sharpness-density-0', 'sharpness-density-2']) await drawn(page, id, 1);
    assert.equal(await page.$('#sharpness-density-1'), null);
    // The panel says why curvature is not generalisation by itself (Kaur et al., Dinh et al.).
    const caveats = await page.textContent('[data-experiment="sharpness"] [data-caveats]');
    assert.ok(caveats.includes('Kaur') && caveats.includes('Dinh'), caveats);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
