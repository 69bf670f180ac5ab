// The element's formats (web/ce/format.js, as built into web/dist): the date formats are built when
// first read, not with the rest (a renderer's first DateTimeFormat costs milliseconds of a first
// price that shows no date), and a formats object with more fields (withFormats) reads the same
// ones.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST } from './helpers.mjs';

const { makeFormats, withFormats } = await import(pathToFileURL(path.join(DIST, 'ce/format.js')).href);

test('date formats are built when first read, once, and withFormats shares them', () => {
  const Real = Intl.DateTimeFormat;
  let built = 0;
  // @ts-ignore: a counting stand-in for the constructor
  Intl.DateTimeFormat = function (...args) { built++; return new Real(...args); };
  try {
    const f = makeFormats('de-CH', 'CHF');
    assert.equal(built, 0, 'no DateTimeFormat with the number formats');
    assert.equal(f.credits.format('1234.5'), new Intl.NumberFormat('de-CH', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format('1234.5'));
    const more = withFormats(f, { lang: 'de' });
    assert.equal(built, 0, 'withFormats builds none either');
    assert.equal(more.lang, 'de');
    assert.equal(more.money, f.money, 'the same number formats');
    const day = more.day;
    assert.equal(built, 1, 'the day format, when read');
    assert.equal(f.day, day, 'built once, shared');
    assert.equal(day.format(new Date(Date.UTC(2026, 11, 7))), new Real('de-CH', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(2026, 11, 7))));
    assert.ok(f.date instanceof Real);
    assert.equal(built, 2);
    assert.ok(Object.isFrozen(f), 'the shared formats stay frozen');
  } finally {
    Intl.DateTimeFormat = Real;
  }
});
