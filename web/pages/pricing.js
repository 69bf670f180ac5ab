// Pricing page: plans and bundles from the rate card in use, the top-up calculator, the plan
// recommender with its chart, the workflow planner and the outsourcing comparison. Every number
// comes from the engine (the rate card and the economics operations: prices per credit from
// "prices", already rounded by the engine's rule for the card's currency; this script never
// divides, multiplies or rounds a price); every text from the page
// catalogue (pages/messages.js); every number is formatted by the element's formatter.
// The plans, bundles and comparison table are in the HTML from the build (cmd/webbuild renders
// them from the card); this script re-renders them in the reader's language once it runs.
import { h, registerServiceWorkerAfterFirstPrice, localePicker, lineChart, engineOf, pageLocale, translatePage } from './common.js';
import { cardTranslations } from '../ce/choices.js';
import { fmt } from '../ce/format.js';


const widget = /** @type {import('../credit-estimator.js').CreditEstimatorElement} */ (document.getElementById('estimate'));
registerServiceWorkerAfterFirstPrice(widget);
let est = null;
/** @type {any} */ let lastQuote = null;
/** The page's locale, translator and formats (the card's currency). */
let L = pageLocale('USD');

// A card that arrives later (the server's newer card, or one in another currency) brings its
// currency: the formats follow the card in use, not the one the page started with.
const rerender = () => {
  if (!est) return;
  const currency = card().currency;
  if (L.f.currency !== currency) L = pageLocale(currency);
  renderAll();
};
localePicker(() => { L = pageLocale(est ? card().currency : 'USD'); translatePage(L.t); rerender(); });

// The recommender runs dozens of plan comparisons for its chart: it follows the widget a moment
// after typing stops, so keystrokes only pay for the estimate itself.
let pending = 0;
widget.addEventListener('credit-estimator-change', (e) => {
  lastQuote = /** @type {CustomEvent} */ (e).detail.quote;
  clearTimeout(pending);
  pending = setTimeout(() => { if (est) { renderRecommender(); renderROI(); renderWorkflow(); } }, 150);
});
widget.addEventListener('credit-estimator-card', rerender);

for (const sel of ['[data-topup-form]', '[data-rec-form]', '[data-wf-form]', '[data-roi-form]']) {
  const form = document.querySelector(sel);
  form?.addEventListener('input', rerender);
  form?.addEventListener('submit', (e) => { e.preventDefault(); rerender(); });
}
let chartWidth = 0;
if (typeof ResizeObserver === 'function') {
  const box = document.querySelector('[data-rec-chart]');
  if (box) {
    new ResizeObserver(([entry]) => {
      const w = Math.round(entry.contentRect.width);
      if (Math.abs(w - chartWidth) > 24) { chartWidth = w; if (est && lastQuote) renderRecommender(); }
    }).observe(box);
  }
}

engineOf(widget).then((engine) => {
  est = engine;
  lastQuote = widget.quote;
  L = pageLocale(card().currency);
  translatePage(L.t);
  renderAll();
}, (err) => {
  for (const sel of ['[data-topup-out]', '[data-rec-out]']) {
    const out = document.querySelector(sel);
    if (out) out.textContent = L.t('p.page.unavailable', { detail: String(err?.message ?? err) });
  }
});

function renderAll() {
  renderPlans();
  renderBundles();
  renderCompare();
  renderTopUp();
  renderRecommender();
  renderROI();
  renderWorkflow();
}

function card() { return est.rateCard().card; }
/** The card's labels in the page's language. */
function tr() { return cardTranslations(card(), L.lang); }
function planName(p) { return tr().plans?.[p.id] ?? p.name; }

/**
 * The engine's answers by card and request. An answer depends on nothing else, and the page asks
 * the same questions again: the recommender's 42 comparisons after the widget's first price (once
 * when the engine is ready, once when the price settles), when the chart's width changes, when
 * the language does. The answers are shared: rendering reads them and never changes them.
 * @type {Map<string, {ok: boolean, value?: any, error?: any}>}
 */
const answers = new Map();
const MAX_ANSWERS = 256;

/** Runs an economics op; returns {ok, value|error}. */
function op(name, req) {
  const key = `${est.rateCard().digest} ${name} ${JSON.stringify(req)}`;
  let r = answers.get(key);
  if (r) return r;
  try {
    r = { ok: true, value: est.call(name, req) };
  } catch (err) {
    r = { ok: false, error: err };
  }
  if (answers.size >= MAX_ANSWERS) answers.clear();
  answers.set(key, r);
  return r;
}
/** A quote as an op result ({ok, value|error}). */
function quoteOf(spec) {
  try {
    return { ok: true, value: est.estimate(spec) };
  } catch (err) {
    return { ok: false, error: err };
  }
}
/** An engine error in the page's language (the engine's message is English). */
function errorText(err) { return L.lang === 'en' ? String(err?.message ?? err) : L.t('p.page.error', { code: String(err?.code ?? 'internal') }); }

/**
 * The engine's prices per credit of the card's plans and bundles (op "prices"), once per card.
 * @type {{digest: string, value: any}}
 */
let pricesMemo = { digest: '', value: null };
function prices() {
  const { digest } = est.rateCard();
  if (pricesMemo.digest !== digest) pricesMemo = { digest, value: est.cardPrices() };
  return pricesMemo.value;
}
/** A plan's entry of the prices op: credits granted each period and the price per credit. */
function planPrice(p) { return prices().plans.find((x) => x.id === p.id) ?? { credits: p.monthlyCredits, pricePerCreditUsd: null }; }
/** A unit price from the engine, or a dash when there is none. */
function unitText(f, s) { return s == null ? '—' : fmt(f.unitPrice, s); }

function renderPlans() {
  const { t, f } = L;
  const box = document.querySelector('[data-plans]');
  const c = card();
  const recommended = document.querySelector('[data-plans]')?.getAttribute('data-recommended') ?? '';
  const cards = (c.plans ?? []).map((p) => {
    const { credits: granted, pricePerCreditUsd: per } = planPrice(p);
    const hasPriority = p.priorityCredits && p.priorityCredits !== '0';
    return h('article', { class: 'card plan', 'data-plan': p.id },
      h('h3', { text: planName(p) }),
      h('p', { class: 'price' }, fmt(f.money, p.priceUsd), h('small', { text: ` ${t('p.plans.perMonth')}` })),
      h('ul', {},
        h('li', { text: t('p.plans.monthly', { n: p.monthlyCredits, credits: fmt(f.credits0, p.monthlyCredits) }) }),
        ...(hasPriority ? [h('li', { text: t('p.plans.priority', { n: p.priorityCredits, credits: fmt(f.credits0, p.priorityCredits) }) })] : []),
        h('li', { text: p.queue === 'fast' ? t('p.plans.fast') : t('p.plans.standard') }),
        h('li', { text: hasPriority
          ? t('p.plans.perCreditBoth', { price: unitText(f, per), credits: fmt(f.credits0, granted) })
          : t('p.plans.perCredit', { price: unitText(f, per), credits: fmt(f.credits0, granted) }) })));
  });
  const top = c.topUps;
  const first = top?.bundles?.[0];
  cards.push(h('article', { class: 'card plan', 'data-plan': 'payg' },
    h('h3', { text: t('p.plans.payg') }),
    h('p', { class: 'price' }, t('p.plans.noSubscription')),
    h('ul', {},
      h('li', { text: t('p.plans.trial', { n: c.trial?.credits ?? 0, credits: fmt(f.credits0, c.trial?.credits ?? '0'), days: f.days.format(c.trial?.validDays ?? 0) }) }),
      ...(first ? [h('li', { text: t('p.plans.topupsFrom', { price: fmt(f.money, first.priceUsd), credits: fmt(f.credits0, first.credits) }) })] : []),
      h('li', { text: t('p.plans.topupValid', { days: f.days.format(top?.validDays ?? 0) }) }))));
  box.replaceChildren(...cards);
  box.removeAttribute('aria-busy');
  markRecommended(recommended);
}

/** Marks the recommended option in text (a visible tag, read by screen readers), not by colour alone. */
function markRecommended(id) {
  const box = document.querySelector('[data-plans]');
  if (box) box.setAttribute('data-recommended', id);
  for (const el of document.querySelectorAll('[data-plan]')) {
    const on = el.getAttribute('data-plan') === id;
    el.classList.toggle('recommended', on);
    el.querySelector('.tag')?.remove();
    if (on) el.querySelector('h3')?.append(h('span', { class: 'tag', text: L.t('p.plans.recommended') }));
  }
}

function renderBundles() {
  const { t, f } = L;
  const c = card();
  const body = document.querySelector('[data-bundles] tbody');
  const rows = (prices().bundles ?? []).map((b) => h('tr', {},
    h('td', { text: t('p.bundles.credits', { n: b.credits, credits: fmt(f.credits0, b.credits) }) }),
    h('td', { class: 'num', text: fmt(f.money, b.priceUsd) }),
    h('td', { class: 'num', text: unitText(f, b.pricePerCreditUsd) })));
  body.replaceChildren(...rows);
  const note = document.querySelector('[data-bundle-note]');
  note.textContent = t('p.bundles.note', { days: f.days.format(c.topUps?.validDays ?? 0), queue: tr().standardQueue ?? c.standardQueue?.label ?? '' });
}

/** The plans side by side: price, credits granted, price per credit, queue. */
function renderCompare() {
  const { t, f } = L;
  const body = document.querySelector('[data-compare] tbody');
  if (!body) return;
  const c = card();
  body.replaceChildren(...(c.plans ?? []).map((p) => {
    const per = planPrice(p).pricePerCreditUsd;
    return h('tr', {},
      h('th', { scope: 'row', text: planName(p) }),
      h('td', { class: 'num', text: fmt(f.money, p.priceUsd) }),
      h('td', { class: 'num', text: fmt(f.credits0, p.monthlyCredits) }),
      h('td', { class: 'num', text: fmt(f.credits0, p.priorityCredits ?? '0') }),
      h('td', { class: 'num', text: unitText(f, per) }),
      h('td', { text: p.queue === 'fast' ? t('p.compare.fast') : t('p.compare.standard') }));
  }));
}

function renderTopUp() {
  const { t, f } = L;
  const form = /** @type {HTMLFormElement} */ (document.querySelector('[data-topup-form]'));
  const out = document.querySelector('[data-topup-out]');
  const detail = document.querySelector('[data-topup-detail]');
  const credits = /** @type {HTMLInputElement} */ (form.elements.namedItem('credits')).value.trim();
  if (!/^\d+$/.test(credits) || credits === '0') { out.textContent = t('p.topup.enter'); detail.replaceChildren(); return; }
  const r = op('topup', { need: credits });
  if (!r.ok) { out.textContent = errorText(r.error); detail.replaceChildren(); return; }
  const v = r.value;
  const values = {
    n: v.credits, credits: fmt(f.credits0, v.credits), price: fmt(f.money, v.totalUsd), per: unitText(f, v.pricePerCreditUsd),
    surplus: fmt(f.credits0, v.surplus), days: f.days.format(v.validDays),
  };
  out.replaceChildren(h('strong', { text: t('p.topup.cheapest', values) }), ' ',
    Number(v.surplus) > 0 ? t('p.topup.detailSurplus', values) : t('p.topup.detail', values));
  detail.replaceChildren(h('table', {}, h('caption', { class: 'visually-hidden', text: t('p.topup.buy') }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('p.topup.buy') }), h('th', { scope: 'col', class: 'num', text: t('p.topup.price') }))),
    h('tbody', {}, ...(v.bundles ?? []).map((it) => h('tr', {},
      h('td', { text: t('p.topup.line', { count: f.int.format(it.count), n: it.credits, credits: fmt(f.credits0, it.credits) }) }),
      h('td', { class: 'num', text: fmt(f.money, it.subtotalUsd) }))))));
}

/** The options the recommender compares: pay as you go and each plan (with top-ups), at full speed. */
const OPTION_IDS = (c) => ['payg', ...(c.plans ?? []).map((p) => p.id)];

/**
 * Where each option is the cheapest, in credits a month, from the engine's break-even points:
 * X is cheaper than Y on [firstCheaperAt, dearerAgainAt) (to infinity when it never turns dearer);
 * X's range is the intersection over every other option. Hundredths of a credit; Infinity = no end.
 * @returns {Map<string, Array<[number, number]>>}
 */
function cheapestRanges(breakEven, ids) {
  const cents = (s) => (s == null ? Infinity : Math.round(Number(s) * 100));
  /** @type {(x: string, y: string) => Array<[number, number]>} */
  const cheaper = (x, y) => {
    const direct = breakEven.filter((b) => b.option === x && b.than === y);
    if (direct.length) return direct.map((b) => [cents(b.firstCheaperAt), b.neverDearerFrom != null ? Infinity : cents(b.dearerAgainAt)]);
    const back = breakEven.filter((b) => b.option === y && b.than === x);
    if (!back.length) return [[0, Infinity]];
    // The complement of y's range (x wins ties: only y's strict wins are excluded).
    const out = [];
    let at = 0;
    for (const [lo, hi] of back.map((b) => [cents(b.firstCheaperAt), b.neverDearerFrom != null ? Infinity : cents(b.dearerAgainAt)]).sort((a, b) => a[0] - b[0])) {
      if (lo > at) out.push([at, lo]);
      at = Math.max(at, hi);
    }
    if (at < Infinity) out.push([at, Infinity]);
    return out;
  };
  const intersect = (a, b) => a.flatMap(([l1, h1]) => b.map(([l2, h2]) => [Math.max(l1, l2), Math.min(h1, h2)])).filter(([l, hh]) => l < hh);
  const out = new Map();
  for (const x of ids) {
    let range = [[0, Infinity]];
    for (const y of ids) if (y !== x) range = intersect(range, cheaper(x, y));
    out.set(x, range);
  }
  return out;
}

function optionName(id) {
  if (id === 'payg') return L.t('p.plans.payg');
  const p = card().plans.find((pl) => pl.id === id);
  return p ? planName(p) : id;
}

function renderRecommender() {
  const { t, f } = L;
  const out = document.querySelector('[data-rec-out]');
  const chartBox = document.querySelector('[data-rec-chart]');
  if (!lastQuote) { out.textContent = t('p.rec.setup'); chartBox.replaceChildren(); return; }
  const form = /** @type {HTMLFormElement} */ (document.querySelector('[data-rec-form]'));
  const videos = /** @type {HTMLInputElement} */ (form.elements.namedItem('videos')).value.trim();
  if (!/^\d+$/.test(videos) || Number(videos) > 100000) { out.textContent = t('p.rec.enter', { max: f.int.format(100000) }); return; }
  // Single videos: the widget's "Number of videos" is a batch; the recommender counts videos.
  const one = { ...widget.spec, count: 1 };
  const unit = lastQuote.unitCredits;
  const r = op('plans', Number(videos) > 0 ? { jobs: [{ spec: one, count: Number(videos) }], like: one } : { credits: '0', like: one });
  if (!r.ok) { out.textContent = errorText(r.error); chartBox.replaceChildren(); return; }
  const v = r.value;
  const best = v.options.find((o) => o.id === v.recommended?.id);
  const days = f.days.format(card().topUps?.validDays ?? 0);
  let sentence = t('p.rec.none');
  if (best?.id === 'payg' && best.topUp) {
    sentence = t('p.rec.bestPayg', { n: best.topUp.credits, credits: fmt(f.credits0, best.topUp.credits), price: fmt(f.money, best.topUp.totalUsd), days, videos: f.int.format(Number(videos)) });
  } else if (best?.id === 'trial') {
    sentence = t('p.rec.bestTrial', { credits: fmt(f.credits0, best.includedCredits) });
  } else if (best) {
    sentence = t('p.rec.bestPlan', { name: optionName(best.plan ?? best.id), price: fmt(f.money, best.costUsd), per: unitText(f, best.pricePerVideoUsd) });
  }
  out.replaceChildren(h('strong', { text: sentence }));
  markRecommended(best ? (best.plan ?? best.id) : '');

  // Plain ranges: "Basic is cheapest from 200 to 2,250 credits a month", from the break-even points.
  const ids = OPTION_IDS(card());
  const ranges = cheapestRanges(v.breakEven ?? [], ids);
  const rangeLines = [];
  const crossings = [];
  for (const id of ids) {
    for (const [lo, hi] of ranges.get(id) ?? []) {
      const from = f.int.format(Math.floor(lo / 100));
      const name = optionName(id);
      if (hi === Infinity) rangeLines.push(lo === 0 ? t('p.rec.always', { name }) : t('p.rec.rangeFrom', { name, from }));
      else if (lo === 0) rangeLines.push(t('p.rec.rangeTo', { name, to: f.int.format(Math.floor(hi / 100)) }));
      else rangeLines.push(t('p.rec.range', { name, from, to: f.int.format(Math.floor(hi / 100)) }));
      for (const x of [lo, hi]) if (x > 0 && x < Infinity) crossings.push(x / 100);
    }
  }

  // Cost curves at full speed, one op call per usage point: every y value comes from the engine,
  // which also multiplies the video's credits (a job of n videos of the level the quote found, so
  // the prompt is not analysed again for every point). The range reaches past the last crossing,
  // so the chart shows where the lines cross.
  const unitNum = Number(unit) || 1;
  const lastCross = crossings.length ? Math.max(...crossings) / unitNum : 0;
  const maxVideos = Math.max(10, Number(videos) * 2, Math.ceil(lastCross * 1.15));
  const steps = 40;
  const series = new Map();
  const level = { ...one, prompt: '', complexity: lastQuote.complexity?.level ?? one.complexity };
  for (let i = 0; i <= steps; i++) {
    const n = Math.round((maxVideos * i) / steps);
    const rr = op('plans', n > 0 ? { jobs: [{ spec: level, count: n }] } : { credits: '0' });
    if (!rr.ok) continue;
    for (const o of rr.value.options) {
      if (!o.fullSpeed || o.oneTime) continue;
      const key = o.plan ?? o.id;
      const name = o.plan ? t('p.rec.planLine', { name: optionName(o.plan) }) : t('p.rec.paygLine');
      if (!series.has(key)) series.set(key, { name, points: [] });
      series.get(key).points.push([n, Number(o.costUsd)]);
    }
  }
  const list = [...series.values()];
  const bestKey = best ? (best.plan ?? best.id) : '';
  const table = h('table', { class: 'small' }, h('caption', { class: 'visually-hidden', text: t('p.rec.tableCaption') }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('p.rec.option') }), h('th', { scope: 'col', class: 'num', text: t('p.rec.cost') }),
      h('th', { scope: 'col', class: 'num', text: t('p.rec.perVideo') }), h('th', { scope: 'col', class: 'num', text: t('p.rec.expiring') }))),
    h('tbody', {}, ...v.options.filter((o) => !o.oneTime).map((o) => {
      const id = o.plan ?? o.id;
      const isBest = id === bestKey;
      const cost = o.id === 'payg' && o.topUp
        ? t('p.rec.paygCost', { price: fmt(f.money, o.costUsd), days })
        : t('p.rec.monthCost', { price: fmt(f.money, o.costUsd) });
      return h('tr', { class: isBest ? 'best' : '' },
        h('td', {}, optionName(id), ...(isBest ? [' ', h('span', { class: 'tag', text: t('p.plans.recommended') })] : [])),
        h('td', { class: 'num', text: cost }),
        h('td', { class: 'num', text: unitText(f, o.pricePerVideoUsd) }),
        h('td', { class: 'num', text: fmt(f.credits0, o.expiringCredits) }));
    })));
  const covers = (v.like?.plans ?? []).filter((p) => p.id !== 'trial')
    .map((p) => t('p.rec.coverItem', { name: optionName(p.id), n: p.videos, videos: f.int.format(p.videos) }));
  const batch = Number(lastQuote.count) > 1 ? t('p.rec.batchNote', { count: f.int.format(lastQuote.count), unit: fmt(f.credits, unit), total: fmt(f.credits, lastQuote.credits) }) : '';
  const width = Math.max(320, Math.min(760, chartWidth || 760));
  chartBox.replaceChildren(
    h('ul', { class: 'ranges' }, ...rangeLines.map((l) => h('li', { text: l }))),
    lineChart(list, {
      title: t('p.rec.chartTitle', { credits: fmt(f.credits, unit) }),
      xLabel: t('p.rec.xLabel'), yLabel: t('p.rec.yLabel', { currency: card().currency }),
      fmtX: (x) => f.int.format(x), fmtY: (y) => f.money0.format(y), markerX: Number(videos), width, dir: L.dir,
    }),
    h('ul', { class: 'legend' }, ...list.map((se, i) => h('li', { class: `s${i % 5}` }, h('span', { text: se.name })))),
    h('p', { class: 'small muted', text: covers.length ? t('p.rec.covers', { list: new Intl.ListFormat(L.tag, { type: 'conjunction' }).format(covers) }) : '' }),
    ...(batch ? [h('p', { class: 'small muted', text: batch })] : []),
    h('div', { class: 'table-wrap' }, table));
}

function renderROI() {
  const { t, f } = L;
  const box = document.querySelector('[data-roi]');
  if (!lastQuote || !box) return;
  const c = card();
  const form = /** @type {HTMLFormElement|null} */ (document.querySelector('[data-roi-form]'));
  const ownInput = /** @type {HTMLInputElement|null} */ (form?.elements.namedItem('traditional') ?? null);
  if (ownInput && !ownInput.value) ownInput.placeholder = fmt(f.credits0, c.roi.traditionalUsd);
  const own = ownInput?.value.trim() ?? '';
  if (own && !/^\d+(\.\d{1,2})?$/.test(own)) { box.replaceChildren(h('p', { class: 'card', text: t('p.roi.enter') })); return; }
  // Like for like: one video of the outsourced length (within the card's limits), with the same
  // settings, at the price per credit this person would pay (the recommended plan's, else the
  // top-up that buys it).
  const seconds = Math.min(Number(c.roi.traditionalSeconds), Number(c.duration.maxSeconds));
  const spec = { ...widget.spec, count: 1, durationSeconds: seconds };
  const q = quoteOf(spec);
  if (!q.ok) { box.replaceChildren(h('p', { class: 'card', text: errorText(q.error) })); return; }
  const recommended = document.querySelector('[data-plans]')?.getAttribute('data-recommended') ?? '';
  const plan = c.plans.find((p) => p.id === recommended);
  let perCredit;
  let how;
  if (plan) {
    perCredit = planPrice(plan).pricePerCreditUsd;
    how = t('p.roi.howPlan', { name: planName(plan) });
  } else {
    const tu = op('topup', { need: q.value.credits });
    perCredit = tu.ok ? tu.value.pricePerCreditUsd : prices().bundles[0]?.pricePerCreditUsd;
    how = t('p.roi.howTopup');
  }
  const req = { credits: q.value.credits, pricePerCreditUsd: perCredit, ...(own ? { traditionalUsd: own } : {}) };
  const r = op('roi', req);
  if (!r.ok) { box.replaceChildren(h('p', { class: 'card', text: errorText(r.error) })); return; }
  const v = r.value;
  const tile = (label, value, note) => h('div', { class: 'card' }, h('p', { class: 'muted small', text: label }), h('p', { class: 'kpi', text: value }), h('p', { class: 'muted small', text: note }));
  const secs = f.int.format(v.traditional.seconds);
  const saving = Number(v.savingUsd) >= 0;
  box.replaceChildren(
    tile(t('p.roi.outsourced', { seconds: secs }), fmt(f.money, v.traditional.costUsd), own ? t('p.roi.yourCost') : (tr().roi ?? v.traditional.label)),
    tile(t('p.roi.credits', { seconds: secs }), fmt(f.money, v.totalUsd), t('p.roi.creditsNote', { n: v.credits, credits: fmt(f.credits, v.credits), per: unitText(f, v.pricePerCreditUsd), how })),
    tile(saving ? t('p.roi.less') : t('p.roi.more'), fmt(f.money, saving ? v.savingUsd : String(v.savingUsd).replace('-', '')), t('p.roi.perVideo', { seconds: secs })));
}

function renderWorkflow() {
  const { t, f } = L;
  const out = document.querySelector('[data-wf-out]');
  const detail = document.querySelector('[data-wf-detail]');
  if (!lastQuote) { out.textContent = ''; detail.replaceChildren(); return; }
  const form = /** @type {HTMLFormElement} */ (document.querySelector('[data-wf-form]'));
  const n = (name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name))?.value.trim() ?? '';
  if (!/^\d+$/.test(n('prototypes')) || !/^\d+$/.test(n('refinements'))) { out.textContent = t('p.wf.enter'); detail.replaceChildren(); return; }
  // Drafts are the prototyping the reference describes: the lowest resolution the card offers
  // (720p on the default card), at the final's frame rate and length, unless the person picks another.
  const resSelect = /** @type {HTMLSelectElement|null} */ (form.elements.namedItem('draftResolution'));
  // What the card offers, labelled in the page's language: the engine's choices (the widget's).
  const ch = widget.choices;
  if (!ch) { out.textContent = ''; detail.replaceChildren(); return; }
  const formats = ch.resolutions;
  if (resSelect && resSelect.options.length !== formats.length) {
    resSelect.replaceChildren(...formats.map((fm) => h('option', { value: fm.value, text: fm.label })));
    resSelect.value = formats[0]?.value ?? '';
  } else if (resSelect) {
    for (const o of resSelect.options) { const fm = formats.find((x) => x.value === o.value); if (fm) o.textContent = fm.label; }
  }
  const final = { ...widget.spec, count: 1 };
  const draftRes = resSelect?.value || formats[0]?.value;
  const fpsOffered = formats.find((x) => x.value === draftRes)?.fps ?? [];
  const prototype = { ...final, resolution: draftRes, fps: fpsOffered.includes(Number(final.fps)) ? final.fps : fpsOffered[0], mode: 'generate' };
  const r = op('workflow', { final, prototype, prototypes: Number(n('prototypes')), refinements: Number(n('refinements')) });
  if (!r.ok) { out.textContent = errorText(r.error); detail.replaceChildren(); return; }
  const v = r.value;
  out.replaceChildren(h('strong', { text: t('p.wf.summary', {
    credits: fmt(f.credits, v.workflow.credits), baseline: fmt(f.credits, v.baseline.credits),
    percent: f.pct.format(Number(v.saving.percent) / 100), min: fmt(f.money, v.saving.usd.min), max: fmt(f.money, v.saving.usd.max),
  }) }));
  const resLabel = (id) => formats.find((x) => x.value === id)?.label ?? id;
  const modeLabel = (id) => ch.modes.find((m) => m.value === id)?.label ?? id;
  const stepLabel = (l) => {
    switch (l.step) {
      case 'prototype': return t('p.wf.prototype', { format: resLabel(v.prototype.resolution), fps: f.int.format(v.prototype.fps), seconds: fmt(f.seconds, v.prototype.durationSeconds) });
      case 'final': return t('p.wf.final');
      case 'refinement': return t('p.wf.refinement', { mode: modeLabel('refine-minor') });
      case 'variation': return t('p.wf.variation');
      case 'regeneration': return t('p.wf.regeneration');
      default: return l.step;
    }
  };
  const plan = (title, p) => h('div', {}, h('h3', { class: 'small', text: title }),
    h('table', { class: 'small' }, h('caption', { class: 'visually-hidden', text: title }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('p.wf.step') }), h('th', { scope: 'col', class: 'num', text: t('p.wf.count') }), h('th', { scope: 'col', class: 'num', text: t('p.wf.each') }), h('th', { scope: 'col', class: 'num', text: t('p.wf.credits') }))),
      h('tbody', {}, ...p.lines.map((l) => h('tr', {}, h('td', { text: stepLabel(l) }), h('td', { class: 'num', text: f.int.format(l.count) }), h('td', { class: 'num', text: fmt(f.credits, l.unitCredits) }), h('td', { class: 'num', text: fmt(f.credits, l.credits) }))),
        h('tr', { class: 'total' }, h('td', { text: t('p.wf.total') }), h('td'), h('td'), h('td', { class: 'num', text: fmt(f.credits, p.credits) })))));
  detail.replaceChildren(plan(t('p.wf.planDrafts'), v.workflow), plan(t('p.wf.planBaseline'), v.baseline));
}
