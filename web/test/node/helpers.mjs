// Shared helpers for the Node suites of the wasm module and its JS shim.
// The suites run against the built assets in web/dist (make test-node builds them first).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

/** Repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The built assets. */
export const DIST = process.env.CREDIT_ESTIMATOR_DIST ?? path.join(ROOT, 'web/dist');

/** @returns {any} web/dist/assets.json, or throws a clear error when the dist is missing */
export function assets() {
  const p = path.join(DIST, 'assets.json');
  if (!existsSync(p)) throw new Error(`${p} is missing: run "make web" (make test-node does) before the Node suites`);
  return JSON.parse(readFileSync(p, 'utf8'));
}

/** Imports the built shim (web/dist/estimator.js), the file browsers get. */
export async function shim() {
  assets();
  return import(pathToFileURL(path.join(DIST, 'estimator.js')).href);
}

/**
 * Parses a golden vector file: blocks separated by blank lines, "#" comments,
 * "key: value" lines (name, op, request, response | error).
 * @param {string} text
 * @returns {{name: string, op: string, request: string, response: string, isError: boolean}[]}
 */
export function parseVectors(text) {
  const out = [];
  let cur = {};
  const flush = () => {
    if (Object.keys(cur).length) {
      for (const k of ['name', 'op', 'request']) if (typeof cur[k] !== 'string') throw new Error(`vector ${JSON.stringify(cur.name)} lacks ${k}`);
      if ((cur.response === undefined) === (cur.error === undefined)) throw new Error(`vector ${cur.name} needs exactly one of response/error`);
      out.push({ name: cur.name, op: cur.op, request: cur.request, response: cur.response ?? cur.error, isError: cur.error !== undefined });
    }
    cur = {};
  };
  for (const line of text.split('\n')) {
    const l = line.replace(/\r$/, '');
    if (l.startsWith('#')) continue;
    if (l.trim() === '') { flush(); continue; }
    const i = l.indexOf(': ');
    const key = i < 0 ? l.replace(/:$/, '') : l.slice(0, i);
    const value = i < 0 ? '' : l.slice(i + 2);
    if (!['name', 'op', 'request', 'response', 'error'].includes(key)) throw new Error(`unknown vector line ${JSON.stringify(l.slice(0, 80))}`);
    if (key in cur) throw new Error(`vector ${cur.name}: duplicate ${key}`);
    cur[key] = value;
  }
  flush();
  return out;
}

/** @returns {{file: string, vectors: ReturnType<typeof parseVectors>}[]} every estimator/testdata/*.vectors */
export function goldenFiles() {
  const dir = path.join(ROOT, 'estimator/testdata');
  return readdirSync(dir).filter((f) => f.endsWith('.vectors')).sort()
    .map((f) => ({ file: f, vectors: parseVectors(readFileSync(path.join(dir, f), 'utf8')) }));
}

/**
 * Runs a call and reports the raw JSON of its answer, ok or error.
 * @param {any} est
 * @param {string} op
 * @param {string} request
 * @returns {{isError: boolean, json: string}}
 */
export function rawCall(est, op, request, EstimatorError) {
  try {
    return { isError: false, json: est.callJSON(op, request) };
  } catch (e) {
    if (!(e instanceof EstimatorError)) throw e;
    return { isError: true, json: e.json };
  }
}

/** A small seeded PRNG (mulberry32), so hostile inputs are reproducible. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A spec every card accepts. */
export const GOOD_SPEC = Object.freeze({ resolution: '1080p', fps: 30, durationSeconds: 10 });

/**
 * Checks the shape of a quote from the contract.
 * @param {any} q
 * @returns {string | null} what is wrong, or null
 */
export function quoteProblem(q) {
  if (!q || typeof q !== 'object') return 'not an object';
  if (typeof q.credits !== 'string' || !/^\d+\.\d{2}$/.test(q.credits)) return `credits ${JSON.stringify(q.credits)}`;
  if (!q.rateCard || !/^sha256:[0-9a-f]{64}$/.test(q.rateCard.digest)) return 'rateCard.digest';
  return null;
}
