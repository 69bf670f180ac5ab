// Loading: streaming with application/wasm, arrayBuffer fallback on a wrong
// content type, assets.json over HTTP, and retry after a failed load.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { shim, assets, DIST, GOOD_SPEC, quoteProblem } from './helpers.mjs';

const { load, createEstimator, EstimatorError } = await shim();
const a = assets();
const wasmBytes = readFileSync(path.join(DIST, a.wasm));
const wasmExecURL = pathToFileURL(path.join(DIST, a.wasmExec)).href;

/** A tiny server on 127.0.0.1; `plan` decides each response. */
async function serve(plan) {
  const hits = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url);
    const r = plan(req.url, hits.length);
    res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'application/octet-stream' });
    res.end(r.body ?? '');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { base: `http://127.0.0.1:${port}/`, hits, close: () => new Promise((r) => server.close(r)) };
}

test('application/wasm streams with instantiateStreaming', async (t) => {
  const s = await serve(() => ({ type: 'application/wasm', body: wasmBytes }));
  t.after(s.close);
  const est = await createEstimator({ wasmURL: `${s.base}m.wasm`, wasmExecURL });
  assert.equal(est.loadInfo.method, 'instantiateStreaming');
  assert.equal(quoteProblem(est.estimate(GOOD_SPEC)), null);
  assert.deepEqual(s.hits, ['/m.wasm']);
});

for (const type of ['application/octet-stream', 'text/plain', 'application/wasm; charset=binary-ish']) {
  test(`a wrong content type (${type}) falls back to arrayBuffer + instantiate`, async (t) => {
    const s = await serve(() => ({ type, body: wasmBytes }));
    t.after(s.close);
    const est = await createEstimator({ wasmURL: `${s.base}m.wasm`, wasmExecURL });
    assert.equal(quoteProblem(est.estimate(GOOD_SPEC)), null);
    if (!type.startsWith('application/wasm')) assert.equal(est.loadInfo.method, 'instantiate');
  });
}

test('asset URLs come from assets.json, relative to it', async (t) => {
  const s = await serve((url) => {
    if (url === '/static/assets.json') return { type: 'application/json', body: JSON.stringify({ wasm: 'w/m.wasm', wasmExec: 'ignored.js' }) };
    if (url === '/static/w/m.wasm') return { type: 'application/wasm', body: wasmBytes };
    return { status: 404 };
  });
  t.after(s.close);
  // globalThis.Go exists by now (an earlier test loaded wasm_exec.js), so wasmExec is not fetched
  const est = await createEstimator({ assetsURL: `${s.base}static/assets.json` });
  assert.equal(quoteProblem(est.estimate(GOOD_SPEC)), null);
  assert.deepEqual(s.hits, ['/static/assets.json', '/static/w/m.wasm']);
});

test('a failed load rejects with EstimatorError and a later load() retries', async (t) => {
  let fail = 2;
  const s = await serve(() => (fail-- > 0 ? { status: 503, body: 'busy' } : { type: 'application/wasm', body: wasmBytes }));
  t.after(s.close);
  const opts = { wasmURL: `${s.base}m.wasm`, wasmExecURL };
  await assert.rejects(load(opts), (e) => e instanceof EstimatorError && e.code === 'load_failed' && /503/.test(e.message));
  await assert.rejects(load(opts), (e) => e instanceof EstimatorError && e.code === 'load_failed');
  const est = await load(opts);
  assert.equal(quoteProblem(est.estimate(GOOD_SPEC)), null);
  assert.equal(await load(), est, 'after success, load() keeps returning the same instance');
  assert.equal(s.hits.length, 3);
});

test('a corrupt module is a load_failed error, not a crash', async (t) => {
  const s = await serve(() => ({ type: 'application/wasm', body: Buffer.from('\0asm\x01\0\0\0garbage') }));
  t.after(s.close);
  await assert.rejects(createEstimator({ wasmURL: `${s.base}bad.wasm`, wasmExecURL }), (e) => e instanceof EstimatorError && e.code === 'load_failed');
  await assert.rejects(createEstimator({ assetsURL: `${s.base}missing/assets.json` }), (e) => e instanceof EstimatorError && e.code === 'load_failed');
});
