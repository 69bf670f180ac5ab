// <credit-estimator>: an embeddable, framework-free credit estimate for one video spec.
//
// One module script tag registers the element:
//   <script type="module" src="/credit-estimator.js"></script>
//   <credit-estimator resolution="1080p" fps="30" duration="10"></credit-estimator>
//
// The pricing engine is the Go wasm module behind ./estimator.js; it is fetched only when an
// element nears the viewport. Until then the element shows the precomputed default quote from
// ./assets.json in the space it will keep. The prompt never leaves the browser: every estimate is
// computed locally; the only requests are for static assets and the public rate card.

/** @typedef {import('./credit-estimator.js').Spec} Spec */
/** @typedef {import('./estimator.js').Quote} Quote */

const TAG = 'credit-estimator';
const EVENT_PREFIX = 'credit-estimator:';
const MODULE_URL = import.meta.url;
const CARD_CACHE_KEY = 'credit-estimator:card:v1';

/** The spec an element uses when it has no attributes. Must match cmd/webbuild's default spec. */
export const DEFAULT_SPEC = Object.freeze({
  resolution: '1080p', fps: 30, durationSeconds: 10, prompt: '', complexity: 'auto', mode: 'generate', count: 1,
});

/** Attributes that describe the spec, with their spec field. */
const SPEC_ATTRS = /** @type {const} */ ({
  resolution: 'resolution', fps: 'fps', duration: 'durationSeconds', prompt: 'prompt',
  complexity: 'complexity', mode: 'mode', count: 'count',
});
const OTHER_ATTRS = ['plan', 'locale', 'currency-display', 'compact', 'balance', 'loading', 'assets', 'api'];

const RESOLUTIONS = [['720p', '720p HD'], ['1080p', '1080p Full HD'], ['1440p', '1440p QHD'], ['2160p', '2160p 4K']];
const FPS = [24, 30, 60];
const MODES = [['generate', 'New generation'], ['refine-minor', 'Seed-locked refinement, minor change'], ['refine-major', 'Seed-locked refinement, major change']];
const COMPLEXITIES = [['auto', 'Auto (from the prompt)'], ['low', 'Calm'], ['medium', 'Lively'], ['high', 'Complex'], ['extreme', 'Extreme']];

// ---------------------------------------------------------------------------------------------
// Shared loading: one assets.json fetch, one engine, one freshness check per page.

/** @type {Map<string, Promise<any>>} */
const assetsByURL = new Map();

/**
 * Fetches assets.json (hashed asset URLs, card version, precomputed default quote). Never rejects.
 * @param {string} url
 * @returns {Promise<any|null>}
 */
function getAssets(url) {
  let p = assetsByURL.get(url);
  if (!p) {
    p = fetch(url, { credentials: 'omit' })
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null);
    assetsByURL.set(url, p);
  }
  return p;
}

/** Resolves a possibly relative asset URL against the assets.json URL. */
function assetURL(base, u) {
  return u ? new URL(u, base).href : undefined;
}

/** @type {Map<string, Promise<Engine>>} */
const engines = new Map();

/**
 * @typedef {object} Engine
 * @property {import('./estimator.js').Estimator} est
 * @property {string} assetsURL
 * @property {string} apiBase
 * @property {EventTarget} events   fires "card" when the card in use changes or its freshness is known
 * @property {{state:string, version:string, digest:string, checkedAt:number|null, detail?:string}} card
 */

/**
 * Loads the wasm engine once per assets URL. A failed load is forgotten so that a retry refetches.
 * @param {string} assetsURL
 * @param {string} apiBase
 * @returns {Promise<Engine>}
 */
function getEngine(assetsURL, apiBase) {
  let p = engines.get(assetsURL);
  if (!p) {
    p = loadEngine(assetsURL, apiBase);
    engines.set(assetsURL, p);
    p.catch(() => { if (engines.get(assetsURL) === p) engines.delete(assetsURL); });
  }
  return p;
}

/** @returns {Promise<Engine>} */
async function loadEngine(assetsURL, apiBase) {
  const assets = await getAssets(assetsURL);
  const shimURL = assetURL(assetsURL, assets?.shim ?? assets?.urls?.shim ?? assets?.files?.['estimator.js']) ??
    new URL('./estimator.js', MODULE_URL).href;
  const mod = await import(shimURL);
  /** @type {Record<string, any>} */
  const options = {};
  const wasm = assets?.wasm ?? assets?.urls?.wasm;
  const wasmExec = assets?.wasmExec ?? assets?.urls?.wasmExec;
  if (wasm) options.wasmURL = assetURL(assetsURL, typeof wasm === 'string' ? wasm : wasm.url);
  if (wasmExec) options.wasmExecURL = assetURL(assetsURL, typeof wasmExec === 'string' ? wasmExec : wasmExec.url);
  options.assetsURL = assetsURL;
  const est = await mod.load(options);
  const builtin = est.rateCard();
  /** @type {Engine} */
  const engine = {
    est, assetsURL, apiBase, events: new EventTarget(),
    card: { state: 'builtin', version: builtin.version, digest: builtin.digest, checkedAt: null },
  };
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
  checkFreshness(engine);
  return engine;
}

function readCachedCard(apiBase) {
  try {
    const v = JSON.parse(localStorage.getItem(CARD_CACHE_KEY) ?? 'null');
    return v && v.api === apiBase && typeof v.json === 'string' ? v : null;
  } catch { return null; }
}
function writeCachedCard(apiBase, digest, json, checkedAt) {
  try { localStorage.setItem(CARD_CACHE_KEY, JSON.stringify({ api: apiBase, digest, json, checkedAt })); } catch { /* storage full or disabled */ }
}
function forgetCachedCard() { try { localStorage.removeItem(CARD_CACHE_KEY); } catch { /* ignore */ } }

/** Checks the card again when the browser says it is back online. */
function retryWhenOnline(engine) {
  const retry = () => { window.removeEventListener('online', retry); checkFreshness(engine); };
  window.addEventListener('online', retry);
}

/** Strips W/ and quotes from an ETag. */
function etagValue(etag) { return (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, ''); }

/**
 * Asks the server whether a newer card exists (If-None-Match: digest in use). A newer card is
 * verified (it must parse, and its digest must equal the ETag) before it replaces the one in use.
 * @param {Engine} engine
 */
async function checkFreshness(engine) {
  const { est, apiBase } = engine;
  const inUse = est.rateCard();
  let res;
  try {
    res = await fetch(new URL('ratecard', apiBase), {
      headers: { 'If-None-Match': `"${inUse.digest}"`, Accept: 'application/json' },
      cache: 'no-store', credentials: 'omit',
    });
  } catch (err) {
    // No network at all, or the server could not be reached (down, blocked, CORS).
    const state = navigator.onLine === false ? 'offline' : 'unchecked';
    engine.card = { ...engine.card, state, detail: String(err?.message ?? err) };
    engine.events.dispatchEvent(new Event('card'));
    retryWhenOnline(engine);
    return;
  }
  const now = Date.now();
  if (res.status === 304) {
    engine.card = { state: 'current', version: inUse.version, digest: inUse.digest, checkedAt: now };
    const cached = readCachedCard(apiBase);
    if (cached && cached.digest === inUse.digest) writeCachedCard(apiBase, cached.digest, cached.json, now);
    else writeCachedCard(apiBase, inUse.digest, JSON.stringify(inUse.card), now);
  } else if (res.ok && res.headers.get('X-Credit-Estimator-Offline') === '1') {
    // Offline, this site's service worker answers with the card it precached: usable when the
    // widget has nothing newer than its built-in card (verified like any other card), but no
    // proof that no newer card exists, so the state stays "offline".
    const json = await res.text();
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
    const json = await res.text();
    const want = etagValue(res.headers.get('ETag'));
    try {
      est.useRateCard(json);
      const got = est.rateCard();
      if (want && got.digest !== want) throw new Error(`card digest ${got.digest} does not match ETag ${want}`);
      engine.card = { state: got.digest === inUse.digest ? 'current' : 'updated', version: got.version, digest: got.digest, checkedAt: now };
      writeCachedCard(apiBase, got.digest, json, now);
    } catch (err) {
      try { est.useRateCard(JSON.stringify(inUse.card)); } catch { /* keep whatever is loaded */ }
      engine.card = { ...engine.card, state: 'rejected', detail: String(err?.message ?? err), checkedAt: now };
    }
  } else {
    engine.card = { ...engine.card, state: 'unchecked', detail: `HTTP ${res.status}` };
  }
  engine.events.dispatchEvent(new Event('card'));
}

// ---------------------------------------------------------------------------------------------
// Styles: one constructed sheet shared by every instance (works under a CSP without 'unsafe-inline').

let sheet = null;
function styles() {
  if (sheet) return sheet;
  sheet = new CSSStyleSheet();
  sheet.replaceSync(`
:host {
  all: initial;
  display: block;
  contain: layout style;
  box-sizing: border-box;
  font-family: var(--ce-font, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK JP", sans-serif);
  font-size: var(--ce-font-size, 15px);
  line-height: 1.45;
  color: var(--ce-fg, #172033);
  --_accent: var(--ce-accent, #4f46e5);
  --_muted: var(--ce-muted, #5b6478);
  --_border: var(--ce-border, #d5d9e3);
  --_bg: var(--ce-bg, #ffffff);
  --_panel: var(--ce-panel, #f5f6fa);
  --_radius: var(--ce-radius, 12px);
  --_error: var(--ce-error, #b42318);
}
:host([hidden]) { display: none; }
:host([compact]) { display: inline-block; vertical-align: middle; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.full {
  background: var(--_bg);
  border: 1px solid var(--_border);
  border-radius: var(--_radius);
  padding: 20px;
  display: grid;
  grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr);
  grid-template-areas: "form total" "form result";
  grid-template-rows: auto 1fr;
  column-gap: 24px;
  row-gap: 10px;
}
.full.narrow { grid-template-columns: minmax(0, 1fr); grid-template-areas: "total" "form" "result"; row-gap: 16px; }
form { grid-area: form; }
.total { grid-area: total; }
.result { grid-area: result; }
form { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px 14px; margin: 0; align-content: start; }
.field { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
.field.wide { grid-column: 1 / -1; }
label, .label { font-size: 0.8em; font-weight: 600; color: var(--_muted); letter-spacing: 0.01em; }
select, input, textarea, button { font: inherit; color: inherit; margin: 0; }
select, input, textarea {
  width: 100%;
  border: 1px solid var(--_border);
  border-radius: calc(var(--_radius) * 0.6);
  background: var(--_bg);
  padding: 7px 10px;
  min-height: 38px;
}
textarea { resize: vertical; min-height: 92px; line-height: 1.4; }
select:focus-visible, input:focus-visible, textarea:focus-visible, button:focus-visible, a:focus-visible, summary:focus-visible {
  outline: 3px solid color-mix(in srgb, var(--_accent) 45%, transparent);
  outline-offset: 1px;
  border-color: var(--_accent);
}
[aria-invalid="true"] { border-color: var(--_error); }
.hint { font-size: 0.8em; color: var(--_muted); min-height: 1.2em; }
.hint.error { color: var(--_error); }
.signals { display: flex; flex-wrap: wrap; gap: 6px; min-height: 28px; align-items: center; margin: 0; padding: 0; list-style: none; }
.chip {
  display: inline-flex; gap: 6px; align-items: baseline;
  background: var(--_panel); border: 1px solid var(--_border); border-radius: 999px;
  padding: 2px 10px; font-size: 0.8em; max-width: 100%;
}
.chip .l { white-space: nowrap; }
.chip q { font-style: italic; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 18ch; min-width: 0; }
.chip .w { color: var(--_muted); font-variant-numeric: tabular-nums; }
.chip.ignored { opacity: 0.6; }
.chip.ignored q { text-decoration: line-through; }
.level { font-weight: 600; }
.result { display: flex; flex-direction: column; gap: 10px; min-width: 0; }
.total { background: var(--_panel); border-radius: var(--_radius); padding: 14px 16px; min-height: 112px; }
.caption { margin: 0; font-size: 0.8em; font-weight: 600; color: var(--_muted); text-transform: uppercase; letter-spacing: 0.05em; }
.credits { display: block; margin: 0; line-height: 1.2; font-size: 2.2em; font-weight: 700; font-variant-numeric: tabular-nums; letter-spacing: -0.01em; color: var(--_accent); }
.unit { color: var(--_muted); }
.usd, .per { margin: 2px 0 0; font-variant-numeric: tabular-nums; }
.per { font-size: 0.85em; color: var(--_muted); min-height: 1.3em; }
.pending .credits, .pending .usd { opacity: 0.55; }
details { border: 1px solid var(--_border); border-radius: calc(var(--_radius) * 0.75); padding: 8px 12px; }
summary { cursor: pointer; font-weight: 600; }
.rows { list-style: none; margin: 6px 0 0; padding: 0; display: grid; gap: 4px; min-height: calc(6 * 1.55em); }
.rows li { display: flex; justify-content: space-between; gap: 10px; font-size: 0.9em; }
.rows li span:last-child { font-variant-numeric: tabular-nums; color: var(--_muted); white-space: nowrap; }
.section h3 { font-size: 0.85em; margin: 0 0 4px; color: var(--_muted); }
.plans, .topup { font-size: 0.9em; }
.plans ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; min-height: calc(2 * 1.45em + 2px); }
.topup p { min-height: 1.45em; }
.plans li { display: flex; justify-content: space-between; gap: 8px; }
.plans li.current { font-weight: 600; }
.plans li span:last-child { font-variant-numeric: tabular-nums; }
.topup p { margin: 0; }
.footer { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; justify-content: space-between; font-size: 0.8em; color: var(--_muted); }
.status.offline, .status.stale { color: #8a4b00; }
button {
  border: 1px solid var(--_accent); background: var(--_bg); color: var(--_accent);
  border-radius: 999px; padding: 5px 12px; cursor: pointer; font-weight: 600; font-size: 0.85em; min-height: 32px;
}
button:hover { background: color-mix(in srgb, var(--_accent) 8%, var(--_bg)); }
button.primary { background: var(--_accent); color: #fff; }
.share { display: flex; gap: 6px; align-items: center; min-width: 0; }
.share a { color: var(--_accent); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 22ch; }
.failure {
  border: 1px solid var(--_error); color: var(--_error); background: color-mix(in srgb, var(--_error) 6%, var(--_bg));
  border-radius: calc(var(--_radius) * 0.75); padding: 10px 12px; display: flex; gap: 10px; align-items: center; justify-content: space-between;
}
.failure p { margin: 0; }
.badge {
  display: inline-flex; align-items: center; gap: 6px; white-space: nowrap;
  min-width: var(--ce-badge-min-width, 13.5ch); justify-content: center;
  background: var(--ce-badge-bg, color-mix(in srgb, var(--_accent) 12%, #fff));
  color: var(--ce-badge-fg, var(--_accent));
  border-radius: 999px; padding: 3px 10px; font-size: 0.85em; font-weight: 600; font-variant-numeric: tabular-nums;
}
.badge.error { color: var(--_error); background: color-mix(in srgb, var(--_error) 10%, #fff); }
.badge.pending { opacity: 0.7; }
.badge button { min-height: 22px; padding: 0 8px; font-size: 0.9em; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`);
  return sheet;
}

// ---------------------------------------------------------------------------------------------
// Small DOM helpers. Every piece of text goes through textContent; no HTML strings are parsed.

/**
 * @param {string} tag
 * @param {Record<string, string|boolean|number>} [attrs]
 * @param {...(Node|string)} children
 */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) el.append(c);
  return el;
}
function setText(el, text) { if (el && el.textContent !== text) el.textContent = text; }

function options(select, list, value) {
  for (const [v, label] of list) select.append(h('option', { value: String(v), text: label }));
  if (value != null) select.value = String(value);
  return select;
}

/** A JSON number when the text is a plain decimal number, else the raw text (the engine reports it). */
function numberOrText(s) {
  if (s == null) return undefined;
  const t = String(s).trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

let idSeq = 0;

// ---------------------------------------------------------------------------------------------

/**
 * The <credit-estimator> element.
 * Events (bubbling, composed): credit-estimator:change {spec, quote}, credit-estimator:error
 * {spec, error}, credit-estimator:ready {cardVersion}, credit-estimator:loaderror {message},
 * credit-estimator:card {state, version, digest}.
 */
export class CreditEstimatorElement extends HTMLElement {
  static observedAttributes = [...Object.keys(SPEC_ATTRS), ...OTHER_ATTRS];

  /** @type {ShadowRoot} */ #root;
  /** @type {Record<string, any>} */ #el = {};
  /** @type {'full'|'compact'|null} */ #built = null;
  /** @type {AbortController|null} */ #listeners = null;
  /** @type {IntersectionObserver|null} */ #io = null;
  /** @type {ResizeObserver|null} */ #ro = null;
  /** @type {Engine|null} */ #engine = null;
  /** @type {'idle'|'loading'|'ready'|'failed'} */ #phase = 'idle';
  #loadError = '';
  /** @type {Quote|null} */ #quote = null;
  /** @type {any} */ #error = null;
  #preview = null;
  #scheduled = false;
  #uid = `ce${++idSeq}`;
  #lastEventKey = '';
  #fmt = null;
  #coverageTimer = 0;
  #coverageShown = false;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.adoptedStyleSheets = [styles()];
  }

  // ---- properties reflected to attributes ----
  get resolution() { return this.getAttribute('resolution') ?? DEFAULT_SPEC.resolution; }
  set resolution(v) { this.setAttribute('resolution', String(v)); }
  get fps() { return numberOrText(this.getAttribute('fps')) ?? DEFAULT_SPEC.fps; }
  set fps(v) { this.setAttribute('fps', String(v)); }
  get duration() { return numberOrText(this.getAttribute('duration')) ?? DEFAULT_SPEC.durationSeconds; }
  set duration(v) { this.setAttribute('duration', String(v)); }
  get prompt() { return this.getAttribute('prompt') ?? ''; }
  set prompt(v) { this.setAttribute('prompt', String(v ?? '')); }
  get complexity() { return this.getAttribute('complexity') ?? DEFAULT_SPEC.complexity; }
  set complexity(v) { this.setAttribute('complexity', String(v)); }
  get mode() { return this.getAttribute('mode') ?? DEFAULT_SPEC.mode; }
  set mode(v) { this.setAttribute('mode', String(v)); }
  get count() { return numberOrText(this.getAttribute('count')) ?? DEFAULT_SPEC.count; }
  set count(v) { this.setAttribute('count', String(v)); }
  get plan() { return this.getAttribute('plan') ?? ''; }
  set plan(v) { if (v) this.setAttribute('plan', String(v)); else this.removeAttribute('plan'); }
  get balance() { return this.getAttribute('balance') ?? ''; }
  set balance(v) { if (v === '' || v == null) this.removeAttribute('balance'); else this.setAttribute('balance', String(v)); }
  get locale() { return this.getAttribute('locale') ?? ''; }
  set locale(v) { if (v) this.setAttribute('locale', String(v)); else this.removeAttribute('locale'); }
  get currencyDisplay() { return this.getAttribute('currency-display') ?? 'symbol'; }
  set currencyDisplay(v) { if (v) this.setAttribute('currency-display', String(v)); else this.removeAttribute('currency-display'); }
  get compact() { return this.hasAttribute('compact'); }
  set compact(v) { this.toggleAttribute('compact', Boolean(v)); }

  /** The spec sent to the engine, built from the attributes. */
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
  get card() { return this.#engine ? { ...this.#engine.card } : null; }
  /** Resolves when the engine is loaded (starts loading if needed). */
  whenReady() { this.#startLoading(); return this.#engine ? Promise.resolve(this) : new Promise((resolve, reject) => {
    const ok = () => { off(); resolve(this); };
    const bad = (e) => { off(); reject(new Error(e.detail?.message ?? 'load failed')); };
    const off = () => { this.removeEventListener(`${EVENT_PREFIX}ready`, ok); this.removeEventListener(`${EVENT_PREFIX}loaderror`, bad); };
    this.addEventListener(`${EVENT_PREFIX}ready`, ok);
    this.addEventListener(`${EVENT_PREFIX}loaderror`, bad);
  }); }
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
    this.#listeners?.abort();
    this.#listeners = new AbortController();
    const signal = this.#listeners.signal;
    this.#root.addEventListener('input', (e) => this.#onInput(e), { signal });
    this.#root.addEventListener('change', (e) => this.#onInput(e), { signal });
    this.#root.addEventListener('click', (e) => this.#onClick(e), { signal });
    window.addEventListener('hashchange', () => this.#restoreFromURL(), { signal });
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
    clearTimeout(this.#coverageTimer);
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === 'compact') { if (this.#built) { this.#build(); this.#showPreview(); this.#schedule(); } return; }
    if (name === 'locale' || name === 'currency-display') this.#fmt = null;
    if (name === 'loading' && newValue === 'eager' && this.isConnected) this.#startLoading();
    if (this.#built) { this.#syncControl(name); this.#schedule(); }
  }

  // ---- loading ----

  #assetsURL() { return new URL(this.getAttribute('assets') ?? './assets.json', MODULE_URL).href; }
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
      this.#phase = 'ready';
      if (this.#listeners) engine.events.addEventListener('card', () => this.#onCard(), { signal: this.#listeners.signal });
      this.#fmt = null;
      this.#emit('ready', { cardVersion: engine.card.version });
      this.#update();
    }, (err) => {
      this.#phase = 'failed';
      this.#loadError = String(err?.message ?? err);
      this.#renderFailure();
      this.#emit('loaderror', { message: this.#loadError });
    });
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
    this.#renderStatus();
    this.#update();
  }

  async #showPreview() {
    if (this.#engine) return;
    const assets = await getAssets(this.#assetsURL());
    if (this.#engine || this.#phase === 'failed') return;
    const pre = assets?.defaultQuote ?? assets?.precomputed?.quote ?? null;
    const preSpec = assets?.defaultSpec ?? assets?.precomputed?.spec ?? DEFAULT_SPEC;
    if (pre && typeof pre === 'object' && sameSpec(this.spec, preSpec)) {
      this.#preview = pre;
      this.#renderQuote(pre, true);
    } else {
      this.#preview = null;
      this.#renderQuote(null, true);
    }
    if (this.#built === 'full') { this.#renderExtras(this.#preview); this.#renderShare(); }
    this.#renderStatus(assets);
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
    if (!this.#engine) { if (this.#phase !== 'failed') this.#showPreview(); return; }
    const spec = this.spec;
    let quote = null;
    let error = null;
    try {
      quote = this.#engine.est.estimate(spec);
    } catch (err) {
      error = err && typeof err === 'object' && 'code' in err
        ? { code: err.code, field: err.field ?? '', message: err.message }
        : { code: 'internal', field: '', message: String(err?.message ?? err) };
    }
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

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(EVENT_PREFIX + name, { detail, bubbles: true, composed: true }));
  }

  // ---- formatting ----

  #locale() {
    const l = this.getAttribute('locale') || this.closest('[lang]')?.getAttribute('lang') || navigator.language || 'en-US';
    try { return Intl.getCanonicalLocales(l)[0]; } catch { return 'en-US'; }
  }
  #formats() {
    if (this.#fmt) return this.#fmt;
    const locale = this.#locale();
    let cd = this.currencyDisplay;
    if (!['symbol', 'narrowSymbol', 'code', 'name'].includes(cd)) cd = 'symbol';
    const currency = this.#engine?.est.rateCard().card?.currency ?? 'USD';
    this.#fmt = {
      locale,
      credits: new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
      int: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
      mult: new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: 4 }),
      money: new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: cd }),
      seconds: new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 3 }),
      date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
    };
    return this.#fmt;
  }
  /** Formats a decimal string exactly (Intl formats strings without going through binary floats). */
  formatCredits(s) { return this.#formats().credits.format(/** @type {any} */(s)); }
  formatMoney(s) { return this.#formats().money.format(/** @type {any} */(s)); }

  // ---- building ----

  #build() {
    const mode = this.compact ? 'compact' : 'full';
    this.#root.replaceChildren();
    this.#el = {};
    this.#built = mode;
    if (mode === 'compact') this.#buildCompact(); else this.#buildFull();
    for (const attr of Object.keys(SPEC_ATTRS)) this.#syncControl(attr);
    this.#syncControl('balance');
    // Placeholders with the final geometry right away (the preview or live quote replaces them).
    this.#renderQuote(this.#quote ?? this.#preview, !this.#quote);
    if (mode === 'full') this.#renderExtras(this.#quote ?? this.#preview);
    if (this.#phase === 'failed') this.#renderFailure();
  }

  #buildCompact() {
    const e = this.#el;
    e.credits = h('span', { part: 'credits', class: 'num' });
    e.label = h('span', { part: 'label', text: 'credits' });
    e.approx = h('span', { 'aria-hidden': 'true', text: '≈' });
    e.badge = h('span', { part: 'badge', class: 'badge', role: 'status', 'aria-live': 'polite' }, e.approx, e.credits, e.label);
    this.#root.append(e.badge);
  }

  #buildFull() {
    const e = this.#el;
    const id = (s) => `${this.#uid}-${s}`;
    e.resolution = options(h('select', { id: id('res'), name: 'resolution', part: 'control select', 'data-attr': 'resolution' }), RESOLUTIONS);
    e.fps = options(h('select', { id: id('fps'), name: 'fps', part: 'control select', 'data-attr': 'fps' }), FPS.map((f) => [f, `${f} fps`]));
    e.duration = h('input', { id: id('dur'), name: 'duration', type: 'number', inputmode: 'decimal', min: 1, max: 60, step: 'any', part: 'control input', 'data-attr': 'duration', 'aria-describedby': id('dur-hint') });
    e.count = h('input', { id: id('count'), name: 'count', type: 'number', inputmode: 'numeric', min: 1, max: 100, step: 1, part: 'control input', 'data-attr': 'count', 'aria-describedby': id('count-hint') });
    e.mode = options(h('select', { id: id('mode'), name: 'mode', part: 'control select', 'data-attr': 'mode' }), MODES);
    e.complexity = options(h('select', { id: id('cx'), name: 'complexity', part: 'control select', 'data-attr': 'complexity' }), COMPLEXITIES);
    e.prompt = h('textarea', { id: id('prompt'), name: 'prompt', rows: 4, part: 'control prompt', 'data-attr': 'prompt', maxlength: 4000, spellcheck: 'true', placeholder: 'Describe the video, e.g. “gentle ripples on a calm lake”', 'aria-describedby': id('signals-h') });
    e.balance = h('input', { id: id('bal'), name: 'balance', type: 'number', inputmode: 'decimal', min: 0, step: 'any', part: 'control input', 'data-attr': 'balance', placeholder: 'optional' });
    e.hints = {
      resolution: h('span', { class: 'hint', id: id('res-hint') }), fps: h('span', { class: 'hint', id: id('fps-hint') }),
      duration: h('span', { class: 'hint', id: id('dur-hint'), text: '1–60 seconds' }), count: h('span', { class: 'hint', id: id('count-hint'), text: 'videos, 1–100' }),
      mode: h('span', { class: 'hint' }), complexity: h('span', { class: 'hint' }), prompt: h('span', { class: 'hint' }), balance: h('span', { class: 'hint' }),
    };
    e.signals = h('ul', { class: 'signals', part: 'signals', 'aria-label': 'Complexity signals found in the prompt' });
    e.level = h('span', { class: 'level', part: 'complexity' });
    const field = (label, ctl, hint, wide = false) => h('div', { class: wide ? 'field wide' : 'field' }, h('label', { for: ctl.id, text: label }), ctl, hint);
    const promptField = h('div', { class: 'field wide' },
      h('label', { for: e.prompt.id, text: 'Prompt' }), e.prompt,
      h('div', { class: 'label', id: id('signals-h') }, 'Complexity: ', e.level),
      e.signals, e.hints.prompt);
    e.form = h('form', { part: 'form', 'aria-label': 'Video settings', novalidate: true },
      field('Resolution', e.resolution, e.hints.resolution), field('Frame rate', e.fps, e.hints.fps),
      field('Duration (seconds)', e.duration, e.hints.duration), field('Number of videos', e.count, e.hints.count),
      field('Mode', e.mode, e.hints.mode), field('Complexity', e.complexity, e.hints.complexity),
      promptField,
      field('Your credit balance', e.balance, e.hints.balance, true));

    e.credits = h('p', { class: 'credits', part: 'credits' });
    e.usd = h('p', { class: 'usd', part: 'usd' });
    e.per = h('p', { class: 'per', part: 'per-video' });
    e.total = h('div', { class: 'total', part: 'total', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
      h('p', { class: 'caption', text: 'Estimated credits' }), e.credits, e.usd, e.per);
    e.rows = h('ul', { class: 'rows' });
    e.breakdown = h('details', { part: 'breakdown', open: true }, h('summary', { text: 'Why this price' }), e.rows);
    e.plansList = h('ul');
    e.plans = h('div', { class: 'section plans', part: 'plans' }, h('h3', { text: 'Videos like this per month, by plan' }), e.plansList);
    e.topupText = h('p');
    e.topup = h('div', { class: 'section topup', part: 'topup' }, h('h3', { text: 'Your balance' }), e.topupText);
    e.failure = h('div', { class: 'failure', part: 'error', role: 'alert', hidden: true });
    e.status = h('span', { class: 'status', part: 'status' });
    e.shareLink = h('a', { part: 'share-link', href: '#', text: 'Share this estimate' });
    e.copy = h('button', { type: 'button', part: 'button share', 'data-action': 'copy', text: 'Copy link' });
    e.copied = h('span', { class: 'sr', role: 'status' });
    e.footer = h('div', { class: 'footer' }, e.status, h('span', { class: 'share' }, e.shareLink, e.copy, e.copied));
    e.result = h('section', { class: 'result', part: 'result', 'aria-label': 'Details of the estimate' }, e.failure, e.breakdown, e.plans, e.topup, e.footer);
    // The total comes first in the DOM (and on narrow screens first on screen); wide, it sits top right.
    e.root = h('div', { class: 'full', part: 'root' }, e.total, e.form, e.result);
    this.#root.append(e.root);
    // One column when the element itself is narrow (not the viewport: the host decides our width).
    this.#ro?.disconnect();
    this.#ro = null;
    if (typeof ResizeObserver === 'function') {
      this.#ro = new ResizeObserver(([entry]) => e.root.classList.toggle('narrow', entry.contentRect.width < 640));
      this.#ro.observe(this);
    }
  }

  #syncControl(attr) {
    const e = this.#el;
    const ctl = e[attr];
    if (!ctl || !('value' in ctl)) return;
    let v;
    switch (attr) {
      case 'duration': v = this.getAttribute('duration') ?? String(DEFAULT_SPEC.durationSeconds); break;
      case 'count': v = this.getAttribute('count') ?? String(DEFAULT_SPEC.count); break;
      case 'fps': v = this.getAttribute('fps') ?? String(DEFAULT_SPEC.fps); break;
      case 'resolution': v = normalizeResolution(this.resolution); break;
      default: v = this.getAttribute(attr) ?? (attr in SPEC_ATTRS ? String(DEFAULT_SPEC[SPEC_ATTRS[attr]]) : '');
    }
    if (ctl.value !== v && this.#root.activeElement !== ctl) ctl.value = v;
    else if (ctl.value !== v && attr === 'prompt') ctl.value = v;
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
      setText(this.#el.copied, ok ? 'Link copied to the clipboard' : 'Copy the link from “Share this estimate”');
      setText(this.#el.copy, ok ? 'Copied' : 'Copy link');
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
      setText(e.label, 'credits');
      return;
    }
    if (this.#built !== 'full') return;
    e.root.classList.toggle('pending', pending);
    e.failure.hidden = this.#phase !== 'failed';
    e.credits.classList.toggle('pending', pending);
    setText(e.credits, q ? f.credits.format(q.credits) : '…');
    setText(e.usd, q ? `≈ ${f.money.format(q.usd.min)} – ${f.money.format(q.usd.max)}` : '\u00a0');
    setText(e.per, q ? perLine(q, f) : '\u00a0');
    const rows = q ? breakdownRows(q, f) : [];
    renderRows(e.rows, rows);
    if (q?.complexity) {
      const c = q.complexity;
      setText(e.level, `${c.label} ×${f.mult.format(c.multiplier)}${c.source === 'auto' ? ` (score ${c.score})` : ' (chosen)'}`);
      renderSignals(e.signals, c.signals ?? [], f);
    } else {
      setText(e.level, pending ? '…' : '—');
      renderSignals(e.signals, [], f);
    }
    for (const [k, hint] of Object.entries(e.hints)) {
      hint.classList.remove('error');
      e[k]?.removeAttribute?.('aria-invalid');
      if (k === 'duration') setText(hint, q ? `billed ${f.seconds.format(q.billedSeconds)}` : '1–60 seconds');
      else if (k === 'count') setText(hint, 'videos, 1–100');
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
      setText(e.label, 'check settings');
      e.badge.setAttribute('title', err?.message ?? '');
      return;
    }
    this.#renderQuote(null, false);
    setText(e.credits, '—');
    setText(e.level, '—');
    const map = { durationSeconds: 'duration' };
    const key = map[err?.field] ?? err?.field;
    const hint = e.hints[key] ?? e.hints.prompt;
    hint.classList.add('error');
    setText(hint, err?.message ?? 'This spec cannot be priced.');
    e[key]?.setAttribute?.('aria-invalid', 'true');
    setText(e.per, err?.message ?? '');
  }

  #renderFailure() {
    const e = this.#el;
    const msg = `The live estimator could not be loaded${this.#loadError ? ` (${this.#loadError})` : ''}.`;
    if (this.#built === 'compact') {
      e.badge.classList.remove('pending');
      e.badge.classList.add('error');
      e.approx.hidden = true;
      setText(e.credits, '');
      setText(e.label, 'Estimate unavailable');
      e.badge.setAttribute('title', msg);
      if (!e.retry) {
        e.retry = h('button', { type: 'button', part: 'button retry', 'data-action': 'retry', text: 'Retry', 'aria-label': 'Retry loading the estimate' });
        e.badge.append(e.retry);
      }
      return;
    }
    if (this.#built !== 'full') return;
    e.failure.replaceChildren(h('p', { text: msg }), h('button', { type: 'button', class: 'primary', part: 'button retry', 'data-action': 'retry', text: 'Retry' }));
    e.failure.hidden = false;
    setText(e.status, 'Estimator unavailable');
  }

  #renderStatus(assets) {
    const e = this.#el;
    if (this.#built !== 'full' || !e.status) return;
    e.status.classList.remove('offline', 'stale');
    if (this.#phase === 'failed') { setText(e.status, 'Estimator unavailable'); return; }
    if (!this.#engine) {
      const v = assets?.rateCard?.version ?? assets?.card?.version;
      setText(e.status, this.#phase === 'loading' ? `Loading the live estimator…` : `Preview${v ? ` · rate card ${v}` : ''}`);
      return;
    }
    const c = this.#engine.card;
    const f = this.#formats();
    const when = c.checkedAt ? f.date.format(new Date(c.checkedAt)) : '';
    let text;
    switch (c.state) {
      case 'current': text = `Rate card ${c.version} · up to date`; break;
      case 'updated': text = `Rate card ${c.version} · updated just now`; break;
      case 'offline':
        text = `Offline · rate card ${c.version}${when ? `, last checked ${when}` : ', never checked'} — prices may have changed`;
        e.status.classList.add('offline');
        break;
      case 'rejected': text = `Rate card ${c.version} · the server’s newer card failed verification`; e.status.classList.add('stale'); break;
      case 'unchecked':
        text = `Rate card ${c.version} · could not check for updates${when ? ` (last checked ${when})` : ''} — prices may have changed`;
        e.status.classList.add('stale');
        break;
      default: text = `Rate card ${c.version} · checking for updates…`;
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
    if (bal === '') { setText(e.topupText, 'Enter your balance to see whether it covers this render.'); return; }
    if (!/^\d+(\.\d{1,2})?$/.test(bal)) { setText(e.topupText, 'Enter the balance as a number of credits, e.g. 120 or 45.50.'); return; }
    if (!q || !est) { setText(e.topupText, '\u00a0'); return; }
    const short = subtractDecimal(q.credits, bal);
    if (short === null) { setText(e.topupText, `Your ${f.credits.format(bal)} credits cover this (${f.credits.format(q.credits)} credits).`); return; }
    let text = `You are ${f.credits.format(short)} credits short.`;
    try {
      const r = est.topUp({ need: short });
      text += ` Cheapest top-up: ${f.credits.format(r.credits)} credits for ${f.money.format(r.totalUsd)}` +
        ` (${r.bundles.map((b) => `${b.count} × ${f.int.format(b.credits)}`).join(' + ')}).`;
    } catch (err) {
      text += ` (${err?.message ?? err})`;
    }
    setText(e.topupText, text);
  }

  #renderCoverage() {
    const e = this.#el;
    const est = this.#engine?.est;
    if (!est || !this.#quote || this.#built !== 'full') return;
    const f = this.#formats();
    let like;
    try {
      like = est.comparePlans({ credits: '0', like: this.spec }).like;
    } catch (err) {
      e.plansList.replaceChildren(h('li', {}, h('span', { text: err?.message ?? String(err) })));
      return;
    }
    const plans = (like?.plans ?? []).filter((p) => p.id !== 'trial');
    const items = plans.map((p) => h('li', { class: p.id === this.plan ? 'current' : '' },
      h('span', { text: `${p.name} (${f.int.format(p.credits)} credits a month)` }),
      h('span', { text: `${f.int.format(p.videos)} ${p.videos === 1 ? 'video' : 'videos'}` })));
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

function normalizeResolution(r) {
  const s = String(r ?? '').toLowerCase();
  const alias = { '4k': '2160p', uhd: '2160p', hd: '720p', fullhd: '1080p', fhd: '1080p', '2k': '1440p', qhd: '1440p' };
  return alias[s] ?? s;
}

function sameSpec(a, b) {
  for (const k of Object.keys(DEFAULT_SPEC)) {
    const av = a[k] ?? DEFAULT_SPEC[k];
    const bv = b?.[k] ?? DEFAULT_SPEC[k];
    if (String(av) !== String(bv)) return false;
  }
  return true;
}

function perLine(q, f) {
  const parts = [];
  if (q.count > 1) parts.push(`${f.int.format(q.count)} × ${f.credits.format(q.unitCredits)} credits`);
  parts.push(`billed for ${f.seconds.format(q.billedSeconds)}`);
  return parts.join(' · ');
}

function breakdownRows(q, f) {
  const rows = [];
  if (q.reference) rows.push([`Reference: ${q.reference.label}`, `${f.credits.format(q.reference.credits)} cr`]);
  for (const b of q.breakdown ?? []) rows.push([b.label, `×${f.mult.format(b.multiplier)}`]);
  return rows;
}

function renderRows(ul, rows) {
  while (ul.children.length > rows.length) ul.lastElementChild.remove();
  rows.forEach(([label, value], i) => {
    let li = ul.children[i];
    if (!li) { li = h('li', {}, h('span'), h('span')); ul.append(li); }
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
    setText(li.children[2], s.ignored ? `ignored: ${s.ignored}` : `+${f.int.format(s.weight)}`);
    li.classList.toggle('ignored', Boolean(s.ignored));
  });
}

function toCents(s) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(s));
  if (!m) return null;
  return BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}
/** a − b as a 2-place string when a > b, else null. */
function subtractDecimal(a, b) {
  const x = toCents(a);
  const y = toCents(b);
  if (x === null || y === null || x <= y) return null;
  const d = x - y;
  return `${d / 100n}.${String(d % 100n).padStart(2, '0')}`;
}
if (!customElements.get(TAG)) customElements.define(TAG, CreditEstimatorElement);
