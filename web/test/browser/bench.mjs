// Browser bench for `make bench` (not a timed test): in Debian's Chromium against the real server,
//  1. element entering the viewport → first live estimate, cold (fresh profile) and with the
//     module cached (same profile, page reloaded);
//  2. keystroke → updated number (DOM updated, and next frame), median and p95, in the full
//     widget on the pricing page and in the compact badge on the editor page.
// Prints the figures and writes them to bench/out/browser.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, requirements, startServer, launch, harness, waitLive } from './helpers.mjs';

const RUNS = Number(process.env.BENCH_RUNS || 7);
const KEYS = Number(process.env.BENCH_KEYS || 120);

const req = requirements();
if (req.skip) { console.error(`browser bench skipped: ${req.skip}`); process.exit(process.env.CI === 'true' ? 1 : 0); }

const server = await startServer();
const browser = await launch();
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const fmt = (x) => `${x.toFixed(1)} ms`;

const PAGE = `<!doctype html><html lang="en-US"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<link rel="stylesheet" href="bench.css"><script type="module" src="/credit-estimator.js"></script><script type="module" src="bench.js"></script></head>
<body><div id="spacer">scroll</div><credit-estimator id="w"></credit-estimator></body></html>`;
// Records when the element enters the viewport and when its first live quote arrives.
const BENCH_JS = `
window.__bench = { enter: null, live: null };
const el = document.getElementById('w');
new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting) && window.__bench.enter === null) window.__bench.enter = performance.now(); }).observe(el);
el.addEventListener('credit-estimator:change', () => { if (window.__bench.live === null) window.__bench.live = performance.now(); });
`;
const FILES = {
  'bench.css': { type: 'text/css', body: '#spacer { height: 3000px; } credit-estimator { display: block; min-height: 620px; }' },
  'bench.js': { type: 'text/javascript', body: BENCH_JS },
};

async function firstLive(page, url, reload) {
  if (reload) await page.reload(); else await page.goto(url);
  await page.waitForFunction(() => customElements.get('credit-estimator'));
  await page.waitForTimeout(100);
  await page.evaluate(() => document.getElementById('w').scrollIntoView());
  await waitLive(page, '#w');
  await page.waitForFunction(() => window.__bench.live !== null);
  return page.evaluate(() => window.__bench.live - window.__bench.enter);
}

const cold = [];
const warm = [];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const url = await harness(page, server.base, 'bench.html', PAGE, FILES);
  cold.push(await firstLive(page, url, false));
  warm.push(await firstLive(page, url, true));
  await context.close();
}

/** Types KEYS characters and measures keydown → number updated (and → next frame). */
async function keystrokes(pageURL, selector, inputLocator) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.goto(pageURL);
  await waitLive(page, selector);
  await page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const b = (window.__keys = { down: 0, dom: [], frame: [] });
    document.addEventListener('keydown', (e) => { b.down = e.timeStamp; }, true);
    el.addEventListener('credit-estimator:change', () => {
      const t = performance.now();
      b.dom.push(t - b.down);
      const start = b.down;
      requestAnimationFrame(() => setTimeout(() => b.frame.push(performance.now() - start), 0));
      void t;
    });
  }, selector);
  const input = inputLocator(page);
  await input.click();
  await input.press('End');
  const text = ' thousands of troops fighting on a battlefield while fireworks explode over a stormy sea, drone shot, dancers in a crowd';
  for (let i = 0; i < KEYS; i++) await page.keyboard.type(text[i % text.length], { delay: 25 });
  await page.waitForTimeout(200);
  const r = await page.evaluate(() => window.__keys);
  await context.close();
  return r;
}

const full = await keystrokes(`${server.base}index.html`, '#estimate', (p) => p.locator('#estimate').getByRole('textbox', { name: 'Prompt' }));
const compact = await keystrokes(`${server.base}editor.html`, '#badge', (p) => p.locator('#prompt'));

await browser.close();
await server.stop();

const out = {
  chromium: 'Debian /usr/bin/chromium', runs: RUNS, keys: KEYS,
  viewportToFirstLiveMs: { coldMedian: pct(cold, 50), coldP95: pct(cold, 95), cachedMedian: pct(warm, 50), cachedP95: pct(warm, 95), cold, cached: warm },
  keystrokeFull: { samples: full.dom.length, domMedian: pct(full.dom, 50), domP95: pct(full.dom, 95), frameMedian: pct(full.frame, 50), frameP95: pct(full.frame, 95) },
  keystrokeCompact: { samples: compact.dom.length, domMedian: pct(compact.dom, 50), domP95: pct(compact.dom, 95), frameMedian: pct(compact.frame, 50), frameP95: pct(compact.frame, 95) },
};
console.log('browser bench (Debian Chromium, real server, strict CSP)');
console.log(`  viewport → first live estimate, cold:          median ${fmt(out.viewportToFirstLiveMs.coldMedian)}, p95 ${fmt(out.viewportToFirstLiveMs.coldP95)} (${RUNS} runs)`);
console.log(`  viewport → first live estimate, module cached: median ${fmt(out.viewportToFirstLiveMs.cachedMedian)}, p95 ${fmt(out.viewportToFirstLiveMs.cachedP95)}`);
for (const [name, k] of [['full widget (pricing page)', out.keystrokeFull], ['compact badge (editor page)', out.keystrokeCompact]]) {
  console.log(`  keystroke → number updated, ${name}: median ${fmt(k.domMedian)}, p95 ${fmt(k.domP95)}; → next frame: median ${fmt(k.frameMedian)}, p95 ${fmt(k.frameP95)} (${k.samples} keys)`);
}
mkdirSync(path.join(ROOT, 'bench/out'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench/out/browser.json'), `${JSON.stringify(out, null, 2)}\n`);
