// Shared by the browser tests and the benchmark: serve the built app, launch the system
// Chromium (never a downloaded one), open a page and collect its console errors.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const MIME = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json',
  '.png': 'image/png', '.gz': 'application/gzip',
};

/**
 * Serve `root` on 127.0.0.1 (a free port). Resolves to { url, close }. `extra` mounts other
 * folders at URL prefixes (`{ '/mlds-playground/': DIST }`); `headers` go on every response
 * (e.g. a Content-Security-Policy).
 */
export function serve(root, extra = {}, { headers = {} } = {}) {
  const server = http.createServer((req, res) => {
    const reply = (status, type) => res.writeHead(status, { ...headers, ...(type && { 'content-type': type }) });
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const mounted = Object.entries(extra).find(([prefix]) => urlPath.startsWith(prefix));
    const base = mounted ? mounted[1] : root;
    const rel = mounted ? urlPath.slice(mounted[0].length) : urlPath;
    let file = path.join(base, rel);
    if (!file.startsWith(base)) { reply(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { reply(404).end('not found'); return; }
      reply(200, MIME[path.extname(file)] ?? 'application/octet-stream');
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  })));
}

const BASE_FLAGS = ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];
// WebGPU on the CPU (SwiftShader): works on a machine without a GPU. Without
// --enable-unsafe-webgpu there is no adapter, which is how the CPU fallback is tested.
const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader'];

export async function launch({ webgpu }) {
  const options = {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: webgpu ? [...BASE_FLAGS, ...WEBGPU_FLAGS] : BASE_FLAGS,
  };
  // The system Chromium now and then dies while starting (SIGSEGV before its first page, seen
  // on this machine in about one launch in a few hundred): that is the browser's start, not
  // the page under test, so it is tried again (twice at most) and said.
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launch(options);
    } catch (e) {
      if (attempt === 3 || !/closed|SIGSEGV|exitCode/.test(String(e))) throw e;
      console.warn(`Chromium did not start (attempt ${attempt}): ${String(e).split('\n')[0]}; trying again`);
    }
  }
}

/**
 * Open `url` in a fresh page; `errors` collects console errors and uncaught exceptions.
 * `init` (a function) runs in every document of the page before its own scripts.
 */
export async function open(browser, url, { init } = {}) {
  const page = await browser.newPage();
  if (init) await page.addInitScript(init);
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(url);
  return { page, errors };
}

/** The latest `data-metrics` JSON of a panel. */
export async function metrics(page, exp) {
  const text = await page.textContent(`[data-experiment="${exp}"] [data-metrics]`);
  return JSON.parse(text);
}

/** Whether a canvas has non-white pixels, and how often the app drew it. */
export async function canvasInfo(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200) ink++;
    return { ink, draws: Number(c.dataset.draws) };
  }, id);
}

export const DIST = path.resolve(process.env.DIST_DIR ?? new URL('../../dist', import.meta.url).pathname);

/** The default pool of training workers for `cores` (app/src/workers/mod.rs's `default_pool`). */
export function defaultPool(cores) {
  return Math.max(cores - 1, Math.min(cores, 2), 1);
}

/**
 * Pause `exp`'s run right after a burst of events (in the task that follows a change of its
 * `data-metrics`), wait until the panel shows `paused`, then watch `data-metrics` for `holdMs`.
 * Returns how many times it changed meanwhile (0: nothing moved after `paused`) and the
 * metrics held. Pause is a handshake (workers send what they computed, then acknowledge), so
 * this holds on a machine of any speed.
 */
export async function pauseAfterBurst(page, exp, { holdMs = 2000 } = {}) {
  const panel = `[data-experiment="${exp}"]`;
  await page.evaluate((panel) => new Promise((resolve) => {
    const text = () => document.querySelector(`${panel} [data-metrics]`)?.textContent;
    const before = text();
    const poll = setInterval(() => {
      if (text() === before) return;
      clearInterval(poll);
      document.querySelector(`${panel} button.pause`).click();
      resolve();
    }, 2);
  }), panel);
  await page.waitForSelector(`${panel}[data-state="paused"]`, { timeout: 120_000 });
  return page.evaluate(({ panel, holdMs }) => new Promise((resolve) => {
    const text = () => document.querySelector(`${panel} [data-metrics]`)?.textContent;
    const held = text();
    let last = held;
    let changes = 0;
    const poll = setInterval(() => {
      const now = text();
      if (now !== last) { changes += 1; last = now; }
    }, 5);
    setTimeout(() => { clearInterval(poll); resolve({ changes, held: JSON.parse(held), state: document.querySelector(panel).dataset.state }); }, holdMs);
  }), { panel, holdMs });
}

/**
 * An init script (`page.addInitScript`, or `open`'s `init`): counts the Web Workers the page
 * creates (`window.__workers`) and records its main thread's long tasks (`window.__long`, ms).
 */
export function countWorkersAndLongTasks() {
  window.__workers = 0;
  const Native = window.Worker;
  window.Worker = class extends Native { constructor(...a) { super(...a); window.__workers += 1; } };
  window.__long = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__long.push(Math.round(e.duration));
  }).observe({ type: 'longtask', buffered: true });
}

/**
 * Wait until the page has fetched the workers' code and then been quiet (no new long task) for
 * a second: the compile that follows the fetch is start-up, paid once, not part of a run.
 * Needs `window.__long` (a long-task recorder installed before the page's scripts).
 */
export async function waitForWorkerCode(page) {
  await page.waitForFunction(() => performance.getEntriesByType('resource')
    .some((r) => r.name.includes('mlds-worker_bg.wasm') && r.responseEnd > 0), null, { timeout: 60_000 });
  await page.waitForFunction(() => new Promise((resolve) => {
    const seen = window.__long.length;
    setTimeout(() => resolve(window.__long.length === seen), 1000);
  }), null, { timeout: 60_000 });
}

/**
 * Click `panel`'s Start and wait until that run has ended (`done`), however fast: the panel's
 * `data-state` changes are recorded from before the click, so a run that goes from `running`
 * to `done` before a selector could see `running` still counts.
 */
export async function startAndWaitDone(page, panel, { timeout = 300_000 } = {}) {
  await page.evaluate((panel) => {
    const el = document.querySelector(panel);
    window.__states = [];
    new MutationObserver(() => window.__states.push(el.dataset.state))
      .observe(el, { attributes: true, attributeFilter: ['data-state'] });
  }, panel);
  await page.click(`${panel} button.start`);
  await page.waitForFunction(() => window.__states.includes('running') && window.__states.at(-1) === 'done',
    null, { timeout });
}
