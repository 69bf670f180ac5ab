// The pages ask for what their first live price needs with the document (issue 20): the module is
// preloaded in the shim's CORS mode and downloaded once, compiled by boot.js while the page loads,
// and every ES module the page runs is named up front by a modulepreload link (no waterfall of
// imports discovered one file at a time); what the first price does not need starts after it.
// Structure and order only: no timing is asserted here (the figures are bench/startup-bench.mjs's).
// And what a person may do before the engine has loaded stays when it arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { siteSuite, waitLive, watchProblems, harness } from './helpers.mjs';

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

// What the first price does not need waits for it: the service worker's registration (it fetches
// assets.json, then installs a worker that precaches the site) and the check for a newer card
// (GET api/v1/ratecard) start in tasks after the element's first price, not beside it. Ordering
// only: each request's start is compared with the moment of the first price on the page's clock.
for (const [name, sel] of [['index.html', '#estimate'], ['editor.html', '#badge']]) {
  test(`${name}: the service worker and the card's freshness check start after the first price`, { skip: req.skip }, async () => {
    const context = await suite.browser.newContext({ serviceWorkers: 'allow' });
    await context.addInitScript(() => {
      document.addEventListener('credit-estimator-change', () => {
        /** @type {any} */ (window).__firstPrice ??= performance.now();
      }, true);
    });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${suite.server.base}${name}`);
    await waitLive(page, sel);
    await page.waitForFunction(async () => !!(await navigator.serviceWorker.getRegistration()), null, { timeout: 20_000 });
    const want = ['/assets.json', '/api/v1/ratecard'];
    await page.waitForFunction((w) => w.every((p) => performance.getEntriesByType('resource').some((e) => new URL(e.name).pathname === p)), want, { timeout: 20_000 });
    const r = await page.evaluate((w) => ({
      firstPrice: /** @type {any} */ (window).__firstPrice,
      starts: Object.fromEntries(w.map((p) => [p, performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === p)?.startTime])),
    }), want);
    await context.close();
    assert.equal(typeof r.firstPrice, 'number', 'the page priced');
    for (const p of want) assert.ok(r.starts[p] >= r.firstPrice, `${p} started at ${r.starts[p]} ms, before the first price at ${r.firstPrice} ms`);
    assert.deepEqual(problems, [], 'no console errors');
  });
}

// The form built from the build card's choices (facts.js) is the form the engine's same card would
// build, so it is not built again: the prompt typed meanwhile, its focus and the controls are the
// same nodes, and the first live price is for what was typed.
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/credit-estimator.js"></script></head><body>
<credit-estimator id="w" loading="eager"></credit-estimator></body></html>`;

test('typing before the engine loads: the form is not rebuilt when it arrives, and the price is for what was typed', { skip: req.skip }, async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1200, height: 900 } });
  /** @type {() => void} */
  let release = () => {};
  const held = new Promise((r) => { release = r; });
  const hold = async (/** @type {any} */ route) => { await held; await route.continue(); };
  await page.route('**/*.wasm', hold);
  await page.goto(await harness(page, suite.server.base, 'typing.html', PAGE, {}));
  await page.waitForFunction(() => document.querySelector('#w')?.shadowRoot?.querySelector('textarea[name="prompt"]'));
  assert.notEqual(await page.evaluate(() => document.querySelector('#w').state), 'ready', 'the engine is held back');
  const prompt = page.locator('#w textarea[name="prompt"]');
  await prompt.click();
  await prompt.pressSequentially('thousands of troops fiercely fighting');
  await page.evaluate(() => { /** @type {any} */ (window).before = document.querySelector('#w').shadowRoot.querySelector('textarea[name="prompt"]'); });
  release();
  await waitLive(page, '#w');
  const r = await page.evaluate(() => {
    const el = /** @type {any} */ (document.querySelector('#w'));
    const ta = el.shadowRoot.querySelector('textarea[name="prompt"]');
    return { same: ta === /** @type {any} */ (window).before, focused: el.shadowRoot.activeElement === ta, value: ta.value, level: el.quote?.complexity?.level };
  });
  assert.equal(r.same, true, 'the same textarea: not rebuilt');
  assert.equal(r.focused, true, 'the focus stays where the person typed');
  assert.equal(r.value, 'thousands of troops fiercely fighting');
  assert.equal(r.level, 'extreme', 'the first live price is for the prompt typed before the engine loaded');
  await page.unroute('**/*.wasm', hold);
  await page.close();
});

// The demo pages set every element's locale as they start, most often to the one it already
// speaks: that builds nothing again (a second build of the shadow DOM before the first price);
// another locale still does, in its language.
test('a locale set to the one the element speaks rebuilds nothing; another locale rebuilds it', { skip: req.skip }, async () => {
  const page = await suite.browser.newPage();
  await page.goto(await harness(page, suite.server.base, 'same-locale.html', PAGE.replace('<html lang="en">', '<html lang="en-US">'), {}));
  await waitLive(page, '#w');
  const form = () => page.evaluate(() => {
    const el = /** @type {any} */ (document.querySelector('#w'));
    const f = el.shadowRoot.querySelector('form');
    const same = f === /** @type {any} */ (window).form;
    /** @type {any} */ (window).form = f;
    return { same, label: el.shadowRoot.querySelector('label')?.textContent ?? '' };
  });
  const first = await form();
  await page.evaluate(() => document.querySelector('#w').setAttribute('locale', 'en-US'));
  const again = await form();
  assert.equal(again.same, true, 'the same locale named again: the same form');
  assert.equal(again.label, first.label);
  await page.evaluate(() => document.querySelector('#w').setAttribute('locale', 'de-DE'));
  await page.waitForFunction((l) => document.querySelector('#w').shadowRoot.querySelector('label')?.textContent !== l, first.label);
  const german = await form();
  assert.equal(german.same, false, 'another locale: built again');
  await page.close();
});
