// Fails visibly, never blank: the element's light-DOM children are its fallback content (no JS,
// origin down, engine failed), a failed engine says so with a working Retry, and the opt-in
// quote-api attribute prices through the server's quote API instead (sending the prompt there,
// which never happens without it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { siteSuite, waitLive, harness, serverQuote } from './helpers.mjs';

const suite = siteSuite();
const { req } = suite;

const FALLBACK = 'From 1 credit per 10-second video';
const page0 = (attrs = '') => `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<link rel="stylesheet" href="host.css"><script type="module" src="/credit-estimator.js"></script></head><body>
<credit-estimator id="w" loading="eager" ${attrs}><p class="ce-fallback">${FALLBACK}</p></credit-estimator></body></html>`;
// The pattern docs/widget.md documents: reserve the space only once the element is defined.
const FILES = { 'host.css': { type: 'text/css', body: 'credit-estimator:defined:not([compact]) { display: block; min-height: 620px; } credit-estimator:not(:defined) { display: block; }' } };

/** Whether the fallback text is rendered (a box with a size), and the element is defined. */
const fallbackShown = (page) => page.evaluate(() => {
  const p = document.querySelector('#w .ce-fallback');
  const r = p ? p.getBoundingClientRect() : null;
  return { defined: !!customElements.get('credit-estimator'), height: r ? r.height : 0, text: p?.textContent ?? '' };
});

test('no JavaScript: the fallback content shows', { skip: req.skip }, async () => {
  const ctx = await suite.browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(await harness(page, suite.server.base, 'nojs.html', page0(), FILES));
  const s = await fallbackShown(page);
  assert.equal(s.text, FALLBACK);
  assert.ok(s.height > 0, 'fallback not rendered');
  await ctx.close();
});

test('origin down (the module does not load): the fallback content shows, not a blank box', { skip: req.skip }, async () => {
  const page = await suite.browser.newPage();
  await page.route('**/credit-estimator.js', (r) => r.fulfill({ status: 503, body: 'down' }));
  await page.goto(await harness(page, suite.server.base, 'down.html', page0(), FILES));
  await page.waitForLoadState('load');
  const s = await fallbackShown(page);
  assert.equal(s.defined, false);
  assert.ok(s.height > 0, 'fallback not rendered');
  await page.close();
});

test('the engine cannot start: a message, the fallback, a working Retry; no quote request to the server', { skip: req.skip }, async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1200, height: 900 } });
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
  const block = (r) => r.abort();
  await page.route('**/*.wasm', block);
  await page.goto(await harness(page, suite.server.base, 'fail.html', page0(), FILES));
  await page.waitForFunction(() => document.querySelector('#w').state === 'failed');
  const r = await page.evaluate(() => {
    const el = document.querySelector('#w');
    const fail = el.shadowRoot.querySelector('[part~="error"]');
    const slot = fail.querySelector('slot');
    const text = document.querySelector('#w .ce-fallback');
    return {
      hidden: fail.hidden, msg: fail.textContent, retry: !!fail.querySelector('[part~="retry"]'),
      slotted: slot ? slot.assignedElements().map((e) => e.textContent) : [], fallbackHeight: text.getBoundingClientRect().height,
    };
  });
  assert.equal(r.hidden, false);
  assert.match(r.msg, /could not be loaded/);
  assert.equal(r.retry, true);
  assert.deepEqual(r.slotted, [FALLBACK]);
  assert.ok(r.fallbackHeight > 0, 'the fallback is shown with the message');
  await page.unroute('**/*.wasm', block);
  await page.evaluate(() => document.querySelector('#w').shadowRoot.querySelector('[part~="retry"]').click());
  await waitLive(page, '#w');
  assert.equal(await page.evaluate(() => document.querySelector('#w').quote?.credits), '1.00');
  assert.deepEqual(posts, [], 'nothing was sent to the server');
  await page.close();
});

test('quote-api (opt-in): when the engine cannot start, the server prices — and gets the prompt', { skip: req.skip }, async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1200, height: 900 } });
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST') posts.push({ url: r.url(), body: r.postData() }); });
  await page.route('**/*.wasm', (r) => r.abort());
  await page.goto(await harness(page, suite.server.base, 'api.html', page0('quote-api resolution="4k" fps="60" duration="8" prompt="thousands of troops fighting"'), FILES));
  await page.waitForFunction(() => document.querySelector('#w').quote !== null, null, { timeout: 20_000 });
  const got = await page.evaluate(() => {
    const el = document.querySelector('#w');
    return { quote: el.quote, card: el.card, status: el.shadowRoot.querySelector('[part~="status"]').textContent, credits: el.shadowRoot.querySelector('[part~="credits"]').textContent };
  });
  const spec = { resolution: '4k', fps: 60, durationSeconds: 8, prompt: 'thousands of troops fighting', complexity: 'auto', mode: 'generate', count: 1 };
  const srv = await serverQuote(suite.server.base, spec);
  assert.deepEqual(got.quote, srv.json);
  assert.equal(got.card.state, 'server');
  assert.match(got.status, /server/);
  assert.equal(got.credits, got.quote.credits);
  assert.ok(posts.some((p) => p.url.endsWith('/api/v1/quote') && JSON.parse(p.body).prompt === spec.prompt), 'the prompt went to the server, as documented');
  // a bad value gets the server's error, shown like the engine's
  await page.evaluate(() => document.querySelector('#w').setAttribute('fps', '61'));
  await page.waitForFunction(() => document.querySelector('#w').error?.code === 'unsupported_fps');
  // What the form offers is the server's answer too (its choices op), in the element's language.
  const choices = async (locale) => (await fetch(`${suite.server.base}api/v1/choices`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ locale }) })).json();
  assert.deepEqual(await page.evaluate(() => document.querySelector('#w').choices), await choices('en'));
  assert.ok(posts.some((p) => p.url.endsWith('/api/v1/choices')), 'the choices came from the server');
  await page.evaluate(() => document.querySelector('#w').setAttribute('locale', 'de-DE'));
  const de = await choices('de');
  await page.waitForFunction((want) => [...document.querySelector('#w').shadowRoot.querySelectorAll('select[name="mode"] option')].map((o) => o.textContent).join('|') === want, de.modes.map((m) => m.label).join('|'));
  assert.deepEqual(await page.evaluate(() => document.querySelector('#w').choices), de);
  await page.close();
});
