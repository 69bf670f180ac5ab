// @ts-check
// Locales and messages for <credit-estimator> and the demo pages: which language to speak, and
// one function that turns a message id and its values into text. Messages live in catalogues
// (ce/messages.js for the element, pages/messages.js for the pages); a platform adds a language
// with addMessages(). Plurals go through Intl.PluralRules; a message is always one whole
// sentence with named placeholders ({count}), never fragments glued together.

/**
 * A message: a text with {name} placeholders, or plural forms selected by the value of `n`
 * (Intl.PluralRules categories: zero, one, two, few, many, other; "other" is required).
 * @typedef {string | Partial<Record<Intl.LDMLPluralRule, string>> & {other: string}} Message
 */

/** @type {Map<string, Record<string, Message>>} language → id → message */
const catalogues = new Map();

/**
 * Catalogues of a language not loaded yet: a page loads only the languages it speaks
 * (loadCatalogue), English, the fallback, always being there.
 * @typedef {() => Promise<{default: Record<string, Message>}>} CatalogueLoader
 * @type {Map<string, CatalogueLoader[]>}
 */
const pending = new Map();

/** @type {Map<string, Promise<void>>} loads under way, by language */
const loading = new Map();

/** Languages written right to left (by primary language subtag). */
const RTL = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'yi', 'dv', 'ckb']);

/** The language every lookup falls back to: the catalogues are complete in it. */
export const FALLBACK = 'en';

/**
 * Adds (or overrides) messages for a language ("en", "zh-Hans", "de", …; see docs/widget.md).
 * @param {string} lang
 * @param {Record<string, Message>} messages
 */
export function addMessages(lang, messages) {
  catalogues.set(lang, { ...(catalogues.get(lang) ?? {}), ...messages });
}

/**
 * Adds a catalogue of a language that is loaded only when the language is spoken (loadCatalogue):
 * a module that exports its messages as default, e.g. () => import('./messages/de.js'). Messages
 * added with addMessages win over it, whichever comes first.
 * @param {string} lang
 * @param {CatalogueLoader} load
 */
export function addCatalogueLoader(lang, load) {
  pending.set(lang, [...(pending.get(lang) ?? []), load]);
}

/**
 * Whether a language's catalogues are all loaded (or failed to load: then its texts are
 * English), so that a translator for it says everything it can.
 * @param {string} lang
 */
export function catalogueLoaded(lang) { return !pending.has(lang); }

/**
 * Loads the catalogues of a language added with addCatalogueLoader (once; at once when there are
 * none). It never rejects: a catalogue that cannot be loaded (offline and not cached) leaves its
 * texts in English, with a console warning.
 * @param {string} lang
 * @returns {Promise<void>}
 */
export function loadCatalogue(lang) {
  const loaders = pending.get(lang);
  if (!loaders) return Promise.resolve();
  let p = loading.get(lang);
  if (p) return p;
  p = Promise.all(loaders.map((load) => load().then((m) => m.default, (err) => {
    console.warn(`credit-estimator: the ${lang} messages could not be loaded (${err?.message ?? err}); they stay in English`);
    return {};
  }))).then((parts) => {
    // Messages added with addMessages meanwhile or before win over the loaded ones.
    catalogues.set(lang, Object.assign({}, ...parts, catalogues.get(lang) ?? {}));
    const later = (pending.get(lang) ?? []).filter((l) => !loaders.includes(l));
    loading.delete(lang);
    if (later.length) { pending.set(lang, later); return loadCatalogue(lang); }
    pending.delete(lang);
  });
  loading.set(lang, p);
  return p;
}

/** The languages with a catalogue, loaded or not. @returns {string[]} */
export function languages() { return [...new Set([...catalogues.keys(), ...pending.keys()])]; }

/** @param {string} lang */
const has = (lang) => catalogues.has(lang) || pending.has(lang);

/**
 * The catalogue language for a BCP 47 tag, or "" when none fits. "zh" (any region or script
 * but Hant) is zh-Hans; other tags match by their primary language ("de-AT" → "de").
 * @param {string} tag
 * @returns {string}
 */
export function catalogueFor(tag) {
  let loc;
  try { loc = new Intl.Locale(tag); } catch { return ''; }
  if (has(loc.baseName)) return loc.baseName;
  if (loc.language === 'zh') {
    const script = loc.maximize().script;
    const want = `zh-${script ?? 'Hans'}`;
    return has(want) ? want : '';
  }
  return has(loc.language) ? loc.language : '';
}

/**
 * @typedef {object} Locale
 * @property {string} tag the BCP 47 tag numbers and dates are formatted in (e.g. "de-DE")
 * @property {string} lang the catalogue language (e.g. "de")
 * @property {'ltr'|'rtl'} dir
 */

/**
 * The first candidate tag a catalogue speaks; English (en-US) when none does. The formatting tag is
 * the candidate itself, so numbers and words always come from the same locale.
 * @param {Array<string|null|undefined>} candidates most wanted first
 * @returns {Locale}
 */
export function pickLocale(candidates) {
  for (const c of candidates) {
    if (!c) continue;
    let tag;
    try { tag = Intl.getCanonicalLocales(c.trim())[0]; } catch { continue; }
    if (!tag) continue;
    const lang = catalogueFor(tag);
    if (lang) return { tag, lang, dir: RTL.has(new Intl.Locale(tag).language) ? 'rtl' : 'ltr' };
  }
  return { tag: 'en-US', lang: FALLBACK, dir: 'ltr' };
}

/**
 * The locale for an element: its own locale or lang attribute, else the closest lang on the page
 * (crossing shadow roots), else the browser's languages, else English.
 * @param {Element} el
 * @returns {Locale}
 */
export function localeOf(el) {
  /** @type {Array<string|null|undefined>} */
  const cands = [el.getAttribute('locale'), el.getAttribute('lang')];
  /** @type {Node|null} */
  let n = el;
  while (n) {
    const host = /** @type {Element} */ (n).closest?.('[lang]');
    if (host) { cands.push(host.getAttribute('lang')); break; }
    const root = n.getRootNode();
    n = root instanceof ShadowRoot ? root.host : null;
  }
  if (typeof navigator !== 'undefined') cands.push(...(navigator.languages ?? []), navigator.language);
  return pickLocale(cands);
}

/**
 * A translator for a locale: t(id, values) → text. Missing ids fall back to English, then to the
 * id itself (a visible bug, never a crash); so do all of a language whose catalogue is still
 * loading (catalogueLoaded): make the translator once it is. Values replace {name}; the value `n`
 * picks the plural form (a number, or a decimal string whose decimals count: "1.00" is plural in
 * English).
 * @param {Locale} locale
 * @returns {(id: string, values?: Record<string, string|number>) => string}
 */
export function translator(locale) {
  const own = catalogues.get(locale.lang) ?? {};
  const base = catalogues.get(FALLBACK) ?? {};
  /** @type {Map<number, Intl.PluralRules>} */
  const rules = new Map();
  const pluralRules = (/** @type {number} */ frac) => {
    let r = rules.get(frac);
    if (!r) { r = new Intl.PluralRules(locale.tag, { minimumFractionDigits: frac }); rules.set(frac, r); }
    return r;
  };
  return (id, values = {}) => {
    const msg = own[id] ?? base[id];
    if (msg == null) return id;
    let text;
    if (typeof msg === 'string') text = msg;
    else {
      const n = values.n ?? 0;
      const frac = typeof n === 'string' && n.includes('.') ? n.length - n.indexOf('.') - 1 : 0;
      const cat = pluralRules(frac).select(Number(n));
      text = msg[cat] ?? msg.other;
    }
    return text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  };
}

/**
 * Every message text of a language loaded (plural forms flattened): for tests that look for untranslated text.
 * @param {string} lang
 * @returns {string[]}
 */
export function messageTexts(lang) {
  const cat = catalogues.get(lang) ?? {};
  return Object.values(cat).flatMap((m) => (typeof m === 'string' ? [m] : Object.values(m)));
}
