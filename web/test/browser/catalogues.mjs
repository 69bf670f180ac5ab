// Every language of the element's and the pages' catalogues, as the tests compare against them:
// English from ce/messages.js and pages/messages.js, the others from their messages/<lang>.js,
// which a page loads only when it speaks the language.
import { MESSAGES as ELEMENT_EN } from '../../ce/messages.js';
import { PAGE_MESSAGES as PAGES_EN } from '../../pages/messages.js';

export const LANGUAGES = ['zh-Hans', 'ja', 'de', 'es', 'ar'];

/** @param {string} dir @param {Record<string, any>} en */
async function all(dir, en) {
  const out = { ...en };
  for (const lang of LANGUAGES) out[lang] = (await import(`../../${dir}/messages/${lang}.js`)).default;
  return out;
}

/** The element's catalogue by language. */
export const MESSAGES = await all('ce', ELEMENT_EN);
/** The pages' catalogue by language. */
export const PAGE_MESSAGES = await all('pages', PAGES_EN);
