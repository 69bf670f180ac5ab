// The pages ask for what their first live price needs with the document (issue 20): the module is
// preloaded in the shim's CORS mode and downloaded once, compiled by boot.js while the page loads,
// and every ES module the page runs is named up front by a modulepreload link (no waterfall of
// imports discovered one file at a time). Structure only: no timing is asserted here (the figures
// are bench/startup-bench.mjs's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { siteSuite, waitLive, watchProblems } from './helpers.mjs';

const suite = siteSuite();
const { req } = suite;

for (const [name, sel] of [['index.html', '#estimate'], ['editor.html', '#badge']]) {
  test(`${name}: module preloaded and fetched once, compiled early, every module named up front`, { skip: req.skip }, async () => {
    const context = await suite.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const warnings = [];
    page.on('console', (m) => { if (/preload/i.test(m.text())) warnings.push(m.text()); });
    const wasmRequests = [];
    page.on('request', (r) => { if (/\.wasm$/.test(new URL(r.url()).pathname)) wasmRequests.push(r.url()); });
    await page.goto(`${suite.server.base}${name}`);
    await waitLive(page, sel);
    const r = await page.evaluate(async (s) => {
      const el = /** @type {any} */ (document.querySelector(s));
      await el.whenReady();
      const links = (rel) => [...document.querySelectorAll(`link[rel="${rel}"]`)].map((l) => /** @type {HTMLLinkElement} */ (l).href);
      return {
        method: el.estimator.loadInfo.method,
        wasmURL: el.estimator.loadInfo.wasmURL,
        preloads: [...document.querySelectorAll('link[rel="preload"]')].map((l) => ({ href: l.href, as: l.getAttribute('as'), crossorigin: l.getAttribute('crossorigin') })),
        modulepreloads: links('modulepreload'),
        scripts: performance.getEntriesByType('resource').filter((e) => /\.js$/.test(new URL(e.name).pathname)).map((e) => e.name),
      };
    }, sel);
    await context.close();
    assert.deepEqual(r.preloads, [{ href: r.wasmURL, as: 'fetch', crossorigin: '' }], 'the module the shim loads is the one preloaded, in CORS mode');
    assert.deepEqual(wasmRequests, [r.wasmURL], 'the module is requested once: the preload is used');
    assert.equal(r.method, 'compileStreaming', 'the shim took the module boot.js compiled');
    const unnamed = r.scripts.filter((u) => !r.modulepreloads.includes(u) && !/\/(boot|sw)\.js$/.test(u));
    assert.deepEqual(unnamed, [], 'every module the page loaded has a modulepreload link');
    assert.deepEqual(warnings, [], 'no preload warnings');
    assert.deepEqual(problems, [], 'no console errors');
  });
}
