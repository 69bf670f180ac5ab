// @ts-check
// <credit-estimator>: an embeddable, framework-free credit estimate for one video spec.
//
// One module script tag registers the element:
//   <script type="module" src="/credit-estimator.js"></script>
//   <credit-estimator>From 1 credit per 10-second video</credit-estimator>
//
// Its light-DOM children are the fallback content: shown until it upgrades, and whenever it
// cannot (no JS, origin down, engine failed). Every choice, label, limit and default it shows
// comes from the rate card in force (ce/choices.js); the pricing engine is the Go wasm module
// behind ./estimator.js, fetched only when the element nears the viewport. The prompt never
// leaves the browser, unless the page opts into the server fallback (attribute quote-api).
//
// One file per concern: ce/engine.js (loading, card sync, useRateCard), ce/choices.js (what the
// card offers), ce/styles.js, ce/format.js, ce/dom.js, ce/remote.js (opt-in server quotes);
// facts.js is generated from Go at build time.

import { DEFAULT_SPEC, DEFAULT_QUOTE, CARD, CARD_JSON } from './facts.js';
import { getEngine, useRateCard, hasPageCard, canPrice, pageEvents } from './ce/engine.js';
import { choicesOf, canonicalResolution, fpsAt, cardTranslations } from './ce/choices.js';
import { styles } from './ce/styles.js';
import { h, setText, setOptions } from './ce/dom.js';
import { makeFormats, fmt, perLine, breakdownRows, subtractDecimal, numberOrText } from './ce/format.js';
import { localeOf, translator } from './ce/i18n.js';
import './ce/messages.js';
import { FALLBACK as FALLBACK_LANG } from './ce/i18n.js';
import { remoteCard, remoteQuote } from './ce/remote.js';

export { DEFAULT_SPEC, useRateCard };

/** @typedef {import('./credit-estimator.js').Spec} Spec */
/** @typedef {import('./estimator.js').Quote} Quote */
/** @typedef {{card: any, digest: string, ctl: AbortController|null, seq: number}} Remote */

const TAG = 'credit-estimator';
/** Event names: prefixed, lower case, no colon in the part after it, so that React 19 (onCredit-estimator…
 * is not valid JSX, so we use "credit-estimator-change" style: see docs/widget.md), Vue (@credit-estimator-change)
 * and Svelte (on:credit-estimator-change / oncredit-estimator-change) can all listen to them. */
const EVENT_PREFIX = 'credit-estimator-';
/** The former names (credit-estimator:change, …), still dispatched for existing pages. */
const LEGACY_PREFIX = 'credit-estimator:';
const MODULE_URL = import.meta.url;

/** Attributes that describe the spec, with their spec field. */
const SPEC_ATTRS = /** @type {const} */ ({
  resolution: 'resolution', fps: 'fps', duration: 'durationSeconds', prompt: 'prompt',
  complexity: 'complexity', mode: 'mode', count: 'count',
});
const OTHER_ATTRS = ['plan', 'locale', 'lang', 'heading-level', 'currency-display', 'compact', 'balance', 'loading', 'assets', 'api', 'rate-card', 'rate-card-digest', 'quote-api'];

let idSeq = 0;

/** Properties a framework may set before the element is defined (see connectedCallback). */
const UPGRADE_PROPS = ['spec', 'resolution', 'fps', 'duration', 'prompt', 'complexity', 'mode', 'count', 'plan', 'balance',
  'locale', 'headingLevel', 'currencyDisplay', 'compact', 'rateCard', 'rateCardURL', 'quoteApi'];

/**
 * The <credit-estimator> element.
 * Events (bubbling, composed), each under two names — credit-estimator-<name> and the older
 * credit-estimator:<name>: change {spec, quote}, error {spec, error}, ready {cardVersion},
 * loaderror {message}, card {state, version, digest}, share {url}.
 */
export class CreditEstimatorElement extends HTMLElement {
  static observedAttributes = [...Object.keys(SPEC_ATTRS), ...OTHER_ATTRS];

  /** @type {ShadowRoot} */ #root;
  /** @type {Record<string, any>} */ #el = {};
  /** @type {'full'|'compact'|null} */ #built = null;
  /** @type {AbortController|null} */ #listeners = null;
  /** @type {IntersectionObserver|null} */ #io = null;
  /** @type {ResizeObserver|null} */ #ro = null;
  /** @type {import('./ce/engine.js').Engine|null} */ #engine = null;
  /** @type {'idle'|'loading'|'ready'|'failed'} */ #phase = 'idle';
  #loadError = '';
  /** @type {any} */ #quote = null;
  /** @type {any} */ #error = null;
  /** @type {any} */ #preview = null;
  #scheduled = false;
  #uid = `ce${++idSeq}`;
  #lastEventKey = '';
  /** @type {any} */ #fmt = null;
  #coverageTimer = 0;
  #coverageShown = false;
  #readyEmitted = false;
  /** @type {string} digest of the card the form was built for */
  #builtFor = '';
  /** @type {Remote|null} the server fallback */
  #remote = null;
  /** @type {any} */ #rateCardProp = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.adoptedStyleSheets = [styles()];
  }

  // ---- properties reflected to attributes ----
  get resolution() { return this.getAttribute('resolution') ?? this.#defaults().resolution; }
  set resolution(v) { this.setAttribute('resolution', String(v)); }
  get fps() { return numberOrText(this.getAttribute('fps')) ?? this.#defaults().fps; }
  set fps(v) { this.setAttribute('fps', String(v)); }
  get duration() { return numberOrText(this.getAttribute('duration')) ?? this.#defaults().durationSeconds; }
  set duration(v) { this.setAttribute('duration', String(v)); }
  get prompt() { return this.getAttribute('prompt') ?? ''; }
  set prompt(v) { this.setAttribute('prompt', String(v ?? '')); }
  get complexity() { return this.getAttribute('complexity') ?? this.#defaults().complexity; }
  set complexity(v) { this.setAttribute('complexity', String(v)); }
  get mode() { return this.getAttribute('mode') ?? this.#defaults().mode; }
  set mode(v) { this.setAttribute('mode', String(v)); }
  get count() { return numberOrText(this.getAttribute('count')) ?? this.#defaults().count; }
  set count(v) { this.setAttribute('count', String(v)); }
  get plan() { return this.getAttribute('plan') ?? ''; }
  set plan(v) { if (v) this.setAttribute('plan', String(v)); else this.removeAttribute('plan'); }
  get balance() { return this.getAttribute('balance') ?? ''; }
  set balance(v) { if (v === '' || v == null) this.removeAttribute('balance'); else this.setAttribute('balance', String(v)); }
  get locale() { return this.getAttribute('locale') ?? ''; }
  set locale(v) { if (v) this.setAttribute('locale', String(v)); else this.removeAttribute('locale'); }
  /** Level (1–6) of the element's own headings, so they fit the host page's outline; 3 when unset. */
  get headingLevel() { const n = Number(this.getAttribute('heading-level')); return Number.isInteger(n) && n >= 1 && n <= 6 ? n : 3; }
  set headingLevel(v) { if (v) this.setAttribute('heading-level', String(v)); else this.removeAttribute('heading-level'); }
  /** The locale in use: {tag, lang, dir} (see docs/widget.md, "Languages"). */
  get resolvedLocale() { const f = this.#formats(); return { tag: f.locale, lang: f.lang, dir: f.dir }; }
  get currencyDisplay() { return this.getAttribute('currency-display') ?? 'symbol'; }
  set currencyDisplay(v) { if (v) this.setAttribute('currency-display', String(v)); else this.removeAttribute('currency-display'); }
  get compact() { return this.hasAttribute('compact'); }
  set compact(v) { this.toggleAttribute('compact', Boolean(v)); }
  /** URL of the page's rate card (attribute rate-card); see useRateCard(). */
  get rateCardURL() { return this.getAttribute('rate-card') ?? ''; }
  set rateCardURL(v) { if (v) this.setAttribute('rate-card', String(v)); else this.removeAttribute('rate-card'); }
  /** Hands the element (and the page) a card: its JSON text or the parsed object; see useRateCard(). */
  get rateCard() { return this.#rateCardProp; }
  set rateCard(card) {
    this.#rateCardProp = card;
    if (card != null) this.#adoptPageCard();
  }
  /** Opt-in: when the wasm engine cannot start, ask the server's quote API (sends the prompt to the server). */
  get quoteApi() { return this.hasAttribute('quote-api'); }
  set quoteApi(v) { this.toggleAttribute('quote-api', Boolean(v)); }

  /** The spec sent to the engine, built from the attributes and the card's defaults. */
  get spec() {
    return {
      resolution: this.resolution, fps: this.fps, durationSeconds: this.duration, prompt: this.prompt,
      complexity: this.complexity, mode: this.mode, count: this.count,
    };
  }
  /** Sets several spec fields at once (one update). */
  set spec(s) {
    for (const [attr, field] of Object.entries(SPEC_ATTRS)) {
      if (s && field in s && s[field] != null) this.setAttribute(attr, String(s[field]));
    }
  }
  /** The last quote shown (null before the first live estimate or on error). */
  get quote() { return this.#quote; }
  /** The last error ({code, field, message}) or null. */
  get error() { return this.#error; }
  /** 'idle' | 'loading' | 'ready' | 'failed' */
  get state() { return this.#phase; }
  /** The rate card in use and its freshness, once loaded. */
  get card() {
    if (this.#engine) return { ...this.#engine.card };
    if (this.#remote) return { state: 'server', version: this.#remote.card?.version ?? '', digest: this.#remote.digest, checkedAt: null };
    return null;
  }
  /** What the card in force offers (resolutions, fps, modes, levels, limits, currency, default spec), or null while a page card is pending. */
  get choices() { return this.#choices(); }
  /** Resolves when the engine is loaded and its card may price (starts loading if needed). */
  whenReady() {
    this.#startLoading();
    if (this.#engine && canPrice(this.#engine)) return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      const ok = () => { off(); resolve(this); };
      const bad = (/** @type {any} */ e) => { off(); reject(new Error(e.detail?.message ?? 'load failed')); };
      const off = () => { this.removeEventListener(`${EVENT_PREFIX}ready`, ok); this.removeEventListener(`${EVENT_PREFIX}loaderror`, bad); };
      this.addEventListener(`${EVENT_PREFIX}ready`, ok);
      this.addEventListener(`${EVENT_PREFIX}loaderror`, bad);
    });
  }
  /** The engine (for the demo pages' calculators), or null before it is loaded. */
  get estimator() { return this.#engine?.est ?? null; }
  /** A URL of this page whose fragment restores every input of this element. */
  get shareURL() {
    const url = new URL(location.href);
    const params = new URLSearchParams();
    const p = this.#paramPrefix();
    for (const attr of [...Object.keys(SPEC_ATTRS), 'plan', 'balance']) {
      const v = this.getAttribute(attr);
      if (v != null && v !== '') params.set(p + attr, v);
    }
    url.hash = params.toString();
    return url.href;
  }

  connectedCallback() {
    // A framework may have set properties before the element was defined: they became own
    // properties of the instance, shadowing the class's setters. Re-set them through the setters.
    for (const p of UPGRADE_PROPS) {
      if (Object.prototype.hasOwnProperty.call(this, p)) {
        const v = /** @type {any} */ (this)[p];
        delete (/** @type {any} */ (this))[p];
        /** @type {any} */ (this)[p] = v;
      }
    }
    this.#listeners?.abort();
    this.#listeners = new AbortController();
    const signal = this.#listeners.signal;
    this.#root.addEventListener('input', (e) => this.#onInput(e), { signal });
    this.#root.addEventListener('change', (e) => this.#onInput(e), { signal });
    this.#root.addEventListener('click', (e) => this.#onClick(e), { signal });
    window.addEventListener('hashchange', () => this.#restoreFromURL(), { signal });
    pageEvents.addEventListener('card', () => { if (!this.#engine) { this.#preview = null; this.#build(); this.#update(); } }, { signal });
    this.#adoptPageCard();
    this.#restoreFromURL();
    this.#build();
    this.#showPreview();
    if (this.#engine) {
      this.#engine.events.addEventListener('card', () => this.#onCard(), { signal });
      this.#schedule();
    } else if (this.#phase === 'idle' || this.#phase === 'loading') {
      this.#observe();
    } else if (this.#phase === 'failed') {
      this.#renderFailure();
    }
  }

  disconnectedCallback() {
    this.#listeners?.abort();
    this.#listeners = null;
    this.#io?.disconnect();
    this.#io = null;
    this.#ro?.disconnect();
    this.#ro = null;
    this.#remote?.ctl?.abort();
    clearTimeout(this.#coverageTimer);
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === 'compact') { if (this.#built) { this.#build(); this.#showPreview(); this.#schedule(); } return; }
    if (name === 'rate-card' || name === 'rate-card-digest') { if (this.isConnected) this.#adoptPageCard(); return; }
    if (name === 'locale' || name === 'lang' || name === 'currency-display' || name === 'heading-level') {
      this.#fmt = null;
      if (this.#built) { this.#build(); this.#showPreview(); this.#schedule(); }
      return;
    }
    if (name === 'loading' && newValue === 'eager' && this.isConnected) this.#startLoading();
    if (this.#built) {
      if (name === 'resolution') { this.#syncFPSOptions(); this.#syncControl('fps'); }
      this.#syncControl(name);
      this.#schedule();
    }
  }

  // ---- the card in force ----

  /** A rate-card attribute or rateCard property makes that card the page's card. */
  #adoptPageCard() {
    const digest = this.getAttribute('rate-card-digest') ?? '';
    const src = this.#rateCardProp ?? this.getAttribute('rate-card');
    if (src == null || src === '') return;
    const opts = digest ? { digest } : {};
    useRateCard(typeof src === 'string' && !src.trimStart().startsWith('{') ? new URL(src, document.baseURI) : src, opts).catch((err) => {
      if (!this.#engine && err?.name !== 'AbortError') { this.#loadError = String(err?.message ?? err); this.#renderCardProblem(); }
    });
  }

  /** The choices of the card in force; null while the page's card is not verified. */
  #choices() {
    const lang = this.#formats().lang;
    if (this.#engine) return canPrice(this.#engine) ? choicesOf(this.#engine.est.rateCard().card, lang) : null;
    if (this.#remote) return choicesOf(this.#remote.card, lang);
    return hasPageCard() || this.hasAttribute('rate-card') || this.#rateCardProp != null ? null : choicesOf(CARD_JSON, lang);
  }

  #defaults() { return this.#choices()?.defaultSpec ?? DEFAULT_SPEC; }

  /** Whether a price may be shown now (never one from a card other than the page's). */
  #mayPrice() {
    if (this.#engine) return canPrice(this.#engine);
    return this.#remote !== null;
  }

  // ---- loading ----

  #assetsURL() { const a = this.getAttribute('assets'); return a ? new URL(a, MODULE_URL).href : ''; }
  #apiBase() {
    const a = this.getAttribute('api');
    const u = new URL(a ?? '/api/v1/', MODULE_URL).href;
    return u.endsWith('/') ? u : `${u}/`;
  }

  #observe() {
    if (this.getAttribute('loading') === 'eager' || typeof IntersectionObserver !== 'function') { this.#startLoading(); return; }
    this.#io?.disconnect();
    this.#io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { this.#io?.disconnect(); this.#io = null; this.#startLoading(); }
    }, { rootMargin: '300px 0px' });
    this.#io.observe(this);
  }

  #startLoading() {
    if (this.#phase === 'loading' || this.#phase === 'ready') return;
    this.#phase = 'loading';
    this.#loadError = '';
    this.#renderStatus();
    getEngine(this.#assetsURL(), this.#apiBase()).then((engine) => {
      this.#engine = engine;
      this.#remote = null;
      this.#phase = 'ready';
      if (this.#listeners) engine.events.addEventListener('card', () => this.#onCard(), { signal: this.#listeners.signal });
      this.#fmt = null;
      this.#build();
      this.#maybeReady();
      this.#update();
    }, (err) => {
      this.#loadError = String(err?.message ?? err);
      if (this.quoteApi) { this.#startRemote(); return; }
      this.#phase = 'failed';
      this.#renderFailure();
      this.#emit('loaderror', { message: this.#loadError });
    });
  }

  /** The opt-in server fallback: the server's card and quote API (the prompt goes to the server). */
  #startRemote() {
    if (hasPageCard()) {
      // The server prices with its own card, which this page did not choose: show no price.
      this.#phase = 'failed';
      this.#loadError += '; the server fallback is off because the page set its own rate card';
      this.#renderFailure();
      this.#emit('loaderror', { message: this.#loadError });
      return;
    }
    remoteCard(this.#apiBase()).then(({ card, digest }) => {
      this.#remote = { card, digest, ctl: null, seq: 0 };
      this.#phase = 'ready';
      this.#fmt = null;
      this.#build();
      this.#emit('ready', { cardVersion: card.version, source: 'server' });
      this.#update();
    }, (err) => {
      this.#phase = 'failed';
      this.#loadError += `; the server's quote API failed too (${err?.message ?? err})`;
      this.#renderFailure();
      this.#emit('loaderror', { message: this.#loadError });
    });
  }

  #maybeReady() {
    if (this.#readyEmitted || !this.#engine || !canPrice(this.#engine)) return;
    this.#readyEmitted = true;
    this.#emit('ready', { cardVersion: this.#engine.card.version });
  }

  /** Retries a failed load. */
  retry() {
    if (this.#phase !== 'failed') return;
    this.#phase = 'idle';
    this.#build();
    this.#showPreview();
    this.#startLoading();
  }

  #onCard() {
    if (!this.#engine) return;
    const c = this.#engine.card;
    this.#emit('card', { state: c.state, version: c.version, digest: c.digest });
    this.#fmt = null;
    if (this.#builtFor !== (canPrice(this.#engine) ? c.digest : '')) this.#build();
    this.#renderStatus();
    this.#maybeReady();
    this.#update();
  }

  #showPreview() {
    if (this.#engine || this.#remote) return;
    // The preview is the build card's precomputed quote: never shown when the page has its own card.
    if (this.#phase !== 'failed' && this.#choices() && sameSpec(this.spec, DEFAULT_SPEC) && !this.hasAttribute('assets') && this.#formats().lang === cardLanguage(CARD_JSON)) {
      this.#preview = DEFAULT_QUOTE;
      this.#renderQuote(DEFAULT_QUOTE, true);
    } else {
      this.#preview = null;
      if (this.#phase !== 'failed') this.#renderQuote(null, true);
    }
    if (this.#built === 'full') { this.#renderExtras(this.#preview); this.#renderShare(); }
    this.#renderStatus();
  }

  // ---- updating ----

  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => { this.#scheduled = false; this.#update(); });
  }

  /** Computes the quote locally and renders it. Synchronous once the engine is loaded. */
  #update() {
    if (!this.#built) return;
    if (this.#remote) { this.#updateRemote(); return; }
    if (!this.#engine) { if (this.#phase !== 'failed') this.#showPreview(); return; }
    if (!canPrice(this.#engine)) {
      this.#quote = null;
      this.#error = null;
      this.#renderCardProblem();
      return;
    }
    const spec = this.spec;
    let quote = null;
    let error = null;
    try {
      quote = this.#engine.est.estimate(/** @type {any} */ (this.#request(spec))); // the engine reports bad values
    } catch (err) {
      error = err && typeof err === 'object' && 'code' in err
        ? { code: err.code, field: err.field ?? '', message: err.message }
        : { code: 'internal', field: '', message: String(err?.message ?? err) };
    }
    this.#show(spec, quote, error);
  }

  #show(spec, quote, error) {
    this.#quote = quote;
    this.#error = error;
    if (quote) this.#renderQuote(quote, false); else this.#renderError(error);
    if (this.#built === 'full') { this.#renderExtras(quote); this.#renderShare(); }
    this.#renderStatus();
    const key = quote ? `q${JSON.stringify(spec)}${JSON.stringify(quote)}` : `e${JSON.stringify(spec)}${JSON.stringify(error)}`;
    if (key !== this.#lastEventKey && this.isConnected) {
      this.#lastEventKey = key;
      if (quote) this.#emit('change', { spec, quote });
      else this.#emit('error', { spec, error });
    }
  }

  #updateRemote() {
    const r = /** @type {Remote} */ (this.#remote);
    r.ctl?.abort();
    r.ctl = new AbortController();
    const seq = ++r.seq;
    const spec = this.spec;
    this.#renderQuote(this.#quote, true);
    remoteQuote(this.#apiBase(), this.#request(spec), r.ctl.signal).then(({ quote, error }) => {
      if (seq !== r.seq || this.#remote !== r) return;
      if (quote && quote.rateCard?.digest && r.digest && quote.rateCard.digest !== r.digest) {
        error = { code: 'internal', field: '', message: this.#t('error.server', { detail: 'rate card' }) };
        quote = undefined;
      }
      this.#show(spec, quote ?? null, error ?? null);
    }, (err) => {
      if (seq !== r.seq || err?.name === 'AbortError') return;
      this.#show(spec, null, { code: 'internal', field: '', message: this.#t('error.server', { detail: String(err?.message ?? err) }) });
    });
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(EVENT_PREFIX + name, { detail, bubbles: true, composed: true }));
    this.dispatchEvent(new CustomEvent(LEGACY_PREFIX + name, { detail, bubbles: true, composed: true }));
  }

  // ---- formatting ----

  /** The quote request: the spec, and the locale when the card's labels should be translated. */
  #request(spec) {
    const lang = this.#formats().lang;
    return lang === FALLBACK_LANG ? spec : { ...spec, locale: lang };
  }
  #formats() {
    if (this.#fmt) return this.#fmt;
    const loc = localeOf(this);
    const card = this.#engine && canPrice(this.#engine) ? this.#engine.est.rateCard().card : this.#remote?.card ?? CARD_JSON;
    this.#fmt = { ...makeFormats(loc.tag, String(card?.currency ?? CARD_JSON.currency), this.currencyDisplay), lang: loc.lang, dir: loc.dir, t: translator(loc) };
    return this.#fmt;
  }
  /** @param {string} id @param {Record<string, string|number>} [v] */
  #t(id, v) { return this.#formats().t(id, v); }
  /** Formats a decimal string exactly (Intl formats strings without going through binary floats). */
  formatCredits(s) { return fmt(this.#formats().credits, s); }
  formatMoney(s) { return fmt(this.#formats().money, s); }

  /**
   * An engine error in the element's language: English keeps the engine's own message (it names
   * the value at fault exactly); other languages say it from the catalogue by code and field.
   * @param {any} err
   */
  #errorText(err) {
    const f = this.#formats();
    if (!err) return f.t('error.generic');
    if (f.lang === FALLBACK_LANG && err.message) return String(err.message);
    const c = this.#choices();
    const field = String(err.field ?? '');
    switch (err.code) {
      case 'unsupported_resolution': return f.t('error.resolution');
      case 'unsupported_fps': return f.t('error.fps');
      case 'unsupported_mode': return f.t('error.mode');
      case 'unsupported_complexity': return f.t('error.complexity');
      case 'prompt_too_long': return f.t('error.prompt', { max: f.int.format(c?.maxPromptChars ?? 0) });
      default:
        if (field === 'durationSeconds' && c) return f.t('error.duration', { min: f.int.format(c.duration.min), max: f.int.format(c.duration.max) });
        if (field === 'count' && c) return f.t('error.count', { max: f.int.format(c.maxCount) });
        if (err.code === 'invalid_type' || err.code === 'invalid_value') return f.t('error.number');
        return f.t('error.generic');
    }
  }

  // ---- building ----

  #build() {
    const mode = this.compact ? 'compact' : 'full';
    const choices = this.#choices();
    this.#builtFor = this.#engine && canPrice(this.#engine) ? this.#engine.card.digest : '';
    this.#el = {};
    this.#built = mode;
    const f = this.#formats();
    const wrap = h('div', { class: mode === 'compact' ? 'ce compact' : 'ce', lang: f.locale, dir: f.dir });
    this.#root.replaceChildren(wrap);
    if (mode === 'compact') this.#buildCompact(wrap); else this.#buildFull(wrap, choices);
    for (const attr of Object.keys(SPEC_ATTRS)) this.#syncControl(attr);
    this.#syncControl('balance');
    // Placeholders with the final geometry right away (the preview or live quote replaces them).
    this.#renderQuote(this.#quote ?? this.#preview, !this.#quote);
    if (mode === 'full') this.#renderExtras(this.#quote ?? this.#preview);
    if (this.#phase === 'failed') this.#renderFailure();
  }

  #buildCompact(wrap) {
    const e = this.#el;
    e.credits = h('span', { part: 'credits', class: 'num' });
    e.label = h('span', { part: 'label', text: this.#t('unit.credits', { n: '0.00' }) });
    e.approx = h('span', { 'aria-hidden': 'true', text: '≈' });
    e.badge = h('span', { part: 'badge', class: 'badge', role: 'status', 'aria-live': 'polite' }, e.approx, e.credits, e.label);
    wrap.append(e.badge);
  }

  #buildFull(wrap, choices) {
    const e = this.#el;
    const id = (s) => `${this.#uid}-${s}`;
    const c = choices;
    const f = this.#formats();
    const t = f.t;
    const hn = `h${this.headingLevel}`;
    e.resolution = setOptions(h('select', { id: id('res'), name: 'resolution', part: 'control select', 'data-attr': 'resolution', disabled: !c }), c ? c.resolutions : []);
    e.fps = h('select', { id: id('fps'), name: 'fps', part: 'control select', 'data-attr': 'fps', disabled: !c });
    e.duration = h('input', { id: id('dur'), name: 'duration', type: 'number', inputmode: 'decimal', min: c?.duration.min, max: c?.duration.max, step: 'any', part: 'control input', 'data-attr': 'duration', 'aria-describedby': id('dur-hint'), disabled: !c });
    e.count = h('input', { id: id('count'), name: 'count', type: 'number', inputmode: 'numeric', min: 1, max: c?.maxCount, step: 1, part: 'control input', 'data-attr': 'count', 'aria-describedby': id('count-hint'), disabled: !c });
    e.mode = setOptions(h('select', { id: id('mode'), name: 'mode', part: 'control select', 'data-attr': 'mode', disabled: !c }), c ? c.modes : []);
    e.complexity = setOptions(h('select', { id: id('cx'), name: 'complexity', part: 'control select', 'data-attr': 'complexity', disabled: !c }),
      c ? [{ value: DEFAULT_SPEC.complexity, label: t('complexity.autoOption') }, ...c.levels] : []);
    e.prompt = h('textarea', { id: id('prompt'), name: 'prompt', rows: 4, part: 'control prompt', 'data-attr': 'prompt', maxlength: c?.maxPromptChars, spellcheck: 'true', placeholder: t('prompt.placeholder'), 'aria-describedby': id('signals-h'), disabled: !c });
    e.balance = h('input', { id: id('bal'), name: 'balance', type: 'number', inputmode: 'decimal', min: 0, step: 'any', part: 'control input', 'data-attr': 'balance', placeholder: t('balance.placeholder') });
    e.hints = {
      resolution: h('span', { class: 'hint', id: id('res-hint') }), fps: h('span', { class: 'hint', id: id('fps-hint') }),
      duration: h('span', { class: 'hint', id: id('dur-hint'), text: durationHint(c, f) }), count: h('span', { class: 'hint', id: id('count-hint'), text: countHint(c, f) }),
      mode: h('span', { class: 'hint' }), complexity: h('span', { class: 'hint' }), prompt: h('span', { class: 'hint' }), balance: h('span', { class: 'hint' }),
    };
    this.#syncFPSOptions();
    e.signals = h('ul', { class: 'signals', part: 'signals', 'aria-label': t('aria.signals') });
    e.level = h('span', { class: 'level', part: 'complexity' });
    const field = (label, ctl, hint, wide = false) => h('div', { class: wide ? 'field wide' : 'field' }, h('label', { for: ctl.id, text: label }), ctl, hint);
    const promptField = h('div', { class: 'field wide' },
      h('label', { for: e.prompt.id, text: t('label.prompt') }), e.prompt,
      h('div', { class: 'label', id: id('signals-h') }, h('span', { text: t('label.found') }), ' ', e.level),
      e.signals, e.hints.prompt);
    e.form = h('form', { part: 'form', 'aria-label': t('aria.form'), novalidate: true },
      field(t('label.resolution'), e.resolution, e.hints.resolution), field(t('label.fps'), e.fps, e.hints.fps),
      field(t('label.duration'), e.duration, e.hints.duration), field(t('label.count'), e.count, e.hints.count),
      field(t('label.mode'), e.mode, e.hints.mode), field(t('label.complexity'), e.complexity, e.hints.complexity),
      promptField,
      field(t('label.balance'), e.balance, e.hints.balance, true));

    e.credits = h('p', { class: 'credits', part: 'credits' });
    e.usd = h('p', { class: 'usd', part: 'usd' });
    e.per = h('p', { class: 'per', part: 'per-video' });
    e.total = h('div', { class: 'total', part: 'total', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
      h('p', { class: 'caption', text: t('total.caption') }), e.credits, e.usd, e.per);
    e.rows = h('ul', { class: 'rows' });
    e.breakdown = h('details', { part: 'breakdown', open: true }, h('summary', { text: t('breakdown.summary') }), e.rows);
    e.plansList = h('ul');
    e.plans = h('div', { class: 'section plans', part: 'plans' }, h(hn, { text: t('plans.heading') }), e.plansList);
    e.topupText = h('p');
    e.topupMore = h('ul', { class: 'ways' });
    e.topup = h('div', { class: 'section topup', part: 'topup' }, h(hn, { text: t('balance.heading') }), e.topupText, e.topupMore);
    e.failure = h('div', { class: 'failure', part: 'error', role: 'alert', hidden: true });
    e.status = h('span', { class: 'status', part: 'status' });
    e.shareLink = h('a', { part: 'share-link', href: '#', text: t('share.link') });
    e.copy = h('button', { type: 'button', part: 'button share', 'data-action': 'copy', text: t('share.copy') });
    e.copied = h('span', { class: 'sr', role: 'status' });
    e.footer = h('div', { class: 'footer' }, e.status, h('span', { class: 'share' }, e.shareLink, e.copy, e.copied));
    e.result = h('section', { class: 'result', part: 'result', 'aria-label': t('aria.details') }, e.failure, e.breakdown, e.plans, e.topup, e.footer);
    // The total comes first in the DOM (and on narrow screens first on screen); wide, it sits top right.
    e.root = h('div', { class: 'full', part: 'root' }, e.total, e.form, e.result);
    wrap.append(e.root);
    // One column when the element itself is narrow (not the viewport: the host decides our width).
    this.#ro?.disconnect();
    this.#ro = null;
    if (typeof ResizeObserver === 'function') {
      this.#ro = new ResizeObserver(([entry]) => {
        e.root.classList.toggle('narrow', entry.contentRect.width < 640);
        // A phone-wide element: one field per row, so no select cuts its text.
        e.root.classList.toggle('tight', entry.contentRect.width < 460);
      });
      this.#ro.observe(this);
    }
  }

  /** The frame rates the card offers at the chosen resolution. */
  #syncFPSOptions() {
    const e = this.#el;
    if (!e.fps) return;
    const c = this.#choices();
    const f = this.#formats();
    setOptions(e.fps, c ? fpsAt(c, this.resolution).map((n) => ({ value: n, label: f.t('fps.option', { fps: f.int.format(n) }) })) : []);
  }

  #syncControl(attr) {
    const e = this.#el;
    const ctl = e[attr];
    if (!ctl || !('value' in ctl)) return;
    const d = this.#defaults();
    let v;
    switch (attr) {
      case 'duration': v = this.getAttribute('duration') ?? String(d.durationSeconds); break;
      case 'count': v = this.getAttribute('count') ?? String(d.count); break;
      case 'fps': v = this.getAttribute('fps') ?? String(d.fps); break;
      case 'resolution': { const c = this.#choices(); v = c ? canonicalResolution(c, this.resolution) : this.resolution; break; }
      default: v = this.getAttribute(attr) ?? (attr in SPEC_ATTRS ? String(d[SPEC_ATTRS[attr]]) : '');
    }
    if (ctl.value !== v && this.#root.activeElement !== ctl) ctl.value = v;
    else if (ctl.value !== v && attr === 'prompt') ctl.value = v;
  }

  /** No price while the page's card is pending or failed verification: say which. */
  #renderCardProblem() {
    const e = this.#el;
    const c = this.#engine?.card;
    const invalid = c?.state === 'invalid' || (!this.#engine && this.#loadError !== '');
    const msg = invalid ? this.#t('card.invalid', { detail: c?.detail || this.#loadError || '—' }) : this.#t('card.loading');
    if (this.#built === 'compact') {
      e.badge.classList.toggle('pending', !invalid);
      e.badge.classList.toggle('error', invalid);
      e.approx.hidden = true;
      setText(e.credits, invalid ? '' : '…');
      setText(e.label, invalid ? this.#t('compact.unavailable') : this.#t('unit.credits', { n: '0.00' }));
      e.badge.setAttribute('title', msg);
      return;
    }
    if (this.#built !== 'full') return;
    this.#renderQuote(null, !invalid);
    if (invalid) {
      e.failure.replaceChildren(h('p', { text: msg }));
      e.failure.hidden = false;
    }
    setText(e.status, invalid ? this.#t('status.cardInvalid') : this.#t('status.cardChecking'));
  }

  #onInput(ev) {
    const t = /** @type {HTMLInputElement} */ (ev.target);
    const attr = t?.dataset?.attr;
    if (!attr) return;
    const v = t.value;
    if (this.getAttribute(attr) === v) return;
    if (attr === 'balance' && v === '') this.removeAttribute('balance');
    else this.setAttribute(attr, v); // reflected; attributeChangedCallback schedules the update
  }

  async #onClick(ev) {
    const t = /** @type {HTMLElement} */ (ev.target);
    const action = t?.closest?.('[data-action]')?.getAttribute('data-action');
    if (action === 'retry') { ev.preventDefault(); this.retry(); }
    if (action === 'copy') {
      ev.preventDefault();
      const url = this.shareURL;
      let ok = false;
      try { await navigator.clipboard.writeText(url); ok = true; } catch { /* not allowed: the link is still there */ }
      setText(this.#el.copied, ok ? this.#t('share.copiedStatus') : this.#t('share.copyFallback'));
      setText(this.#el.copy, ok ? this.#t('share.copied') : this.#t('share.copy'));
      this.#emit('share', { url });
    }
  }

  #paramPrefix() { return `${this.id || 'ce'}.`; }

  #restoreFromURL() {
    if (!location.hash || location.hash.length < 2) return;
    const params = new URLSearchParams(location.hash.slice(1));
    const p = this.#paramPrefix();
    for (const attr of [...Object.keys(SPEC_ATTRS), 'plan', 'balance']) {
      const v = params.get(p + attr);
      if (v != null && this.getAttribute(attr) !== v) this.setAttribute(attr, v);
    }
  }

  // ---- rendering ----

  #renderQuote(q, pending) {
    const e = this.#el;
    const f = this.#formats();
    if (this.#built === 'compact') {
      e.badge.classList.toggle('pending', pending);
      e.badge.classList.remove('error');
      e.badge.removeAttribute('title');
      e.approx.hidden = false;
      setText(e.credits, q ? f.credits.format(q.credits) : '…');
      setText(e.label, f.t('unit.credits', { n: q ? q.credits : '0.00' }));
      return;
    }
    if (this.#built !== 'full') return;
    e.root.classList.toggle('pending', pending);
    e.failure.hidden = this.#phase !== 'failed';
    e.credits.classList.toggle('pending', pending);
    setText(e.credits, q ? f.credits.format(q.credits) : '…');
    setText(e.usd, q ? f.t('total.range', { min: fmt(f.money, q.usd.min), max: fmt(f.money, q.usd.max) }) : '\u00a0');
    setText(e.per, q ? perLine(q, f, f.t) : '\u00a0');
    const rows = q ? breakdownRows(q, f, f.t) : [];
    renderRows(e.rows, rows);
    if (q?.complexity) {
      const c = q.complexity;
      const values = { label: c.label, mult: fmt(f.mult, c.multiplier), score: f.int.format(c.score) };
      setText(e.level, c.source === 'auto' ? f.t('complexity.auto', values) : f.t('complexity.chosen', values));
      renderSignals(e.signals, c.signals ?? [], f);
    } else {
      setText(e.level, pending ? '…' : '—');
      renderSignals(e.signals, [], f);
    }
    for (const [k, hint] of Object.entries(e.hints)) {
      hint.classList.remove('error');
      e[k]?.removeAttribute?.('aria-invalid');
      if (k === 'duration') setText(hint, q ? f.t('hint.billed', { seconds: fmt(f.seconds, q.billedSeconds) }) : durationHint(this.#choices(), f));
      else if (k === 'count') setText(hint, countHint(this.#choices(), f));
      else setText(hint, '');
    }
  }

  #renderError(err) {
    const e = this.#el;
    if (this.#built === 'compact') {
      e.badge.classList.remove('pending');
      e.badge.classList.add('error');
      e.approx.hidden = true;
      setText(e.credits, '—');
      setText(e.label, this.#t('compact.check'));
      e.badge.setAttribute('title', this.#errorText(err));
      return;
    }
    this.#renderQuote(null, false);
    setText(e.credits, '—');
    setText(e.level, '—');
    const map = { durationSeconds: 'duration' };
    const key = map[err?.field] ?? err?.field;
    const hint = e.hints[key] ?? e.hints.prompt;
    hint.classList.add('error');
    const text = this.#errorText(err);
    setText(hint, text);
    e[key]?.setAttribute?.('aria-invalid', 'true');
    setText(e.per, text);
  }

  #renderFailure() {
    const e = this.#el;
    const msg = this.#t('load.failed', { detail: this.#loadError || '—' });
    if (this.#built === 'compact') {
      e.badge.classList.remove('pending');
      e.badge.classList.add('error');
      e.approx.hidden = true;
      setText(e.credits, '');
      setText(e.label, this.#t('compact.unavailable'));
      e.badge.setAttribute('title', msg);
      if (!e.slot) { e.slot = h('span', { class: 'fallback', part: 'fallback' }, h('slot')); e.badge.append(e.slot); }
      if (!e.retry) {
        e.retry = h('button', { type: 'button', part: 'button retry', 'data-action': 'retry', text: this.#t('button.retry'), 'aria-label': this.#t('aria.retry') });
        e.badge.append(e.retry);
      }
      return;
    }
    if (this.#built !== 'full') return;
    // The page's fallback content (the element's light-DOM children) is shown with the message.
    e.failure.replaceChildren(h('div', {}, h('p', { text: msg }), h('div', { class: 'fallback', part: 'fallback' }, h('slot'))),
      h('button', { type: 'button', class: 'primary', part: 'button retry', 'data-action': 'retry', text: this.#t('button.retry') }));
    e.failure.hidden = false;
    setText(e.status, this.#t('status.unavailable'));
  }

  #renderStatus() {
    const e = this.#el;
    if (this.#built !== 'full' || !e.status) return;
    e.status.classList.remove('offline', 'stale');
    /** @type {(id: string, v?: Record<string, string|number>) => string} */
    const t = (id, v) => this.#t(id, v);
    if (this.#phase === 'failed') { setText(e.status, t('status.unavailable')); return; }
    if (this.#remote) { setText(e.status, t('status.server', { version: this.#remote.card?.version ?? '' })); return; }
    if (!this.#engine) {
      const v = this.#choices() ? CARD.version : '';
      setText(e.status, this.#phase === 'loading' ? t('status.loading') : v ? t('status.previewVersion', { version: v }) : t('status.preview'));
      return;
    }
    if (!canPrice(this.#engine)) return;
    const c = this.#engine.card;
    const f = this.#formats();
    const when = c.checkedAt ? f.date.format(new Date(c.checkedAt)) : '';
    let text;
    const v = { version: c.version, when };
    switch (c.state) {
      case 'current': text = t('status.current', v); break;
      case 'updated': text = t('status.updated', v); break;
      case 'verified': text = t('status.verified', v); break;
      case 'offline':
        text = t(when ? 'status.offline' : 'status.offlineNever', v);
        e.status.classList.add('offline');
        break;
      case 'rejected': text = t('status.rejected', v); e.status.classList.add('stale'); break;
      case 'unchecked':
        text = t(when ? 'status.unchecked' : 'status.uncheckedNever', v);
        e.status.classList.add('stale');
        break;
      default: text = t('status.checking', v);
    }
    setText(e.status, text);
  }

  /** Plan coverage and the balance check, from the card in use and the economics ops. */
  #renderExtras(q) {
    const e = this.#el;
    const est = this.#engine?.est;
    const f = this.#formats();
    // Videos like this per month, by plan: the engine's "plans" op (it counts priority credits
    // too). Computed a moment after typing stops, so keystrokes stay cheap.
    clearTimeout(this.#coverageTimer);
    if (est && q) {
      this.#coverageTimer = setTimeout(() => this.#renderCoverage(), this.#coverageShown ? 120 : 0);
    } else if (est && !q) {
      e.plansList.replaceChildren(h('li', {}, h('span', { text: '—' })));
    }

    const bal = this.balance.trim();
    const t = f.t;
    if (bal === '') { setText(e.topupText, t('balance.enter')); e.topupMore.replaceChildren(); return; }
    if (!/^\d+(\.\d{1,2})?$/.test(bal)) { setText(e.topupText, t('balance.format', { example: fmt(f.credits0, '45.5') })); e.topupMore.replaceChildren(); return; }
    if (!q || !est) { setText(e.topupText, '\u00a0'); e.topupMore.replaceChildren(); return; }
    // The credits missing for this render: its cost minus the balance (never the whole cost).
    const short = subtractDecimal(q.credits, bal);
    if (short === null) {
      setText(e.topupText, t('balance.covers', { balance: fmt(f.credits, bal), credits: fmt(f.credits, q.credits) }));
      e.topupMore.replaceChildren();
      return;
    }
    setText(e.topupText, t('balance.short', { credits: fmt(f.credits, q.credits), balance: fmt(f.credits, bal), short: fmt(f.credits, short) }));
    // Both ways out: the cheapest top-up, and the free standard queue with its slowdown.
    const ways = [];
    try {
      const r = est.topUp({ need: short });
      const bundles = new Intl.ListFormat(f.locale, { type: 'unit', style: 'narrow' })
        .format(r.bundles.map((b) => t('balance.bundle', { count: f.int.format(b.count), credits: fmt(f.int, b.credits) })));
      ways.push(t('balance.topup', { credits: fmt(f.credits0, r.credits), price: fmt(f.money, r.totalUsd), bundles }));
    } catch (err) {
      ways.push(this.#errorText(err));
    }
    const slow = est.rateCard().card?.standardQueue?.slowdown;
    if (slow) ways.push(t('balance.queue', { slowdown: fmt(f.mult, slow) }));
    e.topupMore.replaceChildren(...ways.map((w) => h('li', { text: w })));
  }

  #renderCoverage() {
    const e = this.#el;
    const est = this.#engine?.est;
    if (!est || !this.#quote || this.#built !== 'full') return;
    const f = this.#formats();
    let like;
    // Single videos: a batch of `count` is counted as that many videos (every section of the
    // element and the pages agrees on what one video is), and batches are said as well.
    const size = Number(this.#quote.count) || 1;
    try {
      like = est.comparePlans({ credits: '0', like: { ...this.#request(this.spec), count: 1 } }).like;
    } catch (err) {
      e.plansList.replaceChildren(h('li', {}, h('span', { text: this.#errorText(err) })));
      return;
    }
    const plans = (like?.plans ?? []).filter((p) => p.id !== 'trial');
    const planNames = cardTranslations(est.rateCard().card, f.lang).plans ?? {};
    const items = plans.map((p) => {
      const videos = f.int.format(p.videos);
      const text = size > 1
        ? f.t('plans.batches', { n: p.videos, count: videos, batches: f.int.format(Math.floor(p.videos / size)), size: f.int.format(size) })
        : f.t('plans.videos', { n: p.videos, count: videos });
      return h('li', { class: p.id === this.plan ? 'current' : '' },
        h('span', { text: f.t('plans.name', { n: p.credits, name: planNames[p.id] ?? p.name, credits: fmt(f.credits0, p.credits) }) }),
        h('span', { text }));
    });
    e.plansList.replaceChildren(...items);
    e.plans.hidden = plans.length === 0;
    this.#coverageShown = true;
  }

  #renderShare() {
    const e = this.#el;
    const url = this.shareURL;
    if (e.shareLink.getAttribute('href') !== url) e.shareLink.setAttribute('href', url);
  }
}


// ---------------------------------------------------------------------------------------------

/** @param {import('./ce/choices.js').Choices|null} c @param {any} f */
function durationHint(c, f) { return c ? f.t('hint.duration', { min: f.int.format(c.duration.min), max: f.int.format(c.duration.max) }) : ''; }
/** @param {import('./ce/choices.js').Choices|null} c @param {any} f */
function countHint(c, f) { return c ? f.t('hint.count', { max: f.int.format(c.maxCount) }) : ''; }

/** The catalogue language of a card's own labels ("en" unless the card says). */
function cardLanguage(card) { return String(card?.language ?? FALLBACK_LANG); }

/** Whether two specs are the same in every field (an absent prompt is the empty prompt). */
function sameSpec(a, b) {
  for (const k of Object.values(SPEC_ATTRS)) {
    if (String(a[k] ?? '') !== String(b[k] ?? '')) return false;
  }
  return true;
}

function renderRows(ul, rows) {
  while (ul.children.length > rows.length) ul.lastElementChild.remove();
  rows.forEach(([label, value], i) => {
    let li = ul.children[i];
    if (!li) { li = h('li', {}, h('span', { dir: 'auto' }), h('span', { dir: 'ltr' })); ul.append(li); }
    setText(li.firstElementChild, label);
    setText(li.lastElementChild, value);
  });
}

function renderSignals(ul, signals, f) {
  while (ul.children.length > signals.length) ul.lastElementChild.remove();
  signals.forEach((s, i) => {
    let li = ul.children[i];
    if (!li) {
      li = h('li', { class: 'chip', part: 'signal' }, h('span', { class: 'l' }), h('q'), h('span', { class: 'w' }));
      ul.append(li);
    }
    setText(li.children[0], s.label);
    setText(li.children[1], s.match ?? ''); // prompt text: textContent only
    // An ignored signal ("no crowds", "slow drone shot") is shown as read but not counted.
    setText(li.children[2], s.ignored ? f.t(`signal.${s.ignored}`) : f.t('signal.weight', { weight: f.int.format(s.weight) }));
    li.classList.toggle('ignored', Boolean(s.ignored));
  });
}

if (!customElements.get(TAG)) customElements.define(TAG, CreditEstimatorElement);
