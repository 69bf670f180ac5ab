import { writeFileSync } from 'node:fs';
import { startServer, launch } from '../web/test/browser/helpers.mjs';
const server = await startServer();
const browser = await launch();
const page_ = process.argv[2] || 'index.html';
const results = [];
for (let run = 0; run < Number(process.argv[3] || 3); run++) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  await context.addInitScript(() => {
    const b = (window.__startup = { change: null, ready: null });
    document.addEventListener('credit-estimator-change', () => { if (b.change === null) b.change = performance.now(); }, true);
    document.addEventListener('credit-estimator-ready', () => { if (b.ready === null) b.ready = performance.now(); }, true);
    const T = (window.__t = []);
    const mark = (n) => T.push([n, Math.round(performance.now())]);
    const cs = WebAssembly.compileStreaming;
    WebAssembly.compileStreaming = function (...a) { mark('compileStreaming start'); const p = cs.apply(this, a); p.then(() => mark('compile done')); return p; };
    const wi = WebAssembly.instantiate;
    WebAssembly.instantiate = function (...a) { mark('instantiate start'); const p = wi.apply(this, a); p.then(() => mark('instantiate done')); return p; };
    document.addEventListener('DOMContentLoaded', () => mark('DCL'));
    document.addEventListener('credit-estimator-change', () => mark('change'), true);
    document.addEventListener('credit-estimator-ready', () => mark('ready'), true);
    Object.defineProperty(window, 'Go', { configurable: true, set(G) { const r = G.prototype.run; G.prototype.run = function (...a) { mark('go.run'); const p = r.apply(this, a); mark('go.run returned'); return p; }; Object.defineProperty(window, 'Go', { value: G, writable: true, configurable: true }); }, get() { return undefined; } });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.goto(server.base + page_, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__startup?.change !== null, null, { timeout: 30000 });
  const { profile } = await cdp.send('Profiler.stop');
  const t = await page.evaluate(() => ({ change: window.__startup.change, ready: window.__startup.ready, nav: performance.timeOrigin,
    marks: window.__t,
    res: performance.getEntriesByType('resource').map((e) => [e.name.split('/').pop(), Math.round(e.startTime), Math.round(e.responseEnd)]) }));
  writeFileSync(`/tmp/prof2/run${run}.cpuprofile`, JSON.stringify(profile));
  results.push(t);
  await context.close();
}
console.log(JSON.stringify(results.map((r) => ({ change: Math.round(r.change), ready: Math.round(r.ready), marks: r.marks })), null, 0));
console.log(JSON.stringify(results[results.length - 1].res));
await browser.close();
await server.stop();
