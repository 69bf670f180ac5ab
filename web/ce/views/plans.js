// @ts-check
// "With each plan": how many videos like this one each plan's credits make, from the engine's
// plans op (the controller asks; this view only lays the answer out).
import { h } from '../dom.js';
import { fmt } from '../format.js';

export class PlansView {
  /** @param {any} f the element's formats @param {number} headingLevel */
  constructor(f, headingLevel) {
    this.list = h('ul');
    this.section = h('div', { class: 'section plans', part: 'plans' }, h(`h${headingLevel}`, { text: f.t('plans.heading') }), this.list);
  }

  get element() { return this.section; }

  /** A dash (no quote) or a sentence (the engine's error) in place of the list. @param {string} text */
  message(text) { this.list.replaceChildren(h('li', {}, h('span', { text }))); }

  /**
   * @param {Array<{id: string, name: string, credits: string, videos: number}>} plans
   * @param {number} size videos in one batch of the quote
   * @param {string} current the element's plan attribute
   * @param {any} f
   */
  render(plans, size, current, f) {
    this.list.replaceChildren(...plans.map((p) => {
      const videos = f.int.format(p.videos);
      const text = size > 1
        ? f.t('plans.batches', { n: p.videos, count: videos, batches: f.int.format(Math.floor(p.videos / size)), size: f.int.format(size) })
        : f.t('plans.videos', { n: p.videos, count: videos });
      return h('li', { class: p.id === current ? 'current' : '' },
        h('span', { text: f.t('plans.name', { n: p.credits, name: p.name, credits: fmt(f.credits0, p.credits) }) }),
        h('span', { text }));
    }));
    this.section.hidden = plans.length === 0;
  }
}
