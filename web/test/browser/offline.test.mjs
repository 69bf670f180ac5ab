// Offline: one visit installs the service worker, which precaches the pages, the widget, the
// shim, wasm_exec.js and the module; with the network off a reload still estimates, and the
// widget says it is offline. A new build's worker removes the old caches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { siteSuite, waitLive, serverQuote, watchProblems } from './helpers.mjs';

const suite = siteSuite();
const { req } = suite;

test('after one visit, a reload without network still estimates', { skip: req.skip, timeout: 60_000 }, async () => {
  const context = await suite.browser.newContext();
  const page = await context.newPage();
  // Every request of the pages made while offline must be answered by the service worker or fail.
  let offline = false;
  const whileOffline = [];
  context.on('requestfinished', async (r) => {
    if (!offline || r.serviceWorker()) return;
    const res = await r.response();
    if (!res?.fromServiceWorker()) whileOffline.push(`${r.method()} ${r.url()} reached the network`);
  });
  const problems = watchProblems(page);
  await page.goto(`${suite.server.base}index.html`);
  await waitLive(page, '#estimate');
  // The worker is installed (every precached file fetched) and controls the page.
  await page.waitForFunction(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return reg?.active?.state === 'activated' && !!navigator.serviceWorker.controller;
  }, null, { timeout: 20_000 });
  // The install's puts are done before it activates; the page's view of the cache is polled all
  // the same, so a slow machine only makes this wait, and what is missing is named below.
  const listCache = async () => {
    const names = (await caches.keys()).filter((n) => n.startsWith('credit-estimator-'));
    const urls = names.length === 1 ? (await (await caches.open(names[0])).keys()).map((r) => new URL(r.url).pathname) : [];
    return { names, urls };
  };
  const expected = ['/', '/index.html', '/editor.html', '/credit-estimator.js', '/estimator.js', '/assets.json', '/site.css', '/pages/pricing.js', '/api/v1/ratecard'];
  let cached = await page.evaluate(listCache);
  for (let i = 0; i < 200 && !expected.every((p) => cached.urls.includes(p)); i++) {
    await new Promise((r) => setTimeout(r, 100));
    cached = await page.evaluate(listCache);
  }
  assert.equal(cached.names.length, 1, `one versioned cache: ${cached.names}`);
  for (const p of expected) {
    assert.ok(cached.urls.includes(p), `${p} is precached (${cached.urls.join(', ')})`);
  }
  assert.ok(cached.urls.some((u) => /^\/estimator\.[0-9a-f]+\.wasm$/.test(u)), 'the module is precached');
  assert.ok(cached.urls.some((u) => /^\/wasm_exec\.[0-9a-f]+\.js$/.test(u)), 'wasm_exec.js is precached');

  await page.waitForFunction(() => document.getElementById('estimate').card?.state === 'current');
  await context.setOffline(true);
  offline = true;
  assert.equal(await page.evaluate(() => fetch('/healthz', { cache: 'no-store' }).then(() => 'online', () => 'offline')), 'offline', 'the network is really off');
  // The card comes from the service worker's cache, marked as answered offline.
  const card = await page.evaluate(async () => {
    const r = await fetch('/api/v1/ratecard', { cache: 'no-store' });
    return { offline: r.headers.get('X-Credit-Estimator-Offline'), etag: r.headers.get('ETag'), version: (await r.json()).version };
  });
  assert.equal(card.offline, '1', 'the card is answered from the precache');
  assert.match(card.etag, /^"sha256:[0-9a-f]{64}"$/);
  const res = await page.reload();
  assert.equal(res.fromServiceWorker(), true, 'the page came from the service worker');
  await waitLive(page, '#estimate');
  const spec = { resolution: '2160p', fps: 60, durationSeconds: 7.25, prompt: 'a storm with lightning and rain', complexity: 'auto', mode: 'refine-major', count: 4 };
  await page.evaluate((s) => { document.getElementById('estimate').spec = s; }, spec);
  await page.waitForFunction(() => document.getElementById('estimate').quote?.count === 4);
  const shown = await page.evaluate(() => document.getElementById('estimate').quote);
  assert.equal(JSON.stringify(shown), (await serverQuote(suite.server.base, spec)).text, 'offline estimate equals the server’s');
  await page.waitForFunction(() => document.getElementById('estimate').card?.state === 'offline');
  const status = await page.evaluate(() => document.getElementById('estimate').shadowRoot.querySelector('[part~="status"]').textContent);
  assert.match(status, /^Offline · rate card 2026-\S+, last checked .+ — prices may have changed$/);
  // The editor page too, never visited before but precached.
  await page.goto(`${suite.server.base}editor.html`);
  await waitLive(page, '#badge');
  assert.match(await page.evaluate(() => document.getElementById('badge').shadowRoot.querySelector('[part~="credits"]').textContent), /^\d+\.\d\d$/);
  assert.deepEqual(whileOffline, [], 'nothing reached the network while offline');
  offline = false;
  await context.setOffline(false);
  // Offline failures of the card check are expected; nothing else may fail.
  assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|net::/.test(p)), []);

  // A new build registers sw.js?v=<new>: its activation removes every older cache.
  await page.goto(`${suite.server.base}index.html`);
  await waitLive(page, '#estimate');
  const after = await page.evaluate(async () => {
    await caches.open('credit-estimator-stale-test');
    const reg = await navigator.serviceWorker.register('/sw.js?v=next-build-test', { scope: '/' });
    const sw = reg.installing ?? reg.waiting ?? reg.active;
    await new Promise((resolve) => {
      if (sw.state === 'activated') resolve();
      sw.addEventListener('statechange', () => { if (sw.state === 'activated') resolve(); });
    });
    return (await caches.keys()).filter((n) => n.startsWith('credit-estimator-'));
  });
  assert.deepEqual(after, ['credit-estimator-next-build-test']);
  await context.close();
});
