// Shared bits of the demo pages: service worker registration, locale picker, small DOM helpers.
// No HTML strings: every text goes through textContent.

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

/**
 * Registers the service worker (own origin only) and reports its state in [data-sw-status].
 * The worker URL carries the build id from assets.json, so each build installs a fresh worker.
 */
export async function registerServiceWorker() {
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
    if (out) out.textContent = 'This page works offline after this visit.';
  } catch (err) {
    // Offline with a worker already installed: it keeps serving; say nothing alarming.
    if (out && !navigator.serviceWorker.controller) out.textContent = `Offline support unavailable (${err.message}).`;
  }
}

function fnv1a(text) {
  let x = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) { x ^= text.charCodeAt(i); x = Math.imul(x, 0x01000193) >>> 0; }
  return x.toString(16).padStart(8, '0');
}

/** Wires the locale picker to every <credit-estimator> and to the page's own formatting. */
export function localePicker(onChange) {
  const picker = /** @type {HTMLSelectElement|null} */ (document.querySelector('[data-locale-picker]'));
  const stored = (() => { try { return localStorage.getItem('demo:locale'); } catch { return null; } })();
  const initial = stored || document.documentElement.lang || 'en-US';
  const apply = (loc) => {
    document.documentElement.lang = loc;
    for (const el of document.querySelectorAll('credit-estimator')) el.setAttribute('locale', loc);
    onChange?.(loc);
  };
  if (picker) {
    picker.value = initial;
    picker.addEventListener('change', () => {
      try { localStorage.setItem('demo:locale', picker.value); } catch { /* ignore */ }
      apply(picker.value);
    });
  }
  apply(initial);
  return () => document.documentElement.lang || 'en-US';
}

/** Formatters for a locale. Decimal strings are formatted exactly (Intl accepts strings). */
export function formats(locale) {
  return {
    credits: new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: 2 }),
    credits2: new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    int: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    money: new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD' }),
    money0: new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }),
    money4: new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 }),
    pct: new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }),
    date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }),
  };
}

/**
 * Draws a line chart as inline SVG (no library).
 * @param {{name:string, points:[number, number][]}[]} series  x, y in data units
 * @param {{xLabel:string, yLabel:string, fmtX:(n:number)=>string, fmtY:(n:number)=>string, markerX?:number, title:string}} o
 * @returns {SVGSVGElement}
 */
export function lineChart(series, o) {
  const W = 760; const H = 320; const L = 70; const R = 16; const T = 14; const B = 44;
  const xs = series.flatMap((se) => se.points.map((p) => p[0]));
  const ys = series.flatMap((se) => se.points.map((p) => p[1]));
  const xMax = Math.max(1, ...xs);
  const yMax = niceCeil(Math.max(1, ...ys));
  const X = (x) => L + (x / xMax) * (W - L - R);
  const Y = (y) => T + (1 - y / yMax) * (H - T - B);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': o.title });
  svg.append(s('title', { text: o.title }));
  for (let i = 0; i <= 4; i++) {
    const yv = (yMax * i) / 4;
    svg.append(s('line', { class: 'grid', x1: L, x2: W - R, y1: Y(yv), y2: Y(yv) }));
    svg.append(s('text', { x: L - 8, y: Y(yv) + 4, 'text-anchor': 'end', text: o.fmtY(yv) }));
  }
  for (let i = 0; i <= 5; i++) {
    const xv = (xMax * i) / 5;
    svg.append(s('text', { x: X(xv), y: H - B + 18, 'text-anchor': 'middle', text: o.fmtX(xv) }));
  }
  svg.append(s('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
  svg.append(s('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
  svg.append(s('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', text: o.xLabel }));
  svg.append(s('text', { x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${(T + H - B) / 2})`, text: o.yLabel }));
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
