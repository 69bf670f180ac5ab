// 200 specs (the golden quote vectors the element can express, then seeded random ones): what the
// element shows equals the server's /api/v1/quote answer for the same spec, byte for byte in the
// quote and digit for digit on screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { siteSuite, ROOT, showSpec, waitLive, readVectors, rng, serverQuote } from './helpers.mjs';

const suite = siteSuite();
const { req } = suite;

const FIELDS = { resolution: 'string', fps: 'number', durationSeconds: 'number', prompt: 'string', complexity: 'string', mode: 'string', count: 'number' };

/** Vector requests that attributes can carry exactly (known fields, plain numbers, strings). */
function expressible(request) {
  let o;
  try { o = JSON.parse(request); } catch { return null; }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
  for (const [k, v] of Object.entries(o)) {
    if (!(k in FIELDS) || typeof v !== FIELDS[k]) return null;
    if (typeof v === 'number' && !/^-?\d+(\.\d+)?$/.test(String(v))) return null;
  }
  // Required fields the element always sends: a request without them is not expressible.
  if (!('resolution' in o && 'fps' in o && 'durationSeconds' in o)) return null;
  return o;
}

const WORDS = ['a calm lake', 'gentle ripples', 'thousands of troops fiercely fighting on an ancient battlefield', 'explosion',
  'a crowd of dancers', 'fast pan over a city', 'sparks and smoke', 'waves crashing', 'twelve horses running', 'a cat asleep',
  '千军万马', '战斗', 'fpv drone shot', 'slow sunrise', 'hundreds of birds', 'collapse of a tower', '"quoted" & <angle>', 'émigré café'];

function randomSpec(r) {
  const pick = (a) => a[Math.floor(r() * a.length)];
  const spec = {
    resolution: pick(['720p', '1080p', '1440p', '2160p', '4k', 'HD', 'fullhd', '2k', '8k']),
    fps: pick([24, 30, 60, 60, 30, 25]),
    durationSeconds: pick([1, 5, 10, 15, 30, 60, 61, 0.5, Math.round(r() * 60000) / 1000, Math.round(r() * 600) / 10]),
  };
  if (r() < 0.8) spec.prompt = Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(WORDS)).join(', ');
  if (r() < 0.4) spec.complexity = pick(['auto', 'low', 'medium', 'high', 'extreme', 'insane']);
  if (r() < 0.5) spec.mode = pick(['generate', 'refine-minor', 'refine-major']);
  if (r() < 0.5) spec.count = pick([1, 2, 3, 10, 100, 101, 0]);
  return spec;
}

test('200 specs: the widget shows exactly what the server answers', { skip: req.skip, timeout: 180_000 }, async () => {
  const vectors = readVectors(path.join(ROOT, 'estimator/testdata/quote.vectors')).filter((v) => v.op === 'quote');
  const specs = [];
  const expected = new Map();
  for (const v of vectors) {
    const s = expressible(v.request);
    if (!s) continue;
    specs.push(s);
    expected.set(specs.length - 1, v.isError ? null : v.response);
  }
  assert.ok(specs.length >= 50, `expected many expressible vectors, got ${specs.length}`);
  const r = rng(20261125);
  while (specs.length < 200) specs.push(randomSpec(r));
  specs.length = 200;

  const page = await suite.browser.newPage();
  await page.goto(`${suite.server.base}index.html`);
  await waitLive(page, '#estimate');
  const en = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  let quotes = 0;
  let errors = 0;
  for (const [i, spec] of specs.entries()) {
    const shown = await showSpec(page, spec, '#estimate');
    const sent = await page.evaluate(() => document.getElementById('estimate').spec);
    const srv = await serverQuote(suite.server.base, sent);
    const label = `spec #${i} ${JSON.stringify(spec)}`;
    if (srv.status === 200) {
      quotes++;
      assert.equal(shown.error, null, `${label}: widget error ${JSON.stringify(shown.error)}`);
      assert.equal(JSON.stringify(shown.quote), JSON.stringify(srv.json), `${label}: quote differs`);
      assert.equal(shown.credits, en.format(srv.json.credits), `${label}: credits shown`);
      assert.equal(shown.usd, `≈ ${usd.format(srv.json.usd.min)} – ${usd.format(srv.json.usd.max)}`, `${label}: USD shown`);
      const golden = expected.get(i);
      if (golden) assert.equal(JSON.stringify(shown.quote), JSON.stringify(JSON.parse(golden)), `${label}: golden vector`);
    } else {
      errors++;
      assert.equal(shown.quote, null, `${label}: widget quoted ${JSON.stringify(shown.quote)} but the server said ${srv.text}`);
      assert.deepEqual(shown.error, srv.json, `${label}: error differs`);
      assert.equal(shown.credits, '—', `${label}: an error shows no number`);
    }
  }
  assert.ok(quotes >= 120 && errors >= 5, `mix of quotes (${quotes}) and errors (${errors})`);
  await page.close();
});
