// Package estimator is the single source of pricing truth for AI video credits: the same code
// prices a video on the server (natively) and in the browser (compiled to WebAssembly), so the
// number a person sees before generating is byte for byte the number they are charged.
//
// # Rate card
//
// Every priced number lives in a rate card: a versioned JSON document (the default one,
// ratecard.json, is embedded; Default returns it, ParseRateCard validates one received at run
// time). Its digest is "sha256:" + the SHA-256 of its canonical JSON (members sorted by key, no
// white space), so reformatting a card keeps its digest and any change of a value changes it.
// Every quote names the card's version and digest. A malformed card is rejected with an *Error
// whose Field is the JSON path of the bad entry (e.g. "formats[2].multipliers.60"), never
// repaired.
//
// # Arithmetic and rounding
//
// Amounts are exact fixed-point integers, never floating point: Credits count hundredths of a
// credit, Money counts micro-dollars, Multiplier counts ten-thousandths. Products of several
// factors are computed in 128 bits and divided once. The rules:
//
//   - One video costs reference credits × format × duration × complexity × mode, rounded UP to
//     the next 0.01 credit, once, at the end. A quote's credits are that unit price × count, so
//     count scales exactly.
//   - Duration is billed in whole billing increments of the card (1 s by default), rounded up:
//     7.25 s is billed as 8 s. Requests give durations to at most the millisecond.
//   - Money is kept to the micro-dollar and shown in the card currency's minor unit (cents,
//     whole yen), rounding half away from zero. Prices per credit or per video are rounded once,
//     with the same rule, to a hundredth of the minor unit and always written with that many
//     decimals: $0.0527, ¥14.38. RateCard.Prices (the "prices" operation) gives every plan's and
//     bundle's price per credit, so pages show the engine's digits and never divide themselves.
//
// # Complexity
//
// Analyze reads a prompt and returns a level (low ×1, medium ×2, high ×4, extreme ×8 on the
// default card), the score and the signals it found: counted crowds ("thousands of bison",
// "20 dancers", "数千名士兵"), collective nouns, action, physics, disasters, particles, fast
// camera moves, scale. A word model learned from labelled prompts weighs the words, pairs of
// words and Han characters it reads, and the pairs of counted signals ("fighting" beside
// "thousands of soldiers"). A prompt of several sentences is priced at most one level above its
// heaviest sentence read alone (the card's model.spread; a "spread" signal with a negative
// weight says so). The lexicon, weights, rule parameters and thresholds are card data.
// English words match by stem ("exploded" matches "explode"), the longest term winning; Han
// text is segmented by longest match. Negated words ("no crowds", "没有爆炸") and fast moves in a
// slow clause ("slow drone shot") are reported as ignored, with weight 0. A person can override
// the level with an explicit complexity. docs/complexity.md has the rules and their figures.
//
// # Credit model
//
// Bucket kinds, validity windows, billing periods and the spend order live once, here
// (credits.go, period.go), as functions of buckets, the card and an Instant (microseconds since
// the epoch, UTC; a Date is its midnight UTC instant): RateCard.Expiry, PeriodStart, PeriodAt,
// RateCard.SpendOrder, RateCard.Spend. A plan's billing periods keep the day it started, clamped
// to shorter months (Jan 31 → Feb 28 → Mar 31); monthly and priority credits expire when their
// period ends. Buckets pay soonest expiry first, ties by kind (trial, monthly, priority, topup,
// adjustment), grant, place; priority credits pay last while a fast-queue plan is live. The
// wallet and spend ops and package ledger call these functions, so a preview and the ledger
// cannot disagree. They are in this package, not a subpackage, because they need the card.
//
// # The contract
//
// Requests and responses are JSON and identical on every surface. DecodeSpec decodes a quote
// request strictly (no unknown or duplicate members, valid UTF-8, exact numbers of the right
// type); RateCard.Do runs any operation ("quote", the economics operations, "verify", which
// checks a client's quote against a fresh one on the ChargeMembers, and the front ends' "choices"
// and "prices"; all listed by Ops) from request bytes to response bytes, and is what the wasm
// module and the HTTP server call. RateCard.Choices is what a front end offers (labelled in a
// locale); a page never reads the card to find it.
//
// # Limits
//
// No request may cost far more work than a normal one, by design: a request has at most
// MaxRequestBytes (64 KiB) and MaxRequestValues JSON values (the parser refuses the value past
// the limit before building it), nesting 16; its prompts together have at most the card's
// limits.maxPromptChars characters; plans and wallets have at most 32 jobs and buckets; the
// wallet's least top-up is computed directly, not searched. Beyond a limit the answer is an
// error (request_too_large, prompt_too_long, too_many_items), never a truncation.
// The package's JSON codec is its own (internal/jsonx) rather than encoding/json, to keep the
// wasm module small; Quote and Spec also implement json.Marshaler with the same bytes.
//
// # Errors
//
// Every failure is an *Error with a stable Code (invalid_json, unknown_field, out_of_range,
// unsupported_resolution, prompt_too_long, ...), the Field at fault as a JSON path, and a
// Message for people. Nothing is clamped silently and nothing panics: Do turns an unexpected
// panic into the code "internal".
package estimator
