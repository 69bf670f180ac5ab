// The editor page on a real ledger (docs/ledger.md): the first visit makes a demo account with
// the trial; Generate holds the estimate, runs the simulated render and settles it, and the
// statement's charge is the number the badge showed; a simulated failure is refunded; a render the
// credits cannot cover offers the cheapest top-up and the free standard queue; the prompt never
// leaves the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requirements, startServer, launch, waitLive } from './helpers.mjs';

const req = requirements();
let server;
let browser;
let dataDir;

before(async () => {
  if (req.skip) return;
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-browser-'));
  server = await startServer({ args: ['-data', dataDir, '-demo'] });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The operator's view of an account's statement (the page never sees this key). */
async function statement(account) {
  const key = readFileSync(path.join(dataDir, 'operator-key'), 'utf8').trim();
  const r = await fetch(`${server.base}api/v1/accounts/${account}/entries`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(r.status, 200);
  return (await r.json()).entries;
}

async function openEditor(context) {
  const page = await context.newPage();
  await page.goto(`${server.base}editor.html`);
  await waitLive(page, '#badge');
  await page.waitForFunction(() => document.body.dataset.accountId && document.querySelector('[data-available]'), null, { timeout: 20_000 });
  return page;
}

async function setSpec(page, { resolution, fps, duration, count }) {
  if (resolution) await page.locator('select[name=resolution]').selectOption(resolution);
  if (fps) await page.locator('select[name=fps]').selectOption(String(fps));
  if (duration) await page.locator('input[name=duration]').fill(String(duration));
  if (count) await page.locator('input[name=count]').fill(String(count));
  // The badge follows the page's inputs: wait until its spec has them (a slow machine may take
  // longer than a fixed pause), then give its quote the page's 150 ms as before.
  await page.waitForFunction((w) => {
    const s = document.getElementById('badge').spec;
    return (!w.resolution || s.resolution === w.resolution) && (!w.fps || s.fps === Number(w.fps)) &&
      (!w.duration || s.durationSeconds === Number(w.duration)) && (!w.count || s.count === Number(w.count));
  }, { resolution, fps, duration, count }, { timeout: 10_000 }).catch(() => {});
  await page.waitForTimeout(150);
}

test('first visit: a real account with the trial, its buckets, expiry and forecast', { skip: req.skip }, async () => {
  const context = await browser.newContext();
  const page = await openEditor(context);
  const account = await page.evaluate(() => document.body.dataset.accountId);
  assert.match(account, /^acct_/);
  assert.equal(await page.locator('[data-available]').getAttribute('data-available'), '100.00');
  assert.match(await page.locator('[data-wallet]').textContent(), /Trial credits · expires/);
  assert.equal(await page.locator('[data-expiring]').getAttribute('data-expiring'), '100.00');
  assert.match(await page.locator('[data-forecast]').textContent(), /no run-out forecast yet/);
  // the same account on the next visit (token kept by this browser)
  const again = await openEditor(context);
  assert.equal(await again.evaluate(() => document.body.dataset.accountId), account);
  await context.close();
});

test('Generate holds the estimate, settles it, and the statement charges exactly what was shown', { skip: req.skip }, async () => {
  const context = await browser.newContext();
  const secret = 'Zq7ledger gentle ripples on a calm lake';
  const leaks = [];
  context.on('request', (r) => {
    if ([r.url(), r.postData() ?? ''].join('\n').includes('Zq7ledger')) leaks.push(`${r.method()} ${r.url()}`);
  });
  const page = await openEditor(context);
  const account = await page.evaluate(() => document.body.dataset.accountId);
  await page.locator('#prompt').fill(secret);
  await setSpec(page, { resolution: '2160p', fps: 60, duration: 10 });
  const shown = await page.evaluate(() => document.getElementById('badge').quote.credits);
  assert.equal(shown, '5.00');
  assert.match(await page.locator('[data-pays]').textContent(), /Pays 5\.00 from Trial credits 5\.00 · 95\.00 left after/);
  const previewDraws = await page.locator('[data-pays]').getAttribute('data-draws');

  await page.locator('[data-generate]').click();
  await page.waitForFunction(() => document.querySelector('[data-job]').dataset.state === 'settled', null, { timeout: 20_000 });
  assert.equal(await page.locator('[data-job]').getAttribute('data-charged'), shown);
  await page.waitForFunction(() => document.querySelector('[data-available]')?.dataset.available === '95.00');
  assert.equal(await page.locator('[data-held]').getAttribute('data-held'), '0.00');
  assert.match(await page.locator('[data-forecast]').textContent(), /run out on/);

  const entries = await statement(account);
  const settle = entries.filter((e) => e.type === 'settle');
  assert.equal(settle.length, 1);
  assert.equal(settle[0].credits, shown, 'the charge in the statement is the estimate shown');
  const hold = entries.filter((e) => e.type === 'hold');
  assert.equal(previewDraws, hold.map((e) => `${e.bucket}:${e.credits}`).join(','), 'the badge named the buckets that paid');
  assert.equal(await page.locator('[data-statement] li[data-type=settle]').first().getAttribute('data-credits'), shown);
  assert.deepEqual(leaks, [], 'the prompt never left the page');
  assert.equal(server.logs().includes('Zq7ledger'), false);
  await context.close();
});

test('a failed render is released and shown as refunded', { skip: req.skip }, async () => {
  const context = await browser.newContext();
  const page = await openEditor(context);
  const account = await page.evaluate(() => document.body.dataset.accountId);
  await setSpec(page, { resolution: '1080p', fps: 30, duration: 10, count: 3 });
  await page.locator('[data-simulate-failure]').check();
  await page.locator('[data-generate]').click();
  await page.waitForFunction(() => document.querySelector('[data-job]').dataset.state === 'refunded', null, { timeout: 20_000 });
  assert.match(await page.locator('[data-job-text]').textContent(), /3\.00 credits refunded to Trial credits 3\.00/);
  await page.waitForFunction(() => document.querySelector('[data-available]')?.dataset.available === '100.00');
  const types = (await statement(account)).map((e) => e.type);
  assert.deepEqual(types, ['grant', 'hold', 'release']);
  await context.close();
});

test('not enough credits: the cheapest top-up, the free standard queue, and the top-up button', { skip: req.skip }, async () => {
  const context = await browser.newContext();
  const page = await openEditor(context);
  const account = await page.evaluate(() => document.body.dataset.accountId);
  await setSpec(page, { resolution: '2160p', fps: 60, duration: 60, count: 1 }); // 30.00
  await page.locator('input[name=count]').fill('4'); // 120.00 > 100.00
  await page.waitForTimeout(150);
  // The shortfall is the credits missing for this render, with the cheapest top-up for them and the free queue.
  const pays = await page.locator('[data-pays]').textContent();
  assert.match(pays, /This render needs 120\.00 credits and 100\.00 are available: 20\.00 credits are missing\./);
  assert.match(pays, /Cheapest top-up: 100 credits for \$10\.00\./);
  assert.match(pays, /free in the standard queue, about 4× slower/);
  assert.equal(await page.locator('[data-shortfall]').getAttribute('data-shortfall'), '20.00');
  await page.locator('[data-generate]').click();
  await page.locator('[data-offer] [data-buy]').waitFor({ timeout: 20_000 });
  assert.match(await page.locator('[data-offer]').textContent(), /Buy 100 credits for \$10\.00/);
  assert.match(await page.locator('[data-offer]').textContent(), /standard queue \(about 4× slower\)/);

  await page.locator('[data-offer] [data-standard]').click();
  await page.waitForFunction(() => document.querySelector('[data-job]').dataset.state === 'settled', null, { timeout: 20_000 });
  assert.equal(await page.locator('[data-job]').getAttribute('data-charged'), '0.00');

  await page.locator('[data-generate]').click();
  await page.locator('[data-offer] [data-buy]').click();
  await page.waitForFunction(() => document.querySelector('[data-available]')?.dataset.available === '200.00', null, { timeout: 20_000 });
  await page.locator('[data-topup]').click();
  await page.waitForFunction(() => document.querySelector('[data-available]')?.dataset.available === '300.00', null, { timeout: 20_000 });
  await page.locator('[data-generate]').click();
  await page.waitForFunction(() => document.querySelector('[data-job]').dataset.state === 'settled' && document.querySelector('[data-job]').dataset.charged === '120.00', null, { timeout: 20_000 });
  const entries = await statement(account);
  assert.deepEqual(entries.filter((e) => e.type === 'settle').map((e) => e.credits).sort(), ['0.00', '100.00', '20.00'].sort(),
    'the 120.00 render drew the trial (expiring first) and then the top-up');
  await context.close();
});
