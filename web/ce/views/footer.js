// @ts-check
// The footer of <credit-estimator>: which card prices and how fresh it is, and a link that
// restores every input (with a copy button). connect() listens to the copy button, disconnect() stops.
import { h, setText } from '../dom.js';

export class FooterView {
  /** @param {any} f the element's formats */
  constructor(f) {
    const t = f.t;
    this.status = h('span', { class: 'status', part: 'status' });
    this.link = h('a', { part: 'share-link', href: '#', text: t('share.link') });
    this.copy = h('button', { type: 'button', part: 'button share', 'data-action': 'copy', text: t('share.copy') });
    this.copied = h('span', { class: 'sr', role: 'status' });
    this.footer = h('div', { class: 'footer' }, this.status, h('span', { class: 'share' }, this.link, this.copy, this.copied));
    /** @type {AbortController|null} */ this.listening = null;
  }

  get element() { return this.footer; }

  /**
   * Copies the share link when the button is pressed; reports whether the clipboard took it.
   * @param {() => string} url
   * @param {any} t
   * @param {(url: string) => void} onShare
   */
  connect(url, t, onShare) {
    this.disconnect();
    this.listening = new AbortController();
    this.copy.addEventListener('click', async (ev) => {
      ev.preventDefault();
      const u = url();
      let ok = false;
      try { await navigator.clipboard.writeText(u); ok = true; } catch { /* not allowed: the link is still there */ }
      setText(this.copied, ok ? t('share.copiedStatus') : t('share.copyFallback'));
      setText(this.copy, ok ? t('share.copied') : t('share.copy'));
      onShare(u);
    }, { signal: this.listening.signal });
  }

  disconnect() {
    this.listening?.abort();
    this.listening = null;
  }

  /** @param {string} text @param {''|'offline'|'stale'} [tone] */
  setStatus(text, tone = '') {
    this.status.classList.remove('offline', 'stale');
    if (tone) this.status.classList.add(tone);
    setText(this.status, text);
  }

  /** @param {string} url */
  share(url) { if (this.link.getAttribute('href') !== url) this.link.setAttribute('href', url); }
}
