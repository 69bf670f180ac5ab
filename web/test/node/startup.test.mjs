// The shim's start-up paths (issue 20): the module compiled early by boot.js is taken from the
// registry once (and a failed early compile falls back to the usual load), and rateCard() parses
// the card once per card in use, as one frozen object.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { shim, assets, DIST, GOOD_SPEC } from './helpers.mjs';

const { createEstimator } = await shim();
const a = assets();
const wasmPath = path.join(DIST, a.wasm);
const wasmURL = pathToFileURL(wasmPath).href;
const wasmExecURL = pathToFileURL(path.join(DIST, a.wasmExec)).href;
const KEY = Symbol.for('creditestimator.compile');

test('a module compiled early (boot.js) is taken from the registry, once', async () => {
  const registry = (globalThis[KEY] ??= {});
  registry[wasmURL] = WebAssembly.compile(readFileSync(wasmPath));
  const est = await createEstimator({ wasmURL, wasmExecURL });
  assert.equal(est.loadInfo.method, 'compileStreaming');
  assert.equal(registry[wasmURL], undefined, 'taken out of the registry');
  assert.ok(est.estimate(GOOD_SPEC).credits);
  const again = await createEstimator({ wasmURL, wasmExecURL });
  assert.equal(again.loadInfo.method, 'instantiate', 'nothing left to take: the usual load');
});

test('an early compile that failed falls back to the usual load', async () => {
  const registry = (globalThis[KEY] ??= {});
  const failed = Promise.reject(new TypeError('Incorrect response MIME type'));
  failed.catch(() => {});
  registry[wasmURL] = failed;
  const est = await createEstimator({ wasmURL, wasmExecURL });
  assert.equal(est.loadInfo.method, 'instantiate');
  assert.ok(est.estimate(GOOD_SPEC).credits);
});

test('rateCard() is parsed once per card in use and frozen', async () => {
  const est = await createEstimator({ wasmURL, wasmExecURL });
  const first = est.rateCard();
  assert.equal(est.rateCard(), first, 'the same object while the card is the same');
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.card) && Object.isFrozen(first.card.plans[0]), 'deep-frozen');
  assert.throws(() => { first.card.plans[0].priceUsd = '0.01'; }, TypeError, 'no caller can change what the next one reads');
  const card = structuredClone(first.card);
  card.version = `${card.version}-other`;
  est.useRateCard(card);
  const second = est.rateCard();
  assert.notEqual(second, first);
  assert.equal(second.version, card.version);
  assert.throws(() => est.useRateCard('{"version": "bad"}'));
  assert.equal(est.rateCard(), second, 'a refused card changes nothing');
});

test('in a browser, a one-word prompt is quoted once when idle, so the first typed one is not slower', async () => {
  const idle = [];
  globalThis.requestIdleCallback = (fn, opts) => { idle.push({ fn, opts }); return idle.length; };
  try {
    const est = await createEstimator({ wasmURL, wasmExecURL });
    assert.equal(idle.length, 1, 'one idle callback per estimator');
    const calls = [];
    const real = est.callJSON.bind(est);
    est.callJSON = (op, json) => { calls.push([op, json]); return real(op, json); };
    idle[0].fn();
    assert.equal(calls.length, 1);
    const [op, json] = calls[0];
    assert.equal(op, 'quote');
    const req = JSON.parse(json);
    assert.equal(req.prompt, 'a');
    assert.ok(JSON.parse(real(op, json)).credits, 'the warm-up request is a valid quote of the build card');
    // A card without the default format: the warm-up quote fails quietly.
    est.callJSON = () => { throw new Error('unsupported_resolution'); };
    assert.doesNotThrow(() => idle[0].fn());
  } finally {
    delete globalThis.requestIdleCallback;
  }
});
