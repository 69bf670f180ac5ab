// @ts-check
// The alert of <credit-estimator> when no price can be shown: the engine failed to start (with
// the page's fallback content and a retry button) or the page's card failed its check.
import { h } from '../dom.js';

export class FailureView {
  constructor() {
    this.box = h('div', { class: 'failure', part: 'error', role: 'alert', hidden: true });
  }

  get element() { return this.box; }

  /** @param {boolean} shown */
  set shown(shown) { this.box.hidden = !shown; }

  /** The engine could not start. @param {string} msg @param {any} t */
  loadFailed(msg, t) {
    // The page's fallback content (the element's light-DOM children) is shown with the message.
    this.box.replaceChildren(h('div', {}, h('p', { text: msg }), h('div', { class: 'fallback', part: 'fallback' }, h('slot'))),
      h('button', { type: 'button', class: 'primary', part: 'button retry', 'data-action': 'retry', text: t('button.retry') }));
    this.box.hidden = false;
  }

  /** The page's card failed its check. @param {string} msg */
  cardInvalid(msg) {
    this.box.replaceChildren(h('p', { text: msg }));
    this.box.hidden = false;
  }
}
