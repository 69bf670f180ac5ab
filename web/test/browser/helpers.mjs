// Shared helpers for the browser suites: the real server binary on a free loopback port, Debian's
// Chromium driven by playwright-core (never a downloaded browser), and small page utilities.
import { spawn } from 'node:child_process';
import { before, after } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { parseVectors, prng } from '../node/helpers.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SERVER_BIN = process.env.CE_SERVER_BIN || path.join(ROOT, 'bin/creditestimator');
export const WEB_DIR = process.env.CE_WEB_DIR || path.join(ROOT, 'web/dist');
export const SCREENSHOTS = path.join(ROOT, 'web/test/browser/screenshots');
export const CHROMIUM_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'];

/**
 * What the suites need, checked once. A missing browser fails in CI (CI=true) and skips elsewhere;
 * a missing build always fails (run `make build`).
 * @returns {{skip: string|false}}
 */
export function requirements() {
  if (!existsSync(CHROMIUM)) {
    const msg = `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`;
    if (process.env.CI === 'true') throw new Error(`${msg}; CI=true, so the browser suite fails instead of skipping`);
    return { skip: msg };
  }
  for (const f of [SERVER_BIN, path.join(WEB_DIR, 'assets.json'), path.join(WEB_DIR, 'index.html')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`make build\` first`);
  }
  return { skip: false };
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The usual set-up of a browser test file: the requirements, one server (startServer(o)) and one
 * Chromium, started before the file's tests and stopped after them. Read `server` and `browser`
 * from the returned object inside tests (they are set once `before` has run).
 * @param {{args?: string[]}} [o] passed to startServer
 * @returns {{req: {skip: string|false}, server: any, browser: any}}
 */
export function siteSuite(o) {
  const s = { req: requirements(), server: null, browser: null };
  before(async () => {
    if (s.req.skip) return;
    s.server = await startServer(o);
    s.browser = await launch();
  });
  after(async () => { await s.browser?.close(); await s.server?.stop(); });
  return s;
}

/**
 * Starts bin/creditestimator on a free port and waits until it answers.
 * @param {{args?: string[]}} [o]
 * @returns {Promise<{base: string, port: number, logs: () => string, stop: () => Promise<void>}>}
 */
export async function startServer(o = {}) {
  const port = await freePort();
  const child = spawn(SERVER_BIN, ['-addr', `127.0.0.1:${port}`, '-web', WEB_DIR, ...(o.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${log}`);
    try {
      const r = await fetch(`${base}api/v1/ratecard`, { method: 'HEAD' });
      if (r.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) { child.kill(); throw new Error(`server did not start: ${log}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base, port, logs: () => log,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 3000).unref();
    }),
  };
}

/** Launches Debian's Chromium. */
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Collects console errors, page errors and CSP violations of a page.
 * @param {import('playwright-core').Page} page
 */
export function watchProblems(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** Waits until the element on the page is live (engine loaded, first quote shown). */
export async function waitLive(page, selector = 'credit-estimator') {
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    return el && el.state === 'ready' && (el.quote || el.error);
  }, selector, { timeout: 20_000 });
}

/**
 * Sets a spec on the element and returns what it shows: its quote/error plus the rendered texts.
 * @param {import('playwright-core').Page} page
 */
export function showSpec(page, spec, selector = 'credit-estimator') {
  return page.evaluate(async ([sel, s]) => {
    const el = document.querySelector(sel);
    const attrs = { resolution: 'resolution', fps: 'fps', durationSeconds: 'duration', prompt: 'prompt', complexity: 'complexity', mode: 'mode', count: 'count' };
    for (const [field, attr] of Object.entries(attrs)) {
      if (field in s) el.setAttribute(attr, typeof s[field] === 'string' ? s[field] : JSON.stringify(s[field]));
      else el.removeAttribute(attr);
    }
    await new Promise((r) => setTimeout(r, 0)); // the element updates in a microtask
    const root = el.shadowRoot;
    return {
      quote: el.quote, error: el.error,
      credits: root.querySelector('[part~="credits"]')?.textContent ?? null,
      usd: root.querySelector('[part~="usd"]')?.textContent ?? null,
    };
  }, [selector, spec]);
}

/**
 * Reads a golden vector file with the Node suites' parser (one reader for every JS test).
 * @param {string} file
 */
export function readVectors(file) {
  return parseVectors(readFileSync(file, 'utf8'));
}

/** A deterministic PRNG (mulberry32), shared with the Node suites. */
export { prng as rng };

/** POSTs a spec to the server's /api/v1/quote; returns {status, json, text}. */
export async function serverQuote(base, spec) {
  const r = await fetch(`${base}api/v1/quote`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(spec) });
  const text = await r.text();
  return { status: r.status, text, json: JSON.parse(text) };
}

/** The CSP the server sends with every response (server/server.go). Harness pages use it too. */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Serves a test page (and optional extra files) under base/__t/ through request interception,
 * with the strict CSP. Returns the page URL.
 * @param {import('playwright-core').Page | import('playwright-core').BrowserContext} target
 * @param {string} base
 * @param {string} name
 * @param {string} html
 * @param {Record<string, {body: string|Buffer, type: string}>} [files]
 */
export async function harness(target, base, name, html, files = {}) {
  await target.route(`${base}__t/**`, async (route) => {
    const u = new URL(route.request().url());
    const file = u.pathname.replace(/^\/__t\//, '');
    if (file === name) {
      await route.fulfill({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': STRICT_CSP }, body: html });
    } else if (files[file]) {
      await route.fulfill({ status: 200, headers: { 'Content-Type': files[file].type }, body: files[file].body });
    } else {
      await route.fulfill({ status: 404, body: 'not found' });
    }
  });
  return `${base}__t/${name}`;
}
