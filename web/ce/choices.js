// @ts-check
// What a person can choose on the rate card in force — resolutions (labels, aliases, frame rates),
// modes, complexity levels, duration and count limits, prompt length, currency and the default
// spec — as the engine answers it (RateCard.Choices, the "choices" op): from facts.js for the build
// card before the module loads, from the module for the card in force, from the server for the
// server fallback (ce/remote.js). The element shows exactly these; nothing here reads a card.
import { CHOICES, CARD } from '../facts.js';

/**
 * @typedef {object} Choices
 * @property {string} version card version
 * @property {string} currency ISO 4217 code
 * @property {Array<{value: string, label: string, aliases: string[], fps: number[]}>} resolutions lowest first
 * @property {Array<{value: string, label: string}>} modes
 * @property {Array<{value: string, label: string}>} levels complexity levels, calmest first
 * @property {{min: number, max: number, step: number}} duration seconds
 * @property {number} maxCount
 * @property {number} maxPromptChars
 * @property {{resolution: string, fps: number, durationSeconds: number, prompt: string, complexity: string, mode: string, count: number}} defaultSpec
 */

/**
 * The card's translations of its own labels for a catalogue language (docs/widget.md, "Card
 * translations"), or an empty set: labels then stay in the card's language. For what the pages
 * name beyond the choices (plan names, the standard queue); choices come labelled from the engine.
 * @param {any} card
 * @param {string} lang
 * @returns {{formats?: Record<string, string>, modes?: Record<string, string>, levels?: Record<string, string>, signals?: Record<string, string>, plans?: Record<string, string>, reference?: string, standardQueue?: string, roi?: string}}
 */
export function cardTranslations(card, lang) {
  return (lang && card?.translations?.[lang]) || {};
}

/**
 * The build card's choices in a catalogue language ("de", "zh-Hans", …): generated from Go at
 * build time, in the card's own labels when it does not translate into that language.
 * @param {string} lang
 * @returns {Choices}
 */
export function builtChoices(lang) {
  return /** @type {Choices} */ ((lang && CHOICES[lang]) || CHOICES['']);
}

/** @type {Map<string, Choices>} digest and language → the engine's answer (a card's choices never change) */
const answered = new Map();

/**
 * The engine's choices for the card it has in force (identified by its digest), in a language.
 * @param {{call: (op: string, request: unknown) => any}} est
 * @param {string} digest the digest of the card in force
 * @param {string} lang
 * @returns {Choices}
 */
export function engineChoices(est, digest, lang) {
  // The build card's choices were computed by the same Go code at build time (facts.js; a node
  // test compares them with the engine's in every language): the very same object, so an
  // element built before the engine loaded need not build again when it arrives.
  if (digest === CARD.digest) return builtChoices(lang);
  const key = `${digest}\n${lang}`;
  let c = answered.get(key);
  if (!c) {
    c = /** @type {Choices} */ (est.call('choices', lang ? { locale: lang } : {}));
    answered.set(key, c);
  }
  return c;
}

/**
 * The card's name for a resolution given by name or alias (any case); the input when unknown
 * (the engine then reports it).
 * @param {Choices} c
 * @param {unknown} r
 * @returns {string}
 */
export function canonicalResolution(c, r) {
  const s = String(r ?? '').toLowerCase();
  for (const x of c.resolutions) if (x.value.toLowerCase() === s || x.aliases.includes(s)) return x.value;
  return String(r ?? '');
}

/**
 * The frame rates offered at a resolution (every resolution of a card lists the same ones).
 * @param {Choices} c
 * @param {string} resolution
 * @returns {number[]}
 */
export function fpsAt(c, resolution) {
  const r = c.resolutions.find((x) => x.value === canonicalResolution(c, resolution)) ?? c.resolutions[0];
  return r ? r.fps : [];
}
