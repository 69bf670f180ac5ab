// @ts-check
// The 404 page (server/notfound.go) in the visitor's language: the one picked on the other pages
// (remembered on this device), else the browser's (visitorLocale, the rule of every demo page);
// its texts come from pages/messages.js.
import { translator } from '../ce/i18n.js';
import { translatePage, visitorLocale } from './common.js';

const loc = visitorLocale();
document.documentElement.lang = loc.tag;
document.documentElement.dir = loc.dir;
translatePage(translator(loc));
