// Hostile input: 10,000 seeded calls with values JSON and Go do not expect.
// Every call must either return a valid quote or throw an EstimatorError, the
// Go runtime must never die, and a normal call afterwards must still work.
import test from 'node:test';
import assert from 'node:assert/strict';
import { shim, prng, GOOD_SPEC, quoteProblem } from './helpers.mjs';

const { load, EstimatorError, OPS } = await shim();
const est = await load();
const CALLS = 10_000;
const BIG = 'x'.repeat(10 * 1024 * 1024);

/** Hostile values; functions make fresh ones (cyclic objects, getters). */
const HOSTILE = [
  () => NaN, () => Infinity, () => -Infinity, () => null, () => undefined, () => Symbol('s'),
  () => 10n, () => -1n, () => '30', () => '', () => 'NaN', () => '1e999', () => [], () => [30],
  () => ({}), () => true, () => 0, () => -0, () => -5, () => 1.5, () => 1e308, () => Number.MAX_SAFE_INTEGER + 2,
  () => 0.0001, () => '\u0000', () => '\ud800', () => 'é'.repeat(5000), () => function f() {},
  () => { const o = {}; o.self = o; return o; },
  () => { const a = []; a.push(a); return a; },
  () => ({ get x() { throw new Error('getter'); } }),
  () => ({ toJSON() { throw new Error('toJSON'); } }),
  () => ({ toJSON() { return 30; } }),
  () => JSON.parse('{"__proto__":{"polluted":1}}'),
  () => new Date(0), () => new Map([[1, 2]]), () => /re/g, () => new Uint8Array(3), () => new Proxy({}, { ownKeys() { throw new Error('trap'); } }),
  () => Object.create(null), () => new String('1080p'), () => new Number(30),
];
const KEYS = ['resolution', 'fps', 'durationSeconds', 'prompt', 'complexity', 'mode', 'count', '__proto__', 'constructor', 'extra', ''];

function hostileSpec(rnd) {
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const r = rnd();
  if (r < 0.08) return pick(HOSTILE)(); // the whole spec is hostile
  const spec = { ...GOOD_SPEC };
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    const key = pick(KEYS);
    const v = pick(HOSTILE)();
    if (key === '__proto__') {
      Object.defineProperty(spec, '__proto__', { value: v, enumerable: true, configurable: true, writable: true });
    } else if (rnd() < 0.1) {
      Object.defineProperty(spec, key, { get() { throw new Error(`getter ${key}`); }, enumerable: true, configurable: true });
    } else {
      Object.defineProperty(spec, key, { value: v, enumerable: true, configurable: true, writable: true });
    }
  }
  return spec;
}

test(`${CALLS} hostile calls each throw EstimatorError or return a valid quote`, { timeout: 600_000 }, () => {
  const rnd = prng(0xC0FFEE);
  const seen = { quotes: 0, errors: new Map() };
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) {
    let spec = hostileSpec(rnd);
    if (i % 500 === 0) spec = { ...GOOD_SPEC, prompt: BIG }; // 10 MB strings
    if (i % 500 === 250) spec = { ...GOOD_SPEC, resolution: BIG };
    let q;
    try {
      q = est.estimate(spec);
    } catch (e) {
      if (!(e instanceof EstimatorError)) {
        assert.fail(`call ${i}: threw ${e?.constructor?.name}: ${e?.message}`);
      }
      assert.equal(typeof e.code, 'string');
      assert.ok(e.code.length > 0, `call ${i}: empty error code`);
      assert.equal(typeof e.field, 'string');
      assert.equal(typeof e.message, 'string');
      assert.deepEqual(JSON.parse(e.json), { code: e.code, field: e.field, message: e.message });
      seen.errors.set(e.code, (seen.errors.get(e.code) ?? 0) + 1);
      continue;
    }
    const problem = quoteProblem(q);
    assert.equal(problem, null, `call ${i}: returned an invalid quote (${problem}): ${JSON.stringify(q)?.slice(0, 300)}`);
    seen.quotes++;
  }
  console.log(`hostile: ${CALLS} calls in ${Math.round(performance.now() - t0)} ms; ${seen.quotes} quotes; errors`, Object.fromEntries(seen.errors));
  assert.ok(seen.errors.size >= 3, 'hostile inputs produced almost no distinct errors: the generator is broken');
  // the runtime never died and normal calls still work
  assert.equal(est.loadInfo.restarts, 0, 'the Go runtime had to be restarted');
  assert.equal(quoteProblem(est.estimate(GOOD_SPEC)), null);
  assert.equal(Object.prototype.polluted, undefined, 'Object.prototype was polluted');
});

test('JS values JSON cannot carry are refused with a field path, not silently changed', () => {
  const cases = [
    [{ ...GOOD_SPEC, fps: NaN }, 'invalid_value', 'fps'],
    [{ ...GOOD_SPEC, durationSeconds: Infinity }, 'invalid_value', 'durationSeconds'],
    [{ ...GOOD_SPEC, count: -Infinity }, 'invalid_value', 'count'],
    [{ ...GOOD_SPEC, count: 2n }, 'invalid_type', 'count'],
    [{ ...GOOD_SPEC, prompt: Symbol('p') }, 'invalid_type', 'prompt'],
    [{ ...GOOD_SPEC, mode: () => 1 }, 'invalid_type', 'mode'],
    [{ a: { b: [1, NaN] } }, 'invalid_value', 'a.b[1]'],
    [undefined, 'invalid_json', ''],
    [Symbol('x'), 'invalid_type', ''],
    [(() => { const o = { ...GOOD_SPEC }; o.self = o; return o; })(), 'invalid_json', ''],
    [{ ...GOOD_SPEC, get fps() { throw new Error('nope'); } }, 'invalid_json', ''],
  ];
  for (const [spec, code, field] of cases) {
    assert.throws(() => est.estimate(spec), (e) => e instanceof EstimatorError && e.code === code && e.field === field,
      `spec ${String(spec?.toString?.call?.(spec) ?? spec)} should throw ${code} at "${field}"`);
  }
  // non-object specs reach Go, which refuses them with its own error
  for (const spec of [null, 5, 'x', [], true]) {
    assert.throws(() => est.estimate(spec), EstimatorError);
  }
  // the economics methods and call() refuse the same way
  for (const m of Object.keys(OPS)) {
    assert.throws(() => est[m]({ x: NaN }), EstimatorError, m);
  }
  assert.throws(() => est.call(Symbol('op'), {}), EstimatorError);
  assert.throws(() => est.callJSON('quote', { not: 'a string' }), EstimatorError);
});
