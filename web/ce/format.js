// @ts-check
// The one formatter of the element and the pages: Intl formats for a locale and the card's
// currency (numbers, credits, money in the currency's minor unit, unit prices, percentages, dates,
// durations). Prices are the engine's decimal strings, never floats, and are never divided or
// rounded here: a unit price keeps every digit the engine wrote (docs/economics.md, Rounding).

/**
 * @typedef {object} Formats
 * @property {string} locale
 * @property {Intl.NumberFormat} credits
 * @property {Intl.NumberFormat} int
 * @property {Intl.NumberFormat} signed a weight, with its sign: "+12", "−3"
 * @property {Intl.NumberFormat} mult
 * @property {Intl.NumberFormat} money amounts in the currency's minor unit ($10.00, ¥1,000)
 * @property {Intl.NumberFormat} money0 whole amounts (chart axes)
 * @property {Intl.NumberFormat} unitPrice prices per credit or per video, exactly as the engine rounded them (a hundredth of the minor unit: "$0.0527", "¥14.38")
 * @property {Intl.NumberFormat} credits0 credits with 0–2 places (plan allowances: "550")
 * @property {Intl.NumberFormat} pct
 * @property {Intl.NumberFormat} seconds
 * @property {Intl.NumberFormat} days
 * @property {Intl.DateTimeFormat} date
 * @property {Intl.DateTimeFormat} day a calendar date (UTC)
 * @property {number} minorDigits the currency's minor unit (2 for USD and EUR, 0 for JPY)
 */

/** The currencyDisplay values Intl accepts. */
export const CURRENCY_DISPLAYS = ['symbol', 'narrowSymbol', 'code', 'name'];

/**
 * A locale tag Intl accepts, falling back to en-US.
 * @param {string} tag
 * @returns {string}
 */
export function canonicalLocale(tag) {
  try { return Intl.getCanonicalLocales(tag)[0] ?? 'en-US'; } catch { return 'en-US'; }
}

/**
 * The element's formats. Intl formats decimal strings exactly (without binary floats).
 * @param {string} locale
 * @param {string} currency the card's currency
 * @param {string} currencyDisplay
 * @returns {Formats}
 */
export function makeFormats(locale, currency, currencyDisplay = 'symbol') {
  const key = `${locale}\u0000${currency}\u0000${currencyDisplay}`;
  let f = formatsMemo.get(key);
  if (!f) {
    f = Object.freeze(buildFormats(locale, currency, currencyDisplay));
    formatsMemo.set(key, f);
  }
  return f;
}

/**
 * A formats object with more fields: the formats stay where they are (their prototype), so that
 * the ones built when first read (date, day) are not built by copying them.
 * @template {object} T
 * @param {Formats} f
 * @param {T} more
 * @returns {Formats & T}
 */
export function withFormats(f, more) {
  return Object.assign(Object.create(f), more);
}

/**
 * makeFormats' answers: constructing Intl formats is costly (a dozen per call, and the element
 * and the pages ask for the same ones at every render), and they never change.
 * @type {Map<string, Formats>}
 */
const formatsMemo = new Map();

/**
 * @param {string} locale
 * @param {string} currency
 * @param {string} currencyDisplay
 * @returns {Formats}
 */
function buildFormats(locale, currency, currencyDisplay) {
  const cd = /** @type {'symbol'|'narrowSymbol'|'code'|'name'} */ (CURRENCY_DISPLAYS.includes(currencyDisplay) ? currencyDisplay : 'symbol');
  const minorDigits = currencyMinorDigits(currency);
  /** @type {Intl.DateTimeFormat | undefined} */ let date;
  /** @type {Intl.DateTimeFormat | undefined} */ let day;
  /** @param {Intl.NumberFormatOptions} o */
  const cur = (o) => {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: cd, ...o });
    } catch {
      return new Intl.NumberFormat(locale, { minimumFractionDigits: o.minimumFractionDigits ?? minorDigits, maximumFractionDigits: o.maximumFractionDigits ?? minorDigits });
    }
  };
  return {
    locale,
    credits: new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    credits0: new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: 2 }),
    int: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    // A signal's weight: "+12", "−3" (the learned word model has negative weights), "0".
    signed: new Intl.NumberFormat(locale, { maximumFractionDigits: 0, signDisplay: 'exceptZero' }),
    mult: new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: 4 }),
    money: cur({ minimumFractionDigits: minorDigits, maximumFractionDigits: minorDigits }),
    money0: cur({ minimumFractionDigits: 0, maximumFractionDigits: 0 }),
    // The engine writes every unit price with exactly minor + 2 decimals; at most 6 (its
    // micro-units) are allowed through, so Intl only lays the digits out and never rounds them.
    unitPrice: cur({ minimumFractionDigits: minorDigits + 2, maximumFractionDigits: 6 }),
    pct: new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }),
    seconds: new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 3 }),
    days: new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'long', maximumFractionDigits: 0 }),
    // Built when first read: a renderer's first DateTimeFormat costs 2–12 ms of main thread, and
    // a first price shows no date (only a card checked on an earlier visit says when).
    get date() { return (date ??= new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })); },
    get day() { return (day ??= new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' })); },
    minorDigits,
  };
}

/**
 * The number of decimals of a currency's minor unit (ISO 4217: USD 2, JPY 0, BHD 3), from Intl.
 * @param {string} currency
 * @returns {number}
 */
export function currencyMinorDigits(currency) {
  let digits = minorDigitsMemo.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    minorDigitsMemo.set(currency, digits);
  }
  return digits;
}

/** @type {Map<string, number>} currency → currencyMinorDigits (an Intl format built per call otherwise) */
const minorDigitsMemo = new Map();

/**
 * Formats a decimal string (Intl takes strings exactly; the cast only satisfies the lib types).
 * @param {Intl.NumberFormat} f
 * @param {string|number} s
 */
export function fmt(f, s) { return f.format(/** @type {any} */ (s)); }

/** @typedef {(id: string, values?: Record<string, string|number>) => string} Translate */

/**
 * "3 videos × 1.00 credits each · billed for 10 sec each", or "billed for 10 sec" for one video.
 * @param {any} q a quote
 * @param {Formats} f
 * @param {Translate} t
 */
export function perLine(q, f, t) {
  const seconds = fmt(f.seconds, q.billedSeconds);
  if (q.count > 1) return t('total.batch', { n: q.count, count: fmt(f.int, q.count), unit: fmt(f.credits, q.unitCredits), seconds });
  return t('total.billed', { seconds });
}

/**
 * The "why this price" rows of a quote: [label, value]. The labels are the engine's (asked in the
 * element's locale, so the card's translations apply).
 * @param {any} q
 * @param {Formats} f
 * @param {Translate} t
 * @returns {Array<[string, string]>}
 */
export function breakdownRows(q, f, t) {
  /** @type {Array<[string, string]>} */
  const rows = [];
  if (q.reference) rows.push([t('row.reference', { label: q.reference.label }), t('row.referenceValue', { credits: fmt(f.credits, q.reference.credits) })]);
  for (const b of q.breakdown ?? []) rows.push([b.label, `×${fmt(f.mult, b.multiplier)}`]);
  return rows;
}

/**
 * A decimal string with up to 2 places as hundredths, or null.
 * @param {string} s
 * @returns {bigint|null}
 */
function toCents(s) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(s));
  if (!m) return null;
  return BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

/**
 * a − b as a 2-place string when a > b, else null.
 * @param {string} a
 * @param {string} b
 * @returns {string|null}
 */
export function subtractDecimal(a, b) {
  const x = toCents(a);
  const y = toCents(b);
  if (x === null || y === null || x <= y) return null;
  const d = x - y;
  return `${d / 100n}.${String(d % 100n).padStart(2, '0')}`;
}

/**
 * A JSON number when the text is a plain decimal number, else the raw text (the engine reports it).
 * @param {string|null} s
 * @returns {number|string|undefined}
 */
export function numberOrText(s) {
  if (s == null) return undefined;
  const t = String(s).trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}
