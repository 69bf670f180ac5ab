// @ts-check
// The full view's layout: one column when the element itself is narrow (not the viewport: the
// host decides its width), one field per row when it is phone-wide. connect() observes the
// element's width, disconnect() stops.
export class Layout {
  /** @param {HTMLElement} root the full view's root */
  constructor(root) {
    this.root = root;
    /** @type {ResizeObserver|null} */ this.ro = null;
  }

  /** @param {Element} host */
  connect(host) {
    this.disconnect();
    if (typeof ResizeObserver !== 'function') return;
    this.ro = new ResizeObserver(([entry]) => {
      this.root.classList.toggle('narrow', entry.contentRect.width < 640);
      // A phone-wide element: one field per row, so no select cuts its text.
      this.root.classList.toggle('tight', entry.contentRect.width < 460);
    });
    this.ro.observe(host);
  }

  disconnect() {
    this.ro?.disconnect();
    this.ro = null;
  }
}
