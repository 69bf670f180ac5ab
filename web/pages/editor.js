// Editor page: the page's own prompt box and settings drive the compact badge through attributes.
// With a ledger on the server (docs/ledger.md) the page uses a real demo account: its buckets,
// expiries, held credits and forecast; Generate holds the quoted credits, runs a simulated render
// and settles it (or releases it when the render fails: refunded). Without one, the wallet is a
// local preview. The prompt never leaves the page: a hold sends the settings and the complexity
// level the local analyser found, and the server prices exactly that (quote-checked).
import { h, s, registerServiceWorker, formats, engineOf } from './common.js';
import { LedgerClient, previewDraws, fromHundredths, hundredths } from './ledger-client.js';
import { choicesOf, fpsAt, canonicalResolution } from '../ce/choices.js';

registerServiceWorker();

const badge = /** @type {import('../credit-estimator.js').CreditEstimatorElement} */ (document.getElementById('badge'));
const prompt = /** @type {HTMLTextAreaElement} */ (document.getElementById('prompt'));
const errorOut = document.querySelector('[data-error]');
const genStatus = document.querySelector('[data-gen-status]');
const generate = /** @type {HTMLButtonElement} */ (document.querySelector('[data-generate]'));
const walletBox = document.querySelector('[data-wallet]');
const cardStatus = document.querySelector('[data-card-status]');
const locale = document.documentElement.lang || 'en-US';
let est = null;

/** Today as a civil date (UTC), and dates relative to it, for the demo wallet. */
const today = new Date();
const civil = (d) => d.toISOString().slice(0, 10);
const daysAgo = (n) => civil(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - n)));
/** The demo wallet (a signed-in user's buckets would come from the account API). */
const WALLET = {
  date: civil(today),
  buckets: [
    { kind: 'monthly', credits: '180.00', granted: civil(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1))) },
    { kind: 'priority', credits: '50.00', granted: civil(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1))) },
    { kind: 'topup', credits: '40.00', granted: daysAgo(170) },
  ],
};
const KIND = { trial: 'Trial credits', monthly: 'Monthly credits', priority: 'Priority credits', topup: 'Top-up credits', adjustment: 'Adjustment' };

const settings = /** @type {Array<HTMLSelectElement|HTMLInputElement>} */ ([...document.querySelectorAll('[data-spec]')]);
/** @param {HTMLSelectElement|HTMLInputElement} el */
function sync(el) {
  const attr = el.dataset.spec;
  if (attr && !el.disabled) badge.setAttribute(attr, el.value);
}
for (const el of settings) {
  el.addEventListener('input', () => sync(el));
  el.addEventListener('change', () => sync(el));
}

/**
 * Fills a select with options, keeping its value when the new options still have it.
 * @param {HTMLSelectElement} sel
 * @param {Array<{value: string, label: string}>} options
 * @param {string} fallback the value chosen when the current one is gone
 */
function fillSelect(sel, options, fallback) {
  const keep = sel.value;
  sel.replaceChildren(...options.map((o) => h('option', { value: o.value, text: o.label })));
  sel.value = options.some((o) => o.value === keep) ? keep : fallback;
}

/**
 * The settings offer exactly what the card in force offers: its resolutions and their frame
 * rates, its modes, its duration and count limits (the page repeats none of it).
 * @param {any} card the card's JSON, parsed
 */
function fillSettings(card) {
  const c = choicesOf(card);
  const byName = Object.fromEntries(settings.map((el) => [el.dataset.choice, el]));
  const res = /** @type {HTMLSelectElement} */ (byName.resolutions);
  const fps = /** @type {HTMLSelectElement} */ (byName.fps);
  const mode = /** @type {HTMLSelectElement} */ (byName.modes);
  const dur = /** @type {HTMLInputElement} */ (byName.duration);
  const count = /** @type {HTMLInputElement} */ (byName.count);
  const first = !res.options.length;
  const want = (/** @type {string} */ name, /** @type {unknown} */ dflt) => (first && badge.getAttribute(name)) || String(dflt);
  fillSelect(res, c.resolutions.map((r) => ({ value: r.value, label: r.label })), canonicalResolution(c, want('resolution', c.defaultSpec.resolution)));
  const fillFps = () => fillSelect(fps, fpsAt(c, res.value).map((n) => ({ value: String(n), label: `${n} fps` })), want('fps', c.defaultSpec.fps));
  fillFps();
  res.onchange = fillFps;
  fillSelect(mode, c.modes, want('mode', c.defaultSpec.mode));
  dur.min = String(c.duration.min);
  dur.max = String(c.duration.max);
  if (first || dur.value === '') dur.value = want('duration', c.defaultSpec.durationSeconds);
  count.max = String(c.maxCount);
  prompt.maxLength = c.maxPromptChars;
  for (const el of settings) { el.disabled = false; sync(el); }
}
badge.prompt = prompt.value;
prompt.addEventListener('input', () => { badge.prompt = prompt.value; });

const cxLine = document.querySelector('[data-cx]');
/** What the analyser found in the prompt: level and signals, as text. */
function showComplexity(quote) {
  if (!quote) { cxLine.replaceChildren(); return; }
  const c = quote.complexity;
  cxLine.replaceChildren(h('span', { class: 'muted', text: 'Complexity: ' }), h('strong', { text: `${c.label} ×${c.multiplier}` }),
    ...c.signals.map((sg) => h('span', { class: sg.ignored ? 'chip ignored' : 'chip', title: sg.label }, `${sg.label}: `, h('q', { text: sg.match }),
      sg.ignored ? ` (ignored: ${sg.ignored})` : ` +${sg.weight}`)));
}

badge.addEventListener('credit-estimator:change', (e) => {
  showComplexity(e.detail.quote);
  errorOut.textContent = '';
  generate.disabled = busy;
  renderWallet(e.detail.quote);
});
badge.addEventListener('credit-estimator:error', (e) => {
  showComplexity(null);
  errorOut.textContent = e.detail.error.message;
  generate.disabled = true;
  renderWallet(null);
});
badge.addEventListener('credit-estimator:loaderror', (e) => { errorOut.textContent = `The cost preview could not be loaded: ${e.detail.message}`; });
badge.addEventListener('credit-estimator:card', () => { if (est) fillSettings(est.rateCard().card); showCard(); });
generate.addEventListener('click', () => {
  const q = badge.quote;
  if (account) { void generateReal(); return; }
  genStatus.textContent = q ? `Demo: this would start a render for ${badge.formatCredits(q.credits)} credits.` : 'Fix the settings first.';
});

engineOf(badge).then((engine) => { est = engine; fillSettings(engine.rateCard().card); showCard(); renderWallet(badge.quote); }, () => {});

function showCard() {
  const c = badge.card;
  if (!c) return;
  cardStatus.textContent = c.state === 'offline'
    ? `Offline: using rate card ${c.version}; prices may have changed since it was last checked.`
    : `Rate card ${c.version}.`;
}

function renderWallet(quote) {
  if (account) { renderAccount(quote); return; }
  if (!est) return;
  const f = formats(locale);
  if (!quote) { walletBox.replaceChildren(h('p', { class: 'muted', text: 'Fix the settings to see what this render uses.' })); return; }
  let v;
  try {
    // The wallet op prices the job itself from the same spec (locally, like every estimate).
    v = est.walletPreview({ ...WALLET, jobs: [{ spec: badge.spec }] });
  } catch (err) {
    walletBox.replaceChildren(h('p', { class: 'muted', text: `Wallet preview unavailable: ${err.message}` }));
    return;
  }
  const day = (d) => f.date.format(new Date(`${d}T00:00:00Z`));
  const rows = [];
  for (const b of v.buckets) {
    rows.push(h('dt', { text: `${KIND[b.kind] ?? b.kind}` }), h('dd', { text: f.credits2.format(b.credits) }));
  }
  rows.push(h('dt', { text: 'Balance' }), h('dd', { text: f.credits2.format(v.balance.total) }));
  rows.push(h('dt', { text: 'This render' }), h('dd', { text: `− ${f.credits2.format(v.needed)}` }));
  const paidFrom = v.jobs[0]?.paidFrom ?? [];
  const after = v.buckets.reduce((sum, b) => sum + cents(b.remaining), 0n);
  rows.push(h('dt', { text: 'Left after this render' }), h('dd', { text: v.covered ? f.credits2.format(`${after / 100n}.${String(after % 100n).padStart(2, '0')}`) : '—' }));
  const parts = [h('dl', {}, ...rows), bar(v)];
  if (v.covered) {
    parts.push(h('p', { class: 'small', text: paidFrom.length ? `Paid from ${paidFrom.map((p) => `${KIND[p.kind] ?? p.kind} (${f.credits2.format(p.credits)})`).join(', ')}.` : '' }));
  } else {
    const t = v.options?.topUp?.plan;
    parts.push(h('p', { class: 'small warn', text: `Not enough credits: ${f.credits2.format(v.shortfall)} short.` +
      (t ? ` Cheapest top-up: ${f.credits2.format(t.credits)} credits for ${f.money.format(t.totalUsd)}.` : '') +
      (v.options?.standardQueue ? ` Or run it free in the standard queue (about ${v.options.standardQueue.slowdown}× slower).` : '') }));
  }
  const expiring = (v.expiring ?? []).filter((x) => Number(x.credits) > 0);
  if (expiring.length) {
    parts.push(h('p', { class: 'small', text: 'What will expire if unused:' }),
      h('ul', {}, ...expiring.map((x) => h('li', { text: `${f.credits2.format(x.credits)} ${(KIND[x.kind] ?? x.kind).toLowerCase()} on ${day(x.expires)}` }))));
  }
  walletBox.replaceChildren(...parts);
}

/** A 2-place decimal string as BigInt hundredths. */
function cents(x) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(x);
  return m ? BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0')) : 0n;
}

/** A stacked bar (inline SVG): what this render uses against the balance. */
function bar(v) {
  const total = Number(v.balance.total) || 1;
  const used = Math.min(Number(v.paid), total);
  const W = 300;
  const uw = Math.round((used / total) * W);
  return s('svg', { viewBox: `0 0 ${W} 10`, class: 'wallet-bar', preserveAspectRatio: 'none', role: 'img', 'aria-label': `This render uses ${v.paid} of ${v.balance.total} credits` },
    s('rect', { x: 0, y: 0, width: W, height: 10, rx: 5, class: 'left' }),
    s('rect', { x: 0, y: 0, width: Math.max(uw, v.paid !== '0.00' ? 3 : 0), height: 10, rx: 5, class: v.covered ? 'use' : 'short' }));
}

// ---- The real account (when the server keeps a ledger) -------------------------------------

const ledger = new LedgerClient(new URL('../api/v1/', import.meta.url));
const pays = document.querySelector('[data-pays]');
const jobBox = /** @type {HTMLElement} */ (document.querySelector('[data-job]'));
const jobProgress = /** @type {HTMLProgressElement} */ (document.querySelector('[data-job-progress]'));
const jobText = document.querySelector('[data-job-text]');
const offer = /** @type {HTMLElement} */ (document.querySelector('[data-offer]'));
const failBox = /** @type {HTMLInputElement} */ (document.querySelector('[data-simulate-failure]'));
const topUpButton = /** @type {HTMLButtonElement} */ (document.querySelector('[data-topup]'));
const statement = /** @type {HTMLElement} */ (document.querySelector('[data-statement]'));
const statementH = /** @type {HTMLElement} */ (document.querySelector('[data-statement-h]'));
const walletNote = document.querySelector('[data-wallet-note]');
/** @type {{id: string, token: string}|null} */
let account = null;
/** @type {any} */
let balance = null;
let busy = false;
/** The card's smallest bundle, for the top-up button. */
let bundle = null;

failBox.closest('label').hidden = true;

(async () => {
  if (!(await ledger.available())) return;
  try {
    const r = await ledger.ensureAccount();
    account = r.account;
    balance = r.balance;
  } catch (err) {
    walletNote.textContent = `The demo account could not be opened (${err.message}); showing a preview.`;
    return;
  }
  document.body.dataset.accountId = account.id;
  walletNote.textContent = 'Your demo account: Generate holds the credits shown, charges them when the render finishes and refunds them if it fails.';
  failBox.closest('label').hidden = false;
  try {
    const card = await (await fetch(new URL('../api/v1/ratecard', import.meta.url))).json();
    bundle = card.topUps?.bundles?.[0] ?? null;
  } catch { /* no button */ }
  if (bundle) {
    topUpButton.hidden = false;
    topUpButton.textContent = `Top up ${fmt().credits.format(bundle.credits)} credits (${fmt().money.format(bundle.priceUsd)}, simulated payment)`;
  }
  renderAccount(badge.quote);
  await refreshStatement();
})();

topUpButton.addEventListener('click', () => { if (bundle) void buy(bundle.credits); });

function fmt() { return formats(document.documentElement.lang || locale); }
const when = (iso) => fmt().date.format(new Date(iso));

/** The wallet from the account's real balance, and which buckets this render would draw. */
function renderAccount(quote) {
  if (!balance) return;
  const f = fmt();
  const rows = [];
  for (const b of balance.buckets) {
    const held = hundredths(b.held) > 0n ? `, ${f.credits2.format(b.held)} held` : '';
    rows.push(h('dt', { text: `${KIND[b.kind] ?? b.kind}${b.status === 'future' ? ' (from ' + when(b.granted) + ')' : ''} · expires ${when(b.expires)}` }),
      h('dd', { text: `${f.credits2.format(b.credits)}${held}` }));
  }
  rows.push(h('dt', { text: 'Available' }), h('dd', { 'data-available': balance.available, text: f.credits2.format(balance.available) }));
  rows.push(h('dt', { text: 'Held for renders in progress' }), h('dd', { 'data-held': balance.held, text: f.credits2.format(balance.held) }));
  const parts = [h('dl', {}, ...rows)];
  if (hundredths(balance.expiringSoon.credits) > 0n) {
    parts.push(h('p', { class: 'small', 'data-expiring': balance.expiringSoon.credits, text: `${f.credits2.format(balance.expiringSoon.credits)} credits expire in the next ${balance.expiringSoon.days} days if unused.` }));
  }
  const fc = balance.forecast;
  parts.push(h('p', { class: 'small muted', 'data-forecast': fc.runsOut ?? '', text: fc.runsOut
    ? `At your last ${fc.days} days' pace (${f.credits2.format(fc.perDay)} a day) your credits run out on ${when(fc.runsOut + 'T00:00:00Z')}.`
    : `No credits spent in the last ${fc.days} days: no run-out forecast yet.` }));
  if (quote) {
    const p = previewDraws(balance.buckets, quote.credits);
    if (p.covered) {
      const from = p.draws.map((d) => `${KIND[d.kind] ?? d.kind} ${f.credits2.format(fromHundredths(d.credits))}`).join(' + ');
      pays.textContent = `Pays ${f.credits2.format(quote.credits)} from ${from || 'nothing'} · ${f.credits2.format(fromHundredths(p.left))} left after`;
      pays.dataset.draws = p.draws.map((d) => `${d.id}:${fromHundredths(d.credits)}`).join(',');
      pays.classList.remove('warn');
      parts.splice(1, 0, bar({ balance: { total: balance.available }, paid: quote.credits, covered: true }));
    } else {
      pays.textContent = `Needs ${f.credits2.format(quote.credits)}; ${f.credits2.format(fromHundredths(p.available))} available — top up or use the free standard queue`;
      pays.dataset.draws = '';
      pays.classList.add('warn');
      parts.splice(1, 0, bar({ balance: { total: balance.available }, paid: balance.available, covered: false }));
    }
  } else {
    pays.textContent = '';
  }
  walletBox.replaceChildren(...parts);
}

/** The spec a hold sends: the settings and the analysed complexity level, never the prompt. */
function holdSpec(quote) {
  const sp = { ...badge.spec };
  delete sp.prompt;
  sp.complexity = quote.complexity.level;
  for (const k of Object.keys(sp)) if (sp[k] == null || sp[k] === '') delete sp[k];
  return sp;
}

async function refreshBalance() {
  const r = await ledger.balance();
  if (r.status === 200) balance = r.body;
  renderAccount(badge.quote);
}

async function refreshStatement() {
  const r = await ledger.entries();
  if (r.status !== 200) return;
  const f = fmt();
  const items = r.body.entries.slice(-8).reverse().map((e) => h('li', { 'data-type': e.type, 'data-hold': e.hold ?? '', 'data-credits': e.credits },
    h('span', { text: `${e.type[0].toUpperCase()}${e.type.slice(1)}${e.kind ? ' · ' + (KIND[e.kind] ?? e.kind) : ''}` }),
    h('span', { text: `${e.type === 'settle' || e.type === 'expire' ? '− ' : e.type === 'hold' ? '(held) ' : '+ '}${f.credits2.format(e.credits)}` }),
    h('span', { class: 'muted', text: new Date(e.at).toLocaleString(document.documentElement.lang || locale, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }) + ' UTC' })));
  statement.replaceChildren(...items);
  statement.hidden = statementH.hidden = items.length === 0;
}

function setBusy(b) {
  busy = b;
  generate.disabled = b || !badge.quote;
}

async function generateReal() {
  const q = badge.quote;
  if (!q || busy) return;
  setBusy(true);
  offer.hidden = true;
  offer.replaceChildren();
  genStatus.textContent = '';
  try {
    const r = await ledger.hold(holdSpec(q), 'fast', { credits: q.credits, rateCard: { digest: q.rateCard.digest } });
    if (r.status === 201) {
      await runJob(r.body.hold, q);
    } else if (r.status === 402) {
      showInsufficient(r.body, q);
    } else if (r.status === 409 && r.body?.code === 'stale_quote') {
      genStatus.textContent = `The price changed: this render now costs ${fmt().credits2.format(r.body.quote.credits)} credits. Check it and press Generate again.`;
    } else {
      genStatus.textContent = `Could not start the render: ${r.body?.message ?? r.status}`;
    }
  } catch (err) {
    genStatus.textContent = `Could not reach the server: ${err.message}`;
  } finally {
    setBusy(false);
    await refreshBalance().catch(() => {});
    await refreshStatement().catch(() => {});
  }
}

/** The simulated render: progress, then settle (or release on a simulated failure). */
async function runJob(hold, q) {
  const f = fmt();
  const standard = hold.queue === 'standard';
  jobBox.hidden = false;
  jobBox.dataset.hold = hold.id;
  jobBox.dataset.state = 'running';
  jobProgress.value = 0;
  jobText.textContent = `Rendering${standard ? ' in the standard queue (free, slower)' : ''} — ${f.credits2.format(hold.credits)} credits held.`;
  await refreshBalance();
  const steps = 10;
  for (let i = 1; i <= steps; i++) {
    await new Promise((r) => setTimeout(r, standard ? 160 : 80));
    jobProgress.value = (i * 100) / steps;
    if (failBox.checked && i === 6) break;
  }
  if (failBox.checked) {
    const r = await ledger.release(hold.id);
    const refund = r.body?.refund?.credits ?? hold.credits;
    jobBox.dataset.state = 'refunded';
    jobText.textContent = `The render failed: ${f.credits2.format(refund)} credits refunded to ${describeDraws(r.body?.refund?.buckets ?? [])}.`;
    return;
  }
  const r = await ledger.settle(hold.id);
  if (r.status !== 200) {
    jobBox.dataset.state = 'error';
    jobText.textContent = `The render finished but could not be charged: ${r.body?.message ?? r.status}`;
    return;
  }
  jobBox.dataset.state = 'settled';
  jobBox.dataset.charged = r.body.charge.credits;
  jobText.textContent = `Done: charged ${f.credits2.format(r.body.charge.credits)} credits${standard ? ' (standard queue)' : ` from ${describeDraws(r.body.charge.buckets)}`}, as estimated (${f.credits2.format(q.credits)}).`;
}

function describeDraws(draws) {
  const f = fmt();
  return draws.length ? draws.map((d) => `${(KIND[d.kind] ?? d.kind).toLowerCase()} ${f.credits2.format(d.credits)}`).join(', ') : 'no bucket';
}

/** 402: what is missing, the cheapest top-up covering it and the free standard queue. */
function showInsufficient(body, q) {
  const f = fmt();
  const t = body.topUp;
  const sq = body.standardQueue;
  const buyBtn = t && h('button', { type: 'button', 'data-buy': t.need, text: `Buy ${f.credits.format(t.credits)} credits for ${f.money.format(t.totalUsd)}` });
  const queueBtn = h('button', { type: 'button', 'data-standard': '', text: `Run it free in the standard queue (about ${sq.slowdown}× slower)` });
  offer.replaceChildren(h('p', { class: 'small warn', text: `Not enough credits: this render needs ${f.credits2.format(body.needed)}, ${f.credits2.format(body.available)} are available.` }),
    ...(buyBtn ? [buyBtn] : []), queueBtn);
  offer.hidden = false;
  buyBtn?.addEventListener('click', async () => { offer.hidden = true; await buy(t.need); });
  queueBtn.addEventListener('click', async () => {
    offer.hidden = true;
    setBusy(true);
    try {
      const r = await ledger.hold(holdSpec(q), 'standard');
      if (r.status === 201) await runJob(r.body.hold, q);
      else genStatus.textContent = `Could not queue the render: ${r.body?.message ?? r.status}`;
    } finally {
      setBusy(false);
      await refreshBalance();
      await refreshStatement();
    }
  });
}

/** A top-up (simulated payment): the card's cheapest bundle mix for the credits. */
async function buy(credits) {
  topUpButton.disabled = true;
  try {
    const r = await ledger.topUp(credits);
    genStatus.textContent = r.status === 201
      ? `Bought ${fmt().credits2.format(r.body.buckets[0].credits)} credits for ${fmt().money.format(r.body.purchase.totalUsd)} (simulated payment).`
      : `The top-up failed: ${r.body?.message ?? r.status}`;
  } finally {
    topUpButton.disabled = false;
    await refreshBalance();
    await refreshStatement();
  }
}
