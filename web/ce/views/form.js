// @ts-check
// The form of <credit-estimator>: one control per spec field and the balance, each with its hint,
// and what the engine read in the prompt (the level and its signals). Controls offer exactly the
// card's choices; a person's input is reflected to the element's attributes through onInput.
// connect() listens to the controls, disconnect() stops.
import { h, setText, setOptions } from '../dom.js';
import { DEFAULT_SPEC } from '../../facts.js';
import { canonicalResolution, fpsAt } from '../choices.js';
import { fmt } from '../format.js';

/** @typedef {import('../choices.js').Choices} Choices */

export class FormView {
  /**
   * @param {Choices|null} c the card's choices (null: controls disabled until the card is known)
   * @param {any} f the element's formats
   * @param {string} uid a prefix for ids unique on the page
   */
  constructor(c, f, uid) {
    const id = (/** @type {string} */ s) => `${uid}-${s}`;
    const t = f.t;
    /** @type {Record<string, any>} */
    const ctl = {};
    ctl.resolution = setOptions(h('select', { id: id('res'), name: 'resolution', part: 'control select', 'data-attr': 'resolution', disabled: !c }), c ? c.resolutions : []);
    ctl.fps = h('select', { id: id('fps'), name: 'fps', part: 'control select', 'data-attr': 'fps', disabled: !c });
    ctl.duration = h('input', { id: id('dur'), name: 'duration', type: 'number', inputmode: 'decimal', min: c?.duration.min, max: c?.duration.max, step: 'any', part: 'control input', 'data-attr': 'duration', 'aria-describedby': id('dur-hint'), disabled: !c });
    ctl.count = h('input', { id: id('count'), name: 'count', type: 'number', inputmode: 'numeric', min: 1, max: c?.maxCount, step: 1, part: 'control input', 'data-attr': 'count', 'aria-describedby': id('count-hint'), disabled: !c });
    ctl.mode = setOptions(h('select', { id: id('mode'), name: 'mode', part: 'control select', 'data-attr': 'mode', disabled: !c }), c ? c.modes : []);
    ctl.complexity = setOptions(h('select', { id: id('cx'), name: 'complexity', part: 'control select', 'data-attr': 'complexity', disabled: !c }),
      c ? [{ value: DEFAULT_SPEC.complexity, label: t('complexity.autoOption') }, ...c.levels] : []);
    ctl.prompt = h('textarea', { id: id('prompt'), name: 'prompt', rows: 4, part: 'control prompt', 'data-attr': 'prompt', maxlength: c?.maxPromptChars, spellcheck: 'true', placeholder: t('prompt.placeholder'), 'aria-describedby': id('signals-h'), disabled: !c });
    ctl.balance = h('input', { id: id('bal'), name: 'balance', type: 'number', inputmode: 'decimal', min: 0, step: 'any', part: 'control input', 'data-attr': 'balance', placeholder: t('balance.placeholder') });
    /** The controls by the attribute they reflect. */
    this.controls = ctl;
    /** @type {Record<string, HTMLElement>} */
    this.hints = {
      resolution: h('span', { class: 'hint', id: id('res-hint') }), fps: h('span', { class: 'hint', id: id('fps-hint') }),
      duration: h('span', { class: 'hint', id: id('dur-hint'), text: durationHint(c, f) }), count: h('span', { class: 'hint', id: id('count-hint'), text: countHint(c, f) }),
      mode: h('span', { class: 'hint' }), complexity: h('span', { class: 'hint' }), prompt: h('span', { class: 'hint' }), balance: h('span', { class: 'hint' }),
    };
    this.signals = h('ul', { class: 'signals', part: 'signals', 'aria-label': t('aria.signals') });
    this.level = h('span', { class: 'level', part: 'complexity' });
    const field = (/** @type {string} */ label, /** @type {HTMLElement} */ el, /** @type {HTMLElement} */ hint, wide = false) =>
      h('div', { class: wide ? 'field wide' : 'field' }, h('label', { for: el.id, text: label }), el, hint);
    const promptField = h('div', { class: 'field wide' },
      h('label', { for: ctl.prompt.id, text: t('label.prompt') }), ctl.prompt,
      h('div', { class: 'label', id: id('signals-h') }, h('span', { text: t('label.found') }), ' ', this.level),
      this.signals, this.hints.prompt);
    this.form = h('form', { part: 'form', 'aria-label': t('aria.form'), novalidate: true },
      field(t('label.resolution'), ctl.resolution, this.hints.resolution), field(t('label.fps'), ctl.fps, this.hints.fps),
      field(t('label.duration'), ctl.duration, this.hints.duration), field(t('label.count'), ctl.count, this.hints.count),
      field(t('label.mode'), ctl.mode, this.hints.mode), field(t('label.complexity'), ctl.complexity, this.hints.complexity),
      promptField,
      field(t('label.balance'), ctl.balance, this.hints.balance, true));
    /** @type {AbortController|null} */ this.listening = null;
  }

  /** The view's root. */
  get element() { return this.form; }

  /**
   * Reports a person's input: the control's attribute and its value.
   * @param {(attr: string, value: string) => void} onInput
   */
  connect(onInput) {
    this.disconnect();
    this.listening = new AbortController();
    const handler = (/** @type {Event} */ ev) => {
      const t = /** @type {HTMLInputElement} */ (ev.target);
      const attr = t?.dataset?.attr;
      if (attr) onInput(attr, t.value);
    };
    this.form.addEventListener('input', handler, { signal: this.listening.signal });
    this.form.addEventListener('change', handler, { signal: this.listening.signal });
  }

  disconnect() {
    this.listening?.abort();
    this.listening = null;
  }

  /**
   * The frame rates the card offers at a resolution.
   * @param {Choices|null} c @param {any} f @param {string} resolution
   */
  syncFPS(c, f, resolution) {
    setOptions(this.controls.fps, c ? fpsAt(c, resolution).map((n) => ({ value: n, label: f.t('fps.option', { fps: f.int.format(n) }) })) : []);
  }

  /**
   * Shows a value in a control, unless the person is typing in it (the prompt always follows).
   * @param {string} attr
   * @param {string} value
   * @param {Element|null} active the shadow root's focused element
   * @param {Choices|null} c for the resolution's canonical name
   */
  sync(attr, value, active, c) {
    const ctl = this.controls[attr];
    if (!ctl || !('value' in ctl)) return;
    const v = attr === 'resolution' && c ? canonicalResolution(c, value) : value;
    if (ctl.value !== v && active !== ctl) ctl.value = v;
    else if (ctl.value !== v && attr === 'prompt') ctl.value = v;
  }

  /**
   * The hints and what the engine read in the prompt, for a quote (or none yet).
   * @param {any} q @param {boolean} pending @param {Choices|null} c @param {any} f
   */
  quote(q, pending, c, f) {
    if (q?.complexity) {
      const x = q.complexity;
      const values = { label: x.label, mult: fmt(f.mult, x.multiplier), score: f.int.format(x.score) };
      setText(this.level, x.source === 'auto' ? f.t('complexity.auto', values) : f.t('complexity.chosen', values));
      renderSignals(this.signals, x.signals ?? [], f);
    } else {
      setText(this.level, pending ? '…' : '—');
      renderSignals(this.signals, [], f);
    }
    for (const [k, hint] of Object.entries(this.hints)) {
      hint.classList.remove('error');
      this.controls[k]?.removeAttribute?.('aria-invalid');
      if (k === 'duration') setText(hint, q ? f.t('hint.billed', { seconds: fmt(f.seconds, q.billedSeconds) }) : durationHint(c, f));
      else if (k === 'count') setText(hint, countHint(c, f));
      else setText(hint, '');
    }
  }

  /**
   * An engine error at its field (the prompt's hint when the field has no control).
   * @param {any} err @param {string} text
   */
  error(err, text) {
    setText(this.level, '—');
    const map = { durationSeconds: 'duration' };
    const key = map[err?.field] ?? err?.field;
    const hint = this.hints[key] ?? this.hints.prompt;
    hint.classList.add('error');
    setText(hint, text);
    this.controls[key]?.setAttribute?.('aria-invalid', 'true');
  }
}

/** @param {Choices|null} c @param {any} f */
function durationHint(c, f) { return c ? f.t('hint.duration', { min: f.int.format(c.duration.min), max: f.int.format(c.duration.max) }) : ''; }
/** @param {Choices|null} c @param {any} f */
function countHint(c, f) { return c ? f.t('hint.count', { max: f.int.format(c.maxCount) }) : ''; }

/** @param {HTMLElement} ul @param {any[]} signals @param {any} f */
function renderSignals(ul, signals, f) {
  while (ul.children.length > signals.length) ul.lastElementChild?.remove();
  signals.forEach((s, i) => {
    let li = ul.children[i];
    if (!li) {
      li = h('li', { class: 'chip', part: 'signal' }, h('span', { class: 'l' }), h('q'), h('span', { class: 'w' }));
      ul.append(li);
    }
    setText(li.children[0], s.label);
    setText(li.children[1], s.match ?? ''); // prompt text: textContent only
    // The rest of the word model ("other words") quotes nothing.
    /** @type {HTMLElement} */ (li.children[1]).hidden = !s.match;
    // An ignored signal ("no crowds", "slow drone shot") is shown as read but not counted.
    setText(li.children[2], s.ignored ? f.t(`signal.${s.ignored}`) : f.t('signal.weight', { weight: f.signed.format(s.weight) }));
    li.classList.toggle('ignored', Boolean(s.ignored));
  });
}
