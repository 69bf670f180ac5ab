// @ts-check
// Styles of <credit-estimator>: one constructed sheet shared by every instance (adoptedStyleSheets
// work under a CSP without 'unsafe-inline'). Theming: the --ce-* custom properties and ::part()s
// documented in docs/widget.md; nothing else of the host page's styles gets in.

/** @type {CSSStyleSheet|null} */
let sheet = null;

/** The shared sheet, built on first use. @returns {CSSStyleSheet} */
export function styles() {
  if (sheet) return sheet;
  sheet = new CSSStyleSheet();
  sheet.replaceSync(`:host {
  all: initial;
  display: block;
  contain: layout style;
  box-sizing: border-box;
  font-family: var(--ce-font, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK JP", sans-serif);
  font-size: var(--ce-font-size, 15px);
  line-height: 1.45;
  color: var(--ce-fg, #172033);
  /* :host rules lose to the host page's rules on the element itself (even "* { … }", and
     !important ones always), and those properties inherit into the shadow root: so every
     inherited property is reset again on .ce, inside, where no page rule reaches. Only custom
     properties (theming) cross in on purpose. */
}
.ce {
  all: initial;
  display: block;
  box-sizing: border-box;
  font-family: var(--ce-font, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK JP", sans-serif);
  font-size: var(--ce-font-size, 15px);
  /* Three text sizes (the base, --_fs-m, --_fs-s and the total's figure), each from the base, never
     from a parent's size, and weights 400, 600 and 700 only: every size and weight a page shows is
     a font lookup at its first layout (on Linux a round trip to the browser process each). */
  --_fs-m: calc(var(--ce-font-size, 15px) * 0.9);
  --_fs-s: calc(var(--ce-font-size, 15px) * 0.8);
  font-style: normal;
  font-weight: 400;
  font-variant: normal;
  font-stretch: normal;
  line-height: var(--ce-line-height, 1.45);
  letter-spacing: normal;
  word-spacing: normal;
  text-transform: none;
  text-indent: 0;
  text-align: start;
  text-shadow: none;
  white-space: normal;
  direction: var(--ce-direction, ltr);
  visibility: visible;
  color: var(--ce-fg, #172033);
  --_accent: var(--ce-accent, #4f46e5);
  --_muted: var(--ce-muted, #5b6478);
  --_border: var(--ce-border, #d5d9e3);
  --_bg: var(--ce-bg, #ffffff);
  --_panel: var(--ce-panel, #f5f6fa);
  --_radius: var(--ce-radius, 12px);
  --_error: var(--ce-error, #b42318);
}
.ce[dir="rtl"] { direction: var(--ce-direction, rtl); }
.ce.compact { display: inline-block; }
:host([hidden]) { display: none; }
:host([compact]) { display: inline-block; vertical-align: middle; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.full {
  background: var(--_bg);
  border: 1px solid var(--_border);
  border-radius: var(--_radius);
  padding: 20px;
  display: grid;
  grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr);
  grid-template-areas: "form total" "form result";
  grid-template-rows: auto 1fr;
  column-gap: 24px;
  row-gap: 10px;
}
.full.narrow { grid-template-columns: minmax(0, 1fr); grid-template-areas: "total" "form" "result"; row-gap: 16px; }
.full.tight { padding: 14px; }
.full.tight form { grid-template-columns: minmax(0, 1fr); }
form { grid-area: form; }
.total { grid-area: total; }
.result { grid-area: result; }
form { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px 14px; margin: 0; align-content: start; }
.field { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
.field.wide { grid-column: 1 / -1; }
label, .label { font-size: var(--_fs-s); font-weight: 600; color: var(--_muted); letter-spacing: 0.01em; }
select, input, textarea, button { font: inherit; color: inherit; margin: 0; }
select, input, textarea {
  width: 100%;
  text-overflow: ellipsis;
  border: 1px solid var(--_border);
  border-radius: calc(var(--_radius) * 0.6);
  background: var(--_bg);
  padding: 7px 10px;
  min-height: 38px;
}
textarea { resize: vertical; min-height: 92px; line-height: 1.4; }
select:focus-visible, input:focus-visible, textarea:focus-visible, button:focus-visible, a:focus-visible, summary:focus-visible {
  outline: 3px solid color-mix(in srgb, var(--_accent) 45%, transparent);
  outline-offset: 1px;
  border-color: var(--_accent);
}
[aria-invalid="true"] { border-color: var(--_error); }
.hint { font-size: var(--_fs-s); color: var(--_muted); min-height: 1.2em; }
.hint.error { color: var(--_error); }
.signals { display: flex; flex-wrap: wrap; gap: 6px; min-height: 28px; align-items: center; margin: 0; padding: 0; list-style: none; }
.chip {
  display: inline-flex; gap: 6px; align-items: baseline;
  background: var(--_panel); border: 1px solid var(--_border); border-radius: 999px;
  padding: 2px 10px; font-size: var(--_fs-s); max-width: 100%;
}
.chip .l { white-space: nowrap; }
.chip q { font-style: italic; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 18ch; min-width: 0; }
.chip .w { color: var(--_muted); font-variant-numeric: tabular-nums; }
.chip.ignored { border-style: dashed; color: var(--_muted); background: var(--_bg); }
.chip.ignored q { text-decoration: line-through; }
.level { font-weight: 600; }
.result { display: flex; flex-direction: column; gap: 10px; min-width: 0; }
.total { background: var(--_panel); border-radius: var(--_radius); padding: 14px 16px; min-height: 112px; }
.caption { margin: 0; font-size: var(--_fs-s); font-weight: 600; color: var(--_muted); text-transform: uppercase; letter-spacing: 0.05em; }
.credits { display: block; margin: 0; line-height: 1.2; font-size: 2.2em; font-weight: 700; font-variant-numeric: tabular-nums; letter-spacing: -0.01em; color: var(--_accent); }
.unit { color: var(--_muted); }
.usd, .per { margin: 2px 0 0; font-variant-numeric: tabular-nums; }
.per { font-size: var(--_fs-s); color: var(--_muted); min-height: 1.3em; }
.pending .credits, .pending .usd { opacity: 0.55; }
details { border: 1px solid var(--_border); border-radius: calc(var(--_radius) * 0.75); padding: 8px 12px; }
summary { cursor: pointer; font-weight: 600; }
.rows { list-style: none; margin: 6px 0 0; padding: 0; display: grid; gap: 4px; min-height: calc(6 * 1.55em); }
.rows li { display: flex; justify-content: space-between; gap: 10px; font-size: var(--_fs-m); }
.rows li span:last-child { font-variant-numeric: tabular-nums; color: var(--_muted); white-space: nowrap; }
.section :is(h1, h2, h3, h4, h5, h6) { font-size: var(--_fs-s); font-weight: 600; margin: 0 0 4px; color: var(--_muted); }
.ways { margin: 4px 0 0; padding-inline-start: 1.2em; }
.plans, .topup { font-size: var(--_fs-m); }
.plans ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; min-height: calc(2 * 1.45em + 2px); }
.topup p { min-height: 1.45em; }
.plans li { display: flex; justify-content: space-between; gap: 8px; }
.plans li.current { font-weight: 600; }
.plans li span:last-child { font-variant-numeric: tabular-nums; }
.topup p { margin: 0; }
.footer { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; justify-content: space-between; font-size: var(--_fs-s); color: var(--_muted); }
.status.offline, .status.stale { color: #8a4b00; }
button {
  border: 1px solid var(--_accent); background: var(--_bg); color: var(--_accent);
  border-radius: 999px; padding: 5px 12px; cursor: pointer; font-weight: 600; font-size: var(--_fs-s); min-height: 32px;
}
button:hover { background: color-mix(in srgb, var(--_accent) 8%, var(--_bg)); }
button.primary { background: var(--_accent); color: #fff; }
.share { display: flex; gap: 6px; align-items: center; min-width: 0; }
.share a { color: var(--_accent); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 22ch; }
.failure {
  border: 1px solid var(--_error); color: var(--_error); background: color-mix(in srgb, var(--_error) 6%, var(--_bg));
  border-radius: calc(var(--_radius) * 0.75); padding: 10px 12px; display: flex; gap: 10px; align-items: center; justify-content: space-between;
}
.failure p { margin: 0; }
.badge {
  display: inline-flex; align-items: center; gap: 6px; white-space: nowrap;
  min-width: var(--ce-badge-min-width, 13.5ch); justify-content: center;
  background: var(--ce-badge-bg, color-mix(in srgb, var(--_accent) 12%, #fff));
  color: var(--ce-badge-fg, var(--_accent));
  border-radius: 999px; padding: 3px 10px; font-size: var(--_fs-m); font-weight: 600; font-variant-numeric: tabular-nums;
}
.badge.error { color: var(--_error); background: color-mix(in srgb, var(--_error) 10%, #fff); }
.badge.pending { opacity: 0.7; }
.badge button { min-height: 22px; padding: 0 8px; font-size: inherit; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.pending-card { padding: 14px 16px; color: var(--_muted); }
.fallback { margin: 8px 0 0; }
/* Dark colours unless the page themes the element (the --ce-* properties win either way). */
@media (prefers-color-scheme: dark) {
  .ce {
    color: var(--ce-fg, #e6e9f2);
    --_accent: var(--ce-accent, #a5b4fc);
    --_muted: var(--ce-muted, #aab2c5);
    --_border: var(--ce-border, #3a4257);
    --_bg: var(--ce-bg, #141927);
    --_panel: var(--ce-panel, #1d2436);
    --_error: var(--ce-error, #fda29b);
  }
  .badge { background: var(--ce-badge-bg, color-mix(in srgb, var(--_accent) 18%, #141927)); }
  .badge.error { background: color-mix(in srgb, var(--_error) 14%, #141927); }
  button.primary { color: #141927; }
  .status.offline, .status.stale { color: #fdba74; }
}
`);
  return sheet;
}
