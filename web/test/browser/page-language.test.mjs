// The demo pages open in the visitor's language: a browser set to Chinese, Japanese or Arabic
// gets both pages (pricing and editor) in that language from the first visit — right to left in
// Arabic — although their HTML says lang="en-US" (what it holds before a script runs). A language
// picked once in the picker wins over the browser's on the next visit, on every page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { siteSuite, waitLive, watchProblems } from './helpers.mjs';
import { PAGE_MESSAGES } from './catalogues.mjs';

const suite = siteSuite();
const { req } = suite;

const PAGES = [
  { file: 'index.html', widget: '#estimate', h1: 'p.hero.h1', title: 'p.title' },
  { file: 'editor.html', widget: '#badge', h1: 'e.h1', title: 'e.title' },
];

/** Opens a page and returns what language it speaks once its widget is live. */
async function open(page, p, wantTag) {
  await page.goto(`${suite.server.base}${p.file}`);
  await waitLive(page, p.widget);
  await page.waitForFunction((t) => document.documentElement.lang === t, wantTag);
  return page.evaluate((sel) => ({
    lang: document.documentElement.lang, dir: document.documentElement.dir,
    h1: document.querySelector('h1').textContent, title: document.title,
    picker: /** @type {HTMLSelectElement} */ (document.querySelector('[data-locale-picker]')).value,
    widget: /** @type {any} */ (document.querySelector(sel)).resolvedLocale,
    languages: [...navigator.languages],
  }), p.widget);
}

for (const [browserTag, lang, pickerTag] of [['zh-CN', 'zh-Hans', 'zh-CN'], ['ja', 'ja', 'ja-JP'], ['ar', 'ar', 'ar']]) {
  test(`a browser in ${browserTag} opens both pages in ${lang}${lang === 'ar' ? ', right to left' : ''}`, { skip: req.skip }, async () => {
    const ctx = await suite.browser.newContext({ viewport: { width: 1200, height: 900 }, serviceWorkers: 'block', locale: browserTag });
    const page = await ctx.newPage();
    const problems = watchProblems(page);
    for (const p of PAGES) {
      const r = await open(page, p, browserTag);
      assert.deepEqual(r.languages, [browserTag], 'the browser speaks only that language');
      assert.equal(r.dir, lang === 'ar' ? 'rtl' : 'ltr', p.file);
      assert.equal(r.h1, PAGE_MESSAGES[lang][p.h1], p.file);
      assert.equal(r.title, PAGE_MESSAGES[lang][p.title], p.file);
      assert.equal(r.picker, pickerTag, `${p.file}: the picker shows the language in use`);
      assert.equal(r.widget.lang, lang, `${p.file}: the element speaks it too`);
      assert.equal(r.widget.dir, r.dir, p.file);
    }
    assert.deepEqual(problems, []);
    await ctx.close();
  });
}

test('a language picked once wins over the browser\'s on the next visit, on every page', { skip: req.skip }, async () => {
  const ctx = await suite.browser.newContext({ viewport: { width: 1200, height: 900 }, serviceWorkers: 'block', locale: 'ar' });
  const page = await ctx.newPage();
  const problems = watchProblems(page);
  let r = await open(page, PAGES[0], 'ar');
  assert.equal(r.dir, 'rtl');
  await page.locator('[data-locale-picker]').selectOption('ja-JP');
  await page.waitForFunction(() => document.documentElement.lang === 'ja-JP' && document.documentElement.dir === 'ltr');
  await page.close();
  // The next visit, in a new tab of the same browser: Japanese on both pages, left to right.
  for (const p of [...PAGES, ...PAGES]) {
    const tab = await ctx.newPage();
    r = await open(tab, p, 'ja-JP');
    assert.equal(r.dir, 'ltr', p.file);
    assert.equal(r.h1, PAGE_MESSAGES.ja[p.h1], p.file);
    assert.equal(r.picker, 'ja-JP', p.file);
    assert.equal(r.widget.lang, 'ja', p.file);
    await tab.close();
  }
  // Picking English is a choice like any other: it wins over the browser's Arabic too.
  const tab = await ctx.newPage();
  await open(tab, PAGES[1], 'ja-JP');
  await tab.locator('[data-locale-picker]').selectOption('en-US');
  await tab.waitForFunction(() => document.documentElement.lang === 'en-US');
  r = await open(tab, PAGES[0], 'en-US');
  assert.equal(r.h1, PAGE_MESSAGES.en['p.hero.h1']);
  assert.equal(r.dir, 'ltr');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a page loads the catalogue of the language it speaks, and no other', { skip: req.skip }, async () => {
  for (const [browserTag, lang] of [['en-US', ''], ['de-DE', 'de']]) {
    const ctx = await suite.browser.newContext({ viewport: { width: 1200, height: 900 }, serviceWorkers: 'block', locale: browserTag });
    const page = await ctx.newPage();
    const problems = watchProblems(page);
    /** @type {string[]} */
    const asked = [];
    page.on('request', (r) => { const m = /\/(ce|pages)\/messages\/([\w-]+)\.js$/.exec(new URL(r.url()).pathname); if (m) asked.push(`${m[1]}/${m[2]}`); });
    for (const p of PAGES) await open(page, p, browserTag);
    const want = lang ? [`ce/${lang}`, `pages/${lang}`] : [];
    assert.deepEqual([...new Set(asked)].sort(), want, `${browserTag}: only its own language`);
    // Picking another language loads it then, and the page and the element speak it.
    asked.length = 0;
    await page.locator('[data-locale-picker]').selectOption('ja-JP');
    await page.waitForFunction((h1) => document.documentElement.lang === 'ja-JP' && document.querySelector('h1')?.textContent === h1, PAGE_MESSAGES.ja[PAGES[1].h1]);
    await page.waitForFunction(() => document.querySelector('#badge')?.shadowRoot?.querySelector('.ce')?.getAttribute('lang') === 'ja-JP');
    assert.deepEqual([...new Set(asked)].sort(), ['ce/ja', 'pages/ja']);
    assert.deepEqual(problems, []);
    await ctx.close();
  }
});
