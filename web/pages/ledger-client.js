// A small client of the ledger API (docs/ledger.md) for the demo pages: a demo account kept in
// localStorage, holds, settles, releases, top-ups, balance and statement. Every mutating call
// carries an Idempotency-Key and is retried with the same key when the network fails, so a retry
// never charges twice.

const STORE = 'demo:ledger-account';

/** @typedef {{id: string, token: string}} Account */
/** @typedef {{status: number, body: any}} Reply */

export class LedgerClient {
  /** @param {URL|string} apiBase e.g. new URL('../api/v1/', import.meta.url) */
  constructor(apiBase) {
    this.base = new URL(apiBase);
    /** @type {Account|null} */
    this.account = null;
    /** Whether top-ups are bought through the server's payment provider (Stripe Checkout). */
    this.checkout = false;
  }

  /** Whether this server keeps accounts and offers the demo sign-up (answers 200 either way). */
  async available() {
    try {
      const r = await fetch(new URL('ledger', this.base), { cache: 'no-store', credentials: 'omit' });
      if (!r.ok) return false;
      const info = await r.json();
      this.checkout = Boolean(info.checkout);
      return Boolean(info.ledger && info.demoSignup);
    } catch {
      return false;
    }
  }

  /** The account of this browser: the stored one when its token still works, else a new one. */
  async ensureAccount() {
    let stored = null;
    try { stored = JSON.parse(localStorage.getItem(STORE) ?? 'null'); } catch { /* none */ }
    if (stored && typeof stored.id === 'string' && typeof stored.token === 'string') {
      this.account = stored;
      const r = await this.#call('GET', `accounts/${stored.id}/balance`);
      if (r.status === 200) return { account: stored, balance: r.body, created: false };
    }
    const r = await this.#call('POST', 'demo/signup', undefined, false);
    if (r.status !== 201 || !r.body?.token) throw new Error(r.body?.message ?? `sign-up failed (${r.status})`);
    this.account = { id: r.body.account.id, token: r.body.token };
    try { localStorage.setItem(STORE, JSON.stringify(this.account)); } catch { /* private mode: this visit only */ }
    const b = await this.balance();
    return { account: this.account, balance: b.body, created: true };
  }

  balance() { return this.#call('GET', `accounts/${this.#id()}/balance`); }
  /** The account's billing periods: granted, spent, expired, left, utilization. */
  usage() { return this.#call('GET', `accounts/${this.#id()}/usage`); }
  /** @param {{from?: string, to?: string, after?: number, limit?: number}} [q] */
  entries(q = {}) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v != null) p.set(k, String(v));
    return this.#call('GET', `accounts/${this.#id()}/entries${p.size ? `?${p}` : ''}`);
  }
  /** @param {object} spec @param {'fast'|'standard'} queue @param {{credits: string, rateCard: {digest: string}}} [quote] */
  hold(spec, queue, quote) {
    return this.#call('POST', `accounts/${this.#id()}/holds`, { spec, queue, ...(quote ? { quote } : {}) });
  }
  settle(holdId) { return this.#call('POST', `holds/${encodeURIComponent(holdId)}/settle`); }
  release(holdId) { return this.#call('POST', `holds/${encodeURIComponent(holdId)}/release`); }
  /**
   * Buys credits: the card's cheapest bundle mix that covers them. With a payment provider the
   * answer is a checkout session ({url, session}) to send the person to; without one (the demo)
   * it is the grant of the labelled simulated payment.
   */
  topUp(credits) {
    if (this.checkout) return this.#call('POST', `accounts/${this.#id()}/checkout`, { credits: String(credits) });
    return this.#call('POST', `accounts/${this.#id()}/grants`, { kind: 'topup', credits: String(credits) });
  }

  #id() {
    if (!this.account) throw new Error('no account yet');
    return encodeURIComponent(this.account.id);
  }

  /**
   * @param {string} method @param {string} path @param {object} [body] @param {boolean} [auth]
   * @returns {Promise<Reply>}
   */
  async #call(method, path, body, auth = true) {
    const headers = /** @type {Record<string, string>} */ ({});
    if (auth && this.account) headers.Authorization = `Bearer ${this.account.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method === 'POST') headers['Idempotency-Key'] = crypto.randomUUID();
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: /** @type {RequestCache} */ ('no-store'), credentials: /** @type {RequestCredentials} */ ('omit') };
    let lastErr;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const r = await fetch(new URL(path, this.base), init);
        const text = await r.text();
        let parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch { parsed = { code: 'invalid_response', message: text.slice(0, 200) }; }
        if (r.status === 503 && attempt < 2) { await sleep(300 * (attempt + 1)); continue; }
        return { status: r.status, body: parsed };
      } catch (err) {
        lastErr = err; // network: retry with the same Idempotency-Key
        await sleep(300 * (attempt + 1));
      }
    }
    throw lastErr ?? new Error('the ledger did not answer');
  }
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

/** A decimal string with up to two places as BigInt hundredths ("5.5" → 550n). */
export function hundredths(s) {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(s));
  if (!m) return 0n;
  const v = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -v : v;
}
