// @ts-check
// Formatting for <credit-estimator>: Intl formats for a locale and currency, and the exact decimal
// arithmetic the element needs (credits and money are decimal strings, never floats).

/**
 * @typedef {object} Formats
 * @property {string} locale
 * @property {Intl.NumberFormat} credits
 * @property {Intl.NumberFormat} int
 * @property {Intl.NumberFormat} mult
 * @property {Intl.NumberFormat} money
 * @property {Intl.NumberFormat} seconds
 * @property {Intl.DateTimeFormat} date
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
export function makeFormats(locale, currency, currencyDisplay) {
  const cd = /** @type {'symbol'|'narrowSymbol'|'code'|'name'} */ (CURRENCY_DISPLAYS.includes(currencyDisplay) ? currencyDisplay : 'symbol');
  let money;
  try {
    money = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: cd });
  } catch {
    money = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  return {
    locale,
    credits: new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    int: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    mult: new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: 4 }),
    money,
    seconds: new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 3 }),
    date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
  };
}

/**
 * Formats a decimal string (Intl takes strings exactly; the cast only satisfies the lib types).
 * @param {Intl.NumberFormat} f
 * @param {string|number} s
 */
export function fmt(f, s) { return f.format(/** @type {any} */ (s)); }

/**
 * "3 × 1.00 credits · billed for 10 sec"
 * @param {any} q a quote
 * @param {Formats} f
 */
export function perLine(q, f) {
  const parts = [];
  if (q.count > 1) parts.push(`${fmt(f.int, q.count)} × ${fmt(f.credits, q.unitCredits)} credits`);
  parts.push(`billed for ${fmt(f.seconds, q.billedSeconds)}`);
  return parts.join(' · ');
}

/**
 * The "why this price" rows of a quote: [label, value].
 * @param {any} q
 * @param {Formats} f
 * @returns {Array<[string, string]>}
 */
export function breakdownRows(q, f) {
  /** @type {Array<[string, string]>} */
  const rows = [];
  if (q.reference) rows.push([`Reference: ${q.reference.label}`, `${fmt(f.credits, q.reference.credits)} cr`]);
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
