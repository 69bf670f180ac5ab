// Limits of the module (docs/wasm.md, "Limits"): a request over MaxRequestBytes is refused
// before any of it is copied into linear memory, and linear memory (which never shrinks) stays
// under a documented ceiling whatever accepted requests it gets: every operation's worst cases,
// repeated, answered byte for byte like native Go.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { shim, ROOT, GOOD_SPEC, rawCall } from './helpers.mjs';

/** The documented ceiling of linear memory (docs/wasm.md). */
const CEILING = 16 << 20;

const { createEstimator, EstimatorError } = await shim();

test('a request over the limit is refused before anything is copied into linear memory', async () => {
  const est = await createEstimator();
  est.estimate(GOOD_SPEC);
  const max = est._buffersForTest().maxRequestBytes;
  const mem0 = est.memoryBytes();
  const cap0 = est._buffersForTest().requestCapacity;
  const want = JSON.stringify({ code: 'request_too_large', field: '', message: `the request is larger than ${max} bytes` });
  const huge = [
    'x'.repeat(10 << 20), // 10 M UTF-16 units
    JSON.stringify({ ...GOOD_SPEC, prompt: '数'.repeat(30_000) }), // fewer units than max, 90 KB of UTF-8
    JSON.stringify({ ...GOOD_SPEC, prompt: 'a'.repeat(max) }),
  ];
  for (let i = 0; i < 20; i++) {
    for (const json of huge) {
      for (const op of ['quote', 'plans', 'verify', 'no-such-op']) {
        const r = rawCall(est, op, json, EstimatorError);
        assert.equal(r.json, op === 'no-such-op' ? r.json : want, `${op}, ${json.length} units`);
        assert.ok(r.isError);
      }
    }
    // A rate card may be longer (estimator.MaxCardBytes, 1 MiB), but not 10 M units either.
    assert.throws(() => est.useRateCard(huge[0]), (e) => e.code === 'request_too_large');
  }
  assert.equal(est._buffersForTest().requestCapacity, cap0, 'the request buffer grew for refused requests');
  assert.equal(est.memoryBytes(), mem0, 'linear memory grew for refused requests');
  // A document over MaxRequestBytes reaches the card parser, which refuses what is not a card.
  assert.throws(() => est.useRateCard(huge[1]), (e) => e.code !== 'request_too_large');
});

test(`linear memory stays under ${CEILING >> 20} MiB for every operation's worst cases`, { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'worst-'));
  let cases;
  try {
    const out = path.join(dir, 'worst.jsonl');
    execFileSync('go', ['run', './cmd/webbuild/parity', '-only-worst', '-out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    cases = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(cases.length >= 15, `${cases.length} worst cases`);
  const est = await createEstimator();
  const start = est.memoryBytes();
  let peak = start;
  for (let round = 0; round < 30; round++) {
    for (const c of cases) {
      const got = rawCall(est, c.op, c.request, EstimatorError);
      if (round === 0) {
        assert.equal(got.json, c.response, `${c.op}: not the native answer`);
        assert.equal(got.isError, c.error);
      }
      peak = Math.max(peak, est.memoryBytes());
    }
    // and everyday requests in between
    for (let i = 0; i < 20; i++) est.estimate({ ...GOOD_SPEC, prompt: `a calm lake ${i}` });
  }
  console.log(`linear memory: ${(start / 2 ** 20).toFixed(1)} MiB at start, ${(peak / 2 ** 20).toFixed(1)} MiB after ${30 * cases.length} worst cases (ceiling ${CEILING >> 20} MiB)`);
  assert.ok(peak <= CEILING, `linear memory reached ${peak} bytes`);
});

test('verify() is the engine\'s strict verify', async () => {
  const est = await createEstimator();
  const spec = { ...GOOD_SPEC, prompt: 'a calm lake at dawn', count: 2 };
  const q = est.estimate(spec);
  assert.deepEqual(est.verify(spec, q), { valid: true });
  const stale = { ...q, credits: '0.01' };
  const v = est.verify(spec, stale);
  assert.equal(v.valid, false);
  assert.deepEqual(v.reasons, [{ code: 'amount_differs', field: 'credits', expected: q.credits, got: '0.01' }]);
  assert.deepEqual(v.quote, q);
  const dup = `{"spec":${JSON.stringify(spec)},"quote":{"credits":"999.00","credits":"1.00"}}`;
  assert.throws(() => est.callJSON('verify', dup), (e) => e.code === 'duplicate_field' && e.field === 'quote.credits');
  const deep = `{"spec":${JSON.stringify(spec)},"quote":{"a":${'['.repeat(40)}${']'.repeat(40)}}}`;
  assert.throws(() => est.callJSON('verify', deep), (e) => e.code === 'invalid_json');
  assert.throws(() => est.verify({ ...spec, fps: 31 }, q), (e) => e.code === 'unsupported_fps' && e.field === 'spec.fps');
});
