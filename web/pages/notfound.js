// @ts-check
// The 404 page (server/notfound.go) in the visitor's language: the one picked on the other pages
// (remembered on this device), else the browser's; its texts come from pages/messages.js.
import { pickLocale, translator } from '../ce/i18n.js';
import { translatePage } from './common.js';

const stored = (() => { try { return localStorage.getItem('demo:locale'); } catch { return null; } })();
const loc = pickLocale([stored, ...(navigator.languages ?? [])].filter(Boolean));
document.documentElement.lang = loc.tag;
document.documentElement.dir = loc.dir;
translatePage(translator(loc));
