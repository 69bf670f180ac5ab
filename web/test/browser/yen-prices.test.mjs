// A yen card: every price per credit on the pricing page is the engine's, rounded once by its rule
// for the card's currency (a hundredth of a yen), and the same number wherever it appears — plan
// cards, the plan comparison, the bundle table, the top-up calculator and the ROI note. The site
// is the stock build; the server runs with the yen card, so the page switches to it at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { siteSuite, ROOT, waitLive, watchProblems } from './helpers.mjs';

const JPY_CARD = path.join(ROOT, 'web/test/fixtures/jpy-card.json');
const suite = siteSuite({ args: ['-ratecard', JPY_CARD] });
const { req } = suite;

/** The engine's prices per credit, from the server (the same Go code as the page's module). */
async function enginePrices() {
  const r = await fetch(`${suite.server.base}api/v1/prices`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(r.status, 200);
  return r.json();
}

/** Sets the top-up calculator's need; returns its sentence once it says it buys `bought` credits. */
async function topUp(page, need, bought = need) {
  await page.locator('[data-topup-form] input[name="credits"]').fill(String(need));
  const n = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(bought);
  await page.waitForFunction((want) => document.querySelector('[data-topup-out]').textContent.includes(want), `Cheapest: ${n} credits`);
  return page.locator('[data-topup-out]').innerText();
}

test('yen card: every price per credit on the pricing page is the engine\'s, the same number everywhere', { skip: req.skip }, async () => {
  const prices = await enginePrices();
  assert.equal(prices.currency, 'JPY');
  assert.equal(prices.unitPricePlaces, 2);
  // What the page must show for an engine price: its digits, laid out by Intl, never re-rounded.
  const yen = (s) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'JPY', minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(s);

  const ctx = await suite.browser.newContext({ viewport: { width: 1200, height: 900 }, serviceWorkers: 'block', locale: 'en-US' });
  const page = await ctx.newPage();
  const problems = watchProblems(page);
  await page.goto(`${suite.server.base}index.html`);
  await waitLive(page, '#estimate');
  // The page's card becomes the server's yen card, and the sections re-render with it.
  await page.waitForFunction(() => document.getElementById('estimate').estimator?.rateCard().card.currency === 'JPY', null, { timeout: 20_000 });
  await page.waitForFunction(() => document.querySelector('[data-bundles] tbody').textContent.includes('¥')
    && document.querySelector('[data-compare] tbody').textContent.includes('¥')
    && document.querySelector('[data-roi] .kpi')?.textContent.includes('¥'), null, { timeout: 20_000 });

  // The page's own engine answers the same prices as the server's.
  const inPage = await page.evaluate(() => document.getElementById('estimate').estimator.cardPrices());
  assert.deepEqual(inPage, prices);

  // Plans: the card's sentence and the comparison's cell show the engine's price.
  const compare = await page.$$eval('[data-compare] tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.equal(compare.length, prices.plans.length);
  for (const [i, p] of prices.plans.entries()) {
    const want = yen(p.pricePerCreditUsd);
    const cardText = await page.locator(`[data-plan="${p.id}"]`).innerText();
    assert.ok(cardText.includes(`${want} per credit`), `${p.id}: ${cardText}`);
    assert.equal(compare[i][4], want, `${p.id} in the comparison`);
  }
  // Bundles: the table's cell, and the top-up calculator for exactly that bundle.
  const bundleCells = await page.$$eval('[data-bundles] tbody tr', (rows) => rows.map((r) => r.cells[2].textContent));
  assert.deepEqual(bundleCells, prices.bundles.map((b) => yen(b.pricePerCreditUsd)));
  for (const b of prices.bundles) {
    const out = await topUp(page, Number(b.credits));
    assert.ok(out.includes(`${yen(b.pricePerCreditUsd)} per credit`), `${b.credits} credits: ${out}`);
  }
  // The calculator's mixed purchase: the engine's topup answer, as written (11,250 ÷ 800 = ¥14.06).
  const mixed = await page.evaluate(() => document.getElementById('estimate').estimator.topUp({ need: '750' }));
  assert.equal(mixed.pricePerCreditUsd, '14.06');
  assert.equal(mixed.credits, '800.00');
  assert.ok((await topUp(page, 750, 800)).includes('¥14.06 per credit'));

  // ROI: the recommended plan's credits are priced at that plan's price per credit.
  const recommended = await page.evaluate(() => document.querySelector('[data-plans]').getAttribute('data-recommended'));
  const plan = prices.plans.find((p) => p.id === recommended);
  if (plan) {
    const roi = await page.locator('[data-roi]').innerText();
    assert.ok(roi.includes(`at ${yen(plan.pricePerCreditUsd)}`) || roi.includes(yen(plan.pricePerCreditUsd)), roi);
  }

  // Every yen price per credit on the page has exactly the engine's two decimals: no "¥15" beside
  // "¥14.38", and no amount the engine did not answer.
  const text = await page.locator('main').innerText();
  const perCredit = [...text.matchAll(/(¥[\d,]+(?:\.\d+)?) per credit/g)].map((m) => m[1]);
  assert.ok(perCredit.length >= prices.plans.length + 1, text.slice(0, 500));
  const answered = new Set([...prices.plans, ...prices.bundles].map((x) => yen(x.pricePerCreditUsd)).concat(yen('14.06')));
  for (const s of perCredit) {
    assert.match(s, /^¥[\d,]+\.\d\d$/, `${s}: two decimals`);
    assert.ok(answered.has(s), `${s} is an engine answer`);
  }
  assert.deepEqual(problems, []);
  await ctx.close();
});
