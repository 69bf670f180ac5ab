// The pricing page in every language of the catalogue, and what its sections say: one meaning of
// "a video" when the estimator prices a batch, plain recommender ranges computed from the engine,
// pay-as-you-go not shown as a monthly fee, the recommended plan named in text, like-for-like
// outsourcing, plan prices counting every credit granted, 720p drafts, no raw ids, prices in the
// HTML before any script, dark mode, phone widths, axe per locale, the HTML 404 page, screenshots.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { siteSuite, SCREENSHOTS, waitLive, watchProblems } from './helpers.mjs';
import { MESSAGES, PAGE_MESSAGES } from './catalogues.mjs';
import { AXE, CARD, LOCALES, englishLeftovers as leftovers } from './i18n-helpers.mjs';


const suite = siteSuite();
const { req } = suite;
before(() => {
  if (req.skip) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
});

/** English texts that must not appear on the pricing page in lang. */
const englishLeftovers = (lang) => leftovers(lang, [MESSAGES, PAGE_MESSAGES], [CARD.reference.label, CARD.standardQueue.label,
  CARD.roi.label, ...CARD.formats.map((f) => f.label), ...CARD.modes.map((m) => m.label), ...CARD.complexity.levels.map((l) => l.label),
  ...CARD.plans.map((p) => p.name)]);

/** Loads axe-core from a same-origin URL (the page's CSP allows no inline script). */
async function injectAxe(page) {
  await page.route(`${suite.server.base}__t/axe.min.js`, (rt) => rt.fulfill({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body: AXE }));
  await page.addScriptTag({ url: `${suite.server.base}__t/axe.min.js` });
}

/** Opens the pricing page in a language and waits for every section. */
async function openPricing(o = {}) {
  const ctx = await suite.browser.newContext({ viewport: o.viewport ?? { width: 1200, height: 900 }, serviceWorkers: 'block', colorScheme: o.colorScheme ?? 'light', locale: 'en-US' });
  const page = await ctx.newPage();
  const problems = watchProblems(page);
  await page.addInitScript((l) => { try { localStorage.setItem('demo:locale', l); } catch { /* */ } }, o.locale ?? 'en-US');
  await page.goto(`${suite.server.base}index.html`);
  await waitLive(page, '#estimate');
  await page.waitForFunction(() => document.querySelector('[data-rec-chart] svg') && document.querySelector('[data-wf-detail] table') && document.querySelector('[data-roi] .kpi'));
  return { ctx, page, problems };
}
/** Waits until the page's sections have followed the widget (they update 150 ms after it). */
async function settle(page) {
  await page.waitForTimeout(400);
  await page.waitForFunction(() => document.querySelector('[data-rec-chart] svg'));
}

for (const [tag, lang] of LOCALES) {
  test(`pricing page in ${lang}: no English left, numbers one way, axe clean, screenshot`, { skip: req.skip }, async () => {
    const { ctx, page, problems } = await openPricing({ locale: tag });
    const r = await page.evaluate(() => ({
      lang: document.documentElement.lang, dir: document.documentElement.dir,
      text: document.body.innerText, title: document.title,
      aria: [...document.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label')),
      widget: document.getElementById('estimate').resolvedLocale,
    }));
    assert.equal(r.widget.lang, lang, 'the widget follows the page language');
    assert.equal(r.dir, lang === 'ar' ? 'rtl' : 'ltr');
    const all = [r.text, r.title, ...r.aria].join('\n');
    assert.deepEqual(Object.keys(PAGE_MESSAGES.en).filter((id) => all.includes(id)), [], 'no message id shown raw');
    for (const raw of ['refine-minor', 'refine-major', 'payg', 'crowd-count']) assert.ok(!all.includes(raw), `no raw id ${raw}`);
    if (lang !== 'en') {
      const left = englishLeftovers(lang).filter((s) => all.includes(s));
      assert.deepEqual(left, [], `English left on the ${lang} pricing page`);
      if (lang === 'de' || lang === 'es') assert.doesNotMatch(r.text, /(?<![\d.])\d+\.\d\d(?![\d.])/, 'no English decimal point');
    }
    if (lang === 'ar') {
      const box = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
      assert.ok(box.sw <= box.cw + 1, 'no sideways scrolling right to left');
    }
    await injectAxe(page);
    const violations = await page.evaluate(async () => {
      const res = await window.axe.run(document, { resultTypes: ['violations'] });
      return res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
    });
    assert.deepEqual(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'heading-order'), [], `${lang} axe`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `pricing-${lang}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await ctx.close();
  });
}

test('pricing page says what it means (English)', { skip: req.skip }, async () => {
  const { ctx, page, problems } = await openPricing();
  const est = await page.evaluate(() => {
    const el = document.getElementById('estimate');
    const plans = el.estimator.call('plans', { jobs: [{ spec: { ...el.spec, count: 1 }, count: 40 }], like: { ...el.spec, count: 1 } });
    return { breakEven: plans.breakEven, quote: el.quote };
  });
  // The recommender speaks plainly, with ranges computed from the engine's break-even points.
  const basic = est.breakEven.find((b) => b.option === 'basic' && b.than === 'payg');
  const fmt = (s) => new Intl.NumberFormat('en-US').format(Math.floor(Number(s)));
  const ranges = await page.locator('[data-rec-chart] .ranges').innerText();
  assert.ok(ranges.includes(`Basic is cheapest from ${fmt(basic.firstCheaperAt)} to ${fmt(basic.dearerAgainAt)} credits a month.`), ranges);
  assert.doesNotMatch(ranges, /recurring|\d\.01/, 'no engine statement, no "200.01"');
  // Pay as you go is not a monthly fee.
  const payg = await page.locator('[data-plan="payg"]').innerText();
  assert.doesNotMatch(payg, /month/);
  const recOut = await page.locator('[data-rec-out]').innerText();
  assert.match(recOut, /valid 180 days/);
  assert.doesNotMatch(recOut, /a month\b.*\$10\.00|\$10\.00 a month/);
  const paygRow = await page.locator('[data-rec-chart] tbody tr', { hasText: 'Pay as you go' }).innerText();
  assert.match(paygRow, /once \(valid 180 days\)/);
  // The recommended option is named in text (and so for screen readers), not by colour alone.
  const tagged = await page.evaluate(() => [...document.querySelectorAll('.plan.recommended .tag')].map((e) => e.textContent));
  assert.deepEqual(tagged, ['Recommended for your usage']);
  // Plan prices count every credit the plan grants: $29 for 500 + 50 credits.
  const basicCard = await page.locator('[data-plan="basic"]').innerText();
  assert.match(basicCard, /\$0\.0527 per credit, counting monthly and priority credits \(550 a month\)/);
  // The chart reaches past the last crossing.
  const xMax = await page.evaluate(() => Math.max(...[...document.querySelectorAll('[data-rec-chart] svg text')].map((t) => Number(t.textContent.replace(/,/g, ''))).filter((n) => Number.isFinite(n) && !String(n).includes('$'))));
  const lastCross = Math.max(...est.breakEven.flatMap((b) => [b.firstCheaperAt, b.dearerAgainAt]).filter(Boolean).map(Number));
  assert.ok(xMax * Number(est.quote.unitCredits) >= lastCross, `x axis to ${xMax} videos covers the crossing at ${lastCross} credits`);
  // Outsourcing: like for like, no percentage or ratio headline, the person's own figure.
  const roi = await page.locator('[data-roi]').innerText();
  assert.doesNotMatch(roi, /%|×|133/);
  assert.match(roi, /Outsourced, 30-second video/);
  const q30 = await page.evaluate(() => document.getElementById('estimate').estimator.estimate({ ...document.getElementById('estimate').spec, count: 1, durationSeconds: 30 }));
  assert.ok(roi.includes(`${q30.credits} credits at`), `the credits of the same 30 seconds (${q30.credits}): ${roi}`);
  await page.locator('[data-roi-form] input').fill('1500');
  await page.waitForFunction(() => document.querySelector('[data-roi]').textContent.includes('$1,500.00'));
  assert.match(await page.locator('[data-roi]').innerText(), /Your own figure/);
  // Drafts are the reference's 720p prototyping: 0.30–0.50 credits each on the default spec.
  const draft = await page.locator('[data-wf-detail] tbody tr').first().innerText();
  assert.match(draft, /^Draft \(720p HD, 30 fps, 10 sec\)/);
  const each = Number(draft.split('\t')[2]);
  assert.ok(each >= 0.3 && each <= 0.5, `a draft costs ${each}`);
  // With three videos a batch, every section counts single videos and says the batch too.
  await page.evaluate(() => { document.getElementById('estimate').count = 3; });
  await settle(page);
  await page.waitForFunction(() => document.querySelector('[data-rec-chart]').textContent.includes('batch of 3'));
  const rec = await page.locator('[data-rec-chart]').innerText();
  assert.match(rec, /Basic: 550 videos/, 'the plans still cover single videos');
  assert.match(rec, /a batch of 3 videos \(3\.00 credits\); this section counts single videos of 1\.00 credits each/);
  const byPlan = await page.evaluate(() => document.getElementById('estimate').shadowRoot.querySelector('[part~="plans"]').textContent);
  assert.match(byPlan, /550 videos = 183 batches of 3/);
  const perVideo = await page.locator('[data-rec-out]').innerText();
  assert.doesNotMatch(perVideo, /3\.00 credits each/);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('plans, bundles and the comparison are in the HTML before any script runs', { skip: req.skip }, async () => {
  const html = await (await fetch(`${suite.server.base}index.html`)).text();
  for (const want of ['data-plan="basic"', '$29.00', '$0.0527 per credit', '<th scope="row">Premium</th>', '<td>100 credits</td>', 'Top-up credits stay valid 180 days.']) {
    assert.ok(html.includes(want), want);
  }
  const ctx = await suite.browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`${suite.server.base}index.html`);
  const text = await page.locator('main').innerText();
  assert.ok(text.includes('$29.00') && text.includes('(550 a month)') && text.includes('$0.0598'), text.slice(0, 2000));
  const row = await page.locator('[data-compare] tbody tr', { hasText: /premium/i }).evaluate((tr) => [...tr.children].map((c) => c.textContent.trim()));
  assert.deepEqual(row, ['Premium', '$299.00', '5,000', '0', '$0.0598', 'Fast']);
  await ctx.close();
});

test('dark colour scheme: the page and the element turn dark', { skip: req.skip }, async () => {
  const { ctx, page } = await openPricing({ colorScheme: 'dark' });
  const c = await page.evaluate(() => ({
    body: getComputedStyle(document.body).backgroundColor,
    widget: getComputedStyle(document.getElementById('estimate').shadowRoot.querySelector('.full')).backgroundColor,
    widgetInk: getComputedStyle(document.getElementById('estimate').shadowRoot.querySelector('.ce')).color,
  }));
  const lum = (rgb) => { const [r, g, b] = rgb.match(/\d+/g).map(Number); return (r + g + b) / 3; };
  assert.ok(lum(c.body) < 60, `page background ${c.body}`);
  assert.ok(lum(c.widget) < 60, `widget background ${c.widget}`);
  assert.ok(lum(c.widgetInk) > 180, `widget text ${c.widgetInk}`);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'pricing-dark.png'), fullPage: true });
  await injectAxe(page);
  const bad = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`));
  assert.deepEqual(bad, []);
  await ctx.close();
});

/**
 * In the page: the selects (the document's, and those in the shadow roots of the hosts named) whose
 * chosen option's text does not fit beside the arrow.
 * @param {string[]} hosts
 */
function cutSelects(hosts) {
  const out = [];
  const selects = [...document.querySelectorAll('select'), ...hosts.flatMap((h) => [...document.querySelector(h).shadowRoot.querySelectorAll('select')])];
  for (const sel of selects) {
    const o = sel.options[sel.selectedIndex];
    if (!o) continue;
    const probe = document.createElement('span');
    probe.textContent = o.textContent;
    probe.style.font = getComputedStyle(sel).font;
    probe.style.position = 'absolute';
    probe.style.whiteSpace = 'nowrap';
    document.body.append(probe);
    const need = probe.getBoundingClientRect().width;
    probe.remove();
    const cs = getComputedStyle(sel);
    const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 16; // the arrow
    if (need > room) out.push(`${sel.name}: "${o.textContent}" needs ${Math.round(need)} px, has ${Math.round(room)}`);
  }
  return out;
}

test('at 390 px selects show their whole text and the chart labels stay legible', { skip: req.skip }, async () => {
  for (const [tag] of [['en-US'], ['de-DE'], ['ar']]) {
    const { ctx, page } = await openPricing({ locale: tag, viewport: { width: 390, height: 844 } });
    const cut = {
      cut: await page.evaluate(cutSelects, ['#estimate']),
      ...await page.evaluate(() => {
        const svg = document.querySelector('[data-rec-chart] svg');
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        const text = svg.querySelector('text');
        return { fontPx: parseFloat(getComputedStyle(text).fontSize) * scale, sw: document.documentElement.scrollWidth };
      }),
    };
    assert.deepEqual(cut.cut, [], `${tag}: select text cut off`);
    assert.ok(cut.fontPx >= 11, `${tag}: chart labels ${cut.fontPx.toFixed(1)} px on a phone`);
    assert.ok(cut.sw <= 391, `${tag}: no sideways scrolling (${cut.sw})`);
    // The editor's settings too.
    await page.goto(`${suite.server.base}editor.html`);
    await waitLive(page, '#badge');
    await page.waitForFunction(() => !document.querySelector('select[name=resolution]').disabled);
    const editor = { out: await page.evaluate(cutSelects, []), sw: await page.evaluate(() => document.documentElement.scrollWidth) };
    assert.deepEqual(editor.out, [], `${tag}: editor select text cut off`);
    assert.ok(editor.sw <= 391, `${tag}: editor, no sideways scrolling (${editor.sw})`);
    await ctx.close();
  }
});

test('unknown page paths answer a small HTML page to browsers, in their language; the API keeps JSON', { skip: req.skip }, async () => {
  for (const [tag, lang] of LOCALES) {
    const ctx = await suite.browser.newContext({ locale: tag, serviceWorkers: 'block' });
    const page = await ctx.newPage();
    const problems = watchProblems(page);
    const failed = [];
    page.on('response', (r) => { if (r.status() >= 400 && r.request().resourceType() !== 'document') failed.push(`${r.status()} ${r.url()}`); });
    const res = await page.goto(`${suite.server.base}pricing`);
    assert.equal(res.status(), 404);
    assert.match(res.headers()['content-type'], /text\/html/);
    await page.waitForFunction((t) => document.documentElement.lang === t, tag);
    const m = PAGE_MESSAGES[lang];
    assert.equal(await page.locator('h1').innerText(), m['nf.h1'], tag);
    assert.equal(await page.title(), m['nf.title'], tag);
    assert.equal(await page.evaluate(() => document.documentElement.dir), lang === 'ar' ? 'rtl' : 'ltr', tag);
    if (lang !== 'en') {
      const all = await page.locator('body').innerText();
      const left = englishLeftovers(lang).filter((s) => all.includes(s));
      assert.deepEqual(left, [], `${tag}: English left on the 404 page`);
    }
    // The page's own 404 is the one console line Chromium writes; nothing it loads fails.
    assert.deepEqual(problems.filter((p) => !/status of 404 \(Not Found\)/.test(p)), [], `${tag}: console errors`);
    assert.deepEqual(failed, [], `${tag}: failed subresources`);
    await page.locator('a', { hasText: m['nf.pricing'] }).click();
    await page.waitForURL(`${suite.server.base}`);
    await ctx.close();
  }
  // The language picked on the other pages wins over the browser's.
  const ctx = await suite.browser.newContext({ locale: 'en-US', serviceWorkers: 'block' });
  const page = await ctx.newPage();
  await page.goto(`${suite.server.base}index.html`);
  await page.evaluate(() => localStorage.setItem('demo:locale', 'de-DE'));
  await page.goto(`${suite.server.base}no/such/page`);
  await page.waitForFunction(() => document.documentElement.lang === 'de-DE');
  assert.equal(await page.locator('h1').innerText(), PAGE_MESSAGES.de['nf.h1']);
  await ctx.close();
  // Without scripts: the English page.
  const plain = await suite.browser.newContext({ javaScriptEnabled: false });
  const p2 = await plain.newPage();
  await p2.goto(`${suite.server.base}pricing`);
  assert.equal(await p2.locator('h1').innerText(), 'Page not found');
  await plain.close();
  const api = await fetch(`${suite.server.base}api/v1/nope`, { headers: { Accept: 'text/html' } });
  assert.equal(api.status, 404);
  assert.match(api.headers.get('content-type'), /json/);
});
