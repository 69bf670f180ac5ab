// @ts-check
// The compact view of <credit-estimator>: one badge ("≈ 1.00 credits") that says pending, an
// error or a failure in its title, with the page's fallback content and a retry button when the
// engine cannot start. It listens to nothing: the element's click handler serves its button.
import { h, setText } from '../dom.js';

export class BadgeView {
  /** @param {(id: string, v?: Record<string, string|number>) => string} t */
  constructor(t) {
    this.credits = h('span', { part: 'credits', class: 'num' });
    this.label = h('span', { part: 'label', text: t('unit.credits', { n: '0.00' }) });
    this.approx = h('span', { 'aria-hidden': 'true', text: '≈' });
    this.badge = h('span', { part: 'badge', class: 'badge', role: 'status', 'aria-live': 'polite' }, this.approx, this.credits, this.label);
    /** @type {HTMLElement|null} */ this.slot = null;
    /** @type {HTMLElement|null} */ this.retry = null;
  }

  /** The view's root. */
  get element() { return this.badge; }

  /**
   * A quote (or "…" while there is none yet).
   * @param {any} q
   * @param {boolean} pending
   * @param {any} f the element's formats
   */
  quote(q, pending, f) {
    this.badge.classList.toggle('pending', pending);
    this.badge.classList.remove('error');
    this.badge.removeAttribute('title');
    this.approx.hidden = false;
    setText(this.credits, q ? f.credits.format(q.credits) : '…');
    setText(this.label, f.t('unit.credits', { n: q ? q.credits : '0.00' }));
  }

  /** An engine error: "— check the settings", the message in the title. @param {string} text @param {any} t */
  error(text, t) {
    this.badge.classList.remove('pending');
    this.badge.classList.add('error');
    this.approx.hidden = true;
    setText(this.credits, '—');
    setText(this.label, t('compact.check'));
    this.badge.setAttribute('title', text);
  }

  /** The page's card is being checked (pending) or failed its check. @param {boolean} invalid @param {string} msg @param {any} t */
  cardProblem(invalid, msg, t) {
    this.badge.classList.toggle('pending', !invalid);
    this.badge.classList.toggle('error', invalid);
    this.approx.hidden = true;
    setText(this.credits, invalid ? '' : '…');
    setText(this.label, invalid ? t('compact.unavailable') : t('unit.credits', { n: '0.00' }));
    this.badge.setAttribute('title', msg);
  }

  /** The engine could not start: the fallback content and a retry button. @param {string} msg @param {any} t */
  failure(msg, t) {
    this.badge.classList.remove('pending');
    this.badge.classList.add('error');
    this.approx.hidden = true;
    setText(this.credits, '');
    setText(this.label, t('compact.unavailable'));
    this.badge.setAttribute('title', msg);
    if (!this.slot) { this.slot = h('span', { class: 'fallback', part: 'fallback' }, h('slot')); this.badge.append(this.slot); }
    if (!this.retry) {
      this.retry = h('button', { type: 'button', part: 'button retry', 'data-action': 'retry', text: t('button.retry'), 'aria-label': t('aria.retry') });
      this.badge.append(this.retry);
    }
  }
}
