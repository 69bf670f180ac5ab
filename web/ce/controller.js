// @ts-check
// The element's controller, without DOM: which engine prices (the wasm module, or the opt-in
// server fallback), the card in force and what it offers, the loading phase, the last quote or
// error, and the economics the element shows beside a quote (plan coverage, a balance's
// shortfall). It holds no elements and renders nothing: views (ce/views/) render what it holds,
// and <credit-estimator> (credit-estimator.js) wires attributes, views and this together.
// Every number it hands out is an engine answer; nothing here prices.
//
// Events (plain CustomEvents on the controller, in this order on a load):
//   source   an engine or the server fallback is in use (the element rebuilds for its card)
//   ready    {cardVersion, source?} once a card that may price is in force (once)
//   refresh  the quote should be computed again
//   card     {state, version, digest} the engine's card changed or its freshness became known
//   failed   no engine and no fallback (loadError says why)
//   loaderror {message}
import { DEFAULT_SPEC, DEFAULT_QUOTE, CARD } from '../facts.js';
import { getEngine, hasPageCard, canPrice } from './engine.js';
import { builtChoices, engineChoices, cardTranslations } from './choices.js';
import { remoteCard, remoteQuote, remoteChoices } from './remote.js';
import { subtractDecimal } from './format.js';

/** @typedef {import('./engine.js').Engine} Engine */
/**
 * The server fallback: its card, and its choices by language (asked once per language).
 * @typedef {{card: any, digest: string, ctl: AbortController|null, seq: number, apiBase: string, choices: Map<string, Promise<void>|import('./choices.js').Choices>}} Remote
 */
/** @typedef {{code: string, field: string, message: string}} EstimateError */

/** The spec fields, in the contract's order. */
export const SPEC_FIELDS = ['resolution', 'fps', 'durationSeconds', 'prompt', 'complexity', 'mode', 'count'];

/**
 * Where the controller gets its engine and server answers; tests may pass their own.
 * @typedef {object} Deps
 * @property {(assetsURL: string, apiBase: string) => Promise<Engine>} [getEngine]
 * @property {(apiBase: string) => Promise<{card: any, digest: string}>} [remoteCard]
 * @property {(apiBase: string, spec: object, signal: AbortSignal) => Promise<{quote?: any, error?: EstimateError}>} [remoteQuote]
 * @property {(apiBase: string, lang: string) => Promise<import('./choices.js').Choices>} [remoteChoices]
 * @property {() => boolean} [hasPageCard]
 */

export class Controller extends EventTarget {
  /** @type {'idle'|'loading'|'ready'|'failed'} */ phase = 'idle';
  /** Why the engine (and the fallback) could not start. */
  loadError = '';
  /** @type {Engine|null} */ engine = null;
  /** @type {Remote|null} the server fallback */ remote = null;
  /** @type {any} the last quote shown (null before the first live estimate or on error) */ quote = null;
  /** @type {EstimateError|null} */ error = null;
  #readyEmitted = false;
  #lastKey = '';
  /** @type {AbortController|null} */ #engineListener = null;
  #connected = false;
  /** @type {Required<Deps>} */ #deps;

  /** @param {Deps} [deps] */
  constructor(deps = {}) {
    super();
    this.#deps = { getEngine, remoteCard, remoteQuote, remoteChoices, hasPageCard, ...deps };
  }

  /** Follows the engine's card while its element is on the page. */
  connect() {
    this.#connected = true;
    this.#listenToEngine();
  }

  /** Stops following the engine's card and cancels a server quote in flight. */
  disconnect() {
    this.#connected = false;
    this.#engineListener?.abort();
    this.#engineListener = null;
    this.remote?.ctl?.abort();
  }

  #listenToEngine() {
    this.#engineListener?.abort();
    this.#engineListener = null;
    if (!this.#connected || !this.engine) return;
    this.#engineListener = new AbortController();
    this.engine.events.addEventListener('card', () => {
      const c = /** @type {Engine} */ (this.engine).card;
      this.#fire('card', { state: c.state, version: c.version, digest: c.digest });
    }, { signal: this.#engineListener.signal });
  }

  /** @param {string} name @param {any} [detail] */
  #fire(name, detail) { this.dispatchEvent(new CustomEvent(name, { detail })); }

  // ---- loading ----

  /**
   * Loads the engine (once); with quoteApi, falls back to the server's quote API when it cannot start.
   * @param {{assetsURL: string, apiBase: string, quoteApi: boolean, lang: string}} o lang: the element's catalogue language
   */
  start(o) {
    if (this.phase === 'loading' || this.phase === 'ready') return;
    this.phase = 'loading';
    this.loadError = '';
    this.#deps.getEngine(o.assetsURL, o.apiBase).then((engine) => {
      this.engine = engine;
      this.remote = null;
      this.phase = 'ready';
      this.#listenToEngine();
      this.#fire('source');
      this.maybeReady();
      this.#fire('refresh');
    }, (err) => {
      this.loadError = String(err?.message ?? err);
      if (o.quoteApi) { this.#startRemote(o.apiBase, o.lang); return; }
      this.#fail();
    });
  }

  #fail() {
    this.phase = 'failed';
    this.#fire('failed');
    this.#fire('loaderror', { message: this.loadError });
  }

  /** The opt-in server fallback: the server's card and quote API (the prompt goes to the server). */
  #startRemote(apiBase, lang) {
    if (this.#deps.hasPageCard()) {
      // The server prices with its own card, which this page did not choose: show no price.
      this.loadError += '; the server fallback is off because the page set its own rate card';
      this.#fail();
      return;
    }
    const server = Promise.all([this.#deps.remoteCard(apiBase), this.#deps.remoteChoices(apiBase, lang)]);
    server.then(([{ card, digest }, choices]) => {
      this.remote = { card, digest, ctl: null, seq: 0, apiBase, choices: new Map([[lang, choices]]) };
      this.phase = 'ready';
      this.#fire('source');
      this.#fire('ready', { cardVersion: card.version, source: 'server' });
      this.#fire('refresh');
    }, (err) => {
      this.loadError += `; the server's quote API failed too (${err?.message ?? err})`;
      this.#fail();
    });
  }

  /** Fires "ready" once, when the engine's card may price. */
  maybeReady() {
    if (this.#readyEmitted || !this.engine || !canPrice(this.engine)) return;
    this.#readyEmitted = true;
    this.#fire('ready', { cardVersion: this.engine.card.version });
  }

  /** After a failed load: back to idle, so start() tries again. @returns {boolean} whether it was failed */
  reset() {
    if (this.phase !== 'failed') return false;
    this.phase = 'idle';
    return true;
  }

  // ---- the card in force ----

  /** The card in force and its freshness, once loaded. */
  get cardInfo() {
    if (this.engine) return { ...this.engine.card };
    if (this.remote) return { state: 'server', version: this.remote.card?.version ?? '', digest: this.remote.digest, checkedAt: null };
    return null;
  }

  /** The currency prices are shown in: the card's in use, else the build card's. */
  get currency() {
    const card = this.engine && canPrice(this.engine) ? this.engine.est.rateCard().card : this.remote?.card;
    return String(card?.currency ?? CARD.currency);
  }

  /** The digest a form built now is built for ("" until an engine may price). */
  get builtFor() { return this.engine && canPrice(this.engine) ? this.engine.card.digest : ''; }

  /**
   * What the card in force offers, labelled in a catalogue language; null while the page's card
   * is not verified (ownCard: the element names a card of its own that is not in force yet).
   * @param {string} lang
   * @param {boolean} ownCard
   */
  choices(lang, ownCard) {
    // The digest of the card the module has in force (the module may be shared by engines).
    if (this.engine) return canPrice(this.engine) ? engineChoices(this.engine.est, this.engine.est.rateCard().digest, lang) : null;
    if (this.remote) return this.#remoteChoices(this.remote, lang);
    return this.#deps.hasPageCard() || ownCard ? null : builtChoices(lang);
  }

  /**
   * The server's choices in a language; a language not asked yet is asked once, and until the
   * answer comes the first language's are shown (the element rebuilds on "source").
   * @param {Remote} r @param {string} lang
   */
  #remoteChoices(r, lang) {
    const have = r.choices.get(lang);
    if (have && !(have instanceof Promise)) return have;
    if (!have) {
      r.choices.set(lang, this.#deps.remoteChoices(r.apiBase, lang).then((c) => {
        r.choices.set(lang, c);
        if (this.remote === r) { this.#fire('source'); this.#fire('refresh'); }
      }, () => { r.choices.delete(lang); }));
    }
    const first = [...r.choices.values()].find((c) => !(c instanceof Promise));
    return /** @type {import('./choices.js').Choices} */ (first);
  }

  /** Whether a price may be shown now (never one from a card other than the page's). */
  mayPrice() {
    if (this.engine) return canPrice(this.engine);
    return this.remote !== null;
  }

  /**
   * The quote shown before the engine loads: the build card's precomputed quote, only for its
   * default spec in the card's own language, and never when the page has a card of its own.
   * @param {Record<string, unknown>} spec
   * @param {{lang: string, ownCard: boolean, customAssets: boolean}} o
   */
  preview(spec, o) {
    if (this.engine || this.remote || this.phase === 'failed') return null;
    if (!this.choices(o.lang, o.ownCard) || o.customAssets) return null;
    return sameSpec(spec, DEFAULT_SPEC) && o.lang === CARD.language ? DEFAULT_QUOTE : null;
  }

  // ---- quotes ----

  /**
   * The engine's quote for a request (synchronous), or its error.
   * @param {object} request
   * @returns {{quote: any, error: EstimateError|null}}
   */
  estimate(request) {
    try {
      return { quote: /** @type {Engine} */ (this.engine).est.estimate(/** @type {any} */ (request)), error: null };
    } catch (err) {
      return { quote: null, error: errorOf(err) };
    }
  }

  /**
   * The server's quote for a request; resolves null when a later request superseded it.
   * problem names what went wrong with the server (the element words it).
   * @param {string} apiBase
   * @param {object} request
   * @returns {Promise<{quote: any, error: EstimateError|null, problem: string}|null>}
   */
  async estimateRemote(apiBase, request) {
    const r = /** @type {Remote} */ (this.remote);
    r.ctl?.abort();
    r.ctl = new AbortController();
    const seq = ++r.seq;
    try {
      const { quote, error } = await this.#deps.remoteQuote(apiBase, request, r.ctl.signal);
      if (seq !== r.seq || this.remote !== r) return null;
      if (quote && quote.rateCard?.digest && r.digest && quote.rateCard.digest !== r.digest) return { quote: null, error: null, problem: 'rate card' };
      return { quote: quote ?? null, error: error ?? null, problem: '' };
    } catch (err) {
      if (seq !== r.seq || err?.name === 'AbortError') return null;
      return { quote: null, error: null, problem: String(err?.message ?? err) };
    }
  }

  /**
   * Keeps a result as the one shown.
   * @param {any} quote
   * @param {EstimateError|null} error
   */
  accept(quote, error) {
    this.quote = quote;
    this.error = error;
  }

  /**
   * The event a result shown to someone is news for ("change" or "error"), or "" when the same
   * spec already had the same result; it is then no longer news.
   * @param {object} spec
   * @param {any} quote
   * @param {EstimateError|null} error
   * @returns {''|'change'|'error'}
   */
  news(spec, quote, error) {
    const key = quote ? `q${JSON.stringify(spec)}${JSON.stringify(quote)}` : `e${JSON.stringify(spec)}${JSON.stringify(error)}`;
    if (key === this.#lastKey) return '';
    this.#lastKey = key;
    return quote ? 'change' : 'error';
  }

  /** Forgets the last result (a card that may not price is in force). */
  clear() { this.quote = null; this.error = null; }

  // ---- economics beside a quote ----

  /**
   * Videos like this one per month by plan (the engine's "plans" op), with the card's plan names
   * in a language. Throws the engine's error.
   * @param {object} request the quote request of one video
   * @param {string} lang
   * @returns {Array<{id: string, name: string, credits: string, videos: number}>}
   */
  coverage(request, lang) {
    const est = /** @type {Engine} */ (this.engine).est;
    const like = est.comparePlans({ credits: '0', like: { ...request, count: 1 } }).like;
    const names = cardTranslations(est.rateCard().card, lang).plans ?? {};
    return (like?.plans ?? []).filter((/** @type {any} */ p) => p.id !== 'trial')
      .map((/** @type {any} */ p) => ({ id: p.id, name: names[p.id] ?? p.name, credits: p.credits, videos: p.videos }));
  }

  /**
   * What a balance of credits says about a quote: covered, or short by some credits with the
   * cheapest top-up for them (the engine's "topup" op; its error instead) and the free queue's
   * slowdown.
   * @param {string} credits the quote's credits
   * @param {string} balance
   * @returns {{short: string|null, topUp: any, topUpError: any, slowdown: string}} short is null when the balance covers it
   */
  shortfall(credits, balance) {
    const short = subtractDecimal(credits, balance);
    if (short === null) return { short: null, topUp: null, topUpError: null, slowdown: '' };
    const est = /** @type {Engine} */ (this.engine).est;
    let topUp = null;
    let topUpError = null;
    try { topUp = est.topUp({ need: short }); } catch (err) { topUpError = err; }
    return { short, topUp, topUpError, slowdown: est.rateCard().card?.standardQueue?.slowdown ?? '' };
  }
}

/**
 * The contract's error object of anything an engine call threw.
 * @param {any} err
 * @returns {EstimateError}
 */
export function errorOf(err) {
  return err && typeof err === 'object' && 'code' in err
    ? { code: err.code, field: err.field ?? '', message: err.message }
    : { code: 'internal', field: '', message: String(err?.message ?? err) };
}

/**
 * Whether two specs are the same in every field (an absent prompt is the empty prompt).
 * @param {Record<string, unknown>} a
 * @param {Record<string, unknown>} b
 */
export function sameSpec(a, b) {
  for (const k of SPEC_FIELDS) {
    if (String(a[k] ?? '') !== String(b[k] ?? '')) return false;
  }
  return true;
}
