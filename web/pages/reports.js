// @ts-check
// The operator's utilization report as a page: GET /api/v1/reports/utilization?period=YYYY-MM
// with the operator key (kept in sessionStorage, this tab only), its summary, the distribution
// as SVG bars and the periods as a table, and the same report as a CSV download. Every text
// goes through textContent.
import { h, s } from './common.js';

const form = /** @type {HTMLFormElement} */ (document.querySelector('[data-report-form]'));
const keyIn = /** @type {HTMLInputElement} */ (document.querySelector('[data-key]'));
const periodIn = /** @type {HTMLInputElement} */ (document.querySelector('[data-period]'));
const errorOut = /** @type {HTMLElement} */ (document.querySelector('[data-report-error]'));
const section = /** @type {HTMLElement} */ (document.querySelector('[data-report]'));
const csvLink = /** @type {HTMLAnchorElement} */ (document.querySelector('[data-csv]'));
const api = new URL('../api/v1/reports/utilization', import.meta.url);

const now = new Date();
periodIn.value = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
try { keyIn.value = sessionStorage.getItem('report:key') ?? ''; } catch { /* none */ }

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  try { sessionStorage.setItem('report:key', keyIn.value); } catch { /* this load only */ }
  void load();
});
if (keyIn.value) void load();

/** @param {string} accept */
async function fetchReport(accept) {
  const u = new URL(api);
  u.searchParams.set('period', periodIn.value);
  return fetch(u, { headers: { Authorization: `Bearer ${keyIn.value}`, Accept: accept }, cache: 'no-store', credentials: 'omit' });
}

async function load() {
  errorOut.textContent = '';
  let r;
  try {
    r = await fetchReport('application/json');
  } catch (err) {
    errorOut.textContent = `The server did not answer: ${String(err?.message ?? err)}`;
    return;
  }
  const body = await r.json().catch(() => null);
  if (r.status !== 200 || !body) {
    section.hidden = true;
    errorOut.textContent = body?.message ?? `The report failed (${r.status}).`;
    return;
  }
  render(body);
  const csv = await fetchReport('text/csv');
  if (csv.ok) {
    if (csvLink.href.startsWith('blob:')) URL.revokeObjectURL(csvLink.href);
    csvLink.href = URL.createObjectURL(await csv.blob());
    csvLink.download = `utilization-${body.period}.csv`;
    csvLink.hidden = false;
  }
}

/** @param {any} rep */
function render(rep) {
  const summary = /** @type {HTMLElement} */ (document.querySelector('[data-summary]'));
  const row = (/** @type {string} */ k, /** @type {string} */ v, /** @type {string} */ data) => [h('dt', { text: k }), h('dd', { [`data-${data}`]: v, text: v })];
  summary.replaceChildren(
    ...row('Period', rep.period, 'period'),
    ...row('As of', rep.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'), 'at'),
    ...row('Accounts', String(rep.accounts), 'accounts'),
    ...row('Periods (ended)', `${rep.periods.length} (${rep.periodsEnded})`, 'periods'),
    ...row('Granted', rep.granted, 'granted'),
    ...row('Spent', rep.spent, 'spent'),
    ...row('Expired', rep.expired, 'expired'),
    ...row('Left', rep.left, 'left'),
    ...row('Utilization', `${rep.utilization} %`, 'utilization'));
  const fig = /** @type {HTMLElement} */ (document.querySelector('[data-distribution]'));
  fig.replaceChildren(bars(rep.distribution, rep.periods.length));
  const tbody = /** @type {HTMLElement} */ (document.querySelector('[data-periods] tbody'));
  tbody.replaceChildren(...rep.periods.map((/** @type {any} */ p) => h('tr', { 'data-account': p.account },
    ...[p.account, p.plan, p.start.slice(0, 10), p.end.slice(0, 10), p.granted, p.spent, p.expired, p.left, `${p.utilization} %`]
      .map((v) => h('td', { text: v })))));
  section.hidden = false;
}

/**
 * The distribution as horizontal bars: one per band, its count at the end.
 * @param {{label: string, periods: number}[]} bands @param {number} total
 */
function bars(bands, total) {
  const W = 560; const rowH = 30; const labelW = 90; const H = bands.length * rowH + 8;
  const max = Math.max(1, ...bands.map((b) => b.periods));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart distribution', role: 'img',
    'aria-label': `Periods by utilization: ${bands.map((b) => `${b.label} ${b.periods}`).join(', ')}` });
  bands.forEach((b, i) => {
    const y = 4 + i * rowH;
    const w = ((W - labelW - 70) * b.periods) / max;
    svg.append(s('text', { x: labelW - 8, y: y + 19, 'text-anchor': 'end', text: b.label }));
    svg.append(s('rect', { x: labelW, y: y + 4, width: Math.max(w, b.periods ? 2 : 0), height: rowH - 10, class: 'bar', 'data-band': b.label, 'data-periods': b.periods }));
    const pct = total ? Math.round((100 * b.periods) / total) : 0;
    svg.append(s('text', { x: labelW + w + 6, y: y + 19, text: `${b.periods} (${pct} %)` }));
  });
  return svg;
}
