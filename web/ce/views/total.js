// @ts-check
// The total of <credit-estimator>: the credits, their price range in the card's currency, what
// one video costs, and the "why this price" rows (the engine's own labels and multipliers).
// A live region: screen readers hear the new total once it changes.
import { h, setText } from '../dom.js';
import { fmt, perLine, breakdownRows } from '../format.js';

export class TotalView {
  /** @param {any} f the element's formats */
  constructor(f) {
    const t = f.t;
    this.credits = h('p', { class: 'credits', part: 'credits' });
    this.usd = h('p', { class: 'usd', part: 'usd' });
    this.per = h('p', { class: 'per', part: 'per-video' });
    this.total = h('div', { class: 'total', part: 'total', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
      h('p', { class: 'caption', text: t('total.caption') }), this.credits, this.usd, this.per);
    this.rows = h('ul', { class: 'rows' });
    this.breakdown = h('details', { part: 'breakdown', open: true }, h('summary', { text: t('breakdown.summary') }), this.rows);
  }

  /** The total (the breakdown is placed by the element, in the result section). */
  get element() { return this.total; }

  /** @param {any} q @param {boolean} pending @param {any} f */
  quote(q, pending, f) {
    this.credits.classList.toggle('pending', pending);
    setText(this.credits, q ? f.credits.format(q.credits) : '…');
    setText(this.usd, q ? f.t('total.range', { min: fmt(f.money, q.usd.min), max: fmt(f.money, q.usd.max) }) : '\u00a0');
    setText(this.per, q ? perLine(q, f, f.t) : '\u00a0');
    renderRows(this.rows, q ? breakdownRows(q, f, f.t) : []);
  }

  /** No total: a dash, and the error where the per-video line goes. @param {string} text */
  error(text) {
    setText(this.credits, '—');
    setText(this.per, text);
  }
}

/** @param {HTMLElement} ul @param {Array<[string, string]>} rows */
function renderRows(ul, rows) {
  while (ul.children.length > rows.length) ul.lastElementChild?.remove();
  rows.forEach(([label, value], i) => {
    let li = ul.children[i];
    if (!li) { li = h('li', {}, h('span', { dir: 'auto' }), h('span', { dir: 'ltr' })); ul.append(li); }
    setText(li.firstElementChild, label);
    setText(li.lastElementChild, value);
  });
}
