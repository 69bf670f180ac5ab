// Editor page: the page's own prompt box and settings drive the compact badge through attributes.
// With a ledger on the server (docs/ledger.md) the page uses a real demo account: its buckets,
// expiries, held credits and forecast; Generate holds the quoted credits, runs a simulated render
// and settles it (or releases it when the render fails: refunded). Without one, the wallet is a
// local preview. The prompt never leaves the page: a hold sends the settings and the complexity
// level the local analyser found, and the server prices exactly that (quote-checked).
import { h, s, registerServiceWorkerAfterFirstPrice, engineOf, localePicker, pageLocale, translatePage } from './common.js';
import { LedgerClient, hundredths } from './ledger-client.js';
import { fpsAt, canonicalResolution } from '../ce/choices.js';
import { fmt as fmtNum, subtractDecimal } from '../ce/format.js';


const badge = /** @type {import('../credit-estimator.js').CreditEstimatorElement} */ (document.getElementById('badge'));
registerServiceWorkerAfterFirstPrice(badge);
const prompt = /** @type {HTMLTextAreaElement} */ (document.getElementById('prompt'));
const errorOut = document.querySelector('[data-error]');
const genStatus = document.querySelector('[data-gen-status]');
const generate = /** @type {HTMLButtonElement} */ (document.querySelector('[data-generate]'));
const walletBox = document.querySelector('[data-wallet]');
const cardStatus = document.querySelector('[data-card-status]');
let est = null;
/** The page's locale, translator and formats (every text from pages/messages.js, "e.…"). */
let L = pageLocale('USD');
const t = (/** @type {string} */ id, /** @type {Record<string, string|number>} */ v = {}) => L.t(id, v);
let pageReady = false;
localePicker(() => {
  L = pageLocale(est ? est.rateCard().card.currency : 'USD');
  if (!pageReady) return; // the first call, while the module is still being evaluated
  translatePage(L.t);
  if (est) fillSettings(est.rateCard().card);
  showCard();
  showComplexity(badge.quote);
  renderWallet(badge.quote);
  if (bundle) labelTopUp();
  void refreshStatement().catch(() => {});
});

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
/** A bucket kind's name in the page's language. */
const kindName = (/** @type {string} */ k) => t(`e.kind.${k}`);

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
  // The engine's answer for the card in force, in the badge's language (the page's).
  const c = badge.choices;
  if (!c) return;
  const byName = Object.fromEntries(settings.map((el) => [el.dataset.choice, el]));
  const res = /** @type {HTMLSelectElement} */ (byName.resolutions);
  const fps = /** @type {HTMLSelectElement} */ (byName.fps);
  const mode = /** @type {HTMLSelectElement} */ (byName.modes);
  const dur = /** @type {HTMLInputElement} */ (byName.duration);
  const count = /** @type {HTMLInputElement} */ (byName.count);
  const first = !res.options.length;
  const want = (/** @type {string} */ name, /** @type {unknown} */ dflt) => (first && badge.getAttribute(name)) || String(dflt);
  fillSelect(res, c.resolutions.map((r) => ({ value: r.value, label: r.label })), canonicalResolution(c, want('resolution', c.defaultSpec.resolution)));
  const fillFps = () => fillSelect(fps, fpsAt(c, res.value).map((n) => ({ value: String(n), label: t('fps.option', { fps: L.f.int.format(n) }) })), want('fps', c.defaultSpec.fps));
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
  cxLine.replaceChildren(h('span', { class: 'muted', text: t('label.found') }), ' ', h('strong', { text: t('e.level', { label: c.label, mult: fmtNum(L.f.mult, c.multiplier) }) }),
    ...c.signals.map((sg) => h('span', { class: sg.ignored ? 'chip ignored' : 'chip', title: sg.label }, h('span', { text: sg.label }), ' ', ...(sg.match ? [h('q', { text: sg.match }), ' '] : []),
      h('span', { text: sg.ignored ? t(`signal.${sg.ignored}`) : t('signal.weight', { weight: L.f.signed.format(sg.weight) }) }))));
}

badge.addEventListener('credit-estimator:change', (e) => {
  showComplexity(e.detail.quote);
  errorOut.textContent = '';
  generate.disabled = busy;
  renderWallet(e.detail.quote);
});
badge.addEventListener('credit-estimator:error', (e) => {
  showComplexity(null);
  errorOut.textContent = L.lang === 'en' ? e.detail.error.message : t('error.generic');
  generate.disabled = true;
  renderWallet(null);
});
badge.addEventListener('credit-estimator:loaderror', (e) => { errorOut.textContent = t('e.loadError', { detail: e.detail.message }); });
badge.addEventListener('credit-estimator:card', () => { if (est) fillSettings(est.rateCard().card); showCard(); });
generate.addEventListener('click', () => {
  const q = badge.quote;
  if (account) { void generateReal(); return; }
  genStatus.textContent = q ? t('e.demoGenerate', { credits: badge.formatCredits(q.credits) }) : t('e.fixFirst');
});

engineOf(badge).then((engine) => {
  est = engine;
  L = pageLocale(engine.rateCard().card.currency);
  translatePage(L.t);
  fillSettings(engine.rateCard().card);
  showCard();
  renderWallet(badge.quote);
}, () => {});

function showCard() {
  const c = badge.card;
  if (!c) return;
  cardStatus.textContent = c.state === 'offline' ? t('e.cardOffline', { version: c.version }) : t('e.card', { version: c.version });
}

function renderWallet(quote) {
  if (account) { renderAccount(quote); return; }
  if (!est) return;
  const f = L.f;
  if (!quote) { walletBox.replaceChildren(h('p', { class: 'muted', text: t('e.fixSettings') })); return; }
  let v;
  try {
    // The wallet op prices the job itself from the same spec (locally, like every estimate).
    v = est.walletPreview({ ...WALLET, jobs: [{ spec: badge.spec }] });
  } catch (err) {
    walletBox.replaceChildren(h('p', { class: 'muted', text: t('e.walletUnavailable', { detail: String(err?.message ?? err) }) }));
    return;
  }
  const day = (d) => f.day.format(new Date(`${d}T00:00:00Z`));
  const c2 = (x) => fmtNum(f.credits, x);
  const rows = [];
  for (const b of v.buckets) {
    rows.push(h('dt', { text: kindName(b.kind) }), h('dd', { text: c2(b.credits) }));
  }
  rows.push(h('dt', { text: t('e.balance') }), h('dd', { text: c2(v.balance.total) }));
  rows.push(h('dt', { text: t('e.thisRender') }), h('dd', { text: `− ${c2(v.needed)}` }));
  const paidFrom = v.jobs[0]?.paidFrom ?? [];
  const after = v.buckets.reduce((sum, b) => sum + cents(b.remaining), 0n);
  rows.push(h('dt', { text: t('e.leftAfter') }), h('dd', { text: v.covered ? c2(`${after / 100n}.${String(after % 100n).padStart(2, '0')}`) : '—' }));
  const parts = [h('dl', {}, ...rows), bar(v.covered ? v.paid : v.balance.total, v.balance.total, v.covered, v.needed)];
  if (v.covered) {
    parts.push(h('p', { class: 'small', text: paidFrom.length ? t('e.paidFrom', { list: list(paidFrom.map((p) => t('e.paidItem', { kind: kindName(p.kind), credits: c2(p.credits) }))) }) : '' }));
  } else {
    // The credits missing for this render (its cost minus what is available), and both ways out.
    parts.push(shortfall(v.needed, v.balance.total));
  }
  const expiring = (v.expiring ?? []).filter((x) => Number(x.credits) > 0);
  if (expiring.length) {
    parts.push(h('p', { class: 'small', text: t('e.willExpire') }),
      h('ul', {}, ...expiring.map((x) => h('li', { text: t('e.expireItem', { kind: kindName(x.kind), credits: c2(x.credits), date: day(x.expires) }) }))));
  }
  walletBox.replaceChildren(...parts);
}

/** A 2-place decimal string as BigInt hundredths. */
function cents(x) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(x);
  return m ? BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0')) : 0n;
}

/** A list in the page's language ("a, b and c"). */
function list(items) { return new Intl.ListFormat(L.tag, { type: 'unit', style: 'short' }).format(items); }

/**
 * What is missing for this render and both ways out the reference names: the cheapest top-up for
 * exactly the missing credits, and the free standard queue with its slowdown.
 * @param {string} needed the render's credits
 * @param {string} available
 */
function shortfall(needed, available) {
  const f = L.f;
  const missing = subtractDecimal(needed, available) ?? '0.00';
  const lines = [t('e.short', { needed: fmtNum(f.credits, needed), available: fmtNum(f.credits, available), short: fmtNum(f.credits, missing) })];
  try {
    const r = est.topUp({ need: missing });
    lines.push(t('e.cheapestTopup', { credits: fmtNum(f.credits0, r.credits), price: fmtNum(f.money, r.totalUsd) }));
  } catch { /* no top-up line */ }
  const slow = est?.rateCard().card?.standardQueue?.slowdown;
  if (slow) lines.push(t('e.queue', { slowdown: fmtNum(f.mult, slow) }));
  return h('div', { class: 'small warn', 'data-shortfall': missing }, ...lines.map((l) => h('p', { text: l })));
}

/**
 * A bar (inline SVG) of what this render uses against the balance; when the balance is short, the
 * whole balance is used and the missing part is drawn beyond it.
 * @param {string} used credits this render takes from the balance
 * @param {string} total the balance
 * @param {boolean} covered
 * @param {string} needed the render's credits
 */
function bar(used, total, covered, needed) {
  const W = 300;
  const scale = Math.max(Number(total), Number(needed)) || 1;
  const uw = Math.round((Math.min(Number(used), Number(total)) / scale) * W);
  const tw = Math.round((Number(total) / scale) * W);
  const label = covered ? t('e.barAria', { used: fmtNum(L.f.credits, used), total: fmtNum(L.f.credits, total) })
    : t('e.barShortAria', { needed: fmtNum(L.f.credits, needed), available: fmtNum(L.f.credits, total) });
  return s('svg', { viewBox: `0 0 ${W} 10`, class: 'wallet-bar', preserveAspectRatio: 'none', role: 'img', 'aria-label': label },
    s('rect', { x: 0, y: 0, width: covered ? W : tw, height: 10, rx: 5, class: 'left' }),
    s('rect', { x: 0, y: 0, width: Math.max(uw, Number(used) > 0 ? 3 : 0), height: 10, rx: 5, class: 'use' }),
    ...(covered ? [] : [s('rect', { x: tw, y: 0, width: Math.max(W - tw, 3), height: 10, rx: 5, class: 'short' })]));
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
    walletNote.textContent = t('e.accountFailed', { detail: String(err?.message ?? err) });
    return;
  }
  document.body.dataset.accountId = account.id;
  walletNote.removeAttribute('data-i18n');
  walletNote.setAttribute('data-i18n', 'e.accountNote');
  walletNote.textContent = t('e.accountNote');
  failBox.closest('label').hidden = false;
  try {
    const card = await (await fetch(new URL('../api/v1/ratecard', import.meta.url))).json();
    bundle = card.topUps?.bundles?.[0] ?? null;
  } catch { /* no button */ }
  if (bundle) {
    topUpButton.hidden = false;
    labelTopUp();
  }
  renderAccount(badge.quote);
  await refreshStatement();
})();

topUpButton.addEventListener('click', () => { if (bundle) void buy(bundle.credits); });

function labelTopUp() {
  topUpButton.textContent = t('e.topupButton', { credits: fmtNum(L.f.credits0, bundle.credits), price: fmtNum(L.f.money, bundle.priceUsd) });
}
const when = (iso) => L.f.day.format(new Date(iso));

/** The wallet from the account's real balance, and which buckets this render would draw. */
function renderAccount(quote) {
  if (!balance) return;
  const f = L.f;
  const c2 = (x) => fmtNum(f.credits, x);
  const rows = [];
  for (const b of balance.buckets) {
    const credits = hundredths(b.held) > 0n ? t('e.held', { credits: c2(b.credits), held: c2(b.held) }) : c2(b.credits);
    rows.push(h('dt', { text: b.status === 'future'
      ? t('e.bucketFuture', { kind: kindName(b.kind), from: when(b.granted), expires: when(b.expires) })
      : t('e.bucket', { kind: kindName(b.kind), expires: when(b.expires) }) }),
    h('dd', { text: credits }));
  }
  rows.push(h('dt', { text: t('e.available') }), h('dd', { 'data-available': balance.available, text: c2(balance.available) }));
  rows.push(h('dt', { text: t('e.heldRow') }), h('dd', { 'data-held': balance.held, text: c2(balance.held) }));
  const parts = [h('dl', {}, ...rows)];
  if (hundredths(balance.expiringSoon.credits) > 0n) {
    parts.push(h('p', { class: 'small', 'data-expiring': balance.expiringSoon.credits, text: t('e.expiringSoon', { n: balance.expiringSoon.days, credits: c2(balance.expiringSoon.credits), days: f.int.format(balance.expiringSoon.days) }) }));
  }
  const fc = balance.forecast;
  parts.push(h('p', { class: 'small muted', 'data-forecast': fc.runsOut ?? '', text: fc.runsOut
    ? t('e.forecast', { days: f.int.format(fc.days), perDay: c2(fc.perDay), date: when(fc.runsOut + 'T00:00:00Z') })
    : t('e.noForecast', { days: f.int.format(fc.days) }) }));
  if (quote) {
    // Null before the engine loads: renderWallet runs again once it has.
    let p = null;
    try {
      p = spendPreview(balance, quote.credits);
    } catch (err) {
      pays.textContent = t('e.walletUnavailable', { detail: String(err?.message ?? err) });
      pays.dataset.draws = '';
    }
    if (p?.covered) {
      const from = p.paidFrom.map((d) => t('e.drawItem', { kind: kindName(d.kind), credits: c2(d.credits) })).join(' + ');
      pays.textContent = t('e.pays', { credits: c2(quote.credits), from: from || t('e.nothing'), left: c2(p.left) });
      pays.dataset.draws = p.paidFrom.map((d) => `${d.id}:${d.credits}`).join(',');
      pays.classList.remove('warn');
      parts.splice(1, 0, bar(quote.credits, balance.available, true, quote.credits));
    } else if (p) {
      // The credits missing for this render, the cheapest top-up for them, and the free queue.
      const available = p.available;
      pays.replaceChildren(shortfall(quote.credits, available));
      pays.dataset.draws = '';
      pays.classList.add('warn');
      parts.splice(1, 0, bar(available, available, false, quote.credits));
    }
  } else {
    pays.textContent = '';
  }
  walletBox.replaceChildren(...parts);
}

/**
 * Which buckets would pay `credits` now: the engine's spend op (docs/economics.md) on the
 * balance's buckets at the balance's instant — the ledger's own spend order, so the page orders
 * nothing itself. The hold's answer says what was really drawn. Null before the engine loads.
 * @param {{at: string, buckets: {id: string, kind: string, plan?: string, credits: string, granted: string, expires: string}[]}} bal
 * @param {string} credits
 * @returns {{covered: boolean, available: string, left: string, paidFrom: {id: string, kind: string, credits: string, expires: string}[]}|null}
 */
function spendPreview(bal, credits) {
  if (!est) return null;
  const buckets = bal.buckets.map(({ id, kind, plan, credits: c, granted, expires }) => ({ id, kind, ...(plan ? { plan } : {}), credits: c, granted, expires }));
  return est.call('spend', { at: bal.at, credits, buckets });
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
  const f = L.f;
  const stamp = new Intl.DateTimeFormat(L.tag, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
  const items = r.body.entries.slice(-8).reverse().map((e) => h('li', { 'data-type': e.type, 'data-hold': e.hold ?? '', 'data-credits': e.credits },
    h('span', { text: e.kind ? t('e.entryKind', { type: t(`e.entry.${e.type}`), kind: kindName(e.kind) }) : t(`e.entry.${e.type}`) }),
    h('span', { dir: 'ltr', text: `${e.type === 'settle' || e.type === 'expire' ? '− ' : e.type === 'hold' ? '(' : '+ '}${fmtNum(f.credits, e.credits)}${e.type === 'hold' ? ')' : ''}` }),
    h('span', { class: 'muted', text: t('e.entryTime', { time: stamp.format(new Date(e.at)) }) })));
  statement.replaceChildren(...items);
  statement.hidden = statementH.hidden = items.length === 0;
  await showUsage(r.body.entries).catch(() => { /* the wallet above stands without it */ });
}

/**
 * This period's use, what expires when, and the credits-over-time chart (pages/credits-usage.js,
 * loaded only with a ledger: the offline editor never needs it).
 * @param {{type: string, at: string, credits: string}[]} entries
 */
async function showUsage(entries) {
  const usageBox = /** @type {HTMLElement} */ (document.querySelector('[data-usage]'));
  const chartBox = /** @type {HTMLElement} */ (document.querySelector('[data-credits-chart]'));
  const m = await import('./credits-usage.js');
  const u = await ledger.usage();
  if (!balance) return;
  usageBox.replaceChildren(m.usageSection(L, u.status === 200 ? u.body : null, balance, entries));
  usageBox.hidden = false;
  const chart = m.creditsChart(L, entries, Math.max(240, chartBox.parentElement?.clientWidth ?? 320));
  if (!chart) return;
  chartBox.replaceChildren(chart.svg, m.chartLegend(L, chart.totals));
  chartBox.hidden = false;
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
      genStatus.textContent = t('e.priceChanged', { credits: fmtNum(L.f.credits, r.body.quote.credits) });
    } else {
      genStatus.textContent = t('e.cannotStart', { detail: String(r.body?.message ?? r.status) });
    }
  } catch (err) {
    genStatus.textContent = t('e.unreachable', { detail: String(err?.message ?? err) });
  } finally {
    setBusy(false);
    await refreshBalance().catch(() => {});
    await refreshStatement().catch(() => {});
  }
}

/** The simulated render: progress, then settle (or release on a simulated failure). */
async function runJob(hold, q) {
  const f = L.f;
  const c2 = (x) => fmtNum(f.credits, x);
  const standard = hold.queue === 'standard';
  jobBox.hidden = false;
  jobBox.dataset.hold = hold.id;
  jobBox.dataset.state = 'running';
  jobProgress.value = 0;
  jobText.textContent = t(standard ? 'e.renderingStandard' : 'e.rendering', { credits: c2(hold.credits) });
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
    jobText.textContent = t('e.failed', { credits: c2(refund), buckets: describeDraws(r.body?.refund?.buckets ?? []) });
    return;
  }
  const r = await ledger.settle(hold.id);
  if (r.status !== 200) {
    jobBox.dataset.state = 'error';
    jobText.textContent = t('e.notCharged', { detail: String(r.body?.message ?? r.status) });
    return;
  }
  jobBox.dataset.state = 'settled';
  jobBox.dataset.charged = r.body.charge.credits;
  jobText.textContent = standard
    ? t('e.doneStandard', { credits: c2(r.body.charge.credits), estimate: c2(q.credits) })
    : t('e.done', { credits: c2(r.body.charge.credits), buckets: describeDraws(r.body.charge.buckets), estimate: c2(q.credits) });
}

function describeDraws(draws) {
  return draws.length ? list(draws.map((d) => t('e.drawItem', { kind: kindName(d.kind), credits: fmtNum(L.f.credits, d.credits) }))) : t('e.noBucket');
}

/** 402: what is missing, the cheapest top-up covering it and the free standard queue. */
function showInsufficient(body, q) {
  const f = L.f;
  const tu = body.topUp;
  const sq = body.standardQueue;
  const buyBtn = tu && h('button', { type: 'button', 'data-buy': tu.need, text: t('e.buy', { credits: fmtNum(f.credits0, tu.credits), price: fmtNum(f.money, tu.totalUsd) }) });
  const queueBtn = h('button', { type: 'button', 'data-standard': '', text: t('e.runStandard', { slowdown: fmtNum(f.mult, sq.slowdown) }) });
  const missing = subtractDecimal(body.needed, body.available) ?? '0.00';
  offer.replaceChildren(h('p', { class: 'small warn', text: t('e.short', { needed: fmtNum(f.credits, body.needed), available: fmtNum(f.credits, body.available), short: fmtNum(f.credits, missing) }) }),
    ...(buyBtn ? [buyBtn] : []), queueBtn);
  offer.hidden = false;
  buyBtn?.addEventListener('click', async () => { offer.hidden = true; await buy(tu.need); });
  queueBtn.addEventListener('click', async () => {
    offer.hidden = true;
    setBusy(true);
    try {
      const r = await ledger.hold(holdSpec(q), 'standard');
      if (r.status === 201) await runJob(r.body.hold, q);
      else genStatus.textContent = t('e.cannotQueue', { detail: String(r.body?.message ?? r.status) });
    } finally {
      setBusy(false);
      await refreshBalance();
      await refreshStatement();
    }
  });
}

/** A top-up: Stripe Checkout when the server has it, else the demo's simulated payment. */
async function buy(credits) {
  topUpButton.disabled = true;
  try {
    const r = await ledger.topUp(credits);
    if (r.status === 201 && typeof r.body?.url === 'string') {
      location.assign(r.body.url); // Stripe Checkout; the webhook grants the credits once paid
      return;
    }
    genStatus.textContent = r.status === 201
      ? t('e.bought', { credits: fmtNum(L.f.credits, r.body.buckets[0].credits), price: fmtNum(L.f.money, r.body.purchase.totalUsd) })
      : t('e.topupFailed', { detail: String(r.body?.message ?? r.status) });
  } finally {
    topUpButton.disabled = false;
    await refreshBalance();
    await refreshStatement();
  }
}

pageReady = true;
translatePage(L.t);
