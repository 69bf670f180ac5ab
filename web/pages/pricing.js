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

// The recommender runs dozens of plan comparisons for its chart: it follows the widget a moment
// after typing stops, so keystrokes only pay for the estimate itself.
let pending = 0;
widget.addEventListener('credit-estimator:change', (e) => {
  lastQuote = e.detail.quote;
  clearTimeout(pending);
  pending = setTimeout(() => { if (est) { renderRecommender(); renderROI(); renderWorkflow(); } }, 150);
});
widget.addEventListener('credit-estimator:card', rerender);

for (const sel of ['[data-topup-form]', '[data-rec-form]', '[data-wf-form]']) {
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
  renderWorkflow();
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
  if (!/^\d+$/.test(videos) || Number(videos) > 100000) { out.textContent = 'Enter a whole number of videos per month (0 to 100,000).'; return; }
  const spec = widget.spec;
  // The month's workload as jobs (so the engine prices each video and reports per-video costs).
  const r = op('plans', Number(videos) > 0 ? { jobs: [{ spec, count: Number(videos) }], like: spec } : { credits: '0', like: spec });
  if (!r.ok) { out.textContent = r.error.message; chartBox.replaceChildren(); return; }
  const v = r.value;
  const best = v.options.find((o) => o.id === v.recommended?.id);
  out.replaceChildren(h('strong', { text: best ? `${best.name}: ${f.money.format(best.costUsd)} a month` : 'No recommendation' }), '. ', v.recommended?.reason ?? '');
  for (const el of document.querySelectorAll('[data-plan]')) {
    const id = el.getAttribute('data-plan');
    el.classList.toggle('recommended', Boolean(best) && (id === best.plan || (id === 'payg' && best.id === 'payg')));
  }

  // Cost curves at full speed, one op call per usage point: every y value comes from the engine.
  const maxVideos = Math.max(10, Number(videos) * 2);
  const steps = 40;
  const series = new Map();
  for (let i = 0; i <= steps; i++) {
    const n = Math.round((maxVideos * i) / steps);
    const rr = op('plans', { credits: times(lastQuote.credits, n) });
    if (!rr.ok) continue;
    for (const o of rr.value.options) {
      if (!o.fullSpeed || o.oneTime) continue;
      const key = o.plan ?? o.id;
      const planName = o.plan ? (card().plans.find((p) => p.id === o.plan)?.name ?? o.plan) : null;
      const name = planName ? `${planName} (+ top-ups)` : o.name;
      if (!series.has(key)) series.set(key, { name, points: [] });
      series.get(key).points.push([n, Number(o.costUsd)]);
    }
  }
  const list = [...series.values()];
  const table = h('table', { class: 'small' }, h('caption', { class: 'visually-hidden', text: 'Options for this usage' }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Option' }), h('th', { scope: 'col', class: 'num', text: 'Per month' }), h('th', { scope: 'col', class: 'num', text: 'Per video' }), h('th', { scope: 'col', class: 'num', text: 'Expiring unused' }))),
    h('tbody', {}, ...v.options.map((o) => h('tr', { class: o.id === best?.id ? 'best' : '' },
      h('td', { text: o.name }), h('td', { class: 'num', text: f.money.format(o.costUsd) }),
      h('td', { class: 'num', text: o.pricePerVideoUsd ? f.money4.format(o.pricePerVideoUsd) : '—' }),
      h('td', { class: 'num', text: f.credits.format(o.expiringCredits) })))));
  const covers = (v.like?.plans ?? []).map((p) => `${p.name}: ${f.int.format(p.videos)}`).join(' · ');
  chartBox.replaceChildren(
    lineChart(list, {
      title: `Monthly cost at full speed against videos per month (${f.credits2.format(lastQuote.credits)} credits each)`,
      xLabel: 'Videos per month', yLabel: 'USD per month', fmtX: (x) => f.int.format(x), fmtY: (y) => f.money0.format(y), markerX: Number(videos),
    }),
    h('ul', { class: 'legend' }, ...list.map((se, i) => h('li', { class: `s${i % 5}` }, h('span', { text: se.name })))),
    h('p', { class: 'small muted', text: covers ? `Videos like this each allowance covers: ${covers}.` : '' }),
    h('div', { class: 'table-wrap' }, table),
    h('ul', { class: 'small muted' }, ...(v.breakEven ?? []).map((b) => h('li', { text: b.statement }))));
}

/** n × a decimal string of credits, exactly (hundredths as BigInt). */
function times(credits, n) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(credits);
  const c = (BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'))) * BigInt(n);
  return `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
}

function renderROI() {
  const box = document.querySelector('[data-roi]');
  if (!lastQuote) return;
  const f = formats(locale);
  const form = /** @type {HTMLFormElement} */ (document.querySelector('[data-rec-form]'));
  const videos = Number(form.elements.namedItem('videos').value.trim());
  const recommended = document.querySelector('.plan.recommended')?.getAttribute('data-plan');
  /** @type {Record<string, unknown>} */
  const req = { spec: widget.spec };
  if (recommended && recommended !== 'payg' && Number.isInteger(videos) && videos > 0) { req.plan = recommended; req.videosPerMonth = videos; }
  const r = op('roi', req);
  if (!r.ok) { box.replaceChildren(h('p', { class: 'card', text: r.error.message })); return; }
  const v = r.value;
  const tile = (label, value, note) => h('div', { class: 'card' }, h('p', { class: 'muted small', text: label }), h('p', { class: 'kpi', text: value }), h('p', { class: 'muted small', text: note }));
  const sub = v.subscription ? ` + ${f.money.format(v.subscription.shareUsd ?? v.subscription.perVideoUsd ?? '0')} plan share` : '';
  box.replaceChildren(
    tile('Outsourced', f.money.format(v.traditional.costUsd), v.traditional.label),
    tile('With credits', f.money.format(v.totalUsd), `${f.credits2.format(v.credits)} credits at ${f.money4.format(v.pricePerCreditUsd)} each${sub}`),
    tile('You save', f.pct.format(Number(v.savingPercent) / 100), `${f.money.format(v.savingUsd)} per video, ${f.int.format(Math.round(Number(v.ratio)))}× cheaper`));
}

function renderWorkflow() {
  const out = document.querySelector('[data-wf-out]');
  const detail = document.querySelector('[data-wf-detail]');
  if (!lastQuote) { out.textContent = ''; detail.replaceChildren(); return; }
  const f = formats(locale);
  const form = /** @type {HTMLFormElement} */ (document.querySelector('[data-wf-form]'));
  const n = (name) => form.elements.namedItem(name).value.trim();
  if (!/^\d+$/.test(n('prototypes')) || !/^\d+$/.test(n('refinements'))) { out.textContent = 'Enter whole numbers of drafts and refinements.'; detail.replaceChildren(); return; }
  const r = op('workflow', { final: widget.spec, prototypes: Number(n('prototypes')), refinements: Number(n('refinements')) });
  if (!r.ok) { out.textContent = r.error.message; detail.replaceChildren(); return; }
  const v = r.value;
  out.replaceChildren('Drafts first: ', h('strong', { text: `${f.credits2.format(v.workflow.credits)} credits` }),
    ` instead of ${f.credits2.format(v.baseline.credits)}: `, h('strong', { text: `${f.pct.format(Number(v.saving.percent) / 100)} less` }),
    ` (${f.money.format(v.saving.usd.min)} – ${f.money.format(v.saving.usd.max)} saved).`);
  const plan = (title, p) => h('div', {}, h('h3', { class: 'small', text: title }),
    h('table', { class: 'small' }, h('caption', { class: 'visually-hidden', text: title }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Step' }), h('th', { scope: 'col', class: 'num', text: 'Count' }), h('th', { scope: 'col', class: 'num', text: 'Credits' }))),
      h('tbody', {}, ...p.lines.map((l) => h('tr', {}, h('td', { text: l.label }), h('td', { class: 'num', text: f.int.format(l.count) }), h('td', { class: 'num', text: f.credits2.format(l.credits) }))),
        h('tr', { class: 'total' }, h('td', { text: 'Total' }), h('td'), h('td', { class: 'num', text: f.credits2.format(p.credits) })))));
  detail.replaceChildren(plan('Drafts, final, refinements', v.workflow), plan('Every variation at final quality', v.baseline));
}
