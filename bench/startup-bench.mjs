#!/usr/bin/env node
// Start-up bench (part of `make bench`, not a timed test): in Debian's Chromium, side by side in one
// run, from navigation start (performance.now() on the page):
//   - the pricing page and the editor page served by the real server: the first live price
//     (`credit-estimator-change`), and the moments the module's fetch starts and ends (resource
//     timing) and the engine is ready (`credit-estimator-ready`);
//   - a hello-world Go wasm page (bench/wasmhello, the same build flags, brotli like the module):
//     `main` returned;
// cold (a fresh browser context: no HTTP cache, no code cache) and warm (the same context after a
// first visit and a pause, so Chromium can write its wasm code cache; service workers blocked, and
// again with the site's service worker). Medians of BENCH_RUNS (default 7) with min–max.
// BENCH_BEFORE_DIST=dir adds the same pages from another build of web/dist (e.g. the commit before a
// change), served by the same server binary, interleaved with the others: before and after in one run.
// Then repeat visits as a person makes them: a persistent browser profile (on disk, like a person's
// own; the contexts above are off the record, whose code cache stays in memory), a first visit,
// then BENCH_RUNS visits each in a new tab after a pause, with and without the service worker.
// Writes bench/out/startup.json. Needs `make build`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, constants as zc } from 'node:zlib';
import { chromium } from 'playwright-core';
import { ROOT, WEB_DIR, CHROMIUM, CHROMIUM_ARGS, requirements, startServer, launch } from '../web/test/browser/helpers.mjs';

const RUNS = Number(process.env.BENCH_RUNS || 7);
// The pause after a first visit before the warm one: Chromium writes a wasm module's compiled code
// to its cache only after tiering up (or a timeout), not right after the first instantiation.
const WARM_PAUSE_MS = Number(process.env.BENCH_WARM_PAUSE_MS || 3000);
const OUT = path.join(ROOT, 'bench/out');

const req = requirements();
if (req.skip) { console.error(`start-up bench skipped: ${req.skip}`); process.exit(process.env.CI === 'true' ? 1 : 0); }
mkdirSync(OUT, { recursive: true });

// ---- the hello-world page, served with the same encoding as the site's module ----
const helloWasm = path.join(OUT, 'hello.wasm');
execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w -buildid=', '-o', helloWasm, './bench/wasmhello'], {
  cwd: ROOT, env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' }, stdio: 'inherit',
});
const assets = JSON.parse(readFileSync(path.join(WEB_DIR, 'assets.json'), 'utf8'));
const br = (b) => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: b.length } });
// Each page says it is done with a console message, which the bench awaits without running
// anything in the page: polling with waitForFunction evaluated Playwright's injected script on
// the page's main thread in the middle of the start-up (34 ms in a cold load's trace, 9 ms warm),
// which delayed a busy page's first price by that much and an idle one's by nothing.
const DONE = 'credit-estimator:startup-done';
const HELLO_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="wasm_exec.js"></script><script type="module" src="hello.js"></script></head><body>hello</body></html>`;
const HELLO_JS = `const go = new Go();
const { instance } = await WebAssembly.instantiateStreaming(fetch('hello.wasm'), go.importObject);
await go.run(instance);
window.__mainReturned = performance.now();
console.debug('${DONE}');`;
const helloFiles = {
  '/hello.html': { type: 'text/html; charset=utf-8', body: br(Buffer.from(HELLO_HTML)), cache: 'no-cache' },
  '/hello.js': { type: 'text/javascript', body: br(Buffer.from(HELLO_JS)), cache: 'no-cache' },
  '/wasm_exec.js': { type: 'text/javascript', body: readFileSync(path.join(WEB_DIR, `${assets.wasmExec}.br`)), cache: 'public, max-age=31536000, immutable' },
  '/hello.wasm': { type: 'application/wasm', body: br(readFileSync(helloWasm)), cache: 'public, max-age=31536000, immutable' },
};
const hello = http.createServer((q, res) => {
  const f = helloFiles[new URL(q.url, 'http://x').pathname];
  if (!f) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'Content-Type': f.type, 'Content-Encoding': 'br', 'Cache-Control': f.cache, 'Content-Length': f.body.length });
  res.end(f.body);
});
await new Promise((r) => hello.listen(0, '127.0.0.1', r));
const helloURL = `http://127.0.0.1:${/** @type {any} */ (hello.address()).port}/hello.html`;

const server = await startServer();
const before = process.env.BENCH_BEFORE_DIST ? await startServer({ args: ['-web', process.env.BENCH_BEFORE_DIST] }) : null;
const browser = await launch();

// Recorded on every page before its scripts run.
const INIT = (done) => {
  const b = (window.__startup = { change: null, ready: null });
  document.addEventListener('credit-estimator-change', () => {
    if (b.change === null) { b.change = performance.now(); console.debug(done); }
  }, true);
  document.addEventListener('credit-estimator-ready', () => { if (b.ready === null) b.ready = performance.now(); }, true);
};

/** Console messages about preloads (a preload the page does not use is a bug of the links). */
const preloadWarnings = new Set();
/** One visit: navigates (or reloads) and returns the page's start-up moments in ms. */
async function visit(page, url, kind, reload) {
  if (!page.__watched) {
    page.__watched = true;
    page.on('console', (m) => { if (/preload/i.test(m.text())) preloadWarnings.add(m.text()); });
  }
  const done = page.waitForEvent('console', { predicate: (m) => m.text() === DONE, timeout: 30_000 });
  if (reload) await page.reload({ waitUntil: 'commit' }); else await page.goto(url, { waitUntil: 'commit' });
  await done;
  if (kind === 'hello') return page.evaluate(() => ({ live: window.__mainReturned }));
  return page.evaluate(() => {
    const r = performance.getEntriesByType('resource').find((e) => /estimator\.[0-9a-f]+\.wasm$/.test(e.name));
    const nav = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType('navigation')[0]);
    return {
      live: window.__startup.change, ready: window.__startup.ready, dcl: nav?.domContentLoadedEventEnd ?? null,
      wasmFetchStart: r ? r.startTime : null, wasmFetchEnd: r ? r.responseEnd : null,
      wasmTransfer: r ? r.transferSize : null, modules: performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js')).length,
    };
  });
}

const targets = [
  { name: 'hello', url: helloURL },
  { name: 'pricing', url: `${server.base}index.html` },
  { name: 'editor', url: `${server.base}editor.html` },
];
if (before) targets.push({ name: 'pricing-before', url: `${before.base}index.html` }, { name: 'editor-before', url: `${before.base}editor.html` });
const pages = targets.filter((t) => t.name !== 'hello').map((t) => t.name);
/** @type {Record<string, Record<string, any[]>>} */
const samples = {};
for (const t of targets) samples[t.name] = { cold: [], warm: [], sw: [] };
// Interleaved, so load on the machine spreads over every target alike.
for (let i = 0; i < RUNS; i++) {
  for (const t of targets) {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    await context.addInitScript(INIT, DONE);
    const page = await context.newPage();
    samples[t.name].cold.push(await visit(page, t.url, t.name, false));
    await page.waitForTimeout(WARM_PAUSE_MS);
    samples[t.name].warm.push(await visit(page, t.url, t.name, true));
    await context.close();
    if (t.name === 'hello') continue;
    // With the service worker: a first visit installs it (it caches the site), then a new page.
    const swContext = await browser.newContext({ serviceWorkers: 'allow' });
    await swContext.addInitScript(INIT, DONE);
    const first = await swContext.newPage();
    await visit(first, t.url, t.name, false);
    await first.evaluate(() => navigator.serviceWorker?.ready);
    await first.waitForTimeout(WARM_PAUSE_MS);
    await first.close();
    const again = await swContext.newPage();
    samples[t.name].sw.push(await visit(again, t.url, t.name, false));
    await swContext.close();
  }
}
await browser.close();

// Repeat visits in a persistent profile: a new tab per visit, as a person comes back.
const REPEAT_TARGETS = targets.filter((t) => !t.name.endsWith('-before'));
/** @type {Record<string, Record<string, number[]>>} */
const repeat = {};
for (const t of REPEAT_TARGETS) {
  for (const sw of t.name === 'hello' ? [false] : [false, true]) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'startup-profile-'));
    const ctx = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, serviceWorkers: sw ? 'allow' : 'block' });
    await ctx.addInitScript(INIT, DONE);
    const times = [];
    for (let v = 0; v <= RUNS; v++) {
      const page = await ctx.newPage();
      const r = await visit(page, t.url, t.name, false);
      if (v === 0 && sw) await page.evaluate(() => navigator.serviceWorker?.ready);
      if (v > 0) times.push(r.live);
      await page.waitForTimeout(WARM_PAUSE_MS);
      await page.close();
    }
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
    (repeat[t.name] ??= {})[sw ? 'sw' : 'http'] = times;
  }
}
await server.stop();
await before?.stop();
await new Promise((r) => hello.close(r));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const stat = (rows, key) => {
  const xs = rows.map((r) => r[key]).filter((x) => typeof x === 'number');
  return xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) } : null;
};
const out = { runs: RUNS, loadAverage: os.loadavg(), warmPauseMs: WARM_PAUSE_MS, targets: {} };
for (const [name, s] of Object.entries(samples)) {
  out.targets[name] = {};
  for (const [mode, rows] of Object.entries(s)) {
    if (!rows.length) continue;
    out.targets[name][mode] = {};
    for (const key of Object.keys(rows[0])) out.targets[name][mode][key] = stat(rows, key);
    out.targets[name][mode].samples = rows;
  }
}
const f = (s) => (s ? `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)})` : '—');
const floor = out.targets.hello;
console.log(`start-up from navigation, Debian Chromium, median (min–max) of ${RUNS}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`  hello-world Go wasm page, main returned: cold ${f(floor.cold.live)}, warm ${f(floor.warm.live)}`);
for (const name of pages) {
  const t = out.targets[name];
  for (const mode of ['cold', 'warm', 'sw']) {
    const m = t[mode];
    const base = mode === 'cold' ? floor.cold.live.median : floor.warm.live.median;
    console.log(`  ${name.padEnd(14)} ${mode.padEnd(4)} first live price ${f(m.live)} = ${(m.live.median / base).toFixed(2)}× hello ${mode === 'cold' ? 'cold' : 'warm'}; ` +
      `module fetch ${f(m.wasmFetchStart)} → ${f(m.wasmFetchEnd)}; ready ${f(m.ready)}; DOMContentLoaded ${f(m.dcl)}; ${m.modules?.median ?? '?'} JS files`);
  }
}
const helloRepeat = stat(repeat.hello.http.map((live) => ({ live })), 'live');
out.repeat = { hello: helloRepeat };
console.log(`repeat visits, a persistent profile, a new tab each (median (min–max) of ${RUNS} after a first visit):`);
console.log(`  hello-world Go wasm page, main returned: ${f(helloRepeat)}`);
for (const name of pages.filter((n) => repeat[n])) {
  for (const mode of ['http', 'sw']) {
    const st = stat(repeat[name][mode].map((live) => ({ live })), 'live');
    (out.repeat[name] ??= {})[mode] = st;
    console.log(`  ${name.padEnd(14)} ${mode === 'sw' ? 'sw  ' : 'http'} first live price ${f(st)} = ${(st.median / helloRepeat.median).toFixed(2)}× hello`);
  }
}
for (const w of preloadWarnings) console.log(`  console: ${w}`);
out.preloadWarnings = [...preloadWarnings];
writeFileSync(path.join(OUT, 'startup.json'), `${JSON.stringify(out, null, 2)}\n`);
