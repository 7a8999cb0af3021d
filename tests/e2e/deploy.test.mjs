// The deployed site: dist/ served under a sub-path (as GitHub Pages serves a project site,
// https://user.github.io/mlds-playground/) with a strict Content-Security-Policy header on
// every response. The page loads, detects WebGPU, fetches the MNIST subset relative to itself,
// trains and exports charts, with no CSP violation and no request outside the sub-path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { serve, launch, open, metrics, canvasInfo, DIST } from './harness.mjs';

// The site's policy: index.html carries it as a <meta> (GitHub Pages cannot send headers);
// here it is also sent as a header. No 'unsafe-eval', no inline script.
const POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
  + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'";
const SUB = '/mlds-playground/';

let server;
before(async () => {
  // Nothing at the host's root: an absolute asset or data URL would get a 404.
  server = await serve(path.join(DIST, 'no-such-folder'), { [SUB]: DIST },
    { headers: { 'content-security-policy': POLICY } });
});
after(async () => { await server.close(); });

/** Runs in the page before its scripts: collects CSP violations. */
function collectViolations() {
  window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
  });
}

/** Opens `hash` under the sub-path; `problems()` lists violations, errors, failed or stray requests. */
async function openSite(browser, hash = '') {
  const { page, errors } = await open(browser, `${server.url}${SUB}${hash}`, { init: collectViolations });
  const requests = [];
  page.on('response', (r) => { if (r.status() >= 400) requests.push(`${r.status()} ${r.url()}`); });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin === server.url && !url.pathname.startsWith(SUB)) requests.push(`outside ${SUB}: ${r.url()}`);
  });
  const problems = async () => ({
    violations: await page.evaluate(() => window.cspViolations), errors, requests,
  });
  return { page, problems };
}

async function download(page, id, kind) {
  const figure = page.locator('figure.chart', { has: page.locator(`canvas#${id}`) });
  const [saved] = await Promise.all([page.waitForEvent('download'),
    figure.getByRole('button', { name: new RegExp(`Download ${kind}`) }).click()]);
  assert.equal(saved.suggestedFilename(), `${id}.${kind.toLowerCase()}`);
  return fs.readFile(await saved.path());
}

test('the built page has relative asset URLs, no inline script and the policy as a <meta>', async () => {
  const html = await fs.readFile(path.join(DIST, 'index.html'), 'utf8');
  assert.ok(!POLICY.includes("'unsafe-eval'") && !/script-src[^;]*'unsafe-inline'/.test(POLICY));
  const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/);
  assert.equal(meta?.[1], POLICY, 'index.html and this test use the same policy');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length >= 1, 'the wasm loader');
  for (const [tag, attrs, code] of scripts) {
    assert.match(attrs, /\ssrc="\.\//, `external and relative: ${tag.slice(0, 120)}`);
    assert.equal(code.trim(), '', 'no inline code');
  }
  for (const [, url] of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
    assert.ok(url.startsWith('./') || url.startsWith('data:'), `relative URL: ${url}`);
  }
  const response = await fetch(`${server.url}${SUB}`);
  assert.equal(response.headers.get('content-security-policy'), POLICY);
});

test('under the CSP from a sub-path: front page, an E2 run on the shipped MNIST subset, chart downloads', async () => {
  const browser = await launch({ webgpu: false });
  try {
    let { page, problems } = await openSite(browser);
    await page.waitForSelector('[data-experiment="home"] .card');
    assert.equal(await page.locator('[data-experiment="home"] .card').count(), 11);
    // WebGPU detection ran under the policy: no adapter here, so the CPU fallback.
    await page.waitForSelector('body[data-webgpu="unavailable"]');
    assert.deepEqual(await problems(), { violations: [], errors: [], requests: [] });
    await page.close();

    // E2: the dataset comes from data/ relative to the page (the sub-path).
    ({ page, problems } = await openSite(browser,
      '#exp=tasks&dataset=mnist&models=cnn1,dnn&epochs=1&train_size=768&batch=32&lr=0.003&backend=cpu&autorun=1'));
    const panel = '[data-experiment="tasks"]';
    await page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 120_000 });
    const m = await metrics(page, 'tasks');
    assert.equal(m.backend, 'cpu');
    assert.match(m.dataset.title, /subset/);
    assert.equal(m.dataset.train, 768);
    assert.deepEqual(Object.keys(m.models), ['CNN, 1 conv', 'DNN, 1 hidden']);
    for (const [name, v] of Object.entries(m.models)) assert.ok(v.loss < v.first_loss, `${name}: loss fell`);
    const chart = await canvasInfo(page, 'tasks-loss');
    assert.ok(chart.draws >= 1 && chart.ink > 1000, `chart drawn: ${JSON.stringify(chart)}`);

    // Downloads (a data: URL for the PNG, blob: URLs for SVG and CSV) under the policy.
    const png = await download(page, 'tasks-loss', 'PNG');
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.match((await download(page, 'tasks-loss', 'SVG')).toString('utf8'), /<svg[\s>][\s\S]*<\/svg>/);
    assert.equal((await download(page, 'tasks-loss', 'CSV')).toString('utf8').split('\n')[0], 'series,x,y');
    assert.deepEqual(await problems(), { violations: [], errors: [], requests: [] });

    // The policy is in force (so the checks above mean something): an inline script is refused.
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true;';
      document.head.append(s);
      await new Promise((r) => setTimeout(r, 100));
      return window.inlineRan ?? false;
    });
    assert.equal(ran, false);
    // The violation's report is an event of its own: waited for, not timed.
    await page.waitForFunction(() => window.cspViolations.some((v) => /script-src-elem blocked inline/.test(v)));
  } finally {
    await browser.close();
  }
});

test('under the CSP from a sub-path: WebGPU is detected (software adapter)', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const { page, problems } = await openSite(browser, '#exp=home');
    await page.waitForSelector('body[data-webgpu="available"]', { timeout: 60_000 });
    await page.waitForSelector('[data-experiment="home"] .card');
    assert.deepEqual(await problems(), { violations: [], errors: [], requests: [] });
  } finally {
    await browser.close();
  }
});
