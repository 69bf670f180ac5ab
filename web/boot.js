// @ts-check
// Starts compiling the estimator's WebAssembly module while the page is still loading, before the
// element and its modules have run: a classic script, loaded with `async` from the page's <head>
// (no inline script, so a CSP of script-src 'self' 'wasm-unsafe-eval' allows it):
//
//   <script async src="boot.js" data-wasm="estimator.<hash>.wasm"></script>
//
// data-wasm is the module's URL relative to this script (assets.json's "wasm"). The site's own pages
// carry this script inline (cmd/webbuild; the server's CSP allows it by its hash, assets.json's
// "scriptHashes"), so it runs as the parser reaches it rather than after a request. The compile goes
// to a registry under Symbol.for('creditestimator.compile'), by the module's absolute URL; the
// shim (estimator.js) takes it from there instead of fetching and compiling the module again,
// and falls back to its usual path if the compile failed. Without this script nothing changes.
(() => {
  const script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  const wasm = script?.dataset.wasm;
  if (!script || !wasm || typeof WebAssembly.compileStreaming !== 'function') return;
  // An inline copy (the site's pages: cmd/webbuild) resolves against the page.
  const url = new URL(wasm, script.src || document.baseURI).href;
  const key = Symbol.for('creditestimator.compile');
  /** @type {Record<string, Promise<WebAssembly.Module>>} */
  const registry = (/** @type {any} */ (globalThis)[key] ??= {});
  if (registry[url]) return;
  // fetch() as the shim makes it (mode "cors", credentials "same-origin"): the page's
  // <link rel="preload" as="fetch" crossorigin> serves it.
  const compiled = WebAssembly.compileStreaming(fetch(url));
  compiled.catch(() => { /* the shim loads the module itself */ });
  registry[url] = compiled;
})();
