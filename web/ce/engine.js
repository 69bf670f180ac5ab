// @ts-check
// Loading and card sync for <credit-estimator>: one engine per page (per assets URL), the rate
// card in force and how fresh it is, and the page's own card (useRateCard). Elements listen to an
// engine's "card" events and re-price when the card changes.
import { CARD, WASM_URL, WASM_EXEC_URL } from '../facts.js';

const CARD_CACHE_KEY = 'credit-estimator:card:v1';

/**
 * @typedef {'builtin'|'cached'|'current'|'updated'|'offline'|'rejected'|'unchecked'|'pending'|'verified'|'invalid'} CardState
 * "pending": the page's card is being fetched and verified (no price may be shown);
 * "verified": the page's card is in use; "invalid": it failed verification (no price is shown).
 */

/**
 * @typedef {object} CardStatus
 * @property {CardState} state
 * @property {string} version
 * @property {string} digest
 * @property {number|null} checkedAt
 * @property {string} [detail]
 */

/**
 * @typedef {object} Engine
 * @property {import('../estimator.js').Estimator} est
 * @property {string} apiBase
 * @property {EventTarget} events fires "card" when the card in use changes or its freshness is known
 * @property {CardStatus} card
 */

/** @type {Map<string, Promise<any>>} */
const assetsByURL = new Map();

/**
 * Fetches an assets.json (only for elements given an `assets` URL). Never rejects.
 * @param {string} url
 * @returns {Promise<any|null>}
 */
export function getAssets(url) {
  let p = assetsByURL.get(url);
  if (!p) {
    p = fetch(url, { credentials: 'omit' }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
    assetsByURL.set(url, p);
  }
  return p;
}

/** @type {Map<string, Promise<Engine>>} */
const engines = new Map();
/** @type {Set<Engine>} */
const live = new Set();

/**
 * The page's own card, set by useRateCard() (or an element's rate-card attribute / rateCard
 * property); null while the card built into the module is the one in force.
 * @typedef {object} PageCard
 * @property {string} key identifies the source (URL or text), so repeated calls are no-ops
 * @property {string} want expected digest ("" = any valid card whose digest matches its ETag, if any)
 * @property {Promise<{json: string, etag: string}>} text
 * @property {Promise<{version: string, digest: string}>} done settles when the first engine verified it (or refused it)
 * @property {(head: {version: string, digest: string}) => void} resolve
 * @property {(err: unknown) => void} reject
 */
/** @type {PageCard|null} */
let pageCard = null;

/** Fires "card" when the page's card is set, so elements without an engine drop their previews. */
export const pageEvents = new EventTarget();

/** Whether the page has its own card (then only that card's prices may be shown). */
export function hasPageCard() { return pageCard !== null; }

/**
 * Whether prices may be shown with this engine's card.
 * @param {Engine} engine
 */
export function canPrice(engine) { return engine.card.state !== 'pending' && engine.card.state !== 'invalid'; }

/**
 * Loads the engine once per key. A failed load is forgotten so that a retry refetches.
 * @param {string} assetsURL "" for the files beside this package (facts.js), else an assets.json URL
 * @param {string} apiBase base URL of the quote API (/api/v1/)
 * @returns {Promise<Engine>}
 */
export function getEngine(assetsURL, apiBase) {
  let p = engines.get(assetsURL);
  if (!p) {
    p = loadEngine(assetsURL, apiBase);
    engines.set(assetsURL, p);
    p.catch(() => { if (engines.get(assetsURL) === p) engines.delete(assetsURL); });
  }
  return p;
}

/**
 * @param {string} assetsURL
 * @param {string} apiBase
 * @returns {Promise<Engine>}
 */
async function loadEngine(assetsURL, apiBase) {
  const mod = await import('../estimator.js');
  /** @type {import('../estimator.js').LoadOptions} */
  const options = { wasmURL: WASM_URL, wasmExecURL: WASM_EXEC_URL };
  if (assetsURL) {
    const assets = await getAssets(assetsURL);
    if (assets?.wasm && assets?.wasmExec) {
      options.wasmURL = new URL(assets.wasm, assetsURL);
      options.wasmExecURL = new URL(assets.wasmExec, assetsURL);
    }
  }
  const est = await mod.load(options);
  const builtin = est.rateCard();
  /** @type {Engine} */
  const engine = {
    est, apiBase, events: new EventTarget(),
    card: { state: 'builtin', version: builtin.version, digest: builtin.digest, checkedAt: null },
  };
  live.add(engine);
  if (pageCard) {
    engine.card = { state: 'pending', version: '', digest: '', checkedAt: null };
    applyPageCard(engine, pageCard).catch(() => {});
    return engine;
  }
  // A card fetched on an earlier visit (newer than the one built into the module) is used first.
  const cached = readCachedCard(apiBase);
  if (cached && cached.digest !== builtin.digest) {
    try {
      est.useRateCard(cached.json);
      const now = est.rateCard();
      if (now.digest !== cached.digest) throw new Error('digest mismatch');
      engine.card = { state: 'cached', version: now.version, digest: now.digest, checkedAt: cached.checkedAt };
    } catch {
      forgetCachedCard();
      try { est.useRateCard(JSON.stringify(builtin.card)); } catch { /* the built-in card stays */ }
    }
  } else if (cached) {
    engine.card.checkedAt = cached.checkedAt;
  }
  // A task later, so that the elements waiting for this engine price first: the renderer's first
  // fetch() costs its main thread several milliseconds (15 in a cold load's trace), and the answer
  // comes from the network after the first price anyway.
  setTimeout(() => checkFreshness(engine), 0);
  return engine;
}

/**
 * Makes a card the page's card: every element on the page, mounted or not yet, shows only its
 * prices and choices once it is verified (it must parse and validate in the engine; its digest
 * must equal `digest` when given, and the ETag of its URL when that names a digest). Until then
 * no element shows a price or emits a price event. Resolves with the card's version and digest once
 * an engine verified it (the engine loads when an element nears the viewport, or at once with
 * loading="eager"); rejects when it cannot be fetched or fails verification, or when another card
 * replaces it first.
 * @param {string|URL|object} card a URL of the card's JSON, the JSON text, or the parsed card
 * @param {{digest?: string}} [options]
 * @returns {Promise<{version: string, digest: string}>}
 */
export function useRateCard(card, options = {}) {
  const isURL = card instanceof URL || (typeof card === 'string' && !card.trimStart().startsWith('{'));
  const key = isURL ? `url:${new URL(String(card), document.baseURI).href}` : `json:${typeof card === 'string' ? card : JSON.stringify(card)}`;
  const want = String(options.digest ?? '');
  if (pageCard && pageCard.key === key && pageCard.want === want) return pageCard.done;
  /** @type {Promise<{json: string, etag: string}>} */
  const text = isURL
    ? fetch(new URL(String(card), document.baseURI), { credentials: 'omit', cache: 'no-cache', headers: { Accept: 'application/json' } })
      .then(async (r) => {
        if (!r.ok) throw new Error(`GET ${r.url}: HTTP ${r.status}`);
        return { json: await r.text(), etag: etagValue(r.headers.get('ETag')) };
      })
    : Promise.resolve({ json: typeof card === 'string' ? card : JSON.stringify(card), etag: '' });
  /** @type {(head: {version: string, digest: string}) => void} */
  let resolve = () => {};
  /** @type {(err: unknown) => void} */
  let reject = () => {};
  /** @type {Promise<{version: string, digest: string}>} */
  const done = new Promise((res, rej) => { resolve = res; reject = rej; });
  done.catch(() => {});
  /** @type {PageCard} */
  const entry = { key, want, text, done, resolve, reject };
  pageCard?.reject(new DOMException('replaced by another rate card', 'AbortError'));
  pageCard = entry;
  text.catch((err) => { if (pageCard === entry) reject(err); });
  for (const e of live) {
    e.card = { state: 'pending', version: '', digest: '', checkedAt: null };
    e.events.dispatchEvent(new Event('card'));
  }
  pageEvents.dispatchEvent(new Event('card'));
  // Engines still loading apply it themselves when they are ready (loadEngine).
  for (const e of live) applyPageCard(e, entry).catch(() => {});
  return entry.done;
}

/**
 * Verifies the page's card in one engine and puts it in force there; on failure the engine's
 * state becomes "invalid" (elements show why, and no price).
 * @param {Engine} engine
 * @param {PageCard} entry
 * @returns {Promise<{version: string, digest: string}>}
 */
async function applyPageCard(engine, entry) {
  try {
    const { json, etag } = await entry.text;
    if (pageCard !== entry) throw new Error('superseded by another card');
    const prev = engine.est.rateCard();
    try {
      engine.est.useRateCard(json);
      const got = engine.est.rateCard();
      if (entry.want && got.digest !== entry.want) throw new Error(`the card's digest ${got.digest} is not the expected ${entry.want}`);
      if (etag.startsWith('sha256:') && got.digest !== etag) throw new Error(`the card's digest ${got.digest} does not match its ETag ${etag}`);
    } catch (err) {
      try { engine.est.useRateCard(JSON.stringify(prev.card)); } catch { /* keep whatever is loaded */ }
      throw err;
    }
    const got = engine.est.rateCard();
    engine.card = { state: 'verified', version: got.version, digest: got.digest, checkedAt: Date.now() };
    engine.events.dispatchEvent(new Event('card'));
    entry.resolve({ version: got.version, digest: got.digest });
    return { version: got.version, digest: got.digest };
  } catch (err) {
    if (pageCard === entry) {
      entry.reject(err);
      engine.card = { state: 'invalid', version: '', digest: '', checkedAt: null, detail: String(/** @type {any} */ (err)?.message ?? err) };
      engine.events.dispatchEvent(new Event('card'));
    }
    throw err;
  }
}

/** @param {string} apiBase */
function readCachedCard(apiBase) {
  try {
    const v = JSON.parse(localStorage.getItem(CARD_CACHE_KEY) ?? 'null');
    return v && v.api === apiBase && typeof v.json === 'string' ? v : null;
  } catch { return null; }
}
/**
 * @param {string} apiBase
 * @param {string} digest
 * @param {string} json
 * @param {number} checkedAt
 */
function writeCachedCard(apiBase, digest, json, checkedAt) {
  try { localStorage.setItem(CARD_CACHE_KEY, JSON.stringify({ api: apiBase, digest, json, checkedAt })); } catch { /* storage full or disabled */ }
}
function forgetCachedCard() { try { localStorage.removeItem(CARD_CACHE_KEY); } catch { /* ignore */ } }

/**
 * Checks the card again when the browser says it is back online.
 * @param {Engine} engine
 */
function retryWhenOnline(engine) {
  const retry = () => { window.removeEventListener('online', retry); checkFreshness(engine); };
  window.addEventListener('online', retry);
}

/**
 * Strips W/ and quotes from an ETag.
 * @param {string|null} etag
 */
export function etagValue(etag) { return (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, ''); }

/**
 * Asks the server whether a newer card exists (If-None-Match: digest in use). A newer card is
 * verified (it must parse, and its digest must equal the ETag) before it replaces the one in use.
 * Skipped, and its answer ignored, once the page has its own card.
 * @param {Engine} engine
 */
async function checkFreshness(engine) {
  if (pageCard) return;
  const { est, apiBase } = engine;
  const inUse = est.rateCard();
  let res;
  try {
    res = await fetch(new URL('ratecard', apiBase), {
      headers: { 'If-None-Match': `"${inUse.digest}"`, Accept: 'application/json' },
      cache: 'no-store', credentials: 'omit',
    });
  } catch (err) {
    if (pageCard) return;
    // No network at all, or the server could not be reached (down, blocked, CORS).
    const state = navigator.onLine === false ? 'offline' : 'unchecked';
    engine.card = { ...engine.card, state, detail: String(/** @type {any} */ (err)?.message ?? err) };
    engine.events.dispatchEvent(new Event('card'));
    retryWhenOnline(engine);
    return;
  }
  const now = Date.now();
  const json = res.status === 304 ? '' : await res.text().catch(() => '');
  if (pageCard) return;
  if (res.status === 304) {
    engine.card = { state: 'current', version: inUse.version, digest: inUse.digest, checkedAt: now };
    const cached = readCachedCard(apiBase);
    if (cached && cached.digest === inUse.digest) writeCachedCard(apiBase, cached.digest, cached.json, now);
    else writeCachedCard(apiBase, inUse.digest, JSON.stringify(inUse.card), now);
  } else if (res.ok && res.headers.get('X-Credit-Estimator-Offline') === '1') {
    // Offline, this site's service worker answers with the card it precached: usable when the
    // widget has nothing newer than its built-in card (verified like any other card), but no
    // proof that no newer card exists, so the state stays "offline".
    if (engine.card.state === 'builtin') {
      try {
        est.useRateCard(json);
        if (est.rateCard().digest !== etagValue(res.headers.get('ETag'))) throw new Error('digest does not match ETag');
      } catch {
        try { est.useRateCard(JSON.stringify(inUse.card)); } catch { /* keep whatever is loaded */ }
      }
    }
    const got = est.rateCard();
    engine.card = { ...engine.card, state: 'offline', version: got.version, digest: got.digest };
    engine.events.dispatchEvent(new Event('card'));
    retryWhenOnline(engine);
    return;
  } else if (res.ok) {
    const want = etagValue(res.headers.get('ETag'));
    try {
      est.useRateCard(json);
      const got = est.rateCard();
      if (want && got.digest !== want) throw new Error(`card digest ${got.digest} does not match ETag ${want}`);
      engine.card = { state: got.digest === inUse.digest ? 'current' : 'updated', version: got.version, digest: got.digest, checkedAt: now };
      writeCachedCard(apiBase, got.digest, json, now);
    } catch (err) {
      try { est.useRateCard(JSON.stringify(inUse.card)); } catch { /* keep whatever is loaded */ }
      engine.card = { ...engine.card, state: 'rejected', detail: String(/** @type {any} */ (err)?.message ?? err), checkedAt: now };
    }
  } else {
    engine.card = { ...engine.card, state: 'unchecked', detail: `HTTP ${res.status}` };
  }
  engine.events.dispatchEvent(new Event('card'));
}

/** The digest of the card built into this build (facts.js), for previews. */
export const BUILD_CARD = CARD;
