// The shim's API: load, methods, rate cards, errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import { shim, assets, GOOD_SPEC, quoteProblem } from './helpers.mjs';

const mod = await shim();
const { load, EstimatorError, Estimator, OPS } = mod;

test('load twice returns the same instance, concurrently too', async () => {
  const [a, b] = await Promise.all([load(), load()]);
  assert.equal(a, b);
  assert.equal(await load({ wasmURL: 'ignored.wasm' }), a);
  assert.ok(a instanceof Estimator);
});

test('estimate returns a plain object in the contract shape, synchronously', async () => {
  const est = await load();
  const q = est.estimate(GOOD_SPEC);
  assert.equal(quoteProblem(q), null, JSON.stringify(q));
  assert.equal(Object.getPrototypeOf(q), Object.prototype);
  assert.deepEqual(q, JSON.parse(est.callJSON('quote', JSON.stringify(GOOD_SPEC))));
  assert.deepEqual(est.call('quote', GOOD_SPEC), q);
});

test('the precomputed default quote in assets.json equals the module\'s answer', async () => {
  const est = await load();
  const a = assets();
  assert.equal(est.callJSON('quote', JSON.stringify(a.defaultSpec)), JSON.stringify(a.defaultQuote));
  assert.equal(a.rateCard.version, est.rateCard().version);
  assert.equal(a.rateCard.digest, est.rateCard().digest);
});

test('every method maps to its op; an op the module lacks throws unknown_op', async () => {
  const est = await load();
  const ops = est.ops();
  assert.ok(ops.includes('quote'));
  assert.deepEqual(Object.values(OPS).sort(), ['plans', 'prices', 'quote', 'roi', 'topup', 'verify', 'wallet', 'workflow']);
  for (const [method, op] of Object.entries(OPS)) {
    assert.equal(typeof est[method], 'function', method);
    if (op === 'verify') {
      let viaMethod, viaCall;
      try { viaMethod = est.verify({}, {}); } catch (e) { viaMethod = e.json; }
      try { viaCall = est.call('verify', { spec: {}, quote: {} }); } catch (e) { viaCall = e.json; }
      assert.deepEqual(viaMethod, viaCall, method);
    } else if (!ops.includes(op)) {
      assert.throws(() => est[method]({}), (e) => e instanceof EstimatorError && e.code === 'unknown_op', method);
    } else {
      // the method and call(op) answer alike, whether with a result or an error
      let viaMethod, viaCall;
      try { viaMethod = est[method]({}); } catch (e) { viaMethod = e.json; }
      try { viaCall = est.call(op, {}); } catch (e) { viaCall = e.json; }
      assert.deepEqual(viaMethod, viaCall, method);
    }
  }
  assert.throws(() => est.call('definitely-not-an-op', GOOD_SPEC), (e) => e.code === 'unknown_op');
  // the module's own operations are not estimator operations
  for (const op of ['ops', 'noop', 'rateCard', 'useRateCard', 'quoteTape']) {
    assert.throws(() => est.callJSON(op, '{}'), (e) => e.code === 'unknown_op' && e.message.includes(op), op);
  }
  // a long unknown name is cut in the message exactly as Go's Do cuts it
  assert.throws(() => est.call('ü'.repeat(100), {}), (e) => e.code === 'unknown_op' && e.message === `unknown operation "${'ü'.repeat(40)}"…`);
});

test('errors are EstimatorError with code, field, message and the raw JSON', async () => {
  const est = await load();
  /** @type {any} */
  let e = null;
  try {
    est.estimate({ ...GOOD_SPEC, fps: 29 });
  } catch (err) {
    e = err;
  }
  assert.ok(e instanceof EstimatorError, `fps 29 gave ${e}`);
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'EstimatorError');
  assert.equal(e.field, 'fps');
  assert.ok(e.code.length > 0 && e.message.length > 0);
  assert.deepEqual(JSON.parse(e.json), e.toJSON());
  assert.equal(JSON.stringify(e), JSON.stringify({ code: e.code, field: e.field, message: e.message }));
});

test('rateCard and useRateCard: a bad card is refused and the old one stays', async () => {
  const est = await load();
  const before = est.rateCard();
  assert.match(before.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(typeof before.version, 'string');
  assert.equal(typeof before.card, 'object');
  const quote = est.callJSON('quote', JSON.stringify(GOOD_SPEC));
  for (const bad of ['', '{', '[]', 'null', '{"version":1}', { version: NaN }]) {
    assert.throws(() => est.useRateCard(bad), EstimatorError, JSON.stringify(bad));
    assert.deepEqual(est.rateCard(), before);
    assert.equal(est.callJSON('quote', JSON.stringify(GOOD_SPEC)), quote);
  }
  // switching to a changed card changes version, digest and quotes
  const card = structuredClone(before.card);
  card.version = `${before.version}-test`;
  const head = est.useRateCard(card);
  assert.equal(head.version, card.version);
  assert.notEqual(head.digest, before.digest);
  assert.deepEqual(est.rateCard().version, card.version);
  assert.equal(est.estimate(GOOD_SPEC).rateCard.version, card.version);
  // and back to the original JSON text
  const back = est.useRateCard(JSON.stringify(before.card));
  assert.equal(back.version, before.version);
  assert.equal(est.callJSON('quote', JSON.stringify(GOOD_SPEC)).includes(before.version), true);
});
