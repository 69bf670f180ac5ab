// @ts-check
// The opt-in server fallback of <credit-estimator quote-api>: when the wasm engine cannot start,
// quotes come from the server's quote API. This SENDS THE PROMPT TO THE SERVER, which the local
// engine never does; that is why it is never the default.

/**
 * The server's card (its JSON, parsed) and digest.
 * @param {string} apiBase
 * @returns {Promise<{card: any, digest: string}>}
 */
export async function remoteCard(apiBase) {
  const r = await fetch(new URL('ratecard', apiBase), { credentials: 'omit', headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`GET ratecard: HTTP ${r.status}`);
  const digest = (r.headers.get('ETag') ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');
  return { card: await r.json(), digest };
}

/**
 * One quote from the server: {quote} or {error} (the contract's error object).
 * @param {string} apiBase
 * @param {object} spec
 * @param {AbortSignal} signal
 * @returns {Promise<{quote?: any, error?: {code: string, field: string, message: string}}>}
 */
export async function remoteQuote(apiBase, spec, signal) {
  const r = await fetch(new URL('quote', apiBase), {
    method: 'POST', credentials: 'omit', signal,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(spec),
  });
  const body = await r.json().catch(() => null);
  if (r.ok && body) return { quote: body };
  const e = body?.error ?? body;
  if (e && typeof e.code === 'string') return { error: { code: e.code, field: e.field ?? '', message: e.message ?? '' } };
  throw new Error(`POST quote: HTTP ${r.status}`);
}

/**
 * What the server's card offers, labelled in a language (the server's "choices" op: the engine's
 * answer, like the module's).
 * @param {string} apiBase
 * @param {string} lang a catalogue language
 * @returns {Promise<import('./choices.js').Choices>}
 */
export async function remoteChoices(apiBase, lang) {
  const r = await fetch(new URL('choices', apiBase), {
    method: 'POST', credentials: 'omit',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(lang ? { locale: lang } : {}),
  });
  if (!r.ok) throw new Error(`POST choices: HTTP ${r.status}`);
  return r.json();
}
