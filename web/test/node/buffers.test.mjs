// The byte-buffer boundary (wasm/buffers.go + callBuffers in estimator.js), the module's one
// interface: requests are UTF-8 encoded into Go's request buffer and answers decoded from Go's
// response buffer, exactly as native Go answers, through buffer growth, linear-memory growth
// and runtime restarts.
import test from 'node:test';
import assert from 'node:assert/strict';
import { shim, GOOD_SPEC, goldenFiles, rawCall } from './helpers.mjs';

const { createEstimator, EstimatorError } = await shim();

const call = (est, op, json) => rawCall(est, op, json, EstimatorError);

/** A quote spec whose JSON has exactly `bytes` UTF-8 bytes (ASCII padding in the prompt). */
function specOfBytes(bytes, tail = '') {
  const base = JSON.stringify({ ...GOOD_SPEC, prompt: tail });
  const pad = bytes - Buffer.byteLength(base);
  assert.ok(pad >= 0);
  const json = JSON.stringify({ ...GOOD_SPEC, prompt: 'a'.repeat(pad) + tail });
  assert.equal(Buffer.byteLength(json), bytes);
  return json;
}

const TOO_LARGE = (max) => JSON.stringify({ code: 'request_too_large', field: '', message: `the request is larger than ${max} bytes` });

test('the buffer boundary is the one interface and answers every golden vector', async () => {
  const est = await createEstimator({ testHooks: true });
  const b = est._buffersForTest();
  assert.ok(b, 'the buffer boundary is off');
  assert.equal(b.maxRequestBytes, 64 << 10);
  for (const { vectors } of goldenFiles()) {
    for (const v of vectors) {
      const got = call(est, v.op, v.request);
      assert.equal(got.json, v.response, `${v.name}: not the golden answer`);
      assert.equal(got.isError, v.isError, v.name);
    }
  }
});

test('requests exactly at and just over the request buffer, and at/over MaxRequestBytes', async () => {
  const est = await createEstimator({ testHooks: true });
  const cap0 = est._buffersForTest().requestCapacity;
  assert.ok(cap0 > 100);
  const want = call(est, 'quote', specOfBytes(cap0 - 1));
  for (const bytes of [cap0 - 1, cap0]) {
    assert.deepEqual(call(est, 'quote', specOfBytes(bytes)).isError, want.isError, `${bytes} bytes`);
    assert.equal(est._buffersForTest().requestCapacity, cap0, 'a request that fits must not grow the buffer');
  }
  // one byte over, with a multi-byte character at the very end
  for (const json of [specOfBytes(cap0 + 1), specOfBytes(cap0 + 1, 'é'), specOfBytes(cap0 + 2, '数')]) {
    const r = call(est, 'quote', json);
    assert.ok(r.isError && JSON.parse(r.json).code === 'prompt_too_long', `${Buffer.byteLength(json)} bytes: ${r.json}`);
  }
  assert.ok(est._buffersForTest().requestCapacity > cap0, 'the request buffer did not grow');
  const max = est._buffersForTest().maxRequestBytes;
  const atMax = call(est, 'quote', specOfBytes(max));
  assert.equal(JSON.parse(atMax.json).code, 'prompt_too_long', 'exactly MaxRequestBytes is read and judged');
  assert.equal(est._buffersForTest().requestCapacity, max);
  for (const json of [specOfBytes(max + 1), specOfBytes(max + 2, 'é'), specOfBytes(max + 3, '😀'), 'x'.repeat(max + 1)]) {
    const r = call(est, 'quote', json);
    assert.ok(r.isError);
    assert.equal(r.json, TOO_LARGE(max), `${Buffer.byteLength(json)} bytes`);
  }
});

test('multi-byte UTF-8 and lone surrogates', async () => {
  const est = await createEstimator({ testHooks: true });
  const raw = (p) => `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"${p}"}`;
  const prompts = ['数千名士兵在古老的战场上激战，爆炸照亮了烟雾', '🎬🔥💥 epic battle 🏰', '👨‍👩‍👧‍👦 family at the beach',
    'é'.repeat(3000), '数'.repeat(1400), '😀'.repeat(1000), '\u2028\u2029', '\ufeffbom'];
  for (const p of prompts) {
    // the same answer whether the JSON escapes nothing (raw) or is JSON.stringify's
    assert.deepEqual(call(est, 'quote', raw(p)), call(est, 'quote', JSON.stringify({ ...GOOD_SPEC, prompt: p })), p.slice(0, 20));
  }
  // a raw lone surrogate becomes U+FFFD (3 bytes, as TextEncoder writes it); JSON.stringify
  // instead escapes it as \ud800, which Go's decoder refuses as invalid_utf8
  for (const [lone, fffd] of [['x\ud800y', 'x\ufffdy'], ['end\ud83d', 'end\ufffd'], ['\ude00start', '\ufffdstart'], ['\ud83d\ude00\ud83d', '😀\ufffd']]) {
    const r = call(est, 'quote', raw(lone));
    assert.equal(r.isError, false, r.json);
    assert.equal(r.json, est.callJSON('quote', raw(fffd)));
    // also when the string does not fit the initial buffer (exact UTF-8 length with surrogates)
    const long = raw(lone + 'a'.repeat(3900));
    assert.deepEqual(call(est, 'quote', long), call(est, 'quote', raw(fffd + 'a'.repeat(3900))));
  }
  const esc = call(est, 'quote', JSON.stringify({ ...GOOD_SPEC, prompt: 'x\ud800y' }));
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
  const q = goldenFiles().flatMap((f) => f.vectors).find((v) => v.op === 'quote' && !v.isError);
  assert.equal(est.callJSON('quote', q.request), q.response);
  assert.equal(est.callJSON('plans', big.request), big.response);
});

test('linear memory grows between calls: the views are re-created', async () => {
  const est = await createEstimator({ testHooks: true });
  const spec = JSON.stringify({ ...GOOD_SPEC, prompt: 'thousands of troops 数千名士兵 🎬' });
  const want = est.callJSON('quote', spec);
  for (let i = 0; i < 3; i++) {
    const before = est._buffersForTest();
    const buffer = before.memory.buffer;
    est._growMemoryForTest(16 << 20);
    assert.ok(est.memoryBytes() > buffer.byteLength || buffer.byteLength === 0, 'memory did not grow');
    assert.equal(buffer.byteLength, 0, 'the old ArrayBuffer should be detached');
    assert.equal(est.callJSON('quote', spec), want);
    // a request that makes Go grow the request buffer in the same call
    const large = specOfBytes(20_000 * (i + 1), '数');
    assert.equal(JSON.parse(call(est, 'quote', large).json).code, 'prompt_too_long');
    assert.ok(est._buffersForTest().viewRefreshes > before.viewRefreshes, 'the views were not re-created');
  }
});

test('after a runtime restart the buffers are fetched again', async () => {
  const est = await createEstimator({ testHooks: true });
  const spec = JSON.stringify({ ...GOOD_SPEC, prompt: 'a tower collapsing 🏰' });
  const want = est.callJSON('quote', spec);
  const large = specOfBytes(60_000, 'é');
  const wantLarge = call(est, 'quote', large);
  for (let i = 1; i <= 3; i++) {
    const old = est._buffersForTest();
    est._exitRuntimeForTest();
    assert.equal(est.callJSON('quote', spec), want);
    assert.equal(est.loadInfo.restarts, i);
    const now = est._buffersForTest();
    assert.notEqual(now.memory, old.memory, 'still using the old instance\'s memory');
    assert.equal(now.requestCapacity < 60_000, true, 'a new runtime starts with a small request buffer');
    assert.deepEqual(call(est, 'quote', large), wantLarge);
  }
});
