// Languages of the element: every text from the catalogue in English, Simplified Chinese,
// Japanese, German, Spanish and Arabic (right to left), the locale picked from the element, the
// page and the browser, numbers formatted one way per locale, the card's own labels translated,
// axe per locale (no serious or critical violation, no heading-order issue), screenshots.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { siteSuite, ROOT, SCREENSHOTS, waitLive, harness, watchProblems } from './helpers.mjs';
import { MESSAGES } from './catalogues.mjs';
import { AXE, CARD, LOCALES, englishLeftovers as leftovers } from './i18n-helpers.mjs';


const suite = siteSuite();
const { req } = suite;
before(() => {
  if (req.skip) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
});

const PROMPT = 'a battle with explosions in a crowded city, no rain';

const pageHTML = (lang, body) => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>i18n</title><script type="module" src="/credit-estimator.js"></script></head><body><main><h1>Host page</h1><h2>Pricing</h2>${body}</main></body></html>`;

/** English texts that must not appear in the element in lang. */
const englishLeftovers = (lang) => leftovers(lang, [MESSAGES], [CARD.reference.label, ...CARD.formats.map((f) => f.label),
  ...CARD.modes.map((m) => m.label), ...CARD.complexity.levels.map((l) => l.label), ...CARD.complexity.signals.map((s) => s.label),
  ...CARD.plans.map((p) => p.name)]);

/** Every text a person sees or hears in the element, minus what they typed (prompt, matches). */
function collect(sel) {
  const el = document.querySelector(sel);
  const root = el.shadowRoot;
  const out = [];
  const walk = (n) => {
    if (n.nodeType === Node.TEXT_NODE) { if (n.textContent.trim()) out.push(n.textContent.trim()); return; }
    if (n.nodeType !== Node.ELEMENT_NODE && n.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) return;
    if (n.localName === 'q' || n.localName === 'textarea' || n.localName === 'slot') return;
    for (const a of ['aria-label', 'placeholder', 'title']) if (n.getAttribute?.(a)) out.push(n.getAttribute(a));
    for (const c of n.childNodes) walk(c);
  };
  walk(root);
  const ta = root.querySelector('textarea');
  if (ta?.placeholder) out.push(ta.placeholder);
  return out;
}

for (const [tag, lang] of LOCALES) {
  test(`${lang}: every text from the catalogue, numbers in one format, axe clean, screenshot`, { skip: req.skip }, async () => {
    const ctx = await suite.browser.newContext({ viewport: { width: 1200, height: 1000 }, locale: 'en-US' });
    const page = await ctx.newPage();
    const problems = watchProblems(page);
    const url = await harness(page, suite.server.base, `i18n-${lang}.html`, pageHTML(tag,
      `<credit-estimator id="w" loading="eager" heading-level="3" resolution="4k" fps="60" duration="12" count="3" balance="2.5" prompt="${PROMPT}"></credit-estimator>`));
    await page.goto(url);
    await waitLive(page, '#w');
    await page.waitForFunction(() => document.querySelector('#w').shadowRoot.querySelectorAll('[part~="plans"] li').length > 1);
    const r = await page.evaluate(([t]) => {
      const el = document.querySelector('#w');
      const root = el.shadowRoot;
      const q = el.quote;
      const nf = new Intl.NumberFormat(t, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      const cf = new Intl.NumberFormat(t, { style: 'currency', currency: 'USD' });
      const wrap = root.querySelector('.ce');
      return {
        resolved: el.resolvedLocale, q,
        credits: root.querySelector('[part~="credits"]').textContent,
        usd: root.querySelector('[part~="usd"]').textContent,
        wantCredits: nf.format(q.credits), wantUsd: [cf.format(q.usd.min), cf.format(q.usd.max)],
        dir: getComputedStyle(wrap).direction, wrapLang: wrap.getAttribute('lang'),
        formX: root.querySelector('form').getBoundingClientRect().x, totalX: root.querySelector('[part~="total"]').getBoundingClientRect().x,
        topup: root.querySelector('[part~="topup"]').textContent,
        shortMissing: nf.format(((BigInt(q.credits.replace('.', '')) - 250n) / 100n).toString() + '.' + String((BigInt(q.credits.replace('.', '')) - 250n) % 100n).padStart(2, '0')),
      };
    }, [tag]);
    assert.equal(r.resolved.lang, lang, 'the page language decides (the browser says en-US)');
    assert.equal(r.wrapLang, tag);
    // Numbers one way per locale: the same Intl formats as the locale's own.
    assert.equal(r.credits, r.wantCredits);
    assert.ok(r.usd.includes(r.wantUsd[0]) && r.usd.includes(r.wantUsd[1]), `${r.usd} has ${r.wantUsd}`);
    assert.ok(r.topup.includes(r.shortMissing), `the shortfall is the credits missing (${r.shortMissing}): ${r.topup}`);
    if (lang === 'ar') {
      assert.equal(r.dir, 'rtl');
      assert.ok(r.formX > r.totalX, 'right to left: the form sits on the right, the total on the left');
    } else {
      assert.equal(r.dir, 'ltr');
    }
    const texts = await page.evaluate(collect, '#w');
    const all = texts.join('\n');
    assert.deepEqual(Object.keys(MESSAGES.en).filter((id) => all.includes(id)), [], 'no message id shown raw');
    if (lang !== 'en') {
      const left = englishLeftovers(lang).filter((s) => all.includes(s));
      assert.deepEqual(left, [], `English left in the ${lang} rendering`);
      if (lang === 'de' || lang === 'es') assert.doesNotMatch(all, /(?<![\d.])\d+\.\d\d(?![\d.])/, 'no English decimal point');
    } else {
      assert.ok(all.includes('Why this price') && all.includes('Fighting or battle'));
    }
    // axe: no serious or critical violation and no heading-order issue, in this language.
    await page.route(`${suite.server.base}__t/axe.min.js`, (rt) => rt.fulfill({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body: AXE }));
    await page.addScriptTag({ url: `${suite.server.base}__t/axe.min.js` });
    const violations = await page.evaluate(async () => {
      const res = await window.axe.run(document, { resultTypes: ['violations'] });
      return res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => JSON.stringify(n.target) + " " + (n.any[0]?.message ?? "")) }));
    });
    assert.deepEqual(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'heading-order'), [], `${lang} axe`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `i18n-${lang}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await ctx.close();
  });
}

test('locale: the element attribute, else the closest lang, else the browser languages, else English', { skip: req.skip }, async () => {
  const ctx = await suite.browser.newContext({ locale: 'ja-JP' });
  const page = await ctx.newPage();
  const url = await harness(page, suite.server.base, 'pick.html', `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/credit-estimator.js"></script></head><body>
<credit-estimator id="a" locale="es-MX" compact></credit-estimator>
<div lang="de-CH"><credit-estimator id="b" compact></credit-estimator></div>
<credit-estimator id="c" compact></credit-estimator>
<div lang="fr"><credit-estimator id="d" compact lang="ar-EG"></credit-estimator></div>
</body></html>`);
  await page.goto(url);
  await page.waitForFunction(() => customElements.get('credit-estimator'));
  const got = await page.evaluate(() => Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, document.getElementById(id).resolvedLocale])));
  assert.deepEqual(got.a, { tag: 'es-MX', lang: 'es', dir: 'ltr' });
  assert.deepEqual(got.b, { tag: 'de-CH', lang: 'de', dir: 'ltr' });
  assert.deepEqual(got.c, { tag: 'ja-JP', lang: 'ja', dir: 'ltr' }, 'no lang on the page: the browser languages');
  assert.deepEqual(got.d, { tag: 'ar-EG', lang: 'ar', dir: 'rtl' });
  // A language without a catalogue is skipped for the next candidate; none at all gives en-US.
  const none = await page.evaluate(async () => {
    const { pickLocale } = await import('/ce/i18n.js');
    return [pickLocale(['fr-FR', 'de']), pickLocale(['xx', '']), pickLocale(['zh-TW']), pickLocale(['zh-SG'])];
  });
  assert.deepEqual(none[0], { tag: 'de', lang: 'de', dir: 'ltr' });
  assert.deepEqual(none[1], { tag: 'en-US', lang: 'en', dir: 'ltr' });
  assert.deepEqual(none[2], { tag: 'en-US', lang: 'en', dir: 'ltr' }, 'Traditional Chinese has no catalogue: English, not Simplified');
  assert.equal(none[3].lang, 'zh-Hans');
  // Changing the locale re-renders every text in the new language.
  await page.evaluate(() => { document.getElementById('a').locale = 'de'; });
  assert.equal(await page.evaluate(() => document.getElementById('a').resolvedLocale.lang), 'de');
  await ctx.close();
});

test('plurals come from Intl.PluralRules (Arabic has six forms; decimals count)', { skip: req.skip }, async () => {
  const page = await suite.browser.newPage();
  const url = await harness(page, suite.server.base, 'plural.html', pageHTML('en', ''));
  await page.goto(url);
  const got = await page.evaluate(async () => {
    const { translator, loadCatalogue } = await import('/ce/i18n.js');
    await import('/ce/messages.js');
    await loadCatalogue('ar');
    const en = translator({ tag: 'en-US', lang: 'en', dir: 'ltr' });
    const ar = translator({ tag: 'ar', lang: 'ar', dir: 'rtl' });
    return {
      en: [en('plans.videos', { n: 1, count: '1' }), en('plans.videos', { n: 2, count: '2' }), en('unit.credits', { n: '1.00' }), en('unit.credits', { n: 1 })],
      ar: [0, 1, 2, 3, 11, 100].map((n) => ar('plans.videos', { n, count: String(n) })),
    };
  });
  assert.deepEqual(got.en, ['1 video', '2 videos', 'credits', 'credit']);
  assert.deepEqual(got.ar, ['لا فيديو', 'فيديو واحد', 'فيديوهان', '3 فيديوهات', '11 فيديو', '100 فيديو']);
  await page.close();
});

test('a card priced in yen: amounts without decimals, in whole yen from the engine, in every locale', { skip: req.skip }, async () => {
  const jpy = readFileSync(path.join(ROOT, 'web/test/fixtures/jpy-card.json'), 'utf8');
  const page = await suite.browser.newPage();
  const url = await harness(page, suite.server.base, 'jpy.html', pageHTML('ja-JP',
    '<credit-estimator id="w" loading="eager" rate-card="jpy-card.json" balance="0.5" resolution="1080p" fps="30" duration="10"></credit-estimator>'),
  { 'jpy-card.json': { type: 'application/json', body: jpy } });
  await page.goto(url);
  await waitLive(page, '#w');
  for (const tag of ['ja-JP', 'en-US', 'de-DE', 'ar']) {
    await page.evaluate((t) => { document.getElementById('w').locale = t; }, tag);
    // A language spoken for the first time is shown once its catalogue is loaded.
    await page.waitForFunction((t) => {
      const root = document.querySelector('#w').shadowRoot;
      return root.querySelector('.ce')?.getAttribute('lang') === t && root.querySelector('[part~="topup"] li');
    }, tag);
    const r = await page.evaluate((t) => {
      const el = document.getElementById('w');
      const root = el.shadowRoot;
      const cf = new Intl.NumberFormat(t, { style: 'currency', currency: 'JPY' });
      return {
        card: el.card.version, quote: el.quote, usd: root.querySelector('[part~="usd"]').textContent,
        want: [cf.format(el.quote.usd.min), cf.format(el.quote.usd.max)], topup: root.querySelector('[part~="topup"]').textContent,
        topUpTotal: el.estimator.topUp({ need: '0.50' }).totalUsd,
      };
    }, tag);
    assert.equal(r.card, '2026-11-29.jpy-test');
    assert.deepEqual(r.quote.usd, { min: '9', max: '15' }, 'the engine gives whole yen');
    assert.ok(r.usd.includes(r.want[0]) && r.usd.includes(r.want[1]), `${tag}: ${r.usd}`);
    assert.doesNotMatch(r.usd, /[.,]\d\d(?!\d)/, `${tag}: no decimals in yen: ${r.usd}`);
    assert.equal(r.topUpTotal, '1500');
    const price = new Intl.NumberFormat(tag, { style: 'currency', currency: 'JPY' }).format(1500);
    assert.ok(r.topup.includes(price), `${tag}: the top-up price ${price} in ${r.topup}`);
  }
  await page.screenshot({ path: path.join(SCREENSHOTS, 'i18n-jpy.png'), fullPage: true });
  await page.close();
});
