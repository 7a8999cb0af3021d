// Accessibility: an axe-core audit (WCAG 2.1 A/AA rules) of the front page, every panel and the
// report, with no serious or critical violation; no horizontal scroll at a phone's width; every
// chart with a text alternative; one panel used with the keyboard alone.
// axe-core comes from npm and is handed to the page by the test: it is not shipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { serve, launch, open, metrics, DIST } from './harness.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PANELS = ['fit', 'tasks', 'trajectory', 'gradnorm', 'minratio', 'surface', 'random-labels',
  'params', 'interpolate', 'sensitivity', 'sharpness'];
// Every page the audit visits: the front page, each panel, the report.
const PAGES = [['home', '/'], ...PANELS.map((p) => [p, `/#exp=${p}`]), ['report', '/#exp=report']];

let server;
let browser;
before(async () => { server = await serve(DIST); browser = await launch({ webgpu: false }); });
after(async () => { await browser.close(); await server.close(); });

/** Open `hash` and wait until the page shows its panel (or the front page's cards). */
async function visit(page, path, name) {
  await page.goto(`${server.url}${path}`);
  await page.waitForSelector(`[data-experiment="${name}"]`, { timeout: 60_000 });
  // The backend line says where runs go once the backend check is done.
  await page.waitForSelector('.backend-status', { timeout: 60_000 });
}

/** axe-core's serious and critical violations on the page as it is now. */
async function audit(page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

test('axe-core finds no serious or critical violation on the front page, any panel or the report', async () => {
  // The page's CSP forbids scripts it does not ship: the audit's context lets the test's in.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  const found = {};
  for (const [name, path] of PAGES) {
    await visit(page, path, name);
    const serious = await audit(page);
    if (serious.length) found[name] = serious;
  }
  await context.close();
  assert.deepEqual(found, {}, JSON.stringify(found, null, 1));
  assert.deepEqual(errors, []);
});

test('nothing scrolls sideways at a phone\'s width (390 px)', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const wide = {};
  for (const [name, path] of PAGES) {
    await visit(page, path, name);
    const { scroll, view } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,
    }));
    if (scroll > view) wide[name] = { scroll, view };
  }
  await context.close();
  assert.deepEqual(wide, {});
});

test('every chart has a text alternative that states its numbers once a run has drawn it', async () => {
  const { page, errors } = await open(browser, `${server.url}/#exp=fit&epochs=200&samples=64&backend=cpu&workers=0&autorun=1`);
  await page.waitForSelector('[data-experiment="fit"][data-state="done"]', { timeout: 180_000 });
  assert.equal((await metrics(page, 'fit')).epoch, 200);
  // The caption describes the canvas; a chart drawn from data says where each curve ends.
  const figures = await page.$$eval('figure.chart', (figs) => figs.map((f) => {
    const canvas = f.querySelector('canvas');
    const caption = document.getElementById(canvas.getAttribute('aria-describedby'));
    return {
      id: canvas.id, role: canvas.getAttribute('role'), label: canvas.getAttribute('aria-label'),
      inFigure: caption?.closest('figure') === f, text: caption?.textContent ?? '',
    };
  }));
  assert.ok(figures.length >= 2, `${figures.length} charts`);
  for (const f of figures) {
    assert.equal(f.role, 'img', f.id);
    assert.ok(f.label.length > 3, `${f.id}: aria-label "${f.label}"`);
    assert.ok(f.inFigure, `${f.id}: its caption is in its figure`);
    assert.match(f.text, /ends at -?[0-9]/, `${f.id}: "${f.text}"`);
  }
  assert.deepEqual(errors, []);
});

test('a panel works with the keyboard alone: every control is reached by Tab, Enter starts a run', async () => {
  const { page, errors } = await open(browser, `${server.url}/#exp=fit&epochs=100&samples=32&backend=cpu&workers=0`);
  await page.waitForSelector('[data-experiment="fit"][data-state="idle"] button.start:not([disabled])', { timeout: 60_000 });
  const panel = '[data-experiment="fit"]';
  const controls = await page.$$eval(`${panel} :is(a[href], button:not([disabled]), input, select)`,
    (els) => els.filter((e) => e.offsetParent !== null).map((e) => e.outerHTML.slice(0, 80)));
  const reached = new Set();
  let ring = null;
  for (let i = 0; i < 200 && reached.size < controls.length; i += 1) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate((panel) => {
      const e = document.activeElement;
      if (!e || !e.closest(panel)) return null;
      const style = getComputedStyle(e);
      return { html: e.outerHTML.slice(0, 80), start: e.matches('button.start'),
        ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
    }, panel);
    if (!focus) continue;
    reached.add(focus.html);
    if (focus.start) ring = focus.ring;
  }
  assert.deepEqual(controls.filter((c) => !reached.has(c)), [], 'controls Tab never reached');
  assert.equal(ring, true, 'the focused Start button shows a focus ring');
  // Back to Start, and Enter runs the panel.
  await page.focus(`${panel} button.start`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`${panel}[data-state="done"]`, { timeout: 120_000 });
  assert.equal((await metrics(page, 'fit')).epoch, 100);
  assert.deepEqual(errors, []);
});
