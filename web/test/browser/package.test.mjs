// The npm package as a platform installs it: `make package` → bin/creditestimator-widget-<v>.tgz,
// installed into a temporary project and used (a) from a plain page through an import map, (b)
// bundled with esbuild, (c) from a React 19 app (spec and events through props), all under the
// strict CSP in Chromium; and the same files from the server's versioned, immutable path with SRI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, requirements, startServer, launch, waitLive, serverQuote, watchProblems, STRICT_CSP } from './helpers.mjs';

const req = requirements();
const VERSION = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
const TARBALL = path.join(ROOT, 'bin', `creditestimator-widget-${VERSION}.tgz`);
if (!req.skip && !existsSync(TARBALL)) throw new Error(`${TARBALL} is missing: run \`make package\``);

let server;
let browser;
let tmp;
let pkgDir;
before(async () => {
  if (req.skip) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ce-pkg-'));
  writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'platform-app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', '--ignore-scripts', TARBALL], { cwd: tmp, stdio: 'pipe' });
  pkgDir = path.join(tmp, 'node_modules/@creditestimator/widget');
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html; charset=utf-8', '.ts': 'text/plain' };

/** Serves a directory under base/<prefix>/ (pages get the CSP, plus extra script hashes). */
async function serveDir(page, prefix, dir, cspExtra = '', base = server.base) {
  await page.route(`${base}${prefix}/**`, async (route) => {
    const rel = decodeURIComponent(new URL(route.request().url()).pathname.slice(prefix.length + 2));
    const file = path.join(dir, rel);
    if (!file.startsWith(dir) || !existsSync(file)) { await route.fulfill({ status: 404, body: 'not found' }); return; }
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const headers = { 'Content-Type': type };
    if (type.startsWith('text/html')) headers['Content-Security-Policy'] = STRICT_CSP.replace("script-src 'self'", `script-src 'self'${cspExtra}`);
    await route.fulfill({ status: 200, headers, body: readFileSync(file) });
  });
}

const SPEC = { resolution: '4k', fps: 60, durationSeconds: 8, prompt: 'a sword fight in the rain', complexity: 'auto', mode: 'generate', count: 1 };
const ELEMENT = `<credit-estimator id="w" loading="eager" resolution="4k" fps="60" duration="8" prompt="a sword fight in the rain">From 1 credit per 10-second video</credit-estimator>`;

async function expectLive(page, problems) {
  await waitLive(page, '#w');
  const quote = await page.evaluate(() => document.querySelector('#w').quote);
  const srv = await serverQuote(server.base, SPEC);
  assert.deepEqual(quote, srv.json, 'the installed package prices like the server');
  assert.deepEqual(problems, [], 'no console errors or CSP violations');
}

test('the tarball is a complete, versioned package', { skip: req.skip }, () => {
  const pj = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  assert.equal(pj.name, '@creditestimator/widget');
  assert.equal(pj.version, VERSION, 'one version, from package.json');
  assert.equal(pj.type, 'module');
  assert.equal(pj.types, './credit-estimator.d.ts');
  assert.deepEqual(Object.keys(pj.exports).sort(), ['.', './element', './estimator', './facts', './i18n', './integrity', './messages', './package.json']);
  assert.deepEqual(pj.sideEffects, ['./credit-estimator.js', './wasm_exec.*.js', './ce/messages.js']);
  const files = readdirSync(pkgDir);
  for (const f of ['README.md', 'credit-estimator.js', 'credit-estimator.d.ts', 'estimator.js', 'estimator.d.ts', 'facts.js', 'facts.d.ts', 'integrity.json']) assert.ok(files.includes(f), f);
  assert.ok(files.some((f) => /^estimator\.[0-9a-f]{16}\.wasm$/.test(f)), 'the module beside the code');
  assert.ok(files.some((f) => /^wasm_exec\.[0-9a-f]{16}\.js$/.test(f)), 'wasm_exec.js beside the code');
  assert.match(readFileSync(path.join(pkgDir, 'facts.js'), 'utf8'), /new URL\("\.\/estimator\.[0-9a-f]{16}\.wasm", import\.meta\.url\)/);
  assert.match(readFileSync(path.join(pkgDir, 'README.md'), 'utf8'), new RegExp(`@creditestimator/widget ${VERSION.replaceAll('.', '\\.')}`));
  const integrity = JSON.parse(readFileSync(path.join(pkgDir, 'integrity.json'), 'utf8'));
  const sri = (f) => `sha384-${createHash('sha384').update(readFileSync(path.join(pkgDir, f))).digest('base64')}`;
  for (const [f, h] of Object.entries(integrity.files)) assert.equal(h, sri(f), `integrity of ${f}`);
  // The element's controller and views are in the package, and every relative import of every
  // module in it names a file that is there too (and in integrity.json).
  for (const f of ['ce/controller.js', 'ce/views/form.js', 'ce/views/badge.js', 'ce/views/total.js']) assert.ok(existsSync(path.join(pkgDir, f)), f);
  const modules = Object.keys(integrity.files).filter((f) => f.endsWith('.js') && !f.startsWith('wasm_exec.'));
  for (const f of modules) {
    for (const m of readFileSync(path.join(pkgDir, f), 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'|(?:^|\n)import\s+'(\.{1,2}\/[^']+)'/g)) {
      const spec = m[1] ?? m[2];
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec));
      assert.ok(target in integrity.files, `${f} imports ${spec}: ${target} is in the package`);
    }
  }
});

test('(a) a plain page with an import map', { skip: req.skip }, async () => {
  const site = path.join(tmp, 'im');
  mkdirSync(site, { recursive: true });
  const map = JSON.stringify({ imports: { '@creditestimator/widget': '/im/node_modules/@creditestimator/widget/credit-estimator.js', '@creditestimator/widget/': '/im/node_modules/@creditestimator/widget/' } });
  const hash = createHash('sha256').update(map).digest('base64');
  writeFileSync(path.join(site, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="importmap">${map}</script><script type="module" src="/im/app.js"></script></head><body>${ELEMENT}</body></html>`);
  writeFileSync(path.join(site, 'app.js'), "import { useRateCard } from '@creditestimator/widget';\nwindow.__useRateCard = typeof useRateCard;\n");
  cpSync(path.join(tmp, 'node_modules'), path.join(site, 'node_modules'), { recursive: true });
  const page = await browser.newPage();
  const problems = watchProblems(page);
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname); });
  await serveDir(page, 'im', site, ` 'sha256-${hash}'`);
  await page.goto(`${server.base}im/index.html`);
  await expectLive(page, problems);
  assert.equal(await page.evaluate(() => window.__useRateCard), 'function');
  assert.ok(wasm.length === 1 && wasm[0].startsWith('/im/node_modules/@creditestimator/widget/'), `module fetched from the package: ${wasm}`);
  await page.close();
});

/** Bundles entry (in tmp/src) with esbuild into tmp/<out>, then copies the engine files beside it (the documented step). */
async function bundle(entry, out) {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(tmp, 'src', entry)], bundle: true, format: 'esm', outdir: path.join(tmp, out), absWorkingDir: tmp,
    nodePaths: [path.join(ROOT, 'node_modules')], jsx: 'automatic', logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  for (const f of readdirSync(pkgDir)) if (/\.wasm$|^wasm_exec\./.test(f)) cpSync(path.join(pkgDir, f), path.join(tmp, out, f));
}

test('(b) bundled with esbuild', { skip: req.skip }, async () => {
  mkdirSync(path.join(tmp, 'src'), { recursive: true });
  writeFileSync(path.join(tmp, 'src', 'main.js'), "import { useRateCard } from '@creditestimator/widget';\nimport { EstimatorError } from '@creditestimator/widget/estimator';\nwindow.__ok = typeof useRateCard === 'function' && typeof EstimatorError === 'function';\n");
  await bundle('main.js', 'eb');
  writeFileSync(path.join(tmp, 'eb', 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/eb/main.js"></script></head><body>${ELEMENT}</body></html>`);
  const page = await browser.newPage();
  const problems = watchProblems(page);
  await serveDir(page, 'eb', path.join(tmp, 'eb'));
  await page.goto(`${server.base}eb/index.html`);
  await expectLive(page, problems);
  assert.equal(await page.evaluate(() => window.__ok), true);
  await page.close();
});

test('(c) a React 19 app: spec and events through props', { skip: req.skip }, async () => {
  writeFileSync(path.join(tmp, 'src', 'app.jsx'), `import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import '@creditestimator/widget';

function App() {
  const [spec, setSpec] = useState({ resolution: '4k', fps: 60, durationSeconds: 8, prompt: 'a sword fight in the rain' });
  const [credits, setCredits] = useState('');
  const [changes, setChanges] = useState(0);
  return (
    <main>
      <credit-estimator id="w" loading="eager" spec={spec}
        oncredit-estimator-change={(e) => { setCredits(e.detail.quote.credits); setChanges((n) => n + 1); }}>
        From 1 credit per 10-second video
      </credit-estimator>
      <output id="credits">{credits}</output><output id="changes">{changes}</output>
      <button id="shorter" onClick={() => setSpec({ ...spec, durationSeconds: 4 })}>4 seconds</button>
    </main>
  );
}
createRoot(document.getElementById('root')).render(<App />);
`);
  await bundle('app.jsx', 'react');
  writeFileSync(path.join(tmp, 'react', 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/react/app.js"></script></head><body><div id="root"></div></body></html>`);
  const page = await browser.newPage();
  const problems = watchProblems(page);
  await serveDir(page, 'react', path.join(tmp, 'react'));
  await page.goto(`${server.base}react/index.html`);
  await expectLive(page, problems);
  const want8 = (await serverQuote(server.base, SPEC)).json.credits;
  await page.waitForFunction((c) => document.getElementById('credits').textContent === c, want8);
  await page.click('#shorter');
  const want4 = (await serverQuote(server.base, { ...SPEC, durationSeconds: 4 })).json.credits;
  assert.notEqual(want4, want8);
  await page.waitForFunction((c) => document.getElementById('credits').textContent === c, want4);
  assert.equal(await page.evaluate(() => document.querySelector('#w').getAttribute('duration')), '4', 'the spec prop reached the element as a property');
  await page.close();
});

test('the server publishes the same files under /v/<version>/, immutable, with SRI hashes that browsers enforce', { skip: req.skip }, async () => {
  const base = `${server.base}v/${VERSION}/`;
  const integrity = await (await fetch(`${base}integrity.json`)).json();
  assert.equal(integrity.version, VERSION);
  const res = await fetch(`${base}credit-estimator.js`);
  assert.equal(res.headers.get('Cache-Control'), 'public, max-age=31536000, immutable');
  const body = Buffer.from(await res.arrayBuffer());
  assert.deepEqual(body, readFileSync(path.join(pkgDir, 'credit-estimator.js')), 'the same file as in the package');
  const pageWith = (sri) => `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/v/${VERSION}/credit-estimator.js" integrity="${sri}" crossorigin="anonymous"></script></head><body>${ELEMENT}</body></html>`;
  const site = path.join(tmp, 'sri');
  mkdirSync(site, { recursive: true });
  writeFileSync(path.join(site, 'ok.html'), pageWith(integrity.files['credit-estimator.js']));
  writeFileSync(path.join(site, 'bad.html'), pageWith(`sha384-${createHash('sha384').update('tampered').digest('base64')}`));
  const page = await browser.newPage();
  const problems = watchProblems(page);
  await serveDir(page, 'sri', site);
  await page.goto(`${server.base}sri/ok.html`);
  await expectLive(page, problems);
  await page.goto(`${server.base}sri/bad.html`);
  await page.waitForLoadState('load');
  await page.waitForTimeout(200);
  const bad = await page.evaluate(() => ({ defined: !!customElements.get('credit-estimator'), text: document.getElementById('w').textContent }));
  assert.equal(bad.defined, false, 'a file that does not match its integrity is refused');
  assert.match(bad.text, /From 1 credit/, 'and the fallback content stays');
  await page.close();
});

test('a platform with its own card: its package (make web RATECARD=…) shows only its options, limits and prices from the first paint, bundled with esbuild (plain HTML: platform.test.mjs)', { skip: req.skip }, async () => {
  const platformPkg = path.join(ROOT, 'bin/platform/package');
  const cardFile = path.join(ROOT, 'web/test/fixtures/platform-card.json');
  if (!existsSync(path.join(platformPkg, 'package.json'))) throw new Error(`${platformPkg} is missing: run \`make platform-build\``);
  const card = JSON.parse(readFileSync(cardFile, 'utf8'));
  const proj = mkdtempSync(path.join(os.tmpdir(), 'ce-platform-'));
  const platformServer = await startServer({ args: ['-ratecard', cardFile] });
  try {
    execFileSync('npm', ['pack', '--pack-destination', proj, '--silent'], { cwd: platformPkg, stdio: 'pipe' });
    const tgz = readdirSync(proj).find((f) => f.endsWith('.tgz'));
    writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'acme-site', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', '--ignore-scripts', path.join(proj, tgz)], { cwd: proj, stdio: 'pipe' });
    const pkg = path.join(proj, 'node_modules/@creditestimator/widget');
    // bundled with esbuild (+ the documented copy of the engine files)
    mkdirSync(path.join(proj, 'src'));
    writeFileSync(path.join(proj, 'src', 'main.js'), "import '@creditestimator/widget';\n");
    const esbuild = await import('esbuild');
    await esbuild.build({ entryPoints: [path.join(proj, 'src/main.js')], bundle: true, format: 'esm', outdir: path.join(proj, 'out'), absWorkingDir: proj, logLevel: 'silent' });
    for (const f of readdirSync(pkg)) if (/\.wasm$|^wasm_exec\./.test(f)) cpSync(path.join(pkg, f), path.join(proj, 'out', f));
    writeFileSync(path.join(proj, 'out', 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/acme/main.js"></script></head><body><credit-estimator id="w" loading="eager">From 2 credits per 10-second video</credit-estimator></body></html>`);
    const page = await browser.newPage();
    const problems = watchProblems(page);
    const events = [];
    await page.exposeFunction('__ev', (e) => events.push(e));
    await page.addInitScript(() => {
      for (const n of ['change', 'ready']) document.addEventListener(`credit-estimator-${n}`, (e) => window.__ev({ n, credits: e.detail.quote?.credits ?? null, v: e.detail.cardVersion ?? e.detail.quote?.rateCard.version }));
    });
    await serveDir(page, 'acme', path.join(proj, 'out'), '', platformServer.base);
    let release;
    const gate = new Promise((r) => { release = r; });
    await page.route('**/*.wasm', async (r) => { await gate; await r.fallback(); }); // registered last: runs first
    await page.goto(`${platformServer.base}acme/index.html`);
    await page.waitForFunction(() => document.querySelector('#w')?.shadowRoot?.querySelector('[part~="credits"]')?.textContent === '2.00');
    const first = await page.evaluate(() => {
      const r = document.querySelector('#w').shadowRoot;
      return { state: document.querySelector('#w').state, res: [...r.querySelectorAll('select[name="resolution"] option')].map((o) => o.value), max: r.querySelector('input[name="duration"]').max };
    });
    assert.equal(first.state, 'loading', 'first paint, before the module');
    assert.deepEqual(first.res, card.formats.map((f) => f.resolution));
    assert.equal(first.max, String(card.duration.maxSeconds));
    release();
    await waitLive(page, '#w');
    const spec = { resolution: '4320p', fps: 120, durationSeconds: 6, mode: 'draft', complexity: 'wild', count: 1, prompt: '' };
    const quote = await page.evaluate((s) => { const el = document.querySelector('#w'); el.spec = s; return new Promise((r) => setTimeout(() => r(el.quote), 0)); }, spec);
    const srv = await serverQuote(platformServer.base, spec);
    assert.deepEqual(quote, srv.json);
    assert.equal(quote.rateCard.version, card.version);
    assert.ok(events.length >= 2);
    for (const e of events) assert.equal(e.v, card.version, `an event carried another card: ${JSON.stringify(e)}`);
    assert.equal(events.find((e) => e.n === 'change').credits, '2.00');
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await platformServer.stop();
    rmSync(proj, { recursive: true, force: true });
  }
});
