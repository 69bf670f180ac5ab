// Editor page: the page's own prompt box and settings drive the compact badge through attributes;
// the wallet preview shows what this render would use and what expires. Nothing leaves the page.
import { h, s, registerServiceWorker, formats, engineOf } from './common.js';

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
const KIND = { trial: 'Trial credits', monthly: 'Monthly credits', priority: 'Priority credits', topup: 'Top-up credits' };

function sync(el) {
  const attr = el.dataset.spec;
  if (attr) badge.setAttribute(attr, el.value);
}
for (const el of document.querySelectorAll('[data-spec]')) {
  sync(el);
  el.addEventListener('input', () => sync(el));
  el.addEventListener('change', () => sync(el));
}
badge.prompt = prompt.value;
prompt.addEventListener('input', () => { badge.prompt = prompt.value; });

const cxLine = document.querySelector('[data-cx]');
/** What the analyser found in the prompt: level and signals, as text. */
function showComplexity(quote) {
  if (!quote) { cxLine.replaceChildren(); return; }
  const c = quote.complexity;
  cxLine.replaceChildren(h('span', { class: 'muted', text: 'Complexity: ' }), h('strong', { text: `${c.label} ×${c.multiplier}` }),
    ...c.signals.map((sg) => h('span', { class: 'chip', title: sg.label }, `${sg.label}: `, h('q', { text: sg.match }), ` +${sg.weight}`)));
}

badge.addEventListener('credit-estimator:change', (e) => {
  showComplexity(e.detail.quote);
  errorOut.textContent = '';
  generate.disabled = false;
  renderWallet(e.detail.quote);
});
badge.addEventListener('credit-estimator:error', (e) => {
  showComplexity(null);
  errorOut.textContent = e.detail.error.message;
  generate.disabled = true;
  renderWallet(null);
});
badge.addEventListener('credit-estimator:loaderror', (e) => { errorOut.textContent = `The cost preview could not be loaded: ${e.detail.message}`; });
badge.addEventListener('credit-estimator:card', () => showCard());
generate.addEventListener('click', () => {
  const q = badge.quote;
  genStatus.textContent = q ? `Demo: this would start a render for ${badge.formatCredits(q.credits)} credits.` : 'Fix the settings first.';
});

engineOf(badge).then((engine) => { est = engine; showCard(); renderWallet(badge.quote); }, () => {});

function showCard() {
  const c = badge.card;
  if (!c) return;
  cardStatus.textContent = c.state === 'offline'
    ? `Offline: using rate card ${c.version}; prices may have changed since it was last checked.`
    : `Rate card ${c.version}.`;
}

function renderWallet(quote) {
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
