// If the Go program exits anyway, the shim re-instantiates the cached
// compiled module and the call works; the card in use survives.
import test from 'node:test';
import assert from 'node:assert/strict';
import { shim, GOOD_SPEC, quoteProblem } from './helpers.mjs';

const { createEstimator, load } = await shim();

test('test hooks are off by default', async () => {
  const est = await load();
  assert.throws(() => est._exitRuntimeForTest(), /test hooks are off/);
});

test('the runtime exits; the next call re-instantiates and answers', async () => {
  const est = await createEstimator({ testHooks: true });
  const want = est.callJSON('quote', JSON.stringify(GOOD_SPEC));
  for (let i = 1; i <= 3; i++) {
    est._exitRuntimeForTest();
    assert.equal(est.callJSON('quote', JSON.stringify(GOOD_SPEC)), want);
    assert.equal(est.loadInfo.restarts, i);
  }
  // every entry point recovers, not only call
  est._exitRuntimeForTest();
  assert.equal(typeof est.rateCard().version, 'string');
  est._exitRuntimeForTest();
  assert.ok(est.ops().includes('quote'));
  est._exitRuntimeForTest();
  est.noop();
  assert.equal(est.loadInfo.restarts, 6);
});

test('a card switched to before the exit is still in use after it', async () => {
  const est = await createEstimator({ testHooks: true });
  const before = est.rateCard();
  const card = structuredClone(before.card);
  card.version = `${before.version}-restart`;
  const head = est.useRateCard(card);
  est._exitRuntimeForTest();
  const q = est.estimate(GOOD_SPEC);
  assert.equal(quoteProblem(q), null);
  assert.equal(q.rateCard.digest, head.digest);
  assert.equal(est.rateCard().version, card.version);
});

test('restart time from the cached module (ms)', async () => {
  const est = await createEstimator({ testHooks: true });
  const times = [];
  for (let i = 0; i < 5; i++) {
    est._exitRuntimeForTest();
    const t0 = performance.now();
    est.noop();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  console.log(`restart median ${times[2].toFixed(1)} ms`);
  assert.equal(est.loadInfo.restarts, 5);
});

test('where synchronous instantiation is refused, the restart happens asynchronously', async (t) => {
  const est = await createEstimator({ testHooks: true });
  const want = est.callJSON('quote', JSON.stringify(GOOD_SPEC));
  const Original = WebAssembly.Instance;
  WebAssembly.Instance = function () { throw new RangeError('WebAssembly.Instance is disallowed on the main thread'); };
  t.after(() => { WebAssembly.Instance = Original; });
  est._exitRuntimeForTest();
  assert.throws(() => est.estimate(GOOD_SPEC), (e) => e.code === 'internal' && /restarting/.test(e.message));
  assert.throws(() => est.estimate(GOOD_SPEC), (e) => e.code === 'internal' && /restarting/.test(e.message));
  WebAssembly.Instance = Original;
  for (let i = 0; i < 100 && est.loadInfo.restarts === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(est.loadInfo.restarts, 1);
  assert.equal(est.callJSON('quote', JSON.stringify(GOOD_SPEC)), want);
});
