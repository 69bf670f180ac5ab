// Service worker for the demo site (own origin only): after one visit the pages, the widget, the
// estimator shim, wasm_exec.js, the wasm module, assets.json and the rate card come from a
// versioned cache, so a reload without network still estimates. Sites that embed the widget from another origin do not
// get this worker; they rely on the HTTP cache (see docs/widget.md).
//
// The page registers `sw.js?v=<build>`; a new build changes the URL, so the browser installs the
// new worker, which precaches the new assets and, on activate, deletes every older cache.
/// <reference lib="webworker" />

const PREFIX = 'credit-estimator-';
const BUILD = new URL(self.location.href).searchParams.get('v') || 'dev';
const CACHE = `${PREFIX}${BUILD}`;
const SCOPE = new URL('./', self.location.href);

/** The rate card endpoint: precached, and answered from the cache only when the network fails. */
const CARD = 'api/v1/ratecard';
/** Marks a card answered from the cache, so the widget can say it could not check for a newer one. */
const OFFLINE_HEADER = 'X-Credit-Estimator-Offline';

/** Files every build has, besides those listed in assets.json. */
const CORE = ['./', 'index.html', 'editor.html', 'site.css', 'credit-estimator.js', 'estimator.js',
  'pages/common.js', 'pages/pricing.js', 'pages/editor.js', 'pages/notfound.js', 'assets.json'];

/**
 * Collects every same-origin URL that assets.json names (hashed module, wasm_exec, shim, pages, …),
 * whatever nesting it uses.
 * @param {any} assets
 * @returns {string[]}
 */
function urlsIn(assets) {
  const out = new Set();
  const visit = (v, key) => {
    if (typeof v === 'string') {
      if (/\.(?:wasm|js|mjs|css|html|json|svg|png|ico|webmanifest)$/i.test(v.split('?')[0]) && !/^[a-z]+:/i.test(v) && !v.startsWith('//')) out.add(v);
      else if (key && /url$/i.test(key) && v.startsWith('/')) out.add(v);
    } else if (Array.isArray(v)) v.forEach((x) => visit(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { if (k !== 'defaultQuote' && k !== 'quote') visit(x, k); }
  };
  visit(assets, '');
  return [...out];
}

/**
 * Fetches for the precache, trying again (three tries in all, 250 ms then 750 ms apart) when the
 * network fails or the server is busy (429, 503: a server shedding load says so), so that a busy
 * moment does not cost the visitor offline use until the next visit.
 * @param {string | URL} url
 * @returns {Promise<Response>}
 */
async function fetchForCache(url) {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fetch(url, { cache: 'no-cache' });
      if ((r.status !== 429 && r.status !== 503) || attempt === 2) return r;
    } catch (err) {
      if (attempt === 2) throw err;
    }
    await new Promise((done) => setTimeout(done, attempt === 0 ? 250 : 750));
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const res = await fetchForCache(new URL('assets.json', SCOPE));
    if (!res.ok) throw new Error(`assets.json: HTTP ${res.status}`);
    const assets = await res.clone().json();
    const list = new Set([...CORE, ...urlsIn(assets)].map((u) => new URL(u, SCOPE).href));
    list.delete(new URL('assets.json', SCOPE).href);
    // The precache list must be complete: a missing file fails the install (the old worker stays).
    await Promise.all([...list].map(async (url) => {
      const r = await fetchForCache(url);
      if (!r.ok) {
        if (CORE.some((c) => new URL(c, SCOPE).href === url) && r.status === 404 && !url.endsWith('.html') && url !== SCOPE.href) return; // optional core file
        throw new Error(`${url}: HTTP ${r.status}`);
      }
      await cache.put(url, r);
    }));
    await cache.put(new URL('assets.json', SCOPE).href, res);
    const card = await fetchForCache(new URL(CARD, SCOPE));
    if (!card.ok) throw new Error(`${CARD}: HTTP ${card.status}`);
    await cache.put(new URL(CARD, SCOPE).href, card);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

/** Content-hashed names never change: cache first. */
const HASHED = /\.[0-9a-f]{8,64}\.[a-z0-9]+$/i;

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE.pathname)) return;
  // The rate card: the network when it answers (the freshness check), else the precached card.
  if (url.pathname === `${SCOPE.pathname}${CARD}`) {
    event.respondWith(cardNetworkFirst(req));
    return;
  }
  // The rest of the API always goes to the network.
  if (url.pathname.startsWith(`${SCOPE.pathname}api/`)) return;
  if (url.pathname.endsWith('/sw.js')) return;
  if (HASHED.test(url.pathname)) event.respondWith(cacheFirst(req, event));
  else event.respondWith(networkFirst(req, event));
});

/**
 * Stores a response copy without making the page wait for the write (it used to wait for a
 * Cache Storage write of every file, on every visit, before getting the file).
 * @param {FetchEvent} event
 * @param {string | Request} key
 * @param {Response} res
 */
function storeLater(event, key, res) {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, res)).catch(() => {}));
}

async function cacheFirst(req, event) {
  const hit = await caches.match(req, { cacheName: CACHE });
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) storeLater(event, req, res.clone());
  return res;
}

/** Unhashed files (pages, the widget, assets.json): the network when it answers, else the cache. */
async function networkFirst(req, event) {
  try {
    const res = await fetch(req);
    if (res.ok && res.type === 'basic') storeLater(event, stripSearch(req), res.clone());
    return res;
  } catch (err) {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(stripSearch(req), { ignoreSearch: true }) ??
      (req.mode === 'navigate' ? await cache.match(new URL('index.html', SCOPE).href) : undefined);
    if (hit) return hit;
    throw err;
  }
}

/** The card from the network (kept up to date in the cache), else the cached one, marked offline. */
async function cardNetworkFirst(req) {
  const cache = await caches.open(CACHE);
  const key = new URL(CARD, SCOPE).href;
  try {
    const res = await fetch(req);
    if (res.status === 200) await cache.put(key, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(key);
    if (!hit) throw err;
    const headers = new Headers(hit.headers);
    headers.set(OFFLINE_HEADER, '1');
    return new Response(hit.body, { status: 200, headers });
  }
}

function stripSearch(req) {
  const u = new URL(req.url);
  u.search = '';
  u.hash = '';
  return u.href;
}
