// Types for web/estimator.js, the JavaScript API over the Credit Estimator WebAssembly module.
// Responses are the JSON contract's objects; see docs/wasm.md.

/** Error codes of the contract, plus "load_failed" (JS loader) and "internal". */
export type ErrorCode =
  | 'invalid_json' | 'unknown_field' | 'duplicate_field' | 'missing_field' | 'invalid_type'
  | 'invalid_value' | 'out_of_range' | 'unsupported_resolution' | 'unsupported_fps'
  | 'unsupported_mode' | 'unsupported_complexity' | 'prompt_too_long' | 'invalid_utf8'
  | 'unknown_op' | 'invalid_rate_card' | 'request_too_large' | 'unknown_plan' | 'invalid_date'
  | 'too_many_items' | 'overflow' | 'internal' | 'load_failed'
  | (string & {});

/** Thrown by every Estimator method and by load(). */
export class EstimatorError extends Error {
  constructor(code: string, field: string, message: string, json?: string);
  readonly name: 'EstimatorError';
  /** Machine-readable code, e.g. "unsupported_fps". */
  readonly code: ErrorCode;
  /** JSON path of the offending field ("fps", "items[2].credits"); "" for the whole request. */
  readonly field: string;
  /** The error object's JSON exactly as the module produced it. */
  readonly json: string;
  toJSON(): { code: string; field: string; message: string };
}

/** A video spec. */
export interface Spec {
  /** "720p", "1080p", "1440p", "2160p" or an alias ("4k", "hd", "fullhd", "2k"), case-insensitive. */
  resolution: string;
  /** Frames per second the rate card offers (24, 30, 60). */
  fps: number;
  /** Seconds, up to 3 decimals, within the card's limits; billed rounded up. */
  durationSeconds: number;
  /** Analysed locally for complexity; never leaves the browser. */
  prompt?: string;
  /** "auto" (default) or "low", "medium", "high", "extreme". */
  complexity?: string;
  /** "generate" (default), "refine-minor", "refine-major". */
  mode?: string;
  /** Number of videos, default 1. */
  count?: number;
}

export interface BreakdownLine {
  factor: string;
  label: string;
  /** Exact decimal string. */
  multiplier: string;
}

export interface ComplexitySignal {
  kind: string;
  id: string;
  label: string;
  match: string;
  /** What it adds to the score; 0 when ignored. */
  weight: number;
  /** Present when the analyzer read the words but does not count them. */
  ignored?: 'negated' | 'slow' | 'alone' | (string & {});
}

export interface RateCardRef {
  version: string;
  /** "sha256:<64 hex>" */
  digest: string;
}

/** A quote. Amounts are decimal strings (credits and USD with 2 places). */
export interface Quote {
  credits: string;
  unitCredits: string;
  count: number;
  billedSeconds: number;
  reference?: { credits: string; label: string };
  breakdown: BreakdownLine[];
  complexity: {
    level: string;
    label: string;
    multiplier: string;
    source: 'auto' | 'explicit' | (string & {});
    score: number;
    signals: ComplexitySignal[];
  };
  usd: { min: string; max: string };
  rateCard: RateCardRef;
  [key: string]: unknown;
}

/** Why a quote does not verify: a member that decides the charge differs. */
export interface VerifyReason {
  code: 'card_version_differs' | 'card_digest_differs' | 'amount_differs' | 'quantity_differs' | (string & {});
  /** Dotted path in the quote: "rateCard.version", "rateCard.digest", "credits", "unitCredits", "count", "billedSeconds". */
  field: string;
  /** The fresh quote's value (JSON). */
  expected: unknown;
  /** The verified quote's value; null when it lacks the member. */
  got: unknown;
}

/** The answer of verify(): valid, or the reasons and the fresh quote to show instead. */
export type Verdict =
  | { valid: true }
  | { valid: false; reasons: VerifyReason[]; quote: Quote };

/** The answer of the "prices" op: decimal strings, unit prices with unitPricePlaces decimals. */
export interface CardPrices {
  currency: string;
  unitPricePlaces: number;
  plans: Array<{ id: string; priceUsd: string; credits: string; pricePerCreditUsd: string | null }>;
  bundles: Array<{ credits: string; priceUsd: string; pricePerCreditUsd: string | null }>;
}

/** Request/response of the economics operations: the JSON contract's objects. */
export type EconomicsRequest = Record<string, unknown>;
export type EconomicsResponse = Record<string, any>;

/** Operation names of the Go boundary. */
export type Op = 'quote' | 'topup' | 'plans' | 'wallet' | 'workflow' | 'roi' | 'verify' | 'prices';

/** Method name → operation name. */
export const OPS: Readonly<{
  estimate: 'quote';
  topUp: 'topup';
  comparePlans: 'plans';
  walletPreview: 'wallet';
  planWorkflow: 'workflow';
  roi: 'roi';
  verify: 'verify';
  cardPrices: 'prices';
}>;

export interface LoadOptions {
  /** Where assets.json lives; default: next to estimator.js. Relative URLs resolve against estimator.js. */
  assetsURL?: string | URL;
  /** The module URL; with wasmExecURL (or an existing globalThis.Go) assets.json is not fetched. */
  wasmURL?: string | URL;
  /** Go's wasm_exec.js from the toolchain that built the module. */
  wasmExecURL?: string | URL;
  /** fetch implementation for http(s) URLs; default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Expose test-only exports (runtime exit). Never in production. */
  testHooks?: boolean;
}

export interface LoadInfo {
  /** compileStreaming: compiled by boot.js while the page loaded, then instantiated */
  method: 'compileStreaming' | 'instantiateStreaming' | 'instantiate';
  /** Milliseconds from load() until the module answered. */
  ms: number;
  wasmURL: string;
  /** How often the Go runtime was re-instantiated after exiting. */
  restarts: number;
}

/** The estimator. Methods are synchronous; they return plain objects or throw EstimatorError. */
export class Estimator {
  private constructor();
  readonly loadInfo: LoadInfo;
  /** Credit quote for a video spec (op "quote"). */
  estimate(spec: Spec): Quote;
  /** Top-up quote (op "topup"); throws unknown_op if the module lacks it. */
  topUp(request: EconomicsRequest): EconomicsResponse;
  /** Plan comparison (op "plans"). */
  comparePlans(request: EconomicsRequest): EconomicsResponse;
  /** Wallet preview (op "wallet"). */
  walletPreview(request: EconomicsRequest): EconomicsResponse;
  /** Workflow plan (op "workflow"). */
  planWorkflow(request: EconomicsRequest): EconomicsResponse;
  /** ROI figures (op "roi"). */
  roi(request: EconomicsRequest): EconomicsResponse;
  /**
   * Verifies a quote against its spec priced afresh with the card in use (op "verify"): the same
   * strict decoding and the same answer as the server's POST /api/v1/quote/verify.
   */
  verify(spec: Spec, quote: unknown): Verdict;
  /**
   * Every plan's and bundle's price per credit on the card in use (op "prices"), rounded once by
   * the engine's rule for the card's currency (a hundredth of its minor unit: "0.0527", "14.38").
   */
  cardPrices(request?: Record<string, never>): CardPrices;
  /** Any operation on a request object. */
  call(op: Op | (string & {}), request: unknown): any;
  /**
   * Any operation on a JSON string; returns the response JSON exactly as Go wrote it.
   * The string is UTF-8 encoded into Go's request buffer (lone surrogates become U+FFFD);
   * only numbers cross the JS↔Go boundary. More than MaxRequestBytes (64 KiB) of UTF-8 throws
   * request_too_large before anything is copied into the module's memory.
   */
  callJSON(op: Op | (string & {}), requestJSON: string): string;
  /** The operations the module implements. */
  ops(): string[];
  /**
   * The rate card in use: one deep-frozen object, parsed once and returned again until the card
   * changes (useRateCard), so asking is cheap.
   */
  rateCard(): Readonly<RateCardRef & { card: any }>;
  /**
   * Switch cards; validated in Go, a bad card throws invalid_rate_card and the old card stays.
   * The card's JSON may have at most MaxRequestBytes (64 KiB), like every request.
   */
  useRateCard(card: string | object): RateCardRef;
  /** A bare JS→Go round trip (benchmark baseline). */
  noop(): void;
  /** Size of the module's linear memory in bytes (grows, never shrinks). */
  memoryBytes(): number;
  /** Test hook (load option testHooks): ends the Go program. */
  _exitRuntimeForTest(): void;
  /** Test hook: the buffer boundary of the runtime in use (null when the module lacks it). */
  _buffersForTest(): {
    requestCapacity: number;
    responseCapacity: number;
    maxRequestBytes: number;
    viewRefreshes: number;
    memory: WebAssembly.Memory;
  } | null;
  /** Test hook (load option testHooks): makes Go allocate and keep n bytes, growing linear memory. */
  _growMemoryForTest(n: number): void;
}

/** Loads the module once; later calls return the same Estimator. A failed load can be retried. */
export function load(options?: LoadOptions): Promise<Estimator>;
/** A new, independent Estimator with its own Go runtime (tests, benchmarks). */
export function createEstimator(options?: LoadOptions): Promise<Estimator>;
/** JSON.stringify that refuses NaN/Infinity, BigInt, symbols and functions with EstimatorError. */
export function serialize(request: unknown): string;
