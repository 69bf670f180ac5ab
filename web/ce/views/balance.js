// @ts-check
// "Your balance": whether a balance covers the quote, and when it does not, the credits missing
// with both ways out (the cheapest top-up and the free standard queue), as the controller found.
import { h, setText } from '../dom.js';

export class BalanceView {
  /** @param {any} f the element's formats @param {number} headingLevel */
  constructor(f, headingLevel) {
    this.text = h('p');
    this.ways = h('ul', { class: 'ways' });
    this.section = h('div', { class: 'section topup', part: 'topup' }, h(`h${headingLevel}`, { text: f.t('balance.heading') }), this.text, this.ways);
  }

  get element() { return this.section; }

  /** @param {string} text @param {string[]} [ways] */
  render(text, ways = []) {
    setText(this.text, text);
    this.ways.replaceChildren(...ways.map((w) => h('li', { text: w })));
  }
}
