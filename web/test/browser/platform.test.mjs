// A platform's own rate card: built in (make build RATECARD=path → bin/platform/dist), it is the
// only card the element shows from the first paint — choices, limits, preview, events; handed to
// the element at run time (rate-card, useRateCard), no price is shown or emitted until it is
// verified, and useRateCard() re-prices every mounted element at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, requirements, startServer, launch, waitLive, harness, serverQuote, watchProblems } from './helpers.mjs';

const req = requirements();
const PLATFORM_DIST = path.join(ROOT, 'bin/platform/dist');
const CARD_FILE = path.join(ROOT, 'web/test/fixtures/platform-card.json');
const CARD_TEXT = readFileSync(CARD_FILE, 'utf8');
const CARD = JSON.parse(CARD_TEXT);
const STOCK = JSON.parse(readFileSync(path.join(ROOT, 'estimator/ratecard.json'), 'utf8'));
if (!req.skip && !existsSync(path.join(PLATFORM_DIST, 'assets.json'))) throw new Error(`${PLATFORM_DIST} is missing: run \`make platform-build\``);

let platform; // the platform's build and server (-ratecard)
let stock; // the stock build and server
let browser;
before(async () => {
  if (req.skip) return;
  platform = await startServer({ args: ['-web', PLATFORM_DIST, '-ratecard', CARD_FILE] });
  stock = await startServer();
  browser = await launch();
});
after(async () => { await browser?.close(); await platform?.stop(); await stock?.stop(); });

const page0 = (body) => `<!doctype html><html lang="en-US"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/credit-estimator.js"></script></head><body>${body}</body></html>`;

/** Records every event of every element (both name forms) from before the module runs. */
const recordEvents = (page) => page.addInitScript(() => {
  window.__events = [];
  for (const n of ['change', 'error', 'ready', 'card', 'loaderror']) {
    for (const name of [`credit-estimator-${n}`, `credit-estimator:${n}`]) {
      document.addEventListener(name, (e) => window.__events.push({ name, id: e.target.id, detail: JSON.parse(JSON.stringify(e.detail)) }));
    }
  }
});

/** What the full element offers: options of each select and the limits of the inputs. */
const offered = (page, sel) => page.evaluate((s) => {
  const r = document.querySelector(s).shadowRoot;
  const opts = (name) => [...r.querySelectorAll(`select[name="${name}"] option`)].map((o) => [o.value, o.textContent]);
  const attr = (q, a) => r.querySelector(q)?.getAttribute(a) ?? null;
  return {
    resolution: opts('resolution'), fps: opts('fps').map(([v]) => v), mode: opts('mode'), complexity: opts('complexity'),
    duration: [attr('input[name="duration"]', 'min'), attr('input[name="duration"]', 'max')],
    count: attr('input[name="count"]', 'max'), prompt: attr('textarea', 'maxlength'),
    credits: r.querySelector('[part~="credits"]').textContent,
  };
}, sel);

test('built for the platform card: only its options, limits and prices, from the first paint', { skip: req.skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = watchProblems(page);
  await recordEvents(page);
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
  await page.goto(await harness(page, platform.base, 'p.html', page0('<credit-estimator id="w" loading="eager"></credit-estimator>')));
  await page.waitForFunction(() => document.querySelector('#w')?.shadowRoot?.querySelector('[part~="credits"]')?.textContent === '2.00');
  const pre = await offered(page, '#w');
  assert.equal(await page.evaluate(() => document.querySelector('#w').state), 'loading', 'the preview shows before the module');
  const want = {
    resolution: CARD.formats.map((f) => [f.resolution, f.label]),
    fps: ['24', '30', '60', '120'],
    mode: CARD.modes.map((m) => [m.name, m.label]),
    complexity: [['auto', 'Auto (from the prompt)'], ...CARD.complexity.levels.map((l) => [l.name, l.label])],
    duration: ['2', '120'], count: '20', prompt: '500', credits: '2.00',
  };
  assert.deepEqual(pre, want, 'the preview offers exactly the platform card');
  assert.equal(pre.resolution.length, 6);
  assert.ok(pre.resolution.some(([v]) => v === '480p') && pre.resolution.some(([v]) => v === '4320p'));
  assert.deepEqual(pre.mode.map(([v]) => v), ['generate', 'refine-minor', 'refine-major', 'draft']);
  release();
  await waitLive(page, '#w');
  assert.deepEqual(await offered(page, '#w'), want, 'live, the same');
  // Priced with the platform card, identical to the server (which runs with -ratecard).
  const spec = { resolution: '8k', fps: 120, durationSeconds: 10, mode: 'draft', complexity: 'epic', count: 3, prompt: 'a duel' };
  const got = await page.evaluate((s) => {
    const el = document.querySelector('#w');
    el.spec = { ...s, durationSeconds: s.durationSeconds };
    return new Promise((r) => setTimeout(() => r(el.quote), 0));
  }, spec);
  const srv = await serverQuote(platform.base, spec);
  assert.equal(srv.status, 200);
  assert.deepEqual(got, srv.json);
  assert.equal(got.credits, '76.80');
  const events = await page.evaluate(() => window.__events);
  const ready = events.find((e) => e.name === 'credit-estimator-ready');
  assert.equal(ready?.detail.cardVersion, CARD.version);
  const changes = events.filter((e) => e.name === 'credit-estimator-change');
  assert.ok(changes.length >= 2);
  assert.equal(changes[0].detail.quote.credits, '2.00', 'the first change event carries the platform price');
  const digest = got.rateCard.digest;
  for (const e of events) {
    if (e.detail.quote) assert.equal(e.detail.quote.rateCard.digest, digest, `${e.name} carried another card's price`);
  }
  assert.equal(events.filter((e) => e.name === 'credit-estimator:change').length, changes.length, 'legacy names fire too');
  const head = await fetch(`${platform.base}api/v1/ratecard`);
  assert.equal(head.headers.get('ETag'), `"${digest}"`, 'the server serves the same card');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a card handed over at run time: no price until verified, then only its prices; useRateCard re-prices every element', { skip: req.skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  const problems = watchProblems(page);
  await recordEvents(page);
  let release;
  const gate = new Promise((r) => { release = r; });
  // The platform's card, served with its digest as ETag (like /api/v1/ratecard); held back until released.
  const digest = (await (await fetch(`${platform.base}api/v1/ratecard`)).headers.get('ETag')).replaceAll('"', '');
  await page.route(`${stock.base}cards/**`, async (route) => {
    await gate;
    await route.fulfill({ status: 200, headers: { 'Content-Type': 'application/json', ETag: `"${digest}"` }, body: CARD_TEXT });
  });
  await page.goto(await harness(page, stock.base, 'run.html', page0(
    '<credit-estimator id="a" loading="eager" rate-card="/cards/acme.json"></credit-estimator><credit-estimator id="b" loading="eager" compact></credit-estimator>')));
  // The engine is up (stock card inside), but the page's card is not verified yet.
  await page.waitForFunction(() => document.querySelector('#a').estimator && document.querySelector('#b').estimator);
  await page.waitForTimeout(50);
  const pending = await page.evaluate(() => ['a', 'b'].map((id) => {
    const el = document.getElementById(id);
    return { quote: el.quote, credits: el.shadowRoot.querySelector('[part~="credits"]').textContent, card: el.card.state };
  }));
  for (const p of pending) {
    assert.equal(p.quote, null);
    assert.ok(!/\d/.test(p.credits), `a price is shown before the card is verified: ${p.credits}`);
    assert.equal(p.card, 'pending');
  }
  assert.deepEqual((await offered(page, '#a')).resolution, [], 'no options from another card');
  let events = await page.evaluate(() => window.__events);
  assert.deepEqual(events.filter((e) => /change|ready|error/.test(e.name)), [], 'no price events before verification');
  release();
  await page.waitForFunction(() => ['a', 'b'].every((id) => document.getElementById(id).quote?.credits === '2.00'));
  assert.equal((await offered(page, '#a')).resolution.length, 6);
  events = await page.evaluate(() => window.__events);
  for (const e of events) if (e.detail.quote) assert.equal(e.detail.quote.rateCard.digest, digest);
  assert.ok(events.some((e) => e.name === 'credit-estimator-ready' && e.detail.cardVersion === CARD.version));
  // useRateCard(): every mounted element switches at once.
  const head = await page.evaluate(async (card) => {
    const { useRateCard } = await import('/credit-estimator.js');
    const h = await useRateCard(card);
    return { h, a: document.getElementById('a').quote?.credits, b: document.getElementById('b').quote?.credits };
  }, STOCK);
  assert.equal(head.h.version, STOCK.version);
  await page.waitForFunction(() => ['a', 'b'].every((id) => document.getElementById(id).quote?.credits === '1.00'));
  assert.equal((await offered(page, '#a')).resolution.length, 4);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a card that fails verification shows why and no price', { skip: req.skip }, async () => {
  const page = await browser.newPage();
  await recordEvents(page);
  await page.route(`${stock.base}cards/**`, (route) => route.fulfill({ status: 200, headers: { 'Content-Type': 'application/json' }, body: CARD_TEXT }));
  await page.goto(await harness(page, stock.base, 'bad.html', page0(
    `<credit-estimator id="a" loading="eager" rate-card="/cards/acme.json" rate-card-digest="sha256:${'0'.repeat(64)}"></credit-estimator>`)));
  await page.waitForFunction(() => document.querySelector('#a').card?.state === 'invalid');
  const r = await page.evaluate(() => {
    const el = document.querySelector('#a');
    return { quote: el.quote, failure: el.shadowRoot.querySelector('[part~="error"]').textContent, credits: el.shadowRoot.querySelector('[part~="credits"]').textContent };
  });
  assert.equal(r.quote, null);
  assert.match(r.failure, /could not be verified/);
  assert.ok(!/\d/.test(r.credits));
  const events = await page.evaluate(() => window.__events);
  assert.deepEqual(events.filter((e) => /change|ready/.test(e.name)), []);
  await page.close();
});

test('useRateCard before any engine: pending until an element loads one, then resolves with the verified card; a bad card rejects', { skip: req.skip }, async () => {
  const page = await browser.newPage();
  await recordEvents(page);
  const html = page0('<div id="spacer"></div><credit-estimator id="a"></credit-estimator>').replace('<script', '<link rel="stylesheet" href="s.css"><script');
  await page.goto(await harness(page, stock.base, 'early.html', html, { 's.css': { type: 'text/css', body: '#spacer { height: 5000px; }' } }));
  const r = await page.evaluate(async (card) => {
    const { useRateCard } = await import('/credit-estimator.js');
    let settled = false;
    const p = useRateCard(card).then((h) => { settled = true; return h; });
    await new Promise((res) => setTimeout(res, 100));
    const before = { settled, loaded: !!document.querySelector('#a').estimator, credits: document.querySelector('#a').shadowRoot.querySelector('[part~="credits"]').textContent };
    document.querySelector('#a').setAttribute('loading', 'eager');
    const head = await p;
    const bad = await useRateCard({ version: 'broken' }).then(() => 'resolved', (e) => e.message);
    return { before, head, bad };
  }, CARD);
  assert.equal(r.before.loaded, false, 'the engine is still lazy');
  assert.equal(r.before.settled, false, 'not verified before an engine could verify it');
  assert.ok(!/\d/.test(r.before.credits), 'no stock preview once the page has its own card');
  assert.equal(r.head.version, CARD.version);
  assert.match(r.bad, /invalid_rate_card|missing|required/);
  await page.waitForFunction(() => document.querySelector('#a').card?.state === 'invalid');
  await page.close();
});

test('the preview is shown only for exactly the default spec (a prompt is not the default)', { skip: req.skip }, async () => {
  const page = await browser.newPage();
  await page.route('**/*.wasm', () => {}); // never answered: the preview stays
  await page.goto(await harness(page, platform.base, 'pv.html', page0('<credit-estimator id="a" loading="eager"></credit-estimator><credit-estimator id="b" loading="eager" prompt="an epic battle"></credit-estimator>')));
  await page.waitForFunction(() => document.querySelector('#a').shadowRoot?.querySelector('[part~="credits"]')?.textContent === '2.00');
  const b = await page.evaluate(() => document.querySelector('#b').shadowRoot.querySelector('[part~="credits"]').textContent);
  assert.ok(!/\d/.test(b), `the default spec's price was shown for another spec: ${b}`);
  await page.close();
});

test('the editor page offers exactly the platform card (its selects repeat nothing)', { skip: req.skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`${platform.base}/editor.html`);
  await page.waitForFunction(() => !document.querySelector('select[name="resolution"]').disabled);
  const got = await page.evaluate(() => {
    const opts = (n) => [...document.querySelectorAll(`select[name="${n}"] option`)].map((o) => [o.value, o.textContent]);
    const d = document.querySelector('input[name="duration"]');
    return { resolution: opts('resolution'), mode: opts('mode'), fps: opts('fps').map(([v]) => v), duration: [d.min, d.max],
      count: document.querySelector('input[name="count"]').max, prompt: document.querySelector('#prompt').maxLength };
  });
  assert.deepEqual(got, {
    resolution: CARD.formats.map((f) => [f.resolution, f.label]),
    mode: CARD.modes.map((m) => [m.name, m.label]),
    fps: Object.keys(CARD.formats.find((f) => f.resolution === CARD.reference.resolution).multipliers).sort((a, b) => a - b),
    duration: [String(CARD.duration.minSeconds), String(CARD.duration.maxSeconds)],
    count: String(CARD.limits.maxCount), prompt: CARD.limits.maxPromptChars,
  });
  // A choice only the platform card has is priced by the badge.
  await page.selectOption('select[name="resolution"]', '4320p');
  await page.waitForFunction(() => document.querySelector('#badge').getAttribute('resolution') === '4320p' && document.querySelector('#badge').quote);
  await page.close();
});
