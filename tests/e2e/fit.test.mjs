// E1 in the built app: once on the CPU fallback (no WebGPU), once on WebGPU (SwiftShader).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, metrics, canvasInfo, pauseAfterBurst, startAndWaitDone, DIST } from './harness.mjs';

let server;
before(async () => { server = await serve(DIST); });
after(async () => { await server.close(); });

const panel = '[data-experiment="fit"]';

async function checkFinishedRun(page, errors, { backend, epochs, fall }) {
  await page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 240_000 });
  assert.equal(await page.getAttribute('body', 'data-backend'), backend);
  assert.equal(await page.getAttribute(panel, 'data-run-backend'), backend);
  const m = await metrics(page, 'fit');
  assert.equal(m.epoch, epochs);
  assert.ok(m.elapsed_ms > 0);
  const models = Object.entries(m.models);
  assert.deepEqual(Object.fromEntries(models.map(([k, v]) => [k, v.params])),
    { '1-5-10-10-10-10-10-5-1': 571, '1-10-18-15-4-1': 572, '1-190-1': 571 });
  for (const [name, v] of models) {
    assert.ok(v.loss < v.first_loss * fall, `${name}: loss ${v.first_loss} -> ${v.loss}`);
  }
  for (const id of ['fit-loss', 'fit-predictions']) {
    const c = await canvasInfo(page, id);
    assert.ok(c.draws >= 2 && c.ink > 2000, `${id} drawn: ${JSON.stringify(c)}`);
  }
  assert.deepEqual(errors, []);
  return m;
}

test('E1 falls back to the CPU backend without WebGPU and fits sinc5', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&epochs=300&samples=128&backend=webgpu&autorun=1`);
    await page.waitForSelector('body[data-webgpu="unavailable"]');
    // The page says in plain words what is missing and what to do; the technical reason waits
    // behind "Details".
    assert.match(await page.textContent('.backend-status.fallback'), /did not give the page WebGPU/);
    assert.match(await page.textContent('.backend-status.fallback details summary'), /Details/);
    // The request for WebGPU was turned down visibly.
    await page.waitForSelector(`${panel} .notices >> text=WebGPU is not available`);
    const m = await checkFinishedRun(page, errors, { backend: 'cpu', epochs: 300, fall: 0.5 });
    // Deep models fit well within 300 epochs on this schedule (measured natively ≈ 0.005).
    assert.ok(m.models['1-5-10-10-10-10-10-5-1'].loss < 0.03, JSON.stringify(m));
  } finally {
    await browser.close();
  }
});

test('E1 over two seeds: each model trained from two initialisations side by side, pooled in by_model (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&shapes=1-8-1,1-3-3-1&epochs=100&samples=64&seeds=2&backend=cpu&autorun=1`);
    await page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 240_000 });
    const m = await metrics(page, 'fit');
    assert.deepEqual(Object.keys(m.models).sort(),
      ['1-3-3-1 · seed 1', '1-3-3-1 · seed 2', '1-8-1 · seed 1', '1-8-1 · seed 2']);
    for (const model of ['1-8-1', '1-3-3-1']) {
      const [a, b] = [1, 2].map((s) => m.models[`${model} · seed ${s}`].loss);
      const pooled = m.by_model[model];
      assert.equal(pooled.seeds, 2, JSON.stringify(pooled));
      assert.ok(Math.abs(pooled.loss - (a + b) / 2) <= 1e-12 * Math.max(1, a), JSON.stringify(pooled));
      assert.ok(Math.abs(pooled.loss_std - Math.abs(a - b) / Math.SQRT2) <= 1e-12 * Math.max(1, a), JSON.stringify(pooled));
      assert.ok(pooled.loss_std > 0, 'two initialisations, two different fits');
    }
    for (const id of ['fit-loss', 'fit-predictions']) {
      const c = await canvasInfo(page, id);
      assert.ok(c.draws >= 2 && c.ink > 2000, `${id} drawn: ${JSON.stringify(c)}`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('E1 fits a function the user types; a malformed, non-finite or over-long one is refused where it was typed and the run keeps its function (CPU)', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&shapes=1-8-1,1-3-3-1&epochs=200&samples=64&backend=cpu`);
    await page.waitForSelector(`${panel}[data-state="idle"]`);
    const field = `${panel} input[name="fn-expr"]`;
    const refused = async (text, why) => {
      await page.fill(field, text);
      await page.press(field, 'Tab');
      await page.locator(`${panel} [data-expression-error]`).filter({ hasText: why }).waitFor();
      assert.match(await page.evaluate(() => location.hash), /fn=sinc5/, `${text}: the run keeps sinc5`);
      assert.equal(await page.inputValue(`${panel} select[name="fn"]`), 'sinc5');
      // What was typed stays in the field, to be mended.
      assert.equal(await page.inputValue(field), text);
    };
    await refused('sin(3*x', /cannot be read/);
    await refused('log(x)', /not a finite number at x = 0/);
    await refused(`x${'+x'.repeat(100)}`, /201 characters; at most 200/);
    await refused('y*2', /cannot be read/);

    await page.fill(field, 'sin(3*x)*exp(-x*x)');
    await page.press(field, 'Tab');
    await page.waitForFunction(() => location.hash.includes('fn=expr%3Asin%283*x%29*exp%28-x*x%29'));
    await page.locator(`${panel} [data-expression-error]`).waitFor({ state: 'detached' });
    assert.equal(await page.inputValue(`${panel} select[name="fn"]`), 'typed');
    assert.match(await page.textContent(`${panel} code`), /sin\(3\*x\)\*exp\(-x\*x\)/);

    await startAndWaitDone(page, panel);
    const m = await metrics(page, 'fit');
    assert.equal(m.epoch, 200);
    for (const [name, v] of Object.entries(m.models)) {
      assert.ok(v.loss < v.first_loss * 0.5, `${name}: loss ${v.first_loss} -> ${v.loss}`);
    }
    // The typed function stays in the link after the run, so the link reproduces it.
    assert.match(await page.evaluate(() => location.hash), /fn=expr%3Asin/);
    const c = await canvasInfo(page, 'fit-predictions');
    assert.ok(c.draws >= 2 && c.ink > 2000, `fit-predictions drawn: ${JSON.stringify(c)}`);

    // A refusal answers what was typed: a preset clicked after it takes the message away, and
    // the field shows the function in use (the preset's named one: nothing typed).
    await page.fill(field, 'sin(');
    await page.press(field, 'Tab');
    await page.locator(`${panel} [data-expression-error]`).waitFor();
    await page.click(`${panel} a.preset[href="#exp=fit&fn=sgn5"]`);
    await page.waitForFunction(() => /[&#]fn=sgn5(&|$)/.test(location.hash));
    await page.locator(`${panel} [data-expression-error]`).waitFor({ state: 'detached' });
    await page.waitForFunction((sel) => document.querySelector(sel).value === '', field);
    assert.equal(await page.inputValue(`${panel} select[name="fn"]`), 'sgn5');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a browser that lists a WebGPU adapter but refuses its device gets the CPU backend from the start, and says why', async () => {
  const browser = await launch({ webgpu: true });
  try {
    // The adapter is real (software WebGPU); its device is refused, as a blocklisted driver or
    // a lost GPU process would. On the page (workers=0), where the check and the run share it.
    const init = () => {
      if (self.GPUAdapter) {
        GPUAdapter.prototype.requestDevice = () => Promise.reject(new DOMException('refused by the test', 'OperationError'));
      }
    };
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&epochs=50&samples=64&backend=webgpu&workers=0&autorun=1`, { init });
    await page.waitForSelector('body[data-webgpu="unavailable"]', { timeout: 60_000 });
    assert.equal(await page.evaluate(async () => Boolean(await navigator.gpu.requestAdapter())), true, 'an adapter is listed');
    assert.match(await page.textContent('.backend-status.fallback details code'), /the adapter gave no device .*refused by the test/);
    await page.waitForSelector(`${panel} .notices >> text=WebGPU is not available`);
    await checkFinishedRun(page, errors, { backend: 'cpu', epochs: 50, fall: 1 });
  } finally {
    await browser.close();
  }
});

test('E1 trains on WebGPU (software adapter)', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&epochs=8&samples=32&lr=0.005&backend=webgpu&autorun=1`);
    await page.waitForSelector('body[data-webgpu="available"]', { timeout: 60_000 });
    await checkFinishedRun(page, errors, { backend: 'webgpu', epochs: 8, fall: 1 });
  } finally {
    await browser.close();
  }
});

test('E1 controls: pause, resume and stop respond while training; bad URL values show notices', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await open(browser, `${server.url}/#exp=fit&epochs=100000&lr=7&fn=nope&backend=cpu&autorun=1`);
    await page.waitForSelector(`${panel}[data-state="running"]`);
    const notices = await page.textContent(`${panel} .notices`);
    assert.match(notices, /lr=7 is above the maximum/);
    assert.match(notices, /fn=nope is not one of/);
    // The hash was rewritten with the clamped values.
    assert.match(await page.evaluate(() => location.hash), /lr=1(&|$)/);

    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-metrics]').textContent).epoch > 5);
    // Paused right after a burst of events: once `paused` shows, nothing moves.
    const paused = await pauseAfterBurst(page, 'fit');
    assert.equal(paused.changes, 0, 'no metric moves after paused is shown');
    assert.equal(paused.state, 'paused');
    const frozen = paused.held.epoch;
    assert.ok(frozen < 100000, 'paused while training');

    await page.click(`${panel} button.pause`); // Resume
    await page.waitForSelector(`${panel}[data-state="running"]`);
    await page.waitForFunction((e) => JSON.parse(document.querySelector('[data-metrics]').textContent).epoch > e, frozen);
    await page.click(`${panel} button.stop`);
    await page.waitForSelector(`${panel}[data-state="done"]`);
    assert.match(await page.textContent(`${panel} .stopped`), /Stopped by you/);
    await page.click(`${panel} button.reset`);
    await page.waitForSelector(`${panel}[data-state="idle"]`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
