// Golden vectors through the wasm module: the response (or error) JSON must be
// byte-identical to the file, which native Go produced.
import test from 'node:test';
import assert from 'node:assert/strict';
import { shim, goldenFiles, rawCall, parseVectors } from './helpers.mjs';

const { load, EstimatorError } = await shim();
const est = await load();

test('vector reader parses the format', () => {
  const v = parseVectors('# c\nname: a\nop: quote\nrequest: {"x":1}\nresponse: {"y":2}\n\n\nname: b\nop: topup\nrequest: {}\nerror: {"code":"c","field":"","message":"m: n"}\n');
  assert.deepEqual(v, [
    { name: 'a', op: 'quote', request: '{"x":1}', response: '{"y":2}', isError: false },
    { name: 'b', op: 'topup', request: '{}', response: '{"code":"c","field":"","message":"m: n"}', isError: true },
  ]);
  assert.throws(() => parseVectors('name: a\nop: quote\nrequest: {}\n'), /exactly one/);
  assert.throws(() => parseVectors('name: a\nbogus: 1\n'), /unknown vector line/);
});

const files = goldenFiles();

test('there are golden vectors', () => {
  assert.ok(files.some((f) => f.vectors.length > 0), 'no vectors in estimator/testdata/*.vectors');
});

for (const { file, vectors } of files) {
  test(`golden ${file} (${vectors.length} vectors) byte-identical through wasm`, () => {
    let failures = 0;
    for (const v of vectors) {
      const got = rawCall(est, v.op, v.request, EstimatorError);
      if (got.isError !== v.isError || got.json !== v.response) {
        failures++;
        if (failures <= 5) {
          console.error(`MISMATCH ${file} ${v.name}\n  op:      ${v.op}\n  request: ${v.request}\n  want ${v.isError ? 'error' : 'response'}: ${v.response}\n  got  ${got.isError ? 'error' : 'response'}: ${got.json}`);
        }
      }
    }
    assert.equal(failures, 0, `${failures} of ${vectors.length} vectors differ (first ones printed above)`);
  });
}
