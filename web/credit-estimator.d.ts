// Types for web/credit-estimator.js, the <credit-estimator> custom element.

import type { Estimator, Quote } from './estimator.js';
import type { ErrorCode } from './facts.js';

export { DEFAULT_SPEC } from './facts.js';

/** The quote request (the "spec"), as sent to the engine. */
export interface Spec {
  resolution: string;
  fps: number | string;
  durationSeconds: number | string;
  prompt?: string;
  complexity?: 'auto' | 'low' | 'medium' | 'high' | 'extreme' | string;
  mode?: 'generate' | 'refine-minor' | 'refine-major' | string;
  count?: number | string;
  /** Explain the quote in this language when the card translates its labels (never changes a price). */
  locale?: string;
}

/** An engine error: `{code, field, message}` (field is "" when the whole request is at fault). */
export interface EstimateError {
  code: ErrorCode;
  field: string;
  message: string;
}

/** "pending": the page's card is being verified (no price is shown); "verified": it is in use;
 * "invalid": it failed verification (no price is shown); "server": priced by the quote API (quote-api). */
export type CardState = 'builtin' | 'cached' | 'current' | 'updated' | 'offline' | 'rejected' | 'unchecked' | 'pending' | 'verified' | 'invalid' | 'server';

export interface CardInfo {
  state: CardState;
  version: string;
  digest: string;
  /** Epoch milliseconds of the last successful check with the server, or null. */
  checkedAt: number | null;
  detail?: string;
}

/** What the card in force offers; every choice, label and limit the element shows. */
export interface Choices {
  version: string;
  currency: string;
  resolutions: Array<{ value: string; label: string; aliases: string[]; fps: number[] }>;
  modes: Array<{ value: string; label: string }>;
  levels: Array<{ value: string; label: string }>;
  duration: { min: number; max: number; step: number };
  maxCount: number;
  maxPromptChars: number;
  defaultSpec: { resolution: string; fps: number; durationSeconds: number; prompt: string; complexity: string; mode: string; count: number };
}

/**
 * Makes a card the page's card: every <credit-estimator> on the page, mounted or not yet, shows
 * only its prices and choices once it is verified, and none before. Resolves with its version
 * and digest; rejects when it cannot be fetched or verified.
 * @param card URL of the card's JSON, its JSON text, or the parsed card
 * @param options.digest the expected digest ("sha256:…"); the card is refused unless it matches
 */
export function useRateCard(card: string | URL | object, options?: { digest?: string }): Promise<{ version: string; digest: string }>;

type Events = {
  change: CustomEvent<{ spec: Spec; quote: Quote }>;
  error: CustomEvent<{ spec: Spec; error: EstimateError }>;
  ready: CustomEvent<{ cardVersion: string; source?: 'server' }>;
  loaderror: CustomEvent<{ message: string }>;
  card: CustomEvent<{ state: CardState; version: string; digest: string }>;
  share: CustomEvent<{ url: string }>;
};

/** Every event under its name usable from React, Vue and Svelte, and under the older colon name. */
export type CreditEstimatorEventMap =
  { [K in keyof Events as `credit-estimator-${K}`]: Events[K] } &
  { [K in keyof Events as `credit-estimator:${K}`]: Events[K] };

/**
 * `<credit-estimator>`: attributes resolution, fps, duration, prompt, complexity, mode, count, plan,
 * balance, locale (or lang), heading-level (1–6), currency-display ("symbol" | "narrowSymbol" | "code" | "name"), compact (boolean),
 * loading ("lazy" default | "eager"), assets (URL of assets.json), api (base URL of /api/v1/),
 * rate-card (URL of the page's card), rate-card-digest (its expected digest), quote-api (boolean, opt-in server fallback).
 * Every property below reflects its attribute.
 */
export class CreditEstimatorElement extends HTMLElement {
  static readonly observedAttributes: string[];
  resolution: string;
  fps: number | string;
  duration: number | string;
  prompt: string;
  complexity: string;
  mode: string;
  count: number | string;
  plan: string;
  balance: string;
  /** BCP 47 tag for the element's language and number formats (attribute locale; `lang` works too). */
  locale: string;
  /** Level (1–6) of the element's own headings (attribute heading-level; 3 when unset). */
  headingLevel: number;
  /** The locale in use: the tag numbers are formatted in, the catalogue language, the direction. */
  readonly resolvedLocale: { tag: string; lang: string; dir: 'ltr' | 'rtl' };
  currencyDisplay: string;
  compact: boolean;
  /** URL of the page's rate card (attribute rate-card). */
  rateCardURL: string;
  /** Hands the page a card (JSON text or parsed object): see useRateCard(). */
  rateCard: string | object | null;
  /** Opt-in server fallback when the wasm engine cannot start (attribute quote-api): SENDS THE PROMPT TO THE SERVER. */
  quoteApi: boolean;
  /** What the card in force offers, or null while the page's card is not verified. */
  readonly choices: Choices | null;
  /** The spec built from the attributes; setting it sets several attributes at once. */
  spec: Spec;
  /** The last live quote, or null (before load, or on error). */
  readonly quote: Quote | null;
  readonly error: EstimateError | null;
  readonly state: 'idle' | 'loading' | 'ready' | 'failed';
  readonly card: CardInfo | null;
  /** The loaded engine (shared by every element on the page), or null. */
  readonly estimator: Estimator | null;
  /** This page's URL with a fragment that restores every input of this element. */
  readonly shareURL: string;
  /** Starts loading if needed; resolves once the live engine is ready. */
  whenReady(): Promise<this>;
  /** Retries after a load failure. */
  retry(): void;
  /** Formats a decimal string of credits for the element's locale. */
  formatCredits(amount: string): string;
  /** Formats a decimal string of dollars for the element's locale and currency display. */
  formatMoney(amount: string): string;

  addEventListener<K extends keyof CreditEstimatorEventMap>(type: K, listener: (this: CreditEstimatorElement, ev: CreditEstimatorEventMap[K]) => any, options?: boolean | AddEventListenerOptions): void;
  addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: CreditEstimatorElement, ev: HTMLElementEventMap[K]) => any, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'credit-estimator': CreditEstimatorElement;
  }
}
