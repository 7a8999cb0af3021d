// The page only renders: every experiment's default preset, run to its end on the CPU backend
// with the default workers, and the page's main-thread tasks over 50 ms (the Long Tasks API),
// counted from Start (after the workers' code has been fetched and compiled, which happens
// once, shortly after load). The goal: none over 100 ms.
// Usage: node bench/longtasks.mjs [exp ...] [--profile]   (after a release build in dist/;
// default: all). --profile samples the page's main thread (the CDP profiler) and prints, for
// each stretch of it busy over 100 ms, the functions that took its time.
import os from 'node:os';
import { serve, launch, waitForWorkerCode, DIST } from '../tests/e2e/harness.mjs';

const ALL = ['fit', 'tasks', 'trajectory', 'gradnorm', 'minratio', 'surface', 'random-labels',
  'params', 'interpolate', 'sensitivity', 'sharpness'];
const asked = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const EXPS = asked.length ? asked : ALL;
const PROFILE = process.argv.includes('--profile');

/**
 * The busy stretches of a CPU profile over `minMs` (samples not idle, gaps under 2 ms), each
 * with the functions present in most of its samples (inclusive: anywhere on the stack).
 */
function busyStretches(profile, minMs = 100) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frames = (id) => {
    const out = [];
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at).callFrame;
      if (f.functionName && !f.functionName.startsWith('(')) out.push(`${f.functionName} ${f.url.split('/').pop()}`);
    }
    return out;
  };
  const stretches = [];
  let t = profile.startTime;
  let current = null;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i];
    const name = byId.get(id).callFrame.functionName;
    if (name === '(idle)' || name === '(program)') {
      if (current && t - current.end > 2000) { stretches.push(current); current = null; }
      return;
    }
    current ??= { start: t, end: t, samples: [] };
    current.end = t;
    current.samples.push(frames(id));
  });
  if (current) stretches.push(current);
  return stretches.filter((s) => (s.end - s.start) / 1000 >= minMs).map((s) => {
    const counts = new Map();
    for (const stack of s.samples) for (const f of new Set(stack)) counts.set(f, (counts.get(f) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 25)
      .map(([f, c]) => `${Math.round((100 * c) / s.samples.length)}% ${f}`);
    return { ms: Math.round((s.end - s.start) / 1000), top };
  });
}

const loadAtStart = os.loadavg()[0];
const server = await serve(DIST);
const rows = [];
for (const exp of EXPS) {
  const browser = await launch({ webgpu: false });
  try {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      window.__long = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__long.push(Math.round(e.duration));
      }).observe({ type: 'longtask', buffered: true });
    });
    const panel = `[data-experiment="${exp}"]`;
    await page.goto(`${server.url}/#exp=${exp}&backend=cpu`);
    await page.waitForSelector(`${panel}[data-state="idle"]`);
    await waitForWorkerCode(page);
    await page.evaluate(() => { window.__long = []; });
    const cdp = PROFILE ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    const t0 = performance.now();
    await page.click(`${panel} button.start`);
    await page.waitForSelector(`${panel}[data-state="done"], ${panel}[data-state="error"]`, { timeout: 900_000 });
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      for (const s of busyStretches(profile)) console.log(`\n${exp}: busy ${s.ms} ms\n  ${s.top.join('\n  ')}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const long = await page.evaluate(() => window.__long);
    rows.push({ exp, seconds, state: await page.getAttribute(panel, 'data-state'), long });
  } catch (e) {
    rows.push({ exp, error: String(e).split('\n')[0] });
  } finally {
    await browser.close();
  }
}
await server.close();

console.log('\n| default preset (CPU backend, default workers) | run | tasks over 50 ms | over 100 ms | longest | goal: none over 100 ms |');
console.log('|---|---:|---:|---:|---:|---|');
for (const r of rows) {
  if (r.error) { console.log(`| ${r.exp} | error: ${r.error} | | | | |`); continue; }
  const over = r.long.filter((ms) => ms > 100).length;
  const longest = r.long.length ? Math.max(...r.long) : 0;
  console.log(`| ${r.exp} (${r.state}) | ${r.seconds.toFixed(1)} s | ${r.long.length} | ${over} | ${longest} ms | ${over === 0 ? 'met' : 'NOT met'} |`);
}
console.log(`\n(${os.cpus().length} cores, load average ${loadAtStart.toFixed(2)} at start)`);
