// The editor wallet's use of this period, what expires when and the credits-over-time chart, and
// the operator's utilization report page, on a real ledger (docs/ledger.md, "Reports").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirements, startServer, launch, waitLive } from './helpers.mjs';
import { AXE } from './i18n-helpers.mjs';

/** axe-core's serious and critical findings (and heading order) on the page. */
async function axeProblems(page) {
  await page.route(`${server.base}__t/axe.min.js`, (rt) => rt.fulfill({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body: AXE }));
  await page.addScriptTag({ url: `${server.base}__t/axe.min.js` });
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => JSON.stringify(n.target)) })));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'heading-order');
}

const req = requirements();
let server;
let browser;
let dataDir;
let key;

before(async () => {
  if (req.skip) return;
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'events-browser-'));
  server = await startServer({ args: ['-data', dataDir, '-demo'] });
  key = readFileSync(path.join(dataDir, 'operator-key'), 'utf8').trim();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** An operator call. */
async function op(method, p, body) {
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method === 'POST') headers['Idempotency-Key'] = crypto.randomUUID();
  const r = await fetch(`${server.base}api/v1/${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

async function openEditor(context) {
  const page = await context.newPage();
  await page.goto(`${server.base}editor.html`);
  await waitLive(page, '#badge');
  await page.waitForFunction(() => document.body.dataset.accountId && document.querySelector('[data-usage-box]') && document.querySelector('.credits-chart'), null, { timeout: 20_000 });
  return page;
}

test('the wallet: this period, what expires when, credits over time', { skip: req.skip }, async () => {
  const context = await browser.newContext({ serviceWorkers: 'block' }); // axe is routed in below
  let page = await openEditor(context);
  const account = await page.evaluate(() => document.body.dataset.accountId);
  // The trial only: no plan period; 100.00 expiring on one date; granted 100 on the chart.
  assert.equal(await page.locator('[data-month-spent]').getAttribute('data-month-spent'), '0.00');
  assert.equal(await page.locator('[data-expiries] li').count(), 1);
  assert.equal(await page.locator('[data-expiries] li').getAttribute('data-credits'), '100.00');
  assert.equal(await page.locator('[data-granted]').getAttribute('data-granted'), '100.00');
  assert.equal(await page.locator('.credits-chart path.line').count(), 3);

  // A plan for the current period and a job charged on it: the period's utilization.
  const today = new Date().toISOString().slice(0, 10);
  let r = await op('POST', `accounts/${account}/grants`, { kind: 'plan', plan: 'basic', periodStart: today });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  // The trial may expire before the period ends (then it pays first): spend it, then 55 more.
  for (const count of [100, 55]) {
    r = await op('POST', `accounts/${account}/holds`, { spec: { resolution: '1080p', fps: 30, durationSeconds: 10, count } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await op('POST', `holds/${r.body.hold.id}/settle`);
    assert.equal(r.status, 200);
  }
  await page.close();
  page = await openEditor(context);
  await page.waitForSelector('[data-period-utilization]');
  assert.equal(await page.locator('[data-period-utilization]').getAttribute('data-period-utilization'), '10.00');
  assert.match(await page.locator('[data-period-utilization]').textContent(), /55\.00.*550\.00/);
  assert.equal(await page.locator('[data-spent]').getAttribute('data-spent'), '155.00');
  assert.equal(await page.locator('[data-granted]').getAttribute('data-granted'), '650.00');
  assert.equal(await page.locator('[data-expiries] li').count(), 1, 'the plan period only (the trial is spent)');
  // Every text is text: the chart's titles are the series names.
  assert.deepEqual(await page.locator('.credits-chart path title').allTextContents(), ['Granted', 'Spent', 'Expired']);
  assert.deepEqual(await axeProblems(page), []);
  await context.close();
});

test('the operator report page: summary, distribution, periods, CSV', { skip: req.skip }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.base}reports.html`);
  await page.locator('[data-key]').fill(key);
  await page.locator('button[type=submit]').click();
  await page.waitForSelector('[data-report]:not([hidden])');
  const accounts = Number(await page.locator('[data-accounts]').getAttribute('data-accounts'));
  assert.ok(accounts >= 1);
  assert.equal(await page.locator('[data-distribution] rect.bar').count(), 5);
  assert.ok(await page.locator('[data-periods] tbody tr').count() >= 1);
  assert.match(await page.locator('[data-csv]').getAttribute('href'), /^blob:/);
  assert.deepEqual(await axeProblems(page), []);
  // A wrong key says so.
  await page.locator('[data-key]').fill('not-the-key');
  await page.locator('button[type=submit]').click();
  await page.waitForFunction(() => document.querySelector('[data-report-error]').textContent.length > 0);
  assert.match(await page.locator('[data-report-error]').textContent(), /unknown key/);
  await context.close();
});

test('no innerHTML in the new pages', () => {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../pages');
  for (const f of ['credits-usage.js', 'reports.js']) {
    assert.doesNotMatch(readFileSync(path.join(dir, f), 'utf8'), /innerHTML|outerHTML|insertAdjacentHTML/, f);
  }
});
