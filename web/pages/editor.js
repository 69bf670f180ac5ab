// Editor page: the page's own prompt box and settings drive the compact badge through attributes;
// the wallet preview shows what this render would use and what expires. Nothing leaves the page.
import { h, registerServiceWorker, formats, engineOf } from './common.js';

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

/** The demo wallet (a signed-in user's balances would come from the account API). */
const WALLET = { plan: 'basic', monthlyCredits: '180.00', priorityCredits: '50.00', topUpCredits: '40.00', monthEnds: '2026-11-30', topUpExpires: '2027-01-14' };

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

badge.addEventListener('credit-estimator:change', (e) => {
  errorOut.textContent = '';
  generate.disabled = false;
  renderWallet(e.detail.quote);
});
badge.addEventListener('credit-estimator:error', (e) => {
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
    v = est.call('wallet', walletRequest(quote));
  } catch (err) {
    walletBox.replaceChildren(h('p', { class: 'muted', text: `Wallet preview unavailable: ${err.message}` }));
    return;
  }
  const view = walletView(v);
  const rows = [];
  for (const b of view.balances) rows.push(h('dt', { text: b.label }), h('dd', { text: f.credits2.format(b.credits) }));
  rows.push(h('dt', { text: 'This render' }), h('dd', { text: `− ${f.credits2.format(quote.credits)}` }));
  rows.push(h('dt', { text: 'Left after' }), h('dd', { text: view.short ? `short by ${f.credits2.format(view.short)}` : f.credits2.format(view.after) }));
  const list = view.expiring.map((x) => h('li', { text: `${f.credits2.format(x.credits)} ${x.label} expire on ${f.date.format(new Date(`${x.date}T00:00:00Z`))}` }));
  walletBox.replaceChildren(h('dl', {}, ...rows), ...(list.length ? [h('p', { class: 'small', text: 'What will expire:' }), h('ul', {}, ...list)] : []));
}

// The wallet op's request/response shapes (docs/economics.md) are adapted here, in one place.
function walletRequest(quote) {
  return { balances: WALLET, charge: quote.credits };
}
function walletView(v) {
  return {
    balances: (v.balances ?? []).map((b) => ({ label: b.label ?? b.kind, credits: b.credits })),
    after: v.after ?? v.remaining ?? '0',
    short: v.short ?? v.shortfall ?? null,
    expiring: (v.expiring ?? []).map((x) => ({ credits: x.credits, label: x.label ?? x.kind, date: x.date ?? x.expires })),
  };
}
