// The byte-buffer boundary (wasm/buffers.go + callBuffers in estimator.js): requests are
// UTF-8 encoded into Go's request buffer and answers decoded from Go's response buffer.
// It must give exactly what the JSON-string path gives for the same JS string, through
// buffer growth, linear-memory growth and runtime restarts.
import test from 'node:test';
import assert from 'node:assert/strict';
import { shim, GOOD_SPEC, goldenFiles, rawCall } from './helpers.mjs';

const { createEstimator, EstimatorError } = await shim();

/** Both paths' answers for one JS string, as {isError, json}. */
function both(est, op, json) {
  const fast = rawCall(est, op, json, EstimatorError);
  let slow;
  try {
    slow = { isError: false, json: est._callStringPathForTest(op, json) };
  } catch (e) {
    if (!(e instanceof EstimatorError)) throw e;
    slow = { isError: true, json: e.json };
  }
  return { fast, slow };
}

function assertSame(est, op, json, what) {
  const { fast, slow } = both(est, op, json);
  assert.deepEqual(fast, slow, `${what}: buffer path and string path differ`);
  return fast;
}

/** A quote spec whose JSON has exactly `bytes` UTF-8 bytes (ASCII padding in the prompt). */
function specOfBytes(bytes, tail = '') {
  const base = JSON.stringify({ ...GOOD_SPEC, prompt: tail });
  const pad = bytes - Buffer.byteLength(base);
  assert.ok(pad >= 0);
  const json = JSON.stringify({ ...GOOD_SPEC, prompt: 'a'.repeat(pad) + tail });
  assert.equal(Buffer.byteLength(json), bytes);
  return json;
}

test('the buffer boundary is in use and answers like the string path', async () => {
  const est = await createEstimator({ testHooks: true });
  const b = est._buffersForTest();
  assert.ok(b, 'the buffer boundary is off');
  assert.equal(b.maxRequestBytes, 2 << 20);
  for (const { vectors } of goldenFiles()) {
    for (const v of vectors) {
      const got = assertSame(est, v.op, v.request, v.name);
      assert.equal(got.json, v.response, `${v.name}: not the golden answer`);
    }
  }
});

test('requests exactly at and just over the request buffer, and at/over MaxRequestBytes', async () => {
  const est = await createEstimator({ testHooks: true });
  const cap0 = est._buffersForTest().requestCapacity;
  assert.ok(cap0 > 100);
  for (const bytes of [cap0 - 1, cap0]) {
    assertSame(est, 'quote', specOfBytes(bytes), `${bytes} bytes`);
    assert.equal(est._buffersForTest().requestCapacity, cap0, 'a request that fits must not grow the buffer');
  }
  // one byte over, with a multi-byte character at the very end
  for (const json of [specOfBytes(cap0 + 1), specOfBytes(cap0 + 1, 'é'), specOfBytes(cap0 + 2, '数')]) {
    assertSame(est, 'quote', json, `${Buffer.byteLength(json)} bytes`);
  }
  assert.ok(est._buffersForTest().requestCapacity > cap0, 'the request buffer did not grow');
  const max = est._buffersForTest().maxRequestBytes;
  const atMax = assertSame(est, 'quote', specOfBytes(max), 'MaxRequestBytes');
  assert.notEqual(JSON.parse(atMax.json).code, 'request_too_large');
  assert.equal(est._buffersForTest().requestCapacity, max);
  for (const json of [specOfBytes(max + 1), specOfBytes(max + 2, 'é'), specOfBytes(max + 3, '😀'), 'x'.repeat(max + 1)]) {
    const r = assertSame(est, 'quote', json, `${Buffer.byteLength(json)} bytes`);
    assert.ok(r.isError);
    assert.equal(JSON.parse(r.json).code, 'request_too_large');
  }
});

test('multi-byte UTF-8 and lone surrogates give what the string path gives', async () => {
  const est = await createEstimator({ testHooks: true });
  const prompts = [
    '数千名士兵在古老的战场上激战，爆炸照亮了烟雾', '🎬🔥💥 epic battle 🏰', '👨‍👩‍👧‍👦 family at the beach',
    '\ud800', '\udc00', 'a\ud83dz', 'end\ud83d', '\ude00start', '\ud83d\ude00\ud83d', 'é'.repeat(3000),
    '数'.repeat(1400), '😀'.repeat(1000), '\u0000', '\u2028\u2029', '\ufeffbom', 'a\tb\nc',
  ];
  const ops = est.ops();
  for (const p of prompts) {
    assertSame(est, 'quote', JSON.stringify({ ...GOOD_SPEC, prompt: p }), `prompt ${JSON.stringify(p.slice(0, 20))}`);
    // raw, not via JSON.stringify: lone surrogates reach the encoder as they are
    assertSame(est, 'quote', `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"${p}"}`, `raw prompt ${JSON.stringify(p.slice(0, 20))}`);
    for (const op of ops) assertSame(est, op, `{"${p}":1}`, `${op} key ${JSON.stringify(p.slice(0, 20))}`);
  }
  // a raw lone surrogate becomes U+FFFD (3 bytes) in both paths (JSON.stringify instead
  // escapes it as \ud800, which Go's decoder refuses as invalid_utf8)
  const raw = (p) => `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"${p}"}`;
  const r = assertSame(est, 'quote', raw('x\ud800y'), 'lone surrogate');
  assert.equal(r.isError, false, r.json);
  assert.equal(r.json, est.callJSON('quote', raw('x\ufffdy')));
  const esc = assertSame(est, 'quote', JSON.stringify({ ...GOOD_SPEC, prompt: 'x\ud800y' }), 'escaped lone surrogate');
  assert.equal(JSON.parse(esc.json).code, 'invalid_utf8');
});

test('a response larger than the initial response buffer (plans)', async () => {
  const est = await createEstimator({ testHooks: true });
  const cap0 = est._buffersForTest().responseCapacity;
  const plans = goldenFiles().flatMap((f) => f.vectors).filter((v) => v.op === 'plans' && !v.isError);
  const big = plans.find((v) => Buffer.byteLength(v.response) > cap0);
  assert.ok(big, `no plans vector answers more than ${cap0} bytes`);
  assert.equal(est.callJSON('plans', big.request), big.response);
  const cap1 = est._buffersForTest().responseCapacity;
  assert.ok(cap1 >= Buffer.byteLength(big.response), `response capacity ${cap1}`);
  // smaller answers after the growth still come out right
  assert.equal(est.callJSON('quote', JSON.stringify(GOOD_SPEC)), est._callStringPathForTest('quote', JSON.stringify(GOOD_SPEC)));
  assert.equal(est.callJSON('plans', big.request), big.response);
});

test('linear memory grows between calls: the views are re-created', async () => {
  const est = await createEstimator({ testHooks: true });
  const spec = JSON.stringify({ ...GOOD_SPEC, prompt: 'thousands of troops 数千名士兵 🎬' });
  const want = est._callStringPathForTest('quote', spec);
  assert.equal(est.callJSON('quote', spec), want);
  for (let i = 0; i < 3; i++) {
    const before = est._buffersForTest();
    const buffer = before.memory.buffer;
    est._growMemoryForTest(16 << 20);
    assert.ok(est.memoryBytes() > buffer.byteLength || buffer.byteLength === 0, 'memory did not grow');
    assert.equal(buffer.byteLength, 0, 'the old ArrayBuffer should be detached');
    assert.equal(est.callJSON('quote', spec), want);
    // a request that makes Go grow the request buffer (and maybe memory) in the same call
    const large = specOfBytes(300_000 * (i + 1), '数');
    assertSame(est, 'quote', large, 'large request after growth');
    assert.ok(est._buffersForTest().viewRefreshes > before.viewRefreshes, 'the views were not re-created');
  }
});

test('after a runtime restart the buffers are fetched again', async () => {
  const est = await createEstimator({ testHooks: true });
  const spec = JSON.stringify({ ...GOOD_SPEC, prompt: 'a tower collapsing 🏰' });
  const want = est.callJSON('quote', spec);
  const large = specOfBytes(100_000, 'é');
  const wantLarge = rawCall(est, 'quote', large, EstimatorError);
  for (let i = 1; i <= 3; i++) {
    const old = est._buffersForTest();
    est._exitRuntimeForTest();
    assert.equal(est.callJSON('quote', spec), want);
    assert.equal(est.loadInfo.restarts, i);
    const now = est._buffersForTest();
    assert.notEqual(now.memory, old.memory, 'still using the old instance\'s memory');
    assert.equal(now.requestCapacity < 100_000, true, 'a new runtime starts with a small request buffer');
    assert.deepEqual(rawCall(est, 'quote', large, EstimatorError), wantLarge);
  }
});
