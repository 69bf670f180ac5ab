// What the per-locale browser suites share: the locales, axe-core's source, the default card, and
// the check that no English is left in a rendering in another language.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './helpers.mjs';

const require = createRequire(import.meta.url);

/** axe-core, served to pages from a same-origin URL (their CSP allows no inline script). */
export const AXE = readFileSync(require.resolve('axe-core/axe.min.js'));
/** The embedded default rate card. */
export const CARD = JSON.parse(readFileSync(path.join(ROOT, 'estimator/ratecard.json'), 'utf8'));
/** [page or element lang, catalogue language] for every language the catalogues translate. */
export const LOCALES = [['en-US', 'en'], ['zh-CN', 'zh-Hans'], ['ja-JP', 'ja'], ['de-DE', 'de'], ['es-ES', 'es'], ['ar', 'ar']];

const flat = (m) => (typeof m === 'string' ? [m] : Object.values(m));
/** Every string value of a JSON tree (the card's translations, without their keys). */
const deepValues = (v) => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(deepValues) : []);
/** Literal fragments of a message (the text between placeholders) with a word of 4+ letters. */
const fragments = (text) => text.split(/\{\w+\}/).map((s) => s.trim()).filter((s) => /[A-Za-z]{4,}/.test(s));

/**
 * English texts that must not appear in a rendering in lang: the English catalogues' fragments and
 * the given card labels, less what lang's own catalogues and the card's lang translations also say.
 * @param {string} lang catalogue language
 * @param {Array<Record<string, Record<string, any>>>} catalogues e.g. [MESSAGES, PAGE_MESSAGES]
 * @param {string[]} cardLabels the card's labels this rendering may show
 */
export function englishLeftovers(lang, catalogues, cardLabels) {
  const own = [...catalogues.flatMap((c) => Object.values(c[lang]).flatMap(flat)), ...deepValues(CARD.translations?.[lang] ?? {})]
    .join('\n').replace(/\{\w+\}/g, ' ');
  const en = catalogues.flatMap((c) => Object.values(c.en)).flatMap(flat).flatMap(fragments);
  return [...new Set([...en, ...cardLabels])].filter((s) => !own.includes(s));
}
