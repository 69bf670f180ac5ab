// The service worker's install, run in Node against a fake origin: it precaches every file that
// assets.json names, the core files and the card; a server shedding load (503) or a dropped
// connection is tried again, twice; a file that stays missing fails the install (the old worker
// stays). The browser suite (offline.test.mjs) covers the worker in Chromium.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const SOURCE = readFileSync(new URL('../../sw.js', import.meta.url), 'utf8');
const ORIGIN = 'https://example.test';
const ASSETS = { build: 'b1', module: { wasm: 'estimator.0123456789abcdef.wasm', wasmExec: 'wasm_exec.0123456789abcdef.js' } };

/**
 * Loads sw.js in a fresh context and runs its install handler.
 * @param {(url: string, attempt: number) => number | 'drop'} statusOf the answer to the attempt-th
 *   request (0-based) for url: an HTTP status, or 'drop' for a network failure
 */
async function install(statusOf) {
  const handlers = new Map();
  const stored = new Map();
  const attempts = new Map();
  const cache = {
    put: async (url, res) => { stored.set(String(url), await res.text()); },
    match: async (url) => (stored.has(String(url)) ? new Response(stored.get(String(url))) : undefined),
  };
  const self = {
    location: new URL(`${ORIGIN}/sw.js?v=b1`),
    addEventListener: (type, fn) => handlers.set(type, fn),
    skipWaiting: async () => {},
    clients: { claim: async () => {} },
  };
  const fetch = async (url) => {
    const href = String(url);
    const n = attempts.get(href) ?? 0;
    attempts.set(href, n + 1);
    const status = statusOf(href, n);
    if (status === 'drop') throw new TypeError('Failed to fetch');
    const body = href.endsWith('/assets.json') ? JSON.stringify(ASSETS) : `body of ${href}`;
    return new Response(status === 200 ? body : 'x', { status });
  };
  const caches = { open: async () => cache, keys: async () => ['credit-estimator-b1'], delete: async () => true };
  const context = vm.createContext({ self, fetch, caches, URL, Response, Headers, setTimeout, console });
  vm.runInContext(SOURCE, context);
  let done;
  handlers.get('install')({ waitUntil: (p) => { done = p; } });
  const ok = await done.then(() => true, (e) => e);
  return { ok, stored, attempts };
}

const url = (p) => `${ORIGIN}/${p}`;

test('install precaches the core files, every file assets.json names, assets.json and the card', async () => {
  const { ok, stored } = await install(() => 200);
  assert.equal(ok, true);
  for (const p of ['', 'index.html', 'editor.html', 'site.css', 'credit-estimator.js', 'estimator.js', 'pages/pricing.js',
    'pages/notfound.js', 'assets.json', 'api/v1/ratecard', ASSETS.module.wasm, ASSETS.module.wasmExec]) {
    assert.ok(stored.has(url(p)), `${p || '/'} is precached`);
  }
});

test('a shed request (503, 429) or a dropped connection is tried again: the install still completes', async () => {
  const busy = new Map([[url('api/v1/ratecard'), [503, 503]], [url(ASSETS.module.wasm), ['drop']], [url('assets.json'), [429]]]);
  const { ok, stored, attempts } = await install((u, n) => busy.get(u)?.[n] ?? 200);
  assert.equal(ok, true);
  assert.equal(attempts.get(url('api/v1/ratecard')), 3);
  assert.equal(attempts.get(url(ASSETS.module.wasm)), 2);
  assert.equal(attempts.get(url('assets.json')), 2);
  assert.equal(stored.get(url('api/v1/ratecard')), `body of ${url('api/v1/ratecard')}`, 'the answer that got through is cached, not the 503');
  assert.equal(attempts.get(url('index.html')), 1, 'files that answered are fetched once');
});

test('three refusals in a row, a missing file or an error answer fail the install', async () => {
  for (const [what, statusOf] of [
    ['the card shed three times', (u) => (u === url('api/v1/ratecard') ? 503 : 200)],
    ['the module dropped three times', (u) => (u === url(ASSETS.module.wasm) ? 'drop' : 200)],
    ['the module missing', (u) => (u === url(ASSETS.module.wasm) ? 404 : 200)],
    ['a page failing', (u) => (u === url('index.html') ? 500 : 200)],
  ]) {
    const { ok, attempts } = await install(statusOf);
    assert.notEqual(ok, true, what);
    if (what === 'a page failing') assert.equal(attempts.get(url('index.html')), 1, 'a 500 is not retried');
  }
});

test('an optional core file that is not there (404) does not fail the install', async () => {
  const { ok } = await install((u) => (u === url('pages/editor.js') ? 404 : 200));
  assert.equal(ok, true);
});
