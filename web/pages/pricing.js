// Pricing page: plans and bundles from the rate card in use, the top-up calculator, the plan
// recommender with its chart, and the ROI comparison. Every number comes from the engine (the rate
// card and the economics operations); this script only lays it out.
import { h, registerServiceWorker, localePicker, formats, lineChart, engineOf } from './common.js';

registerServiceWorker();

const widget = /** @type {import('../credit-estimator.js').CreditEstimatorElement} */ (document.getElementById('estimate'));
let locale = 'en-US';
let est = null;
/** @type {any} */ let lastQuote = null;

const rerender = () => { if (est) renderAll(); };
localePicker((loc) => { locale = loc; rerender(); });

widget.addEventListener('credit-estimator:change', (e) => { lastQuote = e.detail.quote; if (est) { renderRecommender(); renderROI(); } });
widget.addEventListener('credit-estimator:card', rerender);

for (const sel of ['[data-topup-form]', '[data-rec-form]']) {
  const form = document.querySelector(sel);
  form?.addEventListener('input', rerender);
  form?.addEventListener('submit', (e) => { e.preventDefault(); rerender(); });
}

engineOf(widget).then((engine) => {
  est = engine;
  lastQuote = widget.quote;
  renderAll();
}, (err) => {
  for (const sel of ['[data-topup-out]', '[data-rec-out]']) {
    const out = document.querySelector(sel);
    if (out) out.textContent = `Calculators unavailable: ${err.message}`;
  }
});

function renderAll() {
  renderPlans();
  renderBundles();
  renderTopUp();
  renderRecommender();
  renderROI();
}

function card() { return est.rateCard().card; }

/** Runs an economics op if the engine has it; returns {ok, value|error}. */
function op(name, req) {
  try {
    return { ok: true, value: est.call(name, req) };
  } catch (err) {
    return { ok: false, error: err };
  }
}

function renderPlans() {
  const f = formats(locale);
  const box = document.querySelector('[data-plans]');
  const c = card();
  const cards = (c.plans ?? []).map((p) => h('article', { class: 'card plan', 'data-plan': p.id },
    h('h3', { text: p.name }),
    h('p', { class: 'price' }, f.money.format(p.priceUsd), h('small', { text: ' / month' })),
    h('ul', {},
      h('li', { text: `${f.int.format(p.monthlyCredits)} monthly credits` }),
      ...(p.priorityCredits && p.priorityCredits !== '0' ? [h('li', { text: `+ ${f.int.format(p.priorityCredits)} priority credits` })] : []),
      h('li', { text: p.queue === 'fast' ? 'Fast generation queue' : 'Standard generation queue' }),
      h('li', { text: `${f.money4.format(String(Number(p.priceUsd) / Number(p.monthlyCredits)))} per credit` }))));
  const t = c.topUps;
  cards.push(h('article', { class: 'card plan', 'data-plan': 'payg' },
    h('h3', { text: 'Pay as you go' }),
    h('p', { class: 'price' }, f.money.format('0'), h('small', { text: ' / month' })),
    h('ul', {},
      h('li', { text: `${f.int.format(c.trial?.credits ?? 0)} free trial credits (${c.trial?.validDays ?? '—'} days)` }),
      h('li', { text: `Top-ups from ${f.money.format(t?.bundles?.[0]?.priceUsd ?? '0')}` }),
      h('li', { text: `Top-up credits valid ${t?.validDays ?? '—'} days` }))));
  box.replaceChildren(...cards);
  box.removeAttribute('aria-busy');
}

function renderBundles() {
  const f = formats(locale);
  const c = card();
  const body = document.querySelector('[data-bundles] tbody');
  const rows = (c.topUps?.bundles ?? []).map((b) => h('tr', {},
    h('td', { text: `${f.int.format(b.credits)} credits` }),
    h('td', { class: 'num', text: f.money.format(b.priceUsd) }),
    h('td', { class: 'num', text: f.money4.format(String(Number(b.priceUsd) / Number(b.credits))) })));
  body.replaceChildren(...rows);
  const note = document.querySelector('[data-bundle-note]');
  note.textContent = `Top-up credits are valid for ${c.topUps?.validDays ?? '—'} days. ${c.standardQueue?.label ?? ''}`;
}

function renderTopUp() {
  const f = formats(locale);
  const form = /** @type {HTMLFormElement} */ (document.querySelector('[data-topup-form]'));
  const out = document.querySelector('[data-topup-out]');
  const detail = document.querySelector('[data-topup-detail]');
  const credits = form.elements.namedItem('credits').value.trim();
  if (!/^\d+$/.test(credits) || credits === '0') { out.textContent = 'Enter a whole number of credits (1 or more).'; detail.replaceChildren(); return; }
  const r = op('topup', topUpRequest(credits));
  if (!r.ok) { out.textContent = r.error.message; detail.replaceChildren(); return; }
  const v = r.value;
  const view = topUpView(v);
  out.replaceChildren('Cheapest: ', h('strong', { text: `${f.int.format(view.credits)} credits for ${f.money.format(view.priceUsd)}` }),
    view.perCredit ? ` (${f.money4.format(view.perCredit)} per credit)` : '',
    Number(view.surplus) > 0 ? `, ${f.credits.format(view.surplus)} more than you need` : '', '. ',
    `Valid ${view.validDays} days.`);
  detail.replaceChildren(h('table', {}, h('thead', {}, h('tr', {}, h('th', { text: 'Buy' }), h('th', { class: 'num', text: 'Price' }))),
    h('tbody', {}, ...view.items.map((it) => h('tr', {}, h('td', { text: `${it.quantity} × ${f.int.format(it.credits)} credits` }), h('td', { class: 'num', text: f.money.format(it.priceUsd) }))))));
}

// The economics request/response shapes (docs/economics.md) are adapted here, in one place.
function topUpRequest(credits) { return { need: credits }; }
function topUpView(v) {
  const items = (v.bundles ?? []).map((it) => ({ quantity: it.count, credits: it.credits, priceUsd: it.subtotalUsd }));
  return { credits: v.credits, priceUsd: v.totalUsd, perCredit: v.pricePerCreditUsd, surplus: v.surplus, validDays: v.validDays, items };
}

function renderRecommender() {
  const out = document.querySelector('[data-rec-out]');
  const chartBox = document.querySelector('[data-rec-chart]');
  if (!lastQuote) { out.textContent = 'Set up a video in the estimator above to compare plans.'; chartBox.replaceChildren(); return; }
  const f = formats(locale);
  const form = /** @type {HTMLFormElement} */ (document.querySelector('[data-rec-form]'));
  const videos = form.elements.namedItem('videos').value.trim();
  if (!/^\d+$/.test(videos)) { out.textContent = 'Enter a whole number of videos per month.'; return; }
  const r = op('plans', plansRequest(lastQuote.unitCredits, Number(videos)));
  if (!r.ok) { out.textContent = r.error.message; chartBox.replaceChildren(); return; }
  const view = plansView(r.value);
  out.replaceChildren('Best for ', h('strong', { text: `${f.int.format(videos)} videos a month` }), ': ',
    h('strong', { text: view.best.name }), ` at ${f.money.format(view.best.monthlyUsd)} a month.`);
  for (const el of document.querySelectorAll('[data-plan]')) el.classList.toggle('recommended', el.getAttribute('data-plan') === view.best.id);
  // Cost curves: one op call per usage point; every y value comes from the engine.
  const maxVideos = Math.max(10, Number(videos) * 2);
  const steps = 24;
  const byOption = new Map();
  for (let i = 0; i <= steps; i++) {
    const n = Math.round((maxVideos * i) / steps);
    const rr = op('plans', plansRequest(lastQuote.unitCredits, n));
    if (!rr.ok) continue;
    for (const o of plansView(rr.value).options) {
      if (!byOption.has(o.name)) byOption.set(o.name, []);
      byOption.get(o.name).push([n, Number(o.monthlyUsd)]);
    }
  }
  const series = [...byOption].map(([name, points]) => ({ name, points }));
  chartBox.replaceChildren(lineChart(series, {
    title: `Monthly cost against videos per month (${f.credits2.format(lastQuote.unitCredits)} credits each)`,
    xLabel: 'Videos per month', yLabel: 'USD per month', fmtX: (x) => f.int.format(x), fmtY: (y) => f.money0.format(y), markerX: Number(videos),
  }), h('ul', { class: 'legend' }, ...series.map((se, i) => h('li', { class: `s${i % 5}` }, h('span', { text: se.name })))));
}
function plansRequest(unitCredits, videos) { return { creditsPerVideo: unitCredits, videosPerMonth: videos }; }
function plansView(v) {
  const options = (v.options ?? v.plans ?? []).map((o) => ({ id: o.id ?? o.plan, name: o.name ?? o.label ?? o.id, monthlyUsd: o.monthlyUsd ?? o.totalUsd ?? o.costUsd }));
  const bestId = v.best ?? v.recommended ?? options[0]?.id;
  const best = options.find((o) => o.id === bestId || o.id === bestId?.id) ?? options[0];
  return { options, best };
}

function renderROI() {
  const box = document.querySelector('[data-roi]');
  if (!lastQuote) return;
  const f = formats(locale);
  const r = op('roi', { credits: lastQuote.credits });
  if (!r.ok) { box.replaceChildren(h('p', { class: 'card', text: r.error.message })); return; }
  const v = r.value;
  const tile = (label, value, note) => h('div', { class: 'card' }, h('p', { class: 'muted small', text: label }), h('p', { class: 'kpi', text: value }), h('p', { class: 'muted small', text: note }));
  box.replaceChildren(
    tile('Outsourced', f.money.format(v.traditionalUsd ?? '0'), v.label ?? ''),
    tile('With credits', `${f.money.format(v.generatedUsd?.min ?? v.usd?.min ?? '0')} – ${f.money.format(v.generatedUsd?.max ?? v.usd?.max ?? '0')}`, `${f.credits2.format(lastQuote.credits)} credits`),
    tile('Saving', v.savingPercent ? f.pct.format(Number(v.savingPercent) / 100) : '—', 'of the outsourced cost'));
}
