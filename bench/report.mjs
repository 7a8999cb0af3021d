// The whole quick report (#exp=report&autorun=1) on the CPU backend in headless Chromium: the
// wall time of each section (from its start to its end, dataset and analysis included) and of
// the whole report, beside the goal (the whole report within 20 minutes on a 2-core machine).
// Usage: node bench/report.mjs [--full]   (after a release build in dist/)
import os from 'node:os';
import { serve, launch, DIST } from '../tests/e2e/harness.mjs';

const full = process.argv.includes('--full');
const GOAL_S = 20 * 60;
const loadAtStart = os.loadavg()[0];
const server = await serve(DIST);
const browser = await launch({ webgpu: false });
const rows = new Map();
let total;
try {
  const page = await browser.newPage();
  const t0 = performance.now();
  await page.goto(`${server.url}/#exp=report&mode=${full ? 'full' : 'quick'}&autorun=1`);
  const report = '[data-experiment="report"]';
  await page.waitForSelector(`${report}[data-state="running"]`);
  for (;;) {
    const now = (performance.now() - t0) / 1000;
    const states = await page.$$eval('[data-section]', (els) => els.map((e) => [e.dataset.section, e.dataset.state, e.dataset.agrees]));
    for (const [id, state, agrees] of states) {
      const row = rows.get(id) ?? { id };
      if (state !== 'idle' && row.start === undefined) row.start = now;
      if ((state === 'done' || state === 'error') && row.end === undefined && row.start !== undefined) {
        Object.assign(row, { end: now, state, agrees });
      }
      rows.set(id, row);
    }
    if (await page.getAttribute(report, 'data-state') === 'done') {
      total = now;
      // Each section's finding as it finally reads (its mark settles after its state).
      const findings = await page.$$eval('[data-section]', (els) => els.map((e) => [e.dataset.section, e.dataset.agrees, e.querySelector('p.finding')?.textContent ?? '']));
      for (const [id, agrees, text] of findings) Object.assign(rows.get(id), { agrees, text });
      break;
    }
    if (now > 3 * 3600) throw new Error('the report did not finish within 3 hours');
    await page.waitForTimeout(250);
  }
} finally {
  await browser.close();
  await server.close();
}

console.log(`\n| section (${full ? 'full' : 'quick'} report, CPU backend) | wall time | agrees with the reference |`);
console.log('|---|---:|---|');
for (const r of rows.values()) {
  const t = r.end !== undefined ? `${(r.end - r.start).toFixed(1)} s` : '–';
  console.log(`| ${r.id} | ${t} | ${r.agrees ?? r.state ?? ''} |`);
}
const met = total <= GOAL_S ? 'met' : 'NOT met';
console.log(`| **whole report** | **${total.toFixed(0)} s** | goal < ${GOAL_S} s: ${full ? 'n/a (full mode)' : met} |`);
console.log(`\n(${os.cpus().length} cores, load average ${loadAtStart.toFixed(2)} at start)\n`);
for (const r of rows.values()) console.log(`- ${r.id}: ${r.text ?? ''}`);
