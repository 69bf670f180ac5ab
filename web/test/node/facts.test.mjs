// The facts JS shares with Go are generated from Go (cmd/webbuild → facts.js): this suite fails
// when the JS side drifts from them — the module's ops and card, the error codes the engine
// returns, the buffer layout the shim reads, and JS sources that would repeat the card.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ROOT, shim, goldenFiles, assets } from './helpers.mjs';

const facts = await import(pathToFileURL(path.join(DIST, 'facts.js')).href);
const { load } = await shim();
const est = await load();

test('facts.js names the ops, card and default quote of the module it ships with', () => {
  assert.deepEqual([...facts.OPS], est.ops());
  const card = est.rateCard();
  assert.equal(facts.CARD.digest, card.digest);
  assert.equal(facts.CARD.version, card.version);
  assert.equal(facts.CARD.currency, card.card.currency);
  assert.equal(facts.CARD.language, card.card.language ?? 'en');
  assert.deepEqual(est.estimate(facts.DEFAULT_SPEC), facts.DEFAULT_QUOTE);
  const a = assets();
  assert.deepEqual(a.defaultSpec, { ...facts.DEFAULT_SPEC });
  assert.equal(a.version, facts.VERSION);
  assert.equal(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version, facts.VERSION, 'one version: package.json');
  assert.equal(path.basename(facts.WASM_URL.pathname), a.wasm);
  assert.equal(path.basename(facts.WASM_EXEC_URL.pathname), a.wasmExec);
});

test('every error code the engine returns is in ERROR_CODES', () => {
  const seen = new Set();
  for (const { vectors } of goldenFiles()) {
    for (const v of vectors) if (v.isError) seen.add(JSON.parse(v.response).code);
  }
  assert.ok(seen.size >= 8, `only ${seen.size} codes in the golden vectors`);
  for (const code of seen) assert.ok(facts.ERROR_CODES.includes(code), `${code} is missing from ERROR_CODES`);
});

test('the shim reads the control block only through the generated offsets of wasm/abi', () => {
  const b = est._buffersForTest();
  assert.ok(b, 'the buffer boundary is on');
  assert.equal(b.maxRequestBytes, facts.MAX_REQUEST_BYTES, 'the module published MaxRequestBytes where CONTROL_BLOCK says');
  const src = readFileSync(path.join(DIST, 'estimator.js'), 'utf8');
  assert.deepEqual([...src.matchAll(/ctl \+ (\d+)/g)].map((m) => m[0]), [], 'no hand-written control-block offsets');
  const used = new Set([...src.matchAll(/ctl \+ CB\.(\w+)/g)].map((m) => m[1]));
  assert.deepEqual([...used].sort(), Object.keys(facts.CONTROL_BLOCK).filter((k) => k !== 'bytes').sort(), 'every word is read through CONTROL_BLOCK');
  assert.match(src, /import \{[^}]*CONTROL_BLOCK[^}]*\} from '\.\/facts\.js'/);
  assert.doesNotMatch(src, /const (ABI|MODULE_OPS) =/, 'the version and module ops come from facts.js');
  assert.ok(Number.isInteger(facts.ABI_VERSION) && facts.ABI_VERSION >= 2);
});

test('the element repeats nothing of the card: no resolution, frame rate, mode or level constants', () => {
  // The element, its controller and every view (ce/ and its subfolders).
  const files = ['credit-estimator.js', ...readdirSync(path.join(ROOT, 'web/ce'), { recursive: true }).filter((f) => f.endsWith('.js')).map((f) => `ce/${f}`)];
  assert.ok(files.includes('ce/controller.js') && files.includes('ce/views/form.js'), files.join(' '));
  const card = est.rateCard().card;
  const names = [
    ...card.formats.flatMap((f) => [f.resolution, f.label, ...(f.aliases ?? [])]),
    ...card.modes.flatMap((m) => [m.name, m.label]),
    ...card.complexity.levels.flatMap((l) => [l.name, l.label]),
  ];
  for (const f of files) {
    // Intl options ("dateStyle: 'medium'") are not card names
    const src = readFileSync(path.join(ROOT, 'web', f), 'utf8').replace(/(dateStyle|timeStyle|unitDisplay):\s*'[^']*'/g, '');
    for (const n of names) {
      assert.ok(!src.includes(`'${n}'`) && !src.includes(`"${n}"`), `web/${f} hard-codes ${JSON.stringify(n)} (it belongs to the card)`);
    }
    assert.doesNotMatch(src, /\[\s*24\s*,\s*30\s*,\s*60\s*\]/, `web/${f} hard-codes frame rates`);
  }
});
