// Shared bits of the demo pages: service worker registration, the language picker and page
// translation (pages/messages.js through ce/i18n.js), the element's formatter, the chart.
// No HTML strings: every text goes through textContent.
import { pickLocale, translator, catalogueFor, catalogueLoaded, loadCatalogue } from '../ce/i18n.js';
import { makeFormats, withFormats } from '../ce/format.js';
import '../ce/messages.js';
import './messages.js';

/**
 * Creates an element. `text` sets textContent; other keys are attributes.
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node|string)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Creates an SVG element with attributes. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') el.textContent = String(v);
    else if (v != null) el.setAttribute(k, String(v));
  }
  el.append(...children);
  return el;
}

/** The element's events after which the page has its first price, or knows it has none. */
const FIRST_PRICE_EVENTS = ['credit-estimator-change', 'credit-estimator-error', 'credit-estimator-loaderror'];

/**
 * Registers the service worker a task after the page's first price (or the element's failure to
 * price), or 5 s after the page's load event when neither comes. Registering fetches assets.json
 * and, on a first visit, installs a worker that precaches the whole site, the module included:
 * started with the page, that work took the main thread and the network from the first price
 * (the renderer's first fetch() alone cost 15 ms of a cold load's main thread).
 * @param {Element | null} el the page's <credit-estimator>
 */
export function registerServiceWorkerAfterFirstPrice(el) {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    for (const name of FIRST_PRICE_EVENTS) el?.removeEventListener(name, start);
    setTimeout(registerServiceWorker, 0);
  };
  for (const name of FIRST_PRICE_EVENTS) el?.addEventListener(name, start);
  const fallback = () => setTimeout(start, el ? 5000 : 0);
  if (document.readyState === 'complete') fallback();
  else window.addEventListener('load', fallback, { once: true });
}

/**
 * Registers the service worker (own origin only) and reports its state in [data-sw-status].
 * The worker URL carries the build id from assets.json, so each build installs a fresh worker.
 */
async function registerServiceWorker() {
  const out = document.querySelector('[data-sw-status]');
  if (!('serviceWorker' in navigator)) return;
  try {
    const res = await fetch(new URL('../assets.json', import.meta.url), { cache: 'no-cache' });
    const text = await res.text();
    let build = '';
    try { const a = JSON.parse(text); build = a.build ?? a.buildId ?? a.version ?? ''; } catch { /* hash below */ }
    if (typeof build !== 'string' || !build) build = fnv1a(text);
    const swURL = new URL('../sw.js', import.meta.url);
    swURL.searchParams.set('v', build);
    await navigator.serviceWorker.register(swURL, { scope: new URL('../', import.meta.url).pathname });
    await navigator.serviceWorker.ready;
    if (out) out.textContent = pageLocale('USD').t('p.page.offlineReady');
  } catch (err) {
    // Offline with a worker already installed: it keeps serving; say nothing alarming.
    if (out && !navigator.serviceWorker.controller) out.textContent = pageLocale('USD').t('p.page.offlineUnavailable', { detail: String(err?.message ?? err) });
  }
}

function fnv1a(text) {
  let x = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) { x ^= text.charCodeAt(i); x = Math.imul(x, 0x01000193) >>> 0; }
  return x.toString(16).padStart(8, '0');
}

/** The languages the demo pages offer, in their own names. */
export const PAGE_LANGUAGES = [['en-US', 'English'], ['zh-CN', '简体中文'], ['ja-JP', '日本語'], ['de-DE', 'Deutsch'], ['es-ES', 'Español'], ['ar', 'العربية']];

/**
 * The page's locale: the <html lang> (set by the picker), its catalogue language and direction, a
 * translator over the page catalogue, and the element's formatter for the card's currency.
 * @param {string} currency
 */
export function pageLocale(currency) {
  const loc = pickLocale([document.documentElement.lang, ...(navigator.languages ?? [])]);
  return { ...loc, t: translator(loc), f: withFormats(makeFormats(loc.tag, currency), { currency }) };
}

/**
 * Translates the page's static texts: [data-i18n] (text), [data-i18n-aria] (aria-label),
 * [data-i18n-placeholder], and the document title ([data-i18n-title] on <html>).
 * @param {(id: string, v?: Record<string, string|number>) => string} t
 */
export function translatePage(t) {
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.getAttribute('data-i18n'));
  for (const el of document.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.getAttribute('data-i18n-aria')));
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.getAttribute('data-i18n-placeholder')));
  const title = document.documentElement.getAttribute('data-i18n-title');
  if (title) document.title = t(title);
}

/** Where the language picked on a demo page is remembered on this device. */
const LOCALE_KEY = 'demo:locale';

/**
 * The visitor's language for the demo pages: the one picked on any of them (remembered on this
 * device), else the first of the browser's languages the pages speak, else English. The static
 * <html lang="en-US"> only says what the HTML holds before a script runs; it never wins.
 * @returns {import('../ce/i18n.js').Locale}
 */
export function visitorLocale() {
  const stored = (() => { try { return localStorage.getItem(LOCALE_KEY); } catch { return null; } })();
  return pickLocale([stored, ...(navigator.languages ?? [navigator.language])]);
}

// The visitor's language is the only one a page loads (English is always there), before any page
// script renders a text: the modules that import this one wait for it (top-level await).
if (typeof document !== 'undefined') await loadCatalogue(visitorLocale().lang);

/**
 * Wires the language picker: it sets <html lang dir>, every <credit-estimator>'s locale, and
 * re-renders the page (onChange) in that language. The page opens in the visitor's language
 * (visitorLocale); a choice in the picker is remembered on this device.
 */
export function localePicker(onChange) {
  const picker = /** @type {HTMLSelectElement|null} */ (document.querySelector('[data-locale-picker]'));
  const initial = visitorLocale().tag;
  const apply = (loc) => {
    const picked = pickLocale([loc]);
    document.documentElement.lang = picked.tag;
    document.documentElement.dir = picked.dir;
    for (const el of document.querySelectorAll('credit-estimator')) el.setAttribute('locale', picked.tag);
    // A language picked for the first time is loaded first; the page re-renders once it is there
    // (unless another was picked meanwhile).
    if (catalogueLoaded(picked.lang)) onChange?.(picked.tag);
    else loadCatalogue(picked.lang).then(() => { if (document.documentElement.lang === picked.tag) onChange?.(picked.tag); });
  };
  if (picker) {
    if (picker.options.length < PAGE_LANGUAGES.length) {
      picker.replaceChildren(...PAGE_LANGUAGES.map(([tag, name]) => h('option', { value: tag, lang: tag, text: name })));
    }
    // The entry of the language spoken ("ja" and "ja-JP" both select 日本語).
    const lang = catalogueFor(initial);
    picker.value = PAGE_LANGUAGES.find(([tag]) => tag === initial || catalogueFor(tag) === lang)?.[0] ?? 'en-US';
    picker.addEventListener('change', () => {
      try { localStorage.setItem(LOCALE_KEY, picker.value); } catch { /* ignore */ }
      apply(picker.value);
    });
  }
  apply(initial);
  return () => document.documentElement.lang || 'en-US';
}

/**
 * Draws a line chart as inline SVG (no library), laid out for the width it is shown at (so its
 * labels stay legible on a phone) and mirrored for right-to-left pages.
 * @param {{name:string, points:[number, number][]}[]} series  x, y in data units
 * @param {{xLabel:string, yLabel:string, fmtX:(n:number)=>string, fmtY:(n:number)=>string, markerX?:number, title:string, width?:number, dir?:string}} o
 * @returns {SVGSVGElement}
 */
export function lineChart(series, o) {
  const W = Math.round(o.width ?? 760);
  const narrow = W < 520;
  const H = narrow ? 300 : 320; const side = narrow ? 54 : 70; const R = 16; const T = 14; const B = 48;
  const rtl = o.dir === 'rtl';
  const L = rtl ? R : side; const RR = rtl ? side : R;
  const xs = series.flatMap((se) => se.points.map((p) => p[0]));
  const ys = series.flatMap((se) => se.points.map((p) => p[1]));
  const xMax = Math.max(1, ...xs);
  const yMax = niceCeil(Math.max(1, ...ys));
  const X = (x) => (rtl ? W - RR - (x / xMax) * (W - L - RR) : L + (x / xMax) * (W - L - RR));
  const Y = (y) => T + (1 - y / yMax) * (H - T - B);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': o.title });
  svg.append(s('title', { text: o.title }));
  const yAxisX = rtl ? W - RR : L;
  for (let i = 0; i <= 4; i++) {
    const yv = (yMax * i) / 4;
    svg.append(s('line', { class: 'grid', x1: L, x2: W - RR, y1: Y(yv), y2: Y(yv) }));
    svg.append(s('text', { x: rtl ? yAxisX + 8 : yAxisX - 8, y: Y(yv) + 4, 'text-anchor': rtl ? 'start' : 'end', text: o.fmtY(yv) }));
  }
  const ticks = narrow ? 3 : 5;
  for (let i = 0; i <= ticks; i++) {
    const xv = (xMax * i) / ticks;
    svg.append(s('text', { x: X(xv), y: H - B + 18, 'text-anchor': 'middle', text: o.fmtX(xv) }));
  }
  svg.append(s('line', { class: 'axis', x1: L, x2: W - RR, y1: H - B, y2: H - B }));
  svg.append(s('line', { class: 'axis', x1: yAxisX, x2: yAxisX, y1: T, y2: H - B }));
  svg.append(s('text', { x: (L + W - RR) / 2, y: H - 6, 'text-anchor': 'middle', text: o.xLabel }));
  const yl = rtl ? W - 12 : 14;
  svg.append(s('text', { x: yl, y: (T + H - B) / 2, 'text-anchor': 'middle', transform: `rotate(${rtl ? 90 : -90} ${yl} ${(T + H - B) / 2})`, text: o.yLabel }));
  series.forEach((se, i) => {
    const d = se.points.map((p, j) => `${j ? 'L' : 'M'}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join('');
    svg.append(s('path', { class: `line s${i % 5}`, d }, s('title', { text: se.name })));
  });
  if (o.markerX != null && o.markerX >= 0 && o.markerX <= xMax) {
    svg.append(s('line', { class: 'marker', x1: X(o.markerX), x2: X(o.markerX), y1: T, y2: H - B }));
  }
  return svg;
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Resolves with the first <credit-estimator>'s engine once it is loaded. */
export async function engineOf(el) {
  await customElements.whenDefined('credit-estimator');
  await el.whenReady();
  return el.estimator;
}
