// @ts-check
// The editor wallet's use of this period, what expires when, and the account's credits over
// time (granted, spent, expired) as a small SVG chart — from the ledger's answers
// (GET …/usage, …/balance, …/entries; docs/ledger.md, "Reports"). Every text goes through
// textContent (pages/common.js h and s); nothing here parses HTML.
import { addMessages, translator } from '../ce/i18n.js';
import { h, lineChart } from './common.js';
import { hundredths } from './ledger-client.js';
import { fmt as fmtNum } from '../ce/format.js';

/** @type {Record<string, Record<string, import('../ce/i18n.js').Message>>} */
const MESSAGES = {
  en: {
    'e.usage.period': 'This period ({from} – {to}): {spent} of {granted} used ({pct}).',
    'e.usage.noPlan': 'No plan period yet: {spent} credits used this month.',
    'e.usage.expiresH': 'Expires',
    'e.usage.expiresOn': '{credits} on {date}',
    'e.usage.nothingExpires': 'Nothing left to expire.',
    'e.chart.title': 'Credits over time',
    'e.chart.granted': 'Granted',
    'e.chart.spent': 'Spent',
    'e.chart.expired': 'Expired',
    'e.chart.days': 'Days since the first credits',
    'e.chart.credits': 'Credits',
  },
  'zh-Hans': {
    'e.usage.period': '本期（{from} – {to}）：已用 {spent}，共 {granted}（{pct}）。',
    'e.usage.noPlan': '尚无套餐周期：本月已用 {spent} 积分。',
    'e.usage.expiresH': '到期',
    'e.usage.expiresOn': '{date} 到期 {credits}',
    'e.usage.nothingExpires': '没有将要到期的积分。',
    'e.chart.title': '积分随时间变化',
    'e.chart.granted': '已发放',
    'e.chart.spent': '已使用',
    'e.chart.expired': '已过期',
    'e.chart.days': '自首次获得积分以来的天数',
    'e.chart.credits': '积分',
  },
  ja: {
    'e.usage.period': '今期（{from} – {to}）：{granted} のうち {spent} を使用（{pct}）。',
    'e.usage.noPlan': 'プランの期間はまだありません：今月の使用は {spent} クレジット。',
    'e.usage.expiresH': '失効予定',
    'e.usage.expiresOn': '{date} に {credits}',
    'e.usage.nothingExpires': '失効するクレジットはありません。',
    'e.chart.title': 'クレジットの推移',
    'e.chart.granted': '付与',
    'e.chart.spent': '使用',
    'e.chart.expired': '失効',
    'e.chart.days': '最初のクレジットからの日数',
    'e.chart.credits': 'クレジット',
  },
  de: {
    'e.usage.period': 'Dieser Zeitraum ({from} – {to}): {spent} von {granted} genutzt ({pct}).',
    'e.usage.noPlan': 'Noch kein Tarifzeitraum: diesen Monat {spent} Credits genutzt.',
    'e.usage.expiresH': 'Verfällt',
    'e.usage.expiresOn': '{credits} am {date}',
    'e.usage.nothingExpires': 'Nichts, das verfallen könnte.',
    'e.chart.title': 'Credits im Zeitverlauf',
    'e.chart.granted': 'Erhalten',
    'e.chart.spent': 'Verbraucht',
    'e.chart.expired': 'Verfallen',
    'e.chart.days': 'Tage seit den ersten Credits',
    'e.chart.credits': 'Credits',
  },
  es: {
    'e.usage.period': 'Este periodo ({from} – {to}): {spent} de {granted} usados ({pct}).',
    'e.usage.noPlan': 'Aún sin periodo de plan: {spent} créditos usados este mes.',
    'e.usage.expiresH': 'Caducan',
    'e.usage.expiresOn': '{credits} el {date}',
    'e.usage.nothingExpires': 'Nada por caducar.',
    'e.chart.title': 'Créditos a lo largo del tiempo',
    'e.chart.granted': 'Recibidos',
    'e.chart.spent': 'Gastados',
    'e.chart.expired': 'Caducados',
    'e.chart.days': 'Días desde los primeros créditos',
    'e.chart.credits': 'Créditos',
  },
  ar: {
    'e.usage.period': 'هذه الفترة ({from} – {to}): استُخدم {spent} من {granted} ({pct}).',
    'e.usage.noPlan': 'لا توجد فترة خطة بعد: استُخدم {spent} رصيد هذا الشهر.',
    'e.usage.expiresH': 'تنتهي صلاحيته',
    'e.usage.expiresOn': '{credits} في {date}',
    'e.usage.nothingExpires': 'لا شيء سينتهي.',
    'e.chart.title': 'الأرصدة عبر الزمن',
    'e.chart.granted': 'الممنوح',
    'e.chart.spent': 'المستخدم',
    'e.chart.expired': 'المنتهي',
    'e.chart.days': 'أيام منذ أول رصيد',
    'e.chart.credits': 'الأرصدة',
  },
};
for (const [lang, m] of Object.entries(MESSAGES)) addMessages(lang, m);

/**
 * @typedef {{lang: string, tag: string, dir?: string, f: any}} PageLocale
 * @typedef {{plan: string, start: string, end: string, ended: boolean, granted: string, spent: string, expired: string, left: string, utilization: string}} Period
 * @typedef {{type: string, at: string, credits: string}} Entry
 */

/**
 * This period's use and what expires when.
 * @param {PageLocale} L
 * @param {{at: string, periods: Period[]}|null} usage
 * @param {{at: string, buckets: {credits: string, expires: string, status?: string}[]}} balance
 * @param {Entry[]} entries
 * @returns {HTMLElement}
 */
export function usageSection(L, usage, balance, entries) {
  const { f } = L;
  const t = tr(L);
  const c2 = (/** @type {string} */ x) => fmtNum(f.credits, x);
  const day = (/** @type {string} */ iso) => f.day.format(new Date(iso));
  const box = h('div', { class: 'usage small', 'data-usage-box': '' });
  const now = new Date(usage?.at ?? balance.at);
  const current = usage?.periods.filter((p) => !p.ended && new Date(p.start) <= now).at(-1);
  if (current) {
    box.append(h('p', { 'data-period-utilization': current.utilization, text: t('e.usage.period', {
      from: day(current.start), to: day(current.end), spent: c2(current.spent), granted: c2(current.granted),
      pct: `${fmtNum(f.credits, current.utilization)} %` }) }));
  } else {
    // No plan: what settles charged since the first of this month (UTC).
    const month = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    let spent = 0n;
    for (const e of entries) if (e.type === 'settle' && Date.parse(e.at) >= month) spent += hundredths(e.credits);
    box.append(h('p', { 'data-month-spent': decimal(spent), text: t('e.usage.noPlan', { spent: c2(decimal(spent)) }) }));
  }
  // What expires when: available credits by expiry date, soonest first.
  /** @type {Map<string, bigint>} */
  const byDate = new Map();
  for (const b of balance.buckets) {
    if (b.status === 'future' || hundredths(b.credits) <= 0n) continue;
    const d = b.expires.slice(0, 10);
    byDate.set(d, (byDate.get(d) ?? 0n) + hundredths(b.credits));
  }
  const dates = [...byDate.keys()].sort();
  box.append(h('h3', { class: 'small', text: t('e.usage.expiresH') }));
  if (dates.length === 0) {
    box.append(h('p', { class: 'muted', text: t('e.usage.nothingExpires') }));
  } else {
    box.append(h('ul', { 'data-expiries': '' }, ...dates.map((d) => h('li', { 'data-date': d, 'data-credits': decimal(byDate.get(d) ?? 0n),
      text: t('e.usage.expiresOn', { credits: c2(decimal(byDate.get(d) ?? 0n)), date: day(`${d}T00:00:00Z`) }) }))));
  }
  return box;
}

/**
 * The cumulative credits granted, spent (settled) and expired, day by day since the first
 * entry, as a line chart.
 * @param {PageLocale} L
 * @param {Entry[]} entries oldest first
 * @param {number} width
 * @returns {{svg: SVGSVGElement, totals: {granted: string, spent: string, expired: string}}|null}
 */
export function creditsChart(L, entries, width) {
  if (entries.length === 0) return null;
  const DAY = 86400000;
  const first = Math.min(...entries.map((e) => Date.parse(e.at)));
  const last = Math.max(Date.now(), ...entries.map((e) => Date.parse(e.at)));
  const totals = { grant: 0n, settle: 0n, expire: 0n };
  /** @type {Record<string, [number, number][]>} */
  const pts = { grant: [[0, 0]], settle: [[0, 0]], expire: [[0, 0]] };
  const sorted = [...entries].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (const e of sorted) {
    if (!(e.type in totals)) continue;
    const x = (Date.parse(e.at) - first) / DAY;
    const k = /** @type {'grant'|'settle'|'expire'} */ (e.type);
    pts[k].push([x, Number(totals[k]) / 100]);
    totals[k] += hundredths(e.credits);
    pts[k].push([x, Number(totals[k]) / 100]);
  }
  const end = (last - first) / DAY;
  for (const k of Object.keys(pts)) pts[k].push([end, Number(totals[/** @type {'grant'} */ (k)]) / 100]);
  const { f } = L;
  const t = tr(L);
  const svg = lineChart([
    { name: t('e.chart.granted'), points: pts.grant },
    { name: t('e.chart.spent'), points: pts.settle },
    { name: t('e.chart.expired'), points: pts.expire },
  ], { title: t('e.chart.title'), xLabel: t('e.chart.days'), yLabel: t('e.chart.credits'),
    fmtX: (n) => f.int.format(Math.round(n)), fmtY: (n) => f.int.format(Math.round(n)), width, dir: L.dir });
  svg.classList.add('credits-chart');
  return { svg, totals: { granted: decimal(totals.grant), spent: decimal(totals.settle), expired: decimal(totals.expire) } };
}

/** The legend of the chart: one swatch and total per series. */
export function chartLegend(L, totals) {
  const { f } = L;
  const t = tr(L);
  const c2 = (/** @type {string} */ x) => fmtNum(f.credits, x);
  return h('ul', { class: 'chart-legend small' },
    h('li', { class: 's0', 'data-granted': totals.granted, text: `${t('e.chart.granted')}: ${c2(totals.granted)}` }),
    h('li', { class: 's1', 'data-spent': totals.spent, text: `${t('e.chart.spent')}: ${c2(totals.spent)}` }),
    h('li', { class: 's2', 'data-expired': totals.expired, text: `${t('e.chart.expired')}: ${c2(totals.expired)}` }));
}

/**
 * A translator over the catalogues as they are now: the page's own was made before this module
 * added its messages.
 * @param {PageLocale} L
 */
function tr(L) { return translator(/** @type {any} */ (L)); }

/** BigInt hundredths as a decimal string with two places. @param {bigint} v */
function decimal(v) {
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}
