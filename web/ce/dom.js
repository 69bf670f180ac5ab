// @ts-check
// Small DOM helpers for <credit-estimator>. Every piece of text goes through textContent; no HTML
// strings are parsed.

/**
 * Creates an element with attributes (`text` sets textContent) and children.
 * @param {string} tag
 * @param {Record<string, string|boolean|number|null|undefined>} [attrs]
 * @param {...(Node|string)} children
 * @returns {any}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) el.append(c);
  return el;
}

/**
 * Sets textContent only when it changes (no needless mutations, no flicker for screen readers).
 * @param {Element|null|undefined} el
 * @param {string} text
 */
export function setText(el, text) { if (el && el.textContent !== text) el.textContent = text; }

/**
 * Replaces a select's options, keeping its value when it is still offered.
 * @param {HTMLSelectElement} select
 * @param {ReadonlyArray<{value: string|number, label: string}>} list
 * @returns {HTMLSelectElement}
 */
export function setOptions(select, list) {
  const keep = select.value;
  select.replaceChildren(...list.map((o) => h('option', { value: String(o.value), text: o.label })));
  if (list.some((o) => String(o.value) === keep)) select.value = keep;
  return select;
}
