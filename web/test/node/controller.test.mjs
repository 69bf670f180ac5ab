// The element's controller without a DOM (web/ce/controller.js, as built into web/dist): it runs
// in Node with the real wasm engine, and everything it hands the views — choices, the preview,
// quotes, "is this news", coverage, the shortfall — is the engine's answer.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { shim, DIST, ROOT, GOOD_SPEC } from './helpers.mjs';

const { load } = await shim();
const { Controller, sameSpec, errorOf } = await import(pathToFileURL(path.join(DIST, 'ce/controller.js')).href);
const { DEFAULT_SPEC, DEFAULT_QUOTE, CHOICES } = await import(pathToFileURL(path.join(DIST, 'facts.js')).href);
const { builtChoices } = await import(pathToFileURL(path.join(DIST, 'ce/choices.js')).href);
/** The card a server answers with in the quoteApi tests: the default one. */
const SERVER_CARD = JSON.parse(readFileSync(path.join(ROOT, 'estimator/ratecard.json'), 'utf8'));

/** An engine as ce/engine.js hands it out, around the real module. */
async function engine(state = 'current') {
  const est = await load();
  const { version, digest } = est.rateCard();
  return { est, apiBase: 'http://127.0.0.1:9/api/v1/', events: new EventTarget(), card: { state, version, digest, checkedAt: null } };
}

/** Records the controller's events in order, with their details. */
function record(ctl) {
  const seen = [];
  for (const name of ['source', 'ready', 'refresh', 'card', 'failed', 'loaderror']) {
    ctl.addEventListener(name, (e) => seen.push(e.detail === undefined || e.detail === null ? name : [name, e.detail]));
  }
  return seen;
}

/** Resolves once the controller fired an event. */
const once = (ctl, name) => new Promise((resolve) => ctl.addEventListener(name, (e) => resolve(e.detail), { once: true }));

const START = { assetsURL: '', apiBase: 'http://127.0.0.1:9/api/v1/', quoteApi: false };

test('the build card\'s choices (facts.js) are what the engine answers for it, in every language', async () => {
  const eng = await engine();
  assert.equal(eng.card.digest, (await import(pathToFileURL(path.join(DIST, 'facts.js')).href)).CARD.digest);
  // The element shows the build-time choices until the engine loads and then keeps them (the same
  // object for the same card: its form is not built again), so they must be the engine's answer.
  for (const lang of ['', 'en', 'zh-Hans', 'ja', 'de', 'es', 'ar', 'fr', 'zh-Hant']) {
    assert.deepEqual(builtChoices(lang), eng.est.call('choices', lang ? { locale: lang } : {}), `language ${JSON.stringify(lang)}`);
  }
  const ctl = new Controller({ getEngine: async () => eng, hasPageCard: () => false });
  const before = ctl.choices('de', false);
  ctl.start(START);
  await once(ctl, 'refresh');
  assert.equal(ctl.choices('de', false), before, 'the same object before and after the engine loaded');
});

test('no DOM: the controller module names no document, window or element', () => {
  assert.equal(typeof document, 'undefined');
  const src = readFileSync(path.join(DIST, 'ce/controller.js'), 'utf8').replace(/^\s*(\/\/|\*).*$/gm, '');
  assert.doesNotMatch(src, /\b(document|window|HTMLElement|customElements|shadowRoot|querySelector)\b/);
});

test('loading: source, ready, refresh in that order; choices and quotes are the engine\'s', async () => {
  const eng = await engine();
  const ctl = new Controller({ getEngine: async () => eng, hasPageCard: () => false });
  const seen = record(ctl);
  assert.equal(ctl.phase, 'idle');
  ctl.start(START);
  assert.equal(ctl.phase, 'loading');
  await once(ctl, 'refresh');
  assert.deepEqual(seen, ['source', ['ready', { cardVersion: eng.card.version }], 'refresh']);
  assert.equal(ctl.phase, 'ready');
  ctl.start(START); // once loaded, start() does nothing
  assert.equal(seen.length, 3);
  ctl.maybeReady(); // "ready" fires once
  assert.equal(seen.length, 3);

  const card = eng.est.rateCard().card;
  const c = ctl.choices('en', false);
  assert.deepEqual(c, eng.est.call('choices', { locale: 'en' }), 'the engine\'s answer');
  assert.deepEqual(ctl.choices('ja', false), eng.est.call('choices', { locale: 'ja' }));
  assert.deepEqual(ctl.choices('ja', false), CHOICES.ja, 'the same as the build-time facts for the same card');
  assert.equal(ctl.choices('ja', false), ctl.choices('ja', false), 'asked once per card and language');
  assert.deepEqual(c.resolutions.map((r) => r.value), card.formats.map((f) => f.resolution));
  assert.equal(c.currency, card.currency);
  assert.deepEqual(ctl.cardInfo, eng.card);
  assert.equal(ctl.currency, card.currency);
  assert.equal(ctl.builtFor, eng.card.digest);
  assert.ok(ctl.mayPrice());

  const r = ctl.estimate(GOOD_SPEC);
  assert.equal(r.error, null);
  assert.deepEqual(r.quote, eng.est.estimate(GOOD_SPEC));
  const bad = ctl.estimate({ ...GOOD_SPEC, fps: 7 });
  assert.equal(bad.quote, null);
  assert.equal(bad.error.code, 'unsupported_fps');
  assert.equal(bad.error.field, 'fps');
});

test('news: a result is news once per spec and answer', async () => {
  const ctl = new Controller();
  const q = { credits: '1.00' };
  assert.equal(ctl.news(GOOD_SPEC, q, null), 'change');
  assert.equal(ctl.news(GOOD_SPEC, q, null), '');
  assert.equal(ctl.news({ ...GOOD_SPEC, count: 2 }, q, null), 'change');
  const err = { code: 'invalid_value', field: 'count', message: 'x' };
  assert.equal(ctl.news(GOOD_SPEC, null, err), 'error');
  assert.equal(ctl.news(GOOD_SPEC, null, err), '');
  ctl.accept(q, null);
  assert.deepEqual([ctl.quote, ctl.error], [q, null]);
  ctl.clear();
  assert.deepEqual([ctl.quote, ctl.error], [null, null]);
});

test('the preview: the build card\'s precomputed quote for exactly its default spec, in its language, without a page card', async () => {
  const ctl = new Controller({ hasPageCard: () => false });
  const o = { lang: 'en', ownCard: false, customAssets: false };
  assert.equal(ctl.preview({ ...DEFAULT_SPEC, prompt: '' }, o), DEFAULT_QUOTE);
  assert.equal(ctl.preview({ ...DEFAULT_SPEC, prompt: 'a storm' }, o), null);
  assert.equal(ctl.preview(DEFAULT_SPEC, { ...o, lang: 'de' }), null);
  assert.equal(ctl.preview(DEFAULT_SPEC, { ...o, ownCard: true }), null);
  assert.equal(ctl.preview(DEFAULT_SPEC, { ...o, customAssets: true }), null);
  assert.equal(new Controller({ hasPageCard: () => true }).preview(DEFAULT_SPEC, o), null);
  assert.equal(ctl.choices('en', true), null, 'no choices while the page\'s own card is not in force');
  assert.equal(ctl.choices('en', false), CHOICES[''], 'before loading: the build card\'s, generated from Go');
  assert.equal(ctl.choices('de', false), CHOICES.de);
  assert.ok(sameSpec({ ...DEFAULT_SPEC }, { ...DEFAULT_SPEC, prompt: '' }));
});

test('a failed load: failed and loaderror with the reason; reset() allows another start', async () => {
  let fail = true;
  const eng = await engine();
  const ctl = new Controller({ getEngine: async () => { if (fail) throw new Error('no module'); return eng; }, hasPageCard: () => false });
  const seen = record(ctl);
  ctl.start(START);
  await once(ctl, 'loaderror');
  assert.deepEqual(seen, ['failed', ['loaderror', { message: 'no module' }]]);
  assert.equal(ctl.phase, 'failed');
  assert.equal(ctl.preview(DEFAULT_SPEC, { lang: 'en', ownCard: false, customAssets: false }), null, 'no preview after a failure');
  assert.equal(ctl.reset(), true);
  assert.equal(ctl.reset(), false, 'only a failed controller resets');
  fail = false;
  ctl.start(START);
  await once(ctl, 'refresh');
  assert.equal(ctl.phase, 'ready');
});

test('the server fallback (quoteApi): the server\'s card, its quotes; a superseded or foreign answer is not shown', async () => {
  const digest = 'sha256:abc';
  const answers = [];
  const asked = [];
  const ctl = new Controller({
    getEngine: async () => { throw new Error('no wasm'); },
    remoteCard: async () => ({ card: SERVER_CARD, digest }),
    remoteChoices: async (_base, lang) => { asked.push(lang); return { ...builtChoices(lang), version: `server-${lang}` }; },
    remoteQuote: (_base, spec, signal) => new Promise((resolve, reject) => {
      answers.push({ spec, resolve });
      signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
    }),
    hasPageCard: () => false,
  });
  const seen = record(ctl);
  ctl.start({ ...START, quoteApi: true, lang: 'de' });
  await once(ctl, 'refresh');
  assert.deepEqual(seen, ['source', ['ready', { cardVersion: SERVER_CARD.version, source: 'server' }], 'refresh']);
  assert.equal(ctl.cardInfo.state, 'server');
  // The server's choices, in the element's language; another language is asked once, and until
  // it is answered the first one's are shown.
  assert.deepEqual(asked, ['de']);
  assert.equal(ctl.choices('de', false).version, 'server-de');
  assert.equal(ctl.choices('ja', false).version, 'server-de');
  assert.equal(ctl.choices('ja', false).version, 'server-de');
  await once(ctl, 'refresh');
  assert.deepEqual(asked, ['de', 'ja']);
  assert.equal(ctl.choices('ja', false).version, 'server-ja');
  assert.equal(ctl.choices('ja', false).modes[0].label, builtChoices('ja').modes[0].label);
  assert.ok(ctl.mayPrice());

  const first = ctl.estimateRemote(START.apiBase, GOOD_SPEC);
  const second = ctl.estimateRemote(START.apiBase, { ...GOOD_SPEC, count: 2 });
  assert.equal(await first, null, 'superseded by the second request');
  answers[1].resolve({ quote: { credits: '2.00', rateCard: { digest } } });
  assert.deepEqual(await second, { quote: { credits: '2.00', rateCard: { digest } }, error: null, problem: '' });
  const foreign = ctl.estimateRemote(START.apiBase, GOOD_SPEC);
  answers[2].resolve({ quote: { credits: '1.00', rateCard: { digest: 'sha256:other' } } });
  assert.deepEqual(await foreign, { quote: null, error: null, problem: 'rate card' });
  ctl.disconnect(); // cancels a request in flight
});

test('no server fallback when the page has its own card', async () => {
  const ctl = new Controller({ getEngine: async () => { throw new Error('no wasm'); }, remoteCard: async () => assert.fail('not asked'), hasPageCard: () => true });
  ctl.start({ ...START, quoteApi: true });
  const { message } = await once(ctl, 'loaderror');
  assert.match(message, /no wasm; the server fallback is off because the page set its own rate card/);
  assert.equal(ctl.phase, 'failed');
});

test('card changes are forwarded while connected, and not after disconnect()', async () => {
  const eng = await engine();
  const ctl = new Controller({ getEngine: async () => eng, hasPageCard: () => false });
  ctl.connect();
  ctl.start(START);
  await once(ctl, 'refresh');
  const seen = record(ctl);
  eng.card = { ...eng.card, state: 'updated' };
  eng.events.dispatchEvent(new Event('card'));
  assert.deepEqual(seen, [['card', { state: 'updated', version: eng.card.version, digest: eng.card.digest }]]);
  ctl.disconnect();
  eng.events.dispatchEvent(new Event('card'));
  assert.equal(seen.length, 1);
  ctl.connect();
  eng.events.dispatchEvent(new Event('card'));
  assert.equal(seen.length, 2);
});

test('a card that may not price: no choices, no price', async () => {
  const eng = await engine('pending');
  const ctl = new Controller({ getEngine: async () => eng, hasPageCard: () => true });
  const seen = record(ctl);
  ctl.start(START);
  await once(ctl, 'refresh');
  assert.deepEqual(seen, ['source', 'refresh'], 'no "ready" while the card is pending');
  assert.equal(ctl.choices('en', false), null);
  assert.equal(ctl.mayPrice(), false);
  assert.equal(ctl.builtFor, '');
});

test('coverage and shortfall are the engine\'s plans and topup answers', async () => {
  const eng = await engine();
  const ctl = new Controller({ getEngine: async () => eng, hasPageCard: () => false });
  ctl.start(START);
  await once(ctl, 'refresh');
  const like = eng.est.comparePlans({ credits: '0', like: { ...GOOD_SPEC, count: 1 } }).like;
  const plans = ctl.coverage({ ...GOOD_SPEC, count: 3 }, 'en');
  assert.deepEqual(plans.map((p) => [p.id, p.videos, p.credits]), like.plans.filter((p) => p.id !== 'trial').map((p) => [p.id, p.videos, p.credits]));
  assert.ok(plans.length > 0);
  assert.throws(() => ctl.coverage({ ...GOOD_SPEC, fps: 7 }, 'en'), (e) => e.code === 'unsupported_fps');

  assert.deepEqual(ctl.shortfall('4.00', '10'), { short: null, topUp: null, topUpError: null, slowdown: '' });
  const s = ctl.shortfall('10.00', '4.50');
  assert.equal(s.short, '5.50');
  assert.deepEqual(s.topUp, eng.est.topUp({ need: '5.50' }));
  assert.equal(s.slowdown, eng.est.rateCard().card.standardQueue.slowdown);
  assert.deepEqual(errorOf(new Error('x')), { code: 'internal', field: '', message: 'x' });
});
