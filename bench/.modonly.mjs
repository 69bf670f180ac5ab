import http from 'node:http';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants as zc } from 'node:zlib';
import { launch } from '../web/test/browser/helpers.mjs';
const br = (b) => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } });
const wasms = { est: readFileSync(process.argv[2]), hello: readFileSync('/work/main/bench/out/hello.wasm') };
const exec = readFileSync(process.env.GOROOT_WASM + '/wasm_exec.js');
const page = (w) => `<!doctype html><html><head><script src="wasm_exec.js"></script><script type="module">
const go = new Go(); go.env = { CREDIT_ESTIMATOR_GLOBAL: 'ce' };
const t0 = performance.now();
const { instance } = await WebAssembly.instantiateStreaming(fetch('${w}.wasm'), go.importObject);
window.__inst = performance.now();
go.run(instance);
const check = () => { if (globalThis.ce || '${w}' === 'hello') { window.__done = performance.now(); } else setTimeout(check, 0); };
${'${w}' === 'hello' ? '' : ''}
queueMicrotask(check);
</script></head><body>x</body></html>`;
const files = {
  '/est.html': ['text/html', br(Buffer.from(page('est')))], '/hello.html': ['text/html', br(Buffer.from(page('hello')))],
  '/wasm_exec.js': ['text/javascript', br(exec)], '/est.wasm': ['application/wasm', br(wasms.est)], '/hello.wasm': ['application/wasm', br(wasms.hello)],
};
const srv = http.createServer((q, r) => { const f = files[new URL(q.url, 'http://x').pathname]; if (!f) { r.writeHead(404); r.end(); return; }
  r.writeHead(200, { 'content-type': f[0], 'content-encoding': 'br', 'cache-control': 'no-store' }); r.end(f[1]); });
await new Promise((r) => srv.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${srv.address().port}/`;
const browser = await launch();
const res = { est: [], hello: [] };
for (let i = 0; i < 7; i++) for (const w of ['hello', 'est']) {
  const ctx = await browser.newContext(); const p = await ctx.newPage();
  await p.goto(base + w + '.html', { waitUntil: 'commit' });
  await p.waitForFunction(() => window.__done, null, { timeout: 30000 });
  res[w].push(await p.evaluate(() => [Math.round(window.__inst), Math.round(window.__done)]));
  await ctx.close();
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
for (const w of ['hello', 'est']) console.log(w, 'instantiated', med(res[w].map((x) => x[0])), 'ready', med(res[w].map((x) => x[1])), JSON.stringify(res[w]));
await browser.close(); srv.close();
