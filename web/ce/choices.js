// @ts-check
// What a person can choose, read from the rate card in force: resolutions (labels, aliases, frame
// rates), modes, complexity levels, duration and count limits, prompt length, currency and the
// default spec. The element shows exactly these; it repeats nothing of the card.
import { DEFAULT_SPEC } from '../facts.js';

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

/** @type {WeakMap<object, Map<string, Choices>>} */
const memo = new WeakMap();

/**
 * The card's translations of its own labels for a catalogue language (docs/widget.md, "Card
 * translations"), or an empty set: labels then stay in the card's language.
 * @param {any} card
 * @param {string} lang
 * @returns {{formats?: Record<string, string>, modes?: Record<string, string>, levels?: Record<string, string>, signals?: Record<string, string>, plans?: Record<string, string>, reference?: string, standardQueue?: string, roi?: string}}
 */
export function cardTranslations(card, lang) {
  return (lang && card?.translations?.[lang]) || {};
}

/**
 * The choices of a card (its JSON, parsed), labelled in a language when the card translates its
 * labels. The default spec is the card's reference point with the contract's default complexity
 * and mode (the rule of Go's RateCard.DefaultSpec).
 * @param {any} card
 * @param {string} [lang] catalogue language ("de", "zh-Hans", …)
 * @returns {Choices}
 */
export function choicesOf(card, lang = '') {
  let byLang = memo.get(card);
  if (!byLang) { byLang = new Map(); memo.set(card, byLang); }
  const hit = byLang.get(lang);
  if (hit) return hit;
  const tr = cardTranslations(card, lang);
  const resolutions = (card.formats ?? []).map((/** @type {any} */ f) => ({
    value: String(f.resolution),
    label: String(tr.formats?.[f.resolution] ?? f.label ?? f.resolution),
    aliases: (f.aliases ?? []).map((/** @type {string} */ a) => String(a).toLowerCase()),
    fps: Object.keys(f.multipliers ?? {}).map(Number).sort((a, b) => a - b),
  }));
  const ref = card.reference ?? {};
  /** @type {Choices} */
  const c = {
    version: String(card.version ?? ''),
    currency: String(card.currency ?? 'USD'),
    resolutions,
    modes: (card.modes ?? []).map((/** @type {any} */ m) => ({ value: String(m.name), label: String(tr.modes?.[m.name] ?? m.label ?? m.name) })),
    levels: (card.complexity?.levels ?? []).map((/** @type {any} */ l) => ({ value: String(l.name), label: String(tr.levels?.[l.name] ?? l.label ?? l.name) })),
    duration: {
      min: Number(card.duration?.minSeconds ?? 1),
      max: Number(card.duration?.maxSeconds ?? 1),
      step: Number(card.duration?.billingIncrementSeconds ?? 1),
    },
    maxCount: Number(card.limits?.maxCount ?? 1),
    maxPromptChars: Number(card.limits?.maxPromptChars ?? 0),
    defaultSpec: {
      resolution: String(ref.resolution ?? resolutions[0]?.value ?? ''),
      fps: Number(ref.fps ?? resolutions[0]?.fps[0] ?? 0),
      durationSeconds: Number(ref.durationSeconds ?? 0),
      prompt: '',
      complexity: DEFAULT_SPEC.complexity,
      mode: DEFAULT_SPEC.mode,
      count: 1,
    },
  };
  byLang.set(lang, c);
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
