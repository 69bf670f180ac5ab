// Types for web/credit-estimator.js, the <credit-estimator> custom element.

import type { Estimator, Quote } from './estimator.js';

/** The quote request (the "spec"), as sent to the engine. */
export interface Spec {
  resolution: string;
  fps: number | string;
  durationSeconds: number | string;
  prompt?: string;
  complexity?: 'auto' | 'low' | 'medium' | 'high' | 'extreme' | string;
  mode?: 'generate' | 'refine-minor' | 'refine-major' | string;
  count?: number | string;
}

/** An engine error: `{code, field, message}` (field is "" when the whole request is at fault). */
export interface EstimateError {
  code: string;
  field: string;
  message: string;
}

export type CardState = 'builtin' | 'cached' | 'current' | 'updated' | 'offline' | 'rejected' | 'unchecked';

export interface CardInfo {
  state: CardState;
  version: string;
  digest: string;
  /** Epoch milliseconds of the last successful check with the server, or null. */
  checkedAt: number | null;
  detail?: string;
}

export const DEFAULT_SPEC: Readonly<Required<Spec>>;

export interface CreditEstimatorEventMap {
  'credit-estimator:change': CustomEvent<{ spec: Spec; quote: Quote }>;
  'credit-estimator:error': CustomEvent<{ spec: Spec; error: EstimateError }>;
  'credit-estimator:ready': CustomEvent<{ cardVersion: string }>;
  'credit-estimator:loaderror': CustomEvent<{ message: string }>;
  'credit-estimator:card': CustomEvent<{ state: CardState; version: string; digest: string }>;
  'credit-estimator:share': CustomEvent<{ url: string }>;
}

/**
 * `<credit-estimator>`: attributes resolution, fps, duration, prompt, complexity, mode, count, plan,
 * balance, locale, currency-display ("symbol" | "narrowSymbol" | "code" | "name"), compact (boolean),
 * loading ("lazy" default | "eager"), assets (URL of assets.json), api (base URL of /api/v1/).
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
  locale: string;
  currencyDisplay: string;
  compact: boolean;
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
