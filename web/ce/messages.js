// @ts-check
// The message catalogue of <credit-estimator>: every text it shows or announces. English is here
// (every id, and the fallback of every language); Simplified Chinese, Japanese, German, Spanish
// and Arabic are in messages/<lang>.js, each loaded only when an element or page speaks it
// (i18n.js loadCatalogue), so a page downloads and evaluates one language. Ids are stable; a
// platform overrides or adds languages with addMessages() (docs/widget.md). Labels of the card's
// own choices (resolutions, modes, levels, signals, plans) come from the card and its translations.
import { addMessages, addCatalogueLoader } from './i18n.js';

/** @typedef {import('./i18n.js').Message} Message */

/** @type {Record<string, Record<string, Message>>} English; the other languages: messages/<lang>.js */
export const MESSAGES = {
  en: {
    'unit.credits': { one: 'credit', other: 'credits' },
    'compact.unavailable': 'Estimate unavailable',
    'compact.check': 'check settings',
    'status.cardInvalid': 'Rate card not verified',
    'status.cardChecking': 'Checking this page’s rate card…',
    'status.unavailable': 'Estimator unavailable',
    'status.server': 'Rate card {version} · priced by the server (the prompt is sent to it)',
    'status.loading': 'Loading the live estimator…',
    'status.preview': 'Preview',
    'status.previewVersion': 'Preview · rate card {version}',
    'status.current': 'Rate card {version} · up to date',
    'status.updated': 'Rate card {version} · updated just now',
    'status.verified': 'Rate card {version} · this page’s card, verified',
    'status.offline': 'Offline · rate card {version}, last checked {when} — prices may have changed',
    'status.offlineNever': 'Offline · rate card {version}, never checked — prices may have changed',
    'status.rejected': 'Rate card {version} · the server’s newer card failed verification',
    'status.unchecked': 'Rate card {version} · could not check for updates (last checked {when}) — prices may have changed',
    'status.uncheckedNever': 'Rate card {version} · could not check for updates — prices may have changed',
    'status.checking': 'Rate card {version} · checking for updates…',
    'card.invalid': 'This page’s rate card could not be verified ({detail}); no price is shown.',
    'card.loading': 'Loading this page’s rate card…',
    'load.failed': 'The live estimator could not be loaded ({detail}).',
    'button.retry': 'Retry',
    'aria.retry': 'Retry loading the estimate',
    'share.link': 'Share this estimate',
    'share.copy': 'Copy link',
    'share.copied': 'Copied',
    'share.copiedStatus': 'Link copied to the clipboard',
    'share.copyFallback': 'Copy the link from “Share this estimate”',
    'total.caption': 'Estimated credits',
    'total.range': '≈ {min} – {max}',
    'total.billed': 'billed for {seconds}',
    'total.batch': { one: '{count} video × {unit} credits each · billed for {seconds} each', other: '{count} videos × {unit} credits each · billed for {seconds} each' },
    'row.reference': 'Reference: {label}',
    'row.referenceValue': '{credits} cr',
    'complexity.auto': '{label} ×{mult} (score {score})',
    'complexity.chosen': '{label} ×{mult} (chosen)',
    'hint.billed': 'billed {seconds}',
    'hint.duration': '{min}–{max} seconds',
    'hint.count': 'videos, 1–{max}',
    'error.generic': 'This spec cannot be priced.',
    'error.duration': 'Choose a duration from {min} to {max} seconds.',
    'error.count': 'Choose from 1 to {max} videos.',
    'error.prompt': 'The prompt is too long: at most {max} characters.',
    'error.resolution': 'This resolution is not offered.',
    'error.fps': 'This frame rate is not offered at this resolution.',
    'error.mode': 'This mode is not offered.',
    'error.complexity': 'This complexity level is not offered.',
    'error.number': 'Enter a number.',
    'error.server': 'The server could not price this ({detail}).',
    'fps.option': '{fps} fps',
    'complexity.autoOption': 'Auto (from the prompt)',
    'prompt.placeholder': 'Describe the video, e.g. “gentle ripples on a calm lake”',
    'balance.placeholder': 'optional',
    'aria.signals': 'Complexity signals found in the prompt',
    'label.found': 'Complexity:',
    'label.resolution': 'Resolution',
    'label.fps': 'Frame rate',
    'label.duration': 'Duration (seconds)',
    'label.count': 'Number of videos',
    'label.mode': 'Mode',
    'label.complexity': 'Complexity',
    'label.prompt': 'Prompt',
    'label.balance': 'Your credit balance',
    'aria.form': 'Video settings',
    'aria.details': 'Details of the estimate',
    'breakdown.summary': 'Why this price',
    'plans.heading': 'Videos like this per month, by plan',
    'plans.name': { one: '{name} ({credits} credit a month)', other: '{name} ({credits} credits a month)' },
    'plans.videos': { one: '{count} video', other: '{count} videos' },
    'plans.batches': { one: '{count} videos = {batches} batch of {size}', other: '{count} videos = {batches} batches of {size}' },
    'balance.heading': 'Your balance',
    'balance.enter': 'Enter your balance to see whether it covers this render.',
    'balance.format': 'Enter the balance as a number of credits, e.g. {example}.',
    'balance.covers': 'Your {balance} credits cover this render ({credits} credits).',
    'balance.short': 'This render needs {credits} credits and your balance is {balance}: {short} credits are missing.',
    'balance.topup': 'Cheapest top-up: {credits} credits for {price} ({bundles}).',
    'balance.bundle': '{count} × {credits}',
    'balance.queue': 'Or generate it free in the standard queue, about {slowdown}× slower.',
    'signal.negated': 'ignored: negated',
    'signal.slow': 'ignored: slow or still',
    'signal.alone': 'ignored: nothing to amplify',
    'signal.weight': '{weight}',
  },
};

for (const [lang, messages] of Object.entries(MESSAGES)) addMessages(lang, messages);

// One import() per language, written out so that bundlers see each file (cmd/webbuild keeps them
// out of the pages' bundles).
addCatalogueLoader('zh-Hans', () => import('./messages/zh-Hans.js'));
addCatalogueLoader('ja', () => import('./messages/ja.js'));
addCatalogueLoader('de', () => import('./messages/de.js'));
addCatalogueLoader('es', () => import('./messages/es.js'));
addCatalogueLoader('ar', () => import('./messages/ar.js'));
