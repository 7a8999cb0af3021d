// E3–E6 in the built app: each on the CPU backend with a short schedule (URL params), and E4
// once on WebGPU (SwiftShader).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, metrics, canvasInfo, pauseAfterBurst, DIST } from './harness.mjs';

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

const panel = (exp) => `[data-experiment="${exp}"]`;

async function done(page, exp, timeout = 240_000) {
  await page.waitForSelector(`${panel(exp)}[data-state="done"]`, { timeout });
  return metrics(page, exp);
}

async function drawn(page, id) {
  const c = await canvasInfo(page, id);
  assert.ok(c.draws >= 2 && c.ink > 2000, `${id} drawn: ${JSON.stringify(c)}`);
}

test('E4 records the gradient norm and loss of every iteration (CPU, sinc5)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=gradnorm&task=function&epochs=120&samples=64&backend=cpu&autorun=1`);
    const m = await done(page, 'gradnorm');
    assert.equal(m.backend, 'cpu');
    assert.equal(m.iteration, 120, 'one full-batch step per epoch');
    assert.ok(m.grad_norm > 0 && m.first_grad_norm > 0, JSON.stringify(m));
    assert.ok(m.loss < m.first_loss, `loss ${m.first_loss} -> ${m.loss}`);
    // Full batch: every step's norm is the full-batch norm, no probe, no noise floor.
    assert.equal(m.full_grad_norm, null);
    assert.equal(m.first_full_grad_norm, null);
    assert.equal(m.noise_floor, null);
    await drawn(page, 'gradnorm-chart');
    // The presets are links that set the URL.
    assert.equal(await page.locator(`${panel('gradnorm')} .presets a`).count(), 2);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E4 on MNIST measures the full-batch norm beside the mini-batch norm (CPU, short)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    // The MNIST preset shortened: 16 mini-batch steps of 64, a full-batch probe of all 1024
    // training images before each.
    const { page, errors } = await open(browser, `${server.url}/#exp=gradnorm&task=images&dataset=mnist&train_size=1024&epochs=1&backend=cpu&autorun=1`);
    const m = await done(page, 'gradnorm');
    assert.equal(m.iteration, 16, JSON.stringify(m));
    assert.ok(m.full_grad_norm > 0 && m.first_full_grad_norm > 0, JSON.stringify(m));
    assert.ok(m.grad_norm > 0 && m.loss < m.first_loss, JSON.stringify(m));
    assert.ok(Number.isFinite(m.noise_floor), JSON.stringify(m));
    await drawn(page, 'gradnorm-chart');
    const caption = await page.locator(`${panel('gradnorm')} .caption-line`).first().textContent();
    assert.match(caption, /noise floor tr\(Σ\)\/B ≈ -?\d/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E4 runs on WebGPU (software adapter)', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=gradnorm&task=function&epochs=4&samples=32&backend=webgpu&autorun=1`);
    await page.waitForSelector('body[data-webgpu="available"]', { timeout: 60_000 });
    const m = await done(page, 'gradnorm', 420_000);
    assert.equal(m.backend, 'webgpu');
    assert.equal(m.iteration, 4);
    assert.ok(m.grad_norm > 0 && Number.isFinite(m.loss), JSON.stringify(m));
    await drawn(page, 'gradnorm-chart');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E3 projects every run\'s snapshots with PCA (CPU, MNIST subset)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser,
      `${server.url}/#exp=trajectory&task=images&dataset=mnist&train_size=300&epochs=2&every=1&runs=2&batch=50&backend=cpu&autorun=1`);
    const m = await done(page, 'trajectory');
    assert.equal(m.runs_done, 2);
    assert.equal(m.snapshots, 6, '2 runs × (initial weights + 2 epochs)');
    for (const space of ['layer', 'model']) {
      const [r1, r2] = m.explained_variance[space];
      assert.ok(r1 >= r2 && r2 >= 0 && r1 + r2 <= 1 + 1e-9, `${space}: ${r1}, ${r2}`);
    }
    assert.equal(m.final_accuracies.length, 2);
    assert.ok(m.final_accuracies.every((a) => a > 0.2 && a <= 1), JSON.stringify(m.final_accuracies));
    await drawn(page, 'trajectory-layer');
    await drawn(page, 'trajectory-model');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E3 on sinc5: a pooled sweep pauses, resumes and stops', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=trajectory&task=function&epochs=400&every=20&runs=8&samples=64&backend=cpu&autorun=1`);
    const p = panel('trajectory');
    // The panel mounts after the page's load event: wait for it before reading its metrics.
    await page.waitForFunction(() => {
      const m = document.querySelector('[data-metrics]');
      return m !== null && JSON.parse(m.textContent).snapshots >= 3;
    });
    // Paused right after a burst of snapshots: once `paused` shows, nothing moves (the workers
    // acknowledge after sending what they computed, and the combining worker has answered).
    const paused = await pauseAfterBurst(page, 'trajectory');
    assert.equal(paused.changes, 0, 'no metric moves after paused is shown');
    const frozen = paused.held.snapshots;
    await page.click(`${p} button.pause`);
    await page.waitForFunction((n) => JSON.parse(document.querySelector('[data-metrics]').textContent).snapshots > n, frozen);
    await page.click(`${p} button.stop`);
    await page.waitForSelector(`${p}[data-state="done"]`);
    assert.match(await page.textContent(`${p} .stopped`), /Stopped by you/);
    const m = await metrics(page, 'trajectory');
    assert.ok(m.final_losses.length >= 1 && m.final_losses.every(Number.isFinite), JSON.stringify(m.final_losses));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E5 runs both protocols side by side; the spectrum shows the default point, clicking one shows its (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=minratio&runs=3&epochs=200&samples=64&steps=10&autorun=1`);
    const m = await done(page, 'minratio');
    assert.equal(m.backend, 'cpu');
    assert.equal(m.runs_done, 3);
    // Run by run, the homework's point then the strict one.
    assert.deepEqual(m.points.map((p) => [p.run, p.protocol]),
      [0, 1, 2].flatMap((r) => [[r, 'homework'], [r, 'strict']]));
    for (const p of m.points) {
      assert.ok(p.ratio >= 0 && p.ratio <= 1, `ratio ${p.ratio}`);
      // The 1-8-8-1 net's 97 eigenvalues, counted against ±1e-5; the index is the negatives' share.
      assert.equal(p.negative + p.flat + p.positive, 97, JSON.stringify(p));
      assert.ok(Math.abs(p.index - p.negative / 97) < 1e-12, JSON.stringify(p));
      assert.ok(p.flatness >= 0 && p.flatness <= 1, `flatness ${p.flatness}`);
      assert.ok(Number.isFinite(p.start_loss) && Number.isFinite(p.loss), JSON.stringify(p));
      assert.equal(typeof p.converged, 'boolean');
      if (p.protocol === 'homework') {
        assert.ok(p.projected_grad_norm <= p.grad_norm, JSON.stringify(p));
        // Converged: the non-flat part of the gradient is at most 1e-6 of where the search began.
        if (p.converged) assert.ok(p.projected_grad_norm <= 1e-6 * p.start_grad_norm, JSON.stringify(p));
      } else {
        // Critical only with the whole gradient's square below 1e-10.
        assert.equal(p.converged, p.grad_norm ** 2 < 1e-10, JSON.stringify(p));
        assert.ok(Math.abs(p.ratio - (1 - p.index)) < 1e-12, JSON.stringify(p));
      }
    }
    const share = (protocol) => {
      const mine = m.points.filter((p) => p.protocol === protocol);
      return mine.filter((p) => p.converged).length / mine.length;
    };
    assert.equal(m.converged_share.homework, share('homework'));
    assert.equal(m.converged_share.strict, share('strict'));
    assert.ok(m.converged_share.homework >= 2 / 3, `converged_share ${JSON.stringify(m.converged_share)}`);
    await drawn(page, 'minratio-scatter');
    await drawn(page, 'minratio-spectrum');
    // Before any click the spectrum shows the lowest-loss counted strict point (criterion met,
    // not gradient-flat), else the lowest-loss converged homework point.
    const lowestOf = (keep) => m.points.map((p, i) => [p, i]).filter(([p]) => keep(p))
      .reduce((a, b) => (a === null || b[0].loss < a[0].loss ? b : a), null);
    const strictPick = lowestOf((p) => p.protocol === 'strict' && p.converged && p.flatness <= 0.9);
    const expected = (strictPick ?? lowestOf((p) => p.protocol === 'homework' && p.converged))[1];
    const selectedRow = () => page.$$eval('[data-experiment="minratio"] tbody tr',
      (rows) => rows.findIndex((r) => r.classList.contains('selected')));
    assert.equal(await selectedRow(), expected);
    const losses = m.points.map((p) => p.loss);
    // A run's button (keyboard-reachable) shows its spectrum: pick one that is not the shown one,
    // nor the lowest-loss homework point (the scatter click below picks that one).
    const homework = m.points.map((p, i) => [p, i]).filter(([p]) => p.protocol === 'homework');
    const lowest = homework.reduce((a, b) => (b[0].loss < a[0].loss ? b : a))[1];
    const other = losses.findIndex((_, i) => i !== lowest && i !== expected);
    const draws = (await canvasInfo(page, 'minratio-spectrum')).draws;
    await page.click(`[data-experiment="minratio"] tbody tr >> nth=${other} >> button.pick`);
    await page.waitForFunction((d) => Number(document.getElementById('minratio-spectrum').dataset.draws) > d, draws);
    assert.equal(await selectedRow(), other);
    // Clicking the scatter picks the dot under the pointer: the lowest blue one on screen (the
    // homework protocol's lowest loss), at the lowest pixel of its colour (the legend sits at
    // the top).
    await page.locator('#minratio-scatter').scrollIntoViewIfNeeded();
    const at = await page.evaluate(() => {
      const c = document.getElementById('minratio-scatter');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const r = c.getBoundingClientRect();
      for (let i = px.length - 4; i >= 0; i -= 4) {
        if (px[i] === 0 && px[i + 1] === 114 && px[i + 2] === 178) {
          const x = (i / 4) % c.width, y = Math.floor(i / 4 / c.width);
          return { x: r.left + x * r.width / c.width, y: r.top + (y - 2) * r.height / c.height };
        }
      }
      return null;
    });
    assert.ok(at, 'a point is drawn');
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction((want) => [...document.querySelectorAll('[data-experiment="minratio"] tbody tr')]
      .findIndex((r) => r.classList.contains('selected')) === want, lowest);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E6 draws the loss surface around the trained model and the line from init (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=surface&task=function&epochs=150&samples=64&grid=7&line=9&dirs=pca&backend=cpu&autorun=1`);
    const m = await done(page, 'surface');
    assert.deepEqual(m.grid, [7, 7]);
    assert.ok(m.min_loss <= m.center_loss && m.center_loss <= m.max_loss, JSON.stringify(m));
    assert.equal(m.line.length, 9);
    // α = 1 (index 6 of −0.5…1.5) is the trained model: the grid's centre.
    assert.ok(Math.abs(m.line[6] - m.center_loss) <= 1e-5 * m.center_loss, `${m.line[6]} vs ${m.center_loss}`);
    assert.ok(m.line[2] > m.line[6], 'training lowered the loss along the line');
    await drawn(page, 'surface-map');
    await drawn(page, 'surface-line');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
