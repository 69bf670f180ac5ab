// Package ledger keeps credit accounts: buckets of credits with grant and expiry instants, holds
// that reserve a job's price when it starts, charges when it finishes, refunds when it fails, and
// an append-only entry for every change — on SQLite (modernc.org/sqlite, the embedded default) or
// PostgreSQL (jackc/pgx through database/sql).
//
// The rules, written down in docs/ledger.md and tested against both databases:
//   - amounts are integers (hundredths of a credit), instants microseconds since the epoch, UTC;
//   - a hold is priced by the server's rate card (estimator.RateCard.Estimate), never by the
//     client, and records the quote, the card's version and digest and the buckets it drew;
//   - the credit model is the engine's (estimator.RateCard.SpendOrder, Spend, Expiry,
//     estimator.PeriodAt), the same functions the wallet and spend previews call: buckets pay
//     soonest expiry first, ties by kind (trial, monthly, priority, topup, adjustment); priority
//     credits pay only fast-queue holds, and last of all while a fast-queue plan is live; plan
//     grants take a billing period anchored on the plan's start day (Jan 31 → Feb 28 → Mar 31);
//     expiry is judged at the instant of the call, on the server;
//   - settle charges exactly the held credits; release returns each to its bucket; a hold left
//     open past its deadline is released automatically;
//   - every mutating call carries an idempotency key stored with the request's hash and the first
//     answer, in the same transaction as the change;
//   - Reconcile re-derives buckets and holds from the entries and reports any disagreement.
//
// The package depends on estimator and database/sql (and the two drivers) only; the HTTP API is
// in package server.
package ledger
