import { startServer, launch } from '../web/test/browser/helpers.mjs';
const server = await startServer();
const browser = await launch();
const pages = process.argv.slice(2);
const res = Object.fromEntries(pages.map((p) => [p, []]));
for (let run = 0; run < 9; run++) for (const pg of pages) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  await context.addInitScript(() => {
    const b = (window.__startup = { change: null, ready: null });
    document.addEventListener('credit-estimator-change', () => { if (b.change === null) b.change = performance.now(); }, true);
    document.addEventListener('DOMContentLoaded', () => { b.dcl = performance.now(); });
  });
  const page = await context.newPage();
  const errs = []; page.on('pageerror', (e) => errs.push(String(e)));
  await page.goto(server.base + pg, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__startup?.change !== null, null, { timeout: 30000 });
  const t = await page.evaluate(() => window.__startup);
  res[pg].push([Math.round(t.change), Math.round(t.dcl)]);
  if (errs.length) console.log(pg, errs);
  await context.close();
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
for (const p of pages) console.log(p, 'live', med(res[p].map((x) => x[0])), 'dcl', med(res[p].map((x) => x[1])), JSON.stringify(res[p].map((x) => x[0])));
await browser.close(); await server.stop();
