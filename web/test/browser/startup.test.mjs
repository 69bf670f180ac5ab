// What a person may do before the engine has loaded stays when it arrives: the form built from the
// build card's choices (facts.js) is the form the engine's same card would build, so it is not built
// again — the prompt typed meanwhile, its focus and the controls are the same nodes, and the first
// live price is for what was typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { siteSuite, waitLive, harness } from './helpers.mjs';

const suite = siteSuite();
const { req } = suite;

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
