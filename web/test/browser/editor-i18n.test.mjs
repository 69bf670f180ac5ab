// The editor page in every language (with a real ledger account, so the wallet's texts show), and
// its shortfall: the credits missing for this render, the cheapest top-up for them and the free
// standard queue, with a bar that shows the balance used up — in the preview wallet too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SCREENSHOTS, requirements, startServer, launch, waitLive, watchProblems } from './helpers.mjs';
import { MESSAGES, PAGE_MESSAGES } from './catalogues.mjs';
import { AXE, CARD, LOCALES, englishLeftovers as leftovers } from './i18n-helpers.mjs';


const req = requirements();
let ledgerServer;
let plainServer;
let browser;
let dataDir;
before(async () => {
  if (req.skip) return;
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'editor-i18n-'));
  // One demo account per locale, all from 127.0.0.1: above the default sign-up rate of 5 a minute.
  ledgerServer = await startServer({ args: ['-data', dataDir, '-demo', '-demo-signups-per-minute', '60'] });
  plainServer = await startServer();
  browser = await launch();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await ledgerServer?.stop();
  await plainServer?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** English texts that must not appear on the editor page in lang. */
const englishLeftovers = (lang) => leftovers(lang, [MESSAGES, PAGE_MESSAGES], [...CARD.formats.map((f) => f.label),
  ...CARD.modes.map((m) => m.label), ...CARD.complexity.levels.map((l) => l.label), ...CARD.complexity.signals.map((s) => s.label)]);

async function openEditor(server, locale, withAccount) {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, serviceWorkers: 'block', locale: 'en-US' });
  const page = await ctx.newPage();
  const problems = watchProblems(page);
  await page.addInitScript((l) => { try { localStorage.setItem('demo:locale', l); } catch { /* */ } }, locale);
  await page.goto(`${server.base}editor.html`);
  await waitLive(page, '#badge');
  if (withAccount) await page.waitForFunction(() => document.body.dataset.accountId && document.querySelector('[data-available]'), null, { timeout: 20_000 });
  else await page.waitForFunction(() => document.querySelector('[data-wallet] dl'));
  return { ctx, page, problems };
}

for (const [tag, lang] of LOCALES) {
  test(`editor in ${lang}: no English left, axe clean, screenshot`, { skip: req.skip }, async () => {
    const { ctx, page, problems } = await openEditor(ledgerServer, tag, true);
    await page.locator('#prompt').fill('a battle with explosions, no rain');
    await page.waitForFunction(() => document.querySelector('[data-cx]').textContent.includes('+'));
    await page.locator('[data-generate]').click();
    await page.waitForFunction(() => ['settled', 'error'].includes(document.querySelector('[data-job]').dataset.state), null, { timeout: 20_000 });
    await page.waitForFunction(() => !document.querySelector('[data-statement]').hidden);
    const r = await page.evaluate(() => ({
      dir: document.documentElement.dir, text: document.body.innerText, title: document.title,
      aria: [...document.querySelectorAll('[aria-label], [placeholder]')].map((e) => e.getAttribute('aria-label') ?? e.getAttribute('placeholder')),
      state: document.querySelector('[data-job]').dataset.state,
    }));
    assert.equal(r.state, 'settled');
    assert.equal(r.dir, lang === 'ar' ? 'rtl' : 'ltr');
    const all = [r.text, r.title, ...r.aria].join('\n').replace(/a battle with explosions, no rain|battle|explosions|rain/g, '');
    assert.deepEqual(Object.keys(PAGE_MESSAGES.en).filter((id) => all.includes(id)), [], 'no message id shown raw');
    if (lang !== 'en') {
      const left = englishLeftovers(lang).filter((s) => all.includes(s));
      assert.deepEqual(left, [], `English left on the ${lang} editor`);
      if (lang === 'de' || lang === 'es') assert.doesNotMatch(r.text, /(?<![\d.])\d+\.\d\d(?![\d.])/, 'no English decimal point');
    }
    await page.route(`${ledgerServer.base}__t/axe.min.js`, (rt) => rt.fulfill({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body: AXE }));
    await page.addScriptTag({ url: `${ledgerServer.base}__t/axe.min.js` });
    const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => JSON.stringify(n.target)) })));
    assert.deepEqual(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'heading-order'), [], `${lang} axe`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `editor-${lang}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await ctx.close();
  });
}

test('preview wallet: the shortfall is the credits missing, with both ways out and a full bar', { skip: req.skip }, async () => {
  const { ctx, page } = await openEditor(plainServer, 'en-US', false);
  // 2160p at 60 fps (×5), 60 s (×6), extreme (×8), two variations: 480.00 credits against 270.00.
  await page.locator('select[name=resolution]').selectOption('2160p');
  await page.locator('select[name=fps]').selectOption('60');
  await page.locator('input[name=duration]').fill('60');
  await page.locator('input[name=count]').fill('2');
  await page.evaluate(() => { document.getElementById('badge').complexity = 'extreme'; });
  await page.waitForFunction(() => document.getElementById('badge').quote?.credits === '480.00');
  await page.waitForFunction(() => document.querySelector('[data-shortfall]'));
  const box = await page.locator('[data-shortfall]');
  assert.equal(await box.getAttribute('data-shortfall'), '210.00');
  const text = await box.innerText();
  assert.match(text, /This render needs 480\.00 credits and 270\.00 are available: 210\.00 credits are missing\./);
  assert.doesNotMatch(text, /480\.00 short/);
  const topUp = await page.evaluate(() => document.getElementById('badge').estimator.topUp({ need: '210.00' }));
  assert.ok(text.includes(`Cheapest top-up: ${Number(topUp.credits).toLocaleString('en-US')} credits for $${topUp.totalUsd}.`), text);
  assert.match(text, /Or run it free in the standard queue, about 4× slower\./);
  const bar = await page.evaluate(() => {
    const svg = document.querySelector('[data-wallet] .wallet-bar');
    return { use: Number(svg.querySelector('.use').getAttribute('width')), short: Number(svg.querySelector('.short')?.getAttribute('width') ?? 0), label: svg.getAttribute('aria-label') };
  });
  assert.ok(bar.use > 100, `the balance is shown used up (${bar.use})`);
  assert.ok(bar.short > 0, 'the missing part is drawn');
  assert.equal(bar.label, 'This render needs 480.00 credits; 270.00 are available');
  await ctx.close();
});
