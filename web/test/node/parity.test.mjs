// Parity: ≥10,000 seeded random quote specs, every golden vector, and seeded
// mutations of every op's vectors, answered natively by Go (cmd/webbuild/parity)
// and by the wasm module under Node: identical JSON, byte for byte.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { shim, ROOT, rawCall } from './helpers.mjs';

const N = Number(process.env.PARITY_N ?? 10000);
const SEED = process.env.PARITY_SEED ?? '20261125';

const { load, EstimatorError } = await shim();
const est = await load();

test(`parity with native Go: ${N} random specs + vectors + mutations (seed ${SEED})`, { timeout: 600_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parity-'));
  try {
    const out = path.join(dir, 'parity.jsonl');
    execFileSync('go', ['run', './cmd/webbuild/parity', '-n', String(N), '-seed', SEED, '-out', out], {
      cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'],
    });
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const perOp = new Map();
    let mismatches = 0;
    let viaEstimate = 0;
    for (const l of lines) {
      perOp.set(l.op, (perOp.get(l.op) ?? 0) + 1);
      const got = rawCall(est, l.op, l.request, EstimatorError);
      if (got.isError !== l.error || got.json !== l.response) {
        mismatches++;
        if (mismatches <= 10) {
          console.error(`MISMATCH op ${l.op}\n  spec:   ${l.request}\n  native: ${l.response}\n  wasm:   ${got.json}`);
        }
      }
      // estimate() reads the module's quote tape, not the JSON: its object must be the one
      // JSON.parse makes of the native answer (members, order, values), its errors the same.
      const spec = l.op === 'quote' ? parsedObject(l.request) : undefined;
      if (spec === undefined) continue;
      viaEstimate++;
      let mine;
      try {
        mine = { isError: false, json: JSON.stringify(est.estimate(spec)) };
      } catch (e) {
        if (!(e instanceof EstimatorError)) throw e;
        mine = { isError: true, json: e.json };
      }
      const want = l.error ? l.response : JSON.stringify(JSON.parse(l.response));
      if (mine.isError !== l.error || mine.json !== want) {
        mismatches++;
        if (mismatches <= 10) {
          console.error(`MISMATCH estimate()\n  spec:   ${l.request}\n  native: ${want}\n  wasm:   ${mine.json}`);
        }
      }
    }
    console.log(`parity: ${viaEstimate} quote requests also through estimate()`);
    assert.ok(viaEstimate >= N, `only ${viaEstimate} quote requests through estimate()`);
    console.log(`parity: ${lines.length} requests compared`, Object.fromEntries(perOp));
    assert.ok((perOp.get('quote') ?? 0) >= N, `only ${perOp.get('quote')} quote requests`);
    for (const op of est.ops()) {
      assert.ok(perOp.has(op), `no parity requests for op ${op} (add golden vectors or seeds in cmd/webbuild/parity/seeds.go)`);
    }
    assert.equal(mismatches, 0, `${mismatches} of ${lines.length} answers differ (first ones printed above)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The request as estimate() takes it: a JSON object that JSON.stringify gives back byte for
 * byte (so the module reads the same request), else undefined.
 * @param {string} request
 * @returns {object | undefined}
 */
function parsedObject(request) {
  let v;
  try {
    v = JSON.parse(request);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || JSON.stringify(v) !== request) return undefined;
  return v;
}
