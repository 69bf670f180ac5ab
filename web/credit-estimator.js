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
// One file per concern. The controller, without DOM: ce/controller.js (which engine prices, the
// card in force, the last quote, the economics beside it) over ce/engine.js (loading, card sync,
// useRateCard), ce/choices.js (what the card offers) and ce/remote.js (opt-in server quotes).
// The views, each one part of the shadow DOM with symmetric connect()/disconnect():
// ce/views/badge.js (compact), form.js, total.js, plans.js, balance.js, footer.js, failure.js,
// layout.js. Shared: ce/styles.js, ce/format.js, ce/dom.js, ce/i18n.js; facts.js is generated
// from Go at build time. This file keeps the element's API: attributes, properties, events.

import { DEFAULT_SPEC, CARD } from './facts.js';
import { useRateCard, canPrice, pageEvents } from './ce/engine.js';
import { Controller } from './ce/controller.js';
import { styles } from './ce/styles.js';
import { h } from './ce/dom.js';
import { makeFormats, withFormats, fmt, numberOrText } from './ce/format.js';
import { localeOf, translator, catalogueLoaded, loadCatalogue } from './ce/i18n.js';
import './ce/messages.js';
import { FALLBACK as FALLBACK_LANG } from './ce/i18n.js';
import { BadgeView } from './ce/views/badge.js';
import { FormView } from './ce/views/form.js';
import { TotalView } from './ce/views/total.js';
import { PlansView } from './ce/views/plans.js';
import { BalanceView } from './ce/views/balance.js';
import { FooterView } from './ce/views/footer.js';
import { FailureView } from './ce/views/failure.js';
import { Layout } from './ce/views/layout.js';

export { DEFAULT_SPEC, useRateCard };

/** @typedef {import('./credit-estimator.js').Spec} Spec */
/** @typedef {import('./estimator.js').Quote} Quote */

const TAG = 'credit-estimator';
/** Event names: prefixed, lower case, no colon in the part after it, so that React 19 (onCredit-estimator…
 * is not valid JSX, so we use "credit-estimator-change" style: see docs/widget.md), Vue (@credit-estimator-change)
 * and Svelte (on:credit-estimator-change / oncredit-estimator-change) can all listen to them. */
const EVENT_PREFIX = 'credit-estimator-';
/** The former names (credit-estimator:change, …), still dispatched for existing pages. */
const LEGACY_PREFIX = 'credit-estimator:';
const MODULE_URL = import.meta.url;

/** Whether boot.js is compiling the engine's module for this page (its registry, docs/wasm.md). */
function bootCompiling() {
  const registry = /** @type {any} */ (globalThis)[Symbol.for('creditestimator.compile')];
  return registry != null && typeof registry === 'object' && Object.keys(registry).length > 0;
}

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
 * The views of the full form (null in compact mode).
 * @typedef {{form: FormView, total: TotalView, plans: PlansView, balance: BalanceView, footer: FooterView, failure: FailureView, layout: Layout, root: HTMLElement}} FullViews
 */

/**
 * The <credit-estimator> element.
 * Events (bubbling, composed), each under two names — credit-estimator-<name> and the older
 * credit-estimator:<name>: change {spec, quote}, error {spec, error}, ready {cardVersion},
 * loaderror {message}, card {state, version, digest}, share {url}.
 */
export class CreditEstimatorElement extends HTMLElement {
  static observedAttributes = [...Object.keys(SPEC_ATTRS), ...OTHER_ATTRS];

  /** @type {ShadowRoot} */ #root;
  #ctl = new Controller();
  /** @type {BadgeView|null} */ #badge = null;
  /** @type {FullViews|null} */ #full = null;
  /** @type {'full'|'compact'|null} */ #built = null;
  /** @type {AbortController|null} */ #listeners = null;
  /** @type {IntersectionObserver|null} */ #io = null;
  /** @type {any} */ #preview = null;
  #scheduled = false;
  #uid = `ce${++idSeq}`;
  /** @type {any} */ #fmt = null;
  /** The language whose catalogue is being loaded for this element ("" when none). */
  #catalogueWait = '';
  #coverageTimer = 0;
  #coverageShown = false;
  /** @type {import('./ce/choices.js').Choices|null} the choices the form was built with */
  #builtChoices = null;
  /** The currency of the card the form was built for. */
  #builtCurrency = '';
  /** @type {any} */ #rateCardProp = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.adoptedStyleSheets = [styles()];
    // What the controller reports, rendered and re-dispatched as the element's events.
    const c = this.#ctl;
    c.addEventListener('source', () => { this.#fmt = null; if (this.#stale()) this.#build(); });
    c.addEventListener('ready', (e) => this.#emit('ready', /** @type {CustomEvent} */ (e).detail));
    c.addEventListener('refresh', () => this.#update());
    c.addEventListener('card', (e) => this.#onCard(/** @type {CustomEvent} */ (e).detail));
    c.addEventListener('failed', () => this.#renderFailure());
    c.addEventListener('loaderror', (e) => this.#emit('loaderror', /** @type {CustomEvent} */ (e).detail));
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
  get quote() { return this.#ctl.quote; }
  /** The last error ({code, field, message}) or null. */
  get error() { return this.#ctl.error; }
  /** 'idle' | 'loading' | 'ready' | 'failed' */
  get state() { return this.#ctl.phase; }
  /** The rate card in use and its freshness, once loaded. */
  get card() { return this.#ctl.cardInfo; }
  /** What the card in force offers (resolutions, fps, modes, levels, limits, currency, default spec), or null while a page card is pending. */
  get choices() { return this.#choices(); }
  /** Resolves when the engine is loaded and its card may price (starts loading if needed). */
  whenReady() {
    this.#startLoading();
    if (this.#ctl.engine && canPrice(this.#ctl.engine)) return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      const ok = () => { off(); resolve(this); };
      const bad = (/** @type {any} */ e) => { off(); reject(new Error(e.detail?.message ?? 'load failed')); };
      const off = () => { this.removeEventListener(`${EVENT_PREFIX}ready`, ok); this.removeEventListener(`${EVENT_PREFIX}loaderror`, bad); };
      this.addEventListener(`${EVENT_PREFIX}ready`, ok);
      this.addEventListener(`${EVENT_PREFIX}loaderror`, bad);
    });
  }
  /** The engine (for the demo pages' calculators), or null before it is loaded. */
  get estimator() { return this.#ctl.engine?.est ?? null; }
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
    this.#root.addEventListener('click', (e) => this.#onClick(e), { signal });
    window.addEventListener('hashchange', () => this.#restoreFromURL(), { signal });
    pageEvents.addEventListener('card', () => { if (!this.#ctl.engine) { this.#preview = null; this.#build(); this.#update(); } }, { signal });
    this.#adoptPageCard();
    this.#restoreFromURL();
    // In a language whose catalogue is still loading, the element is built when it arrives
    // (#formats), rather than in English first.
    this.#formats();
    if (!this.#catalogueWait) { this.#build(); this.#showPreview(); }
    this.#ctl.connect();
    const phase = this.#ctl.phase;
    if (this.#ctl.engine) {
      this.#schedule();
    } else if (phase === 'idle' || phase === 'loading') {
      this.#observe();
    } else if (phase === 'failed') {
      this.#renderFailure();
    }
  }

  disconnectedCallback() {
    this.#listeners?.abort();
    this.#listeners = null;
    this.#io?.disconnect();
    this.#io = null;
    this.#disconnectViews();
    this.#ctl.disconnect();
    clearTimeout(this.#coverageTimer);
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === 'compact') { if (this.#built) this.#rebuild(); return; }
    if (name === 'rate-card' || name === 'rate-card-digest') { if (this.isConnected) this.#adoptPageCard(); return; }
    if (name === 'locale' || name === 'lang' || name === 'currency-display' || name === 'heading-level') {
      if ((name === 'locale' || name === 'lang') && this.#fmt) {
        // The locale it already speaks, named again (the demo pages set every element's locale
        // at start, most often to the page's own): nothing to build again.
        const loc = localeOf(this);
        if (loc.tag === this.#fmt.locale && loc.lang === this.#fmt.lang && loc.dir === this.#fmt.dir) return;
      }
      this.#fmt = null;
      const waited = this.#catalogueWait !== '';
      this.#catalogueWait = '';
      if (!this.#built && !(waited && this.isConnected)) return;
      // A language not loaded yet: the element stays as it is until its catalogue arrives.
      this.#formats();
      if (!this.#catalogueWait) this.#rebuild();
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
      if (!this.#ctl.engine && err?.name !== 'AbortError') { this.#ctl.loadError = String(err?.message ?? err); this.#renderCardProblem(); }
    });
  }

  /** Whether this element names a card of its own (then no other card's choices are shown). */
  #ownCard() { return this.hasAttribute('rate-card') || this.#rateCardProp != null; }

  /** The choices of the card in force; null while the page's card is not verified. */
  #choices() { return this.#ctl.choices(this.#formats().lang, this.#ownCard()); }

  #defaults() { return this.#choices()?.defaultSpec ?? DEFAULT_SPEC; }

  // ---- loading ----

  #assetsURL() { const a = this.getAttribute('assets'); return a ? new URL(a, MODULE_URL).href : ''; }
  #apiBase() {
    const a = this.getAttribute('api');
    const u = new URL(a ?? '/api/v1/', MODULE_URL).href;
    return u.endsWith('/') ? u : `${u}/`;
  }

  #observe() {
    // Out of view the module is fetched when the element nears the viewport, unless the page
    // started compiling it already (boot.js): then waiting for a frame's intersection only delays
    // the first live price.
    if (this.getAttribute('loading') === 'eager' || typeof IntersectionObserver !== 'function' || bootCompiling()) { this.#startLoading(); return; }
    this.#io?.disconnect();
    this.#io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { this.#io?.disconnect(); this.#io = null; this.#startLoading(); }
    }, { rootMargin: '300px 0px' });
    this.#io.observe(this);
  }

  #startLoading() {
    const phase = this.#ctl.phase;
    if (phase === 'loading' || phase === 'ready') return;
    this.#ctl.start({ assetsURL: this.#assetsURL(), apiBase: this.#apiBase(), quoteApi: this.quoteApi, lang: this.#formats().lang });
    this.#renderStatus();
  }

  /** Retries a failed load. */
  retry() {
    if (!this.#ctl.reset()) return;
    this.#build();
    this.#showPreview();
    this.#startLoading();
  }

  /** @param {{state: string, version: string, digest: string}} detail */
  #onCard(detail) {
    this.#emit('card', detail);
    this.#fmt = null;
    if (this.#stale()) this.#build();
    this.#renderStatus();
    this.#ctl.maybeReady();
    this.#update();
  }

  #showPreview() {
    const c = this.#ctl;
    if (c.engine || c.remote) return;
    // The preview is the build card's precomputed quote: never shown when the page has its own card.
    this.#preview = c.preview(this.spec, { lang: this.#formats().lang, ownCard: this.#ownCard(), customAssets: this.hasAttribute('assets') });
    if (this.#preview) this.#renderQuote(this.#preview, true);
    else if (c.phase !== 'failed') this.#renderQuote(null, true);
    if (this.#full) { this.#renderExtras(this.#preview); this.#renderShare(); }
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
    const c = this.#ctl;
    if (c.remote) { this.#updateRemote(); return; }
    if (!c.engine) { if (c.phase !== 'failed') this.#showPreview(); return; }
    if (!canPrice(c.engine)) {
      c.clear();
      this.#renderCardProblem();
      return;
    }
    const spec = this.spec;
    const { quote, error } = c.estimate(this.#request(spec)); // the engine reports bad values
    this.#show(spec, quote, error);
  }

  #show(spec, quote, error) {
    this.#ctl.accept(quote, error);
    if (quote) this.#renderQuote(quote, false); else this.#renderError(error);
    if (this.#full) { this.#renderExtras(quote); this.#renderShare(); }
    this.#renderStatus();
    const news = this.isConnected ? this.#ctl.news(spec, quote, error) : '';
    if (news === 'change') this.#emit('change', { spec, quote });
    else if (news === 'error') this.#emit('error', { spec, error });
  }

  #updateRemote() {
    const spec = this.spec;
    this.#renderQuote(this.#ctl.quote, true);
    this.#ctl.estimateRemote(this.#apiBase(), this.#request(spec)).then((r) => {
      if (!r) return;
      const error = r.problem ? { code: 'internal', field: '', message: this.#t('error.server', { detail: r.problem }) } : r.error;
      this.#show(spec, r.problem ? null : r.quote, error);
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
    if (!catalogueLoaded(loc.lang)) this.#awaitCatalogue(loc.lang);
    this.#fmt = withFormats(makeFormats(loc.tag, this.#ctl.currency, this.currencyDisplay), { lang: loc.lang, dir: loc.dir, t: translator(loc) });
    return this.#fmt;
  }
  /**
   * Loads a language's catalogue, then builds the element again in it (as a change of locale
   * does); until then its texts are English.
   * @param {string} lang
   */
  #awaitCatalogue(lang) {
    if (this.#catalogueWait === lang) return;
    this.#catalogueWait = lang;
    loadCatalogue(lang).then(() => {
      if (this.#catalogueWait !== lang) return;
      this.#catalogueWait = '';
      this.#fmt = null;
      if (this.isConnected) this.#rebuild();
    });
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

  #disconnectViews() {
    this.#full?.form.disconnect();
    this.#full?.footer.disconnect();
    this.#full?.layout.disconnect();
  }

  /**
   * Whether the form shows other choices than the card in force offers: a card's choices are one
   * object per card and language (ce/choices.js), so the build card's, shown before the engine
   * loaded, are still right when the engine brings the same card, and the form (with what a person
   * may already have typed in it) stays.
   */
  #stale() {
    if (this.#catalogueWait) return false; // built when the catalogue arrives
    return !this.#built || this.#choices() !== this.#builtChoices || this.#ctl.currency !== this.#builtCurrency;
  }

  /** Builds the element again (a change of language, format or layout) and prices what it shows. */
  #rebuild() {
    this.#build();
    this.#showPreview();
    this.#schedule();
  }

  #build() {
    const mode = this.compact ? 'compact' : 'full';
    const choices = this.#choices();
    this.#builtChoices = choices;
    this.#builtCurrency = this.#ctl.currency;
    this.#disconnectViews();
    this.#badge = null;
    this.#full = null;
    this.#built = mode;
    const f = this.#formats();
    const wrap = h('div', { class: mode === 'compact' ? 'ce compact' : 'ce', lang: f.locale, dir: f.dir });
    this.#root.replaceChildren(wrap);
    if (mode === 'compact') {
      this.#badge = new BadgeView(f.t);
      wrap.append(this.#badge.element);
    } else {
      wrap.append(this.#buildFull(choices, f));
    }
    for (const attr of Object.keys(SPEC_ATTRS)) this.#syncControl(attr);
    this.#syncControl('balance');
    // Placeholders with the final geometry right away (the preview or live quote replaces them).
    const q = this.#ctl.quote;
    this.#renderQuote(q ?? this.#preview, !q);
    if (this.#full) this.#renderExtras(q ?? this.#preview);
    if (this.#ctl.phase === 'failed') this.#renderFailure();
  }

  /** @param {import('./ce/choices.js').Choices|null} choices @param {any} f */
  #buildFull(choices, f) {
    const form = new FormView(choices, f, this.#uid);
    const total = new TotalView(f);
    const plans = new PlansView(f, this.headingLevel);
    const balance = new BalanceView(f, this.headingLevel);
    const footer = new FooterView(f);
    const failure = new FailureView();
    const result = h('section', { class: 'result', part: 'result', 'aria-label': f.t('aria.details') },
      failure.element, total.breakdown, plans.element, balance.element, footer.element);
    // The total comes first in the DOM (and on narrow screens first on screen); wide, it sits top right.
    const root = h('div', { class: 'full', part: 'root' }, total.element, form.element, result);
    const layout = new Layout(root);
    this.#full = { form, total, plans, balance, footer, failure, layout, root };
    this.#syncFPSOptions();
    if (this.isConnected) {
      form.connect((attr, value) => this.#onInput(attr, value));
      footer.connect(() => this.shareURL, f.t, (url) => this.#emit('share', { url }));
      layout.connect(this);
    }
    return root;
  }

  /** The frame rates the card offers at the chosen resolution. */
  #syncFPSOptions() {
    this.#full?.form.syncFPS(this.#choices(), this.#formats(), String(this.resolution));
  }

  /** @param {string} attr */
  #syncControl(attr) {
    const form = this.#full?.form;
    if (!form) return;
    const d = this.#defaults();
    let v;
    switch (attr) {
      case 'duration': v = this.getAttribute('duration') ?? String(d.durationSeconds); break;
      case 'count': v = this.getAttribute('count') ?? String(d.count); break;
      case 'fps': v = this.getAttribute('fps') ?? String(d.fps); break;
      case 'resolution': v = String(this.resolution); break;
      default: v = this.getAttribute(attr) ?? (attr in SPEC_ATTRS ? String(d[SPEC_ATTRS[attr]]) : '');
    }
    form.sync(attr, v, this.#root.activeElement, this.#choices());
  }

  /** No price while the page's card is pending or failed verification: say which. */
  #renderCardProblem() {
    const card = this.#ctl.engine?.card;
    const invalid = card?.state === 'invalid' || (!this.#ctl.engine && this.#ctl.loadError !== '');
    const msg = invalid ? this.#t('card.invalid', { detail: card?.detail || this.#ctl.loadError || '—' }) : this.#t('card.loading');
    if (this.#badge) { this.#badge.cardProblem(invalid, msg, (id, v) => this.#t(id, v)); return; }
    const v = this.#full;
    if (!v) return;
    this.#renderQuote(null, !invalid);
    if (invalid) v.failure.cardInvalid(msg);
    v.footer.setStatus(invalid ? this.#t('status.cardInvalid') : this.#t('status.cardChecking'));
  }

  /** A person's input in a control, reflected to its attribute (attributeChangedCallback updates). */
  #onInput(attr, v) {
    if (this.getAttribute(attr) === v) return;
    if (attr === 'balance' && v === '') this.removeAttribute('balance');
    else this.setAttribute(attr, v);
  }

  #onClick(ev) {
    const t = /** @type {HTMLElement} */ (ev.target);
    const action = t?.closest?.('[data-action]')?.getAttribute('data-action');
    if (action === 'retry') { ev.preventDefault(); this.retry(); }
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
    const f = this.#formats();
    if (this.#badge) { this.#badge.quote(q, pending, f); return; }
    const v = this.#full;
    if (!v) return;
    v.root.classList.toggle('pending', pending);
    v.failure.shown = this.#ctl.phase === 'failed';
    v.total.quote(q, pending, f);
    v.form.quote(q, pending, this.#choices(), f);
  }

  #renderError(err) {
    const text = this.#errorText(err);
    if (this.#badge) { this.#badge.error(text, (id, v) => this.#t(id, v)); return; }
    const v = this.#full;
    if (!v) return;
    this.#renderQuote(null, false);
    v.total.error(text);
    v.form.error(err, text);
  }

  #renderFailure() {
    const msg = this.#t('load.failed', { detail: this.#ctl.loadError || '—' });
    /** @type {(id: string, v?: Record<string, string|number>) => string} */
    const t = (id, v) => this.#t(id, v);
    if (this.#badge) { this.#badge.failure(msg, t); return; }
    const v = this.#full;
    if (!v) return;
    v.failure.loadFailed(msg, t);
    v.footer.setStatus(t('status.unavailable'));
  }

  #renderStatus() {
    const v = this.#full;
    if (!v) return;
    /** @type {(id: string, v?: Record<string, string|number>) => string} */
    const t = (id, vals) => this.#t(id, vals);
    const c = this.#ctl;
    if (c.phase === 'failed') { v.footer.setStatus(t('status.unavailable')); return; }
    if (c.remote) { v.footer.setStatus(t('status.server', { version: c.remote.card?.version ?? '' })); return; }
    if (!c.engine) {
      const version = this.#choices() ? CARD.version : '';
      v.footer.setStatus(c.phase === 'loading' ? t('status.loading') : version ? t('status.previewVersion', { version }) : t('status.preview'));
      return;
    }
    if (!canPrice(c.engine)) return;
    const card = c.engine.card;
    const f = this.#formats();
    const when = card.checkedAt ? f.date.format(new Date(card.checkedAt)) : '';
    const vals = { version: card.version, when };
    switch (card.state) {
      case 'current': v.footer.setStatus(t('status.current', vals)); break;
      case 'updated': v.footer.setStatus(t('status.updated', vals)); break;
      case 'verified': v.footer.setStatus(t('status.verified', vals)); break;
      case 'offline': v.footer.setStatus(t(when ? 'status.offline' : 'status.offlineNever', vals), 'offline'); break;
      case 'rejected': v.footer.setStatus(t('status.rejected', vals), 'stale'); break;
      case 'unchecked': v.footer.setStatus(t(when ? 'status.unchecked' : 'status.uncheckedNever', vals), 'stale'); break;
      default: v.footer.setStatus(t('status.checking', vals));
    }
  }

  /** Plan coverage and the balance check, from the card in use and the economics ops. */
  #renderExtras(q) {
    const v = this.#full;
    if (!v) return;
    const est = this.#ctl.engine?.est;
    const f = this.#formats();
    // Videos like this per month, by plan: the engine's "plans" op (it counts priority credits
    // too). Computed a moment after typing stops, so keystrokes stay cheap.
    clearTimeout(this.#coverageTimer);
    if (est && q) {
      this.#coverageTimer = setTimeout(() => this.#renderCoverage(), this.#coverageShown ? 120 : 0);
    } else if (est && !q) {
      v.plans.message('—');
    }

    const bal = this.balance.trim();
    const t = f.t;
    if (bal === '') { v.balance.render(t('balance.enter')); return; }
    if (!/^\d+(\.\d{1,2})?$/.test(bal)) { v.balance.render(t('balance.format', { example: fmt(f.credits0, '45.5') })); return; }
    if (!q || !est) { v.balance.render('\u00a0'); return; }
    // The credits missing for this render: its cost minus the balance (never the whole cost).
    const r = this.#ctl.shortfall(q.credits, bal);
    if (r.short === null) {
      v.balance.render(t('balance.covers', { balance: fmt(f.credits, bal), credits: fmt(f.credits, q.credits) }));
      return;
    }
    // Both ways out: the cheapest top-up, and the free standard queue with its slowdown.
    const ways = [];
    if (r.topUp) {
      const bundles = new Intl.ListFormat(f.locale, { type: 'unit', style: 'narrow' })
        .format(r.topUp.bundles.map((b) => t('balance.bundle', { count: f.int.format(b.count), credits: fmt(f.int, b.credits) })));
      ways.push(t('balance.topup', { credits: fmt(f.credits0, r.topUp.credits), price: fmt(f.money, r.topUp.totalUsd), bundles }));
    } else {
      ways.push(this.#errorText(r.topUpError));
    }
    if (r.slowdown) ways.push(t('balance.queue', { slowdown: fmt(f.mult, r.slowdown) }));
    v.balance.render(t('balance.short', { credits: fmt(f.credits, q.credits), balance: fmt(f.credits, bal), short: fmt(f.credits, r.short) }), ways);
  }

  #renderCoverage() {
    const v = this.#full;
    const q = this.#ctl.quote;
    if (!this.#ctl.engine || !q || !v) return;
    const f = this.#formats();
    // Single videos: a batch of `count` is counted as that many videos (every section of the
    // element and the pages agrees on what one video is), and batches are said as well.
    const size = Number(q.count) || 1;
    let plans;
    try {
      plans = this.#ctl.coverage(this.#request(this.spec), f.lang);
    } catch (err) {
      v.plans.message(this.#errorText(err));
      return;
    }
    v.plans.render(plans, size, this.plan, f);
    this.#coverageShown = true;
  }

  #renderShare() { this.#full?.footer.share(this.shareURL); }
}

if (!customElements.get(TAG)) customElements.define(TAG, CreditEstimatorElement);
