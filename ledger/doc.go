// Package ledger keeps credit accounts: buckets of credits with grant and expiry instants, holds
// that reserve a job's price when it starts, charges when it finishes, refunds when it fails, and
// an append-only entry for every change — on SQLite (modernc.org/sqlite, the embedded default) or
// PostgreSQL (jackc/pgx through database/sql).
//
// # Calls and results
//
// Open a ledger with a SQLite path or a postgres:// URL. Every mutating call takes a [Call] — who
// calls, their idempotency key and a hash of the request — and returns a typed result:
//
//   - [Ledger.CreateAccount] → [Account]: the id, the bearer token and the trial bucket;
//   - [Ledger.Grant] → [Granted]: the buckets of a plan period, a top-up (with its [Purchase]) or
//     an operator adjustment;
//   - [Ledger.Hold] → [Held]: the [Hold] and the [Quote] the server's card priced it at;
//   - [Ledger.Settle] and [Ledger.Release] → [Closed]: the credits charged or refunded, the
//     buckets they came from, the hold as it is now; [Ledger.SettleDelivered] charges the
//     engine's quote for what was delivered (a count of the videos, or the delivered spec) and
//     returns the rest; [Ledger.Extend] moves an open hold's deadline;
//   - [Ledger.Void] → [Voided] and [Ledger.Debit] → [Debited]: reversals with a [Reversal]
//     (reason, actor, memo); a balance never goes below zero;
//   - [Ledger.PayTopUp], [Ledger.PayPlan], [Ledger.VoidPurchase], [Ledger.EndSubscription] →
//     [Payment]: a payment provider's events, keyed forever by the provider's object id.
//
// Reads return [Balance] and [Statement] (of [Entry] lines). Amounts are estimator.Credits
// (integers, hundredths of a credit), instants time.Time in UTC with microsecond precision.
// Nothing here is HTTP or JSON: package server maps results and errors to the API's bodies and
// statuses.
//
// # Errors
//
// A call that refuses its input returns a [*Error] with a code (the Code… constants, or the
// estimator's for a spec the card refuses), the field at fault and a message; errors.As finds
// it. insufficient_credits carries what the job needs, what is available, the cheapest top-up
// that covers the gap and the free standard queue; stale_quote the server's quote. Any other
// error (the database's, a cancelled context) changed nothing that was acknowledged: retry the
// call with the same key.
//
// # Idempotency
//
// A call's key, the request hash and its result (success or *Error) are stored in the same
// transaction as its change. A retry with the same key and hash changes nothing and gets the
// stored result with Replayed set; the same key with another hash is idempotency_conflict.
// Keys are kept Options.IdempotencyTTL (30 days by default); payment references forever.
//
// # Events, webhooks and reports
//
// Every change a platform cares about writes an [Event] row in the same transaction (an
// outbox): the entry lines and payment rows a call's write set flushes become events in one
// place (events.go), plus balance.low (a per-account threshold, [Ledger.SetLowBalance], once per
// crossing) and credits.expiring (the sweeper, once per bucket). [Ledger.FanOut],
// [Ledger.ClaimDeliveries] and [Ledger.FinishDelivery] let any number of processes deliver them
// to webhook endpoints ([Ledger.CreateEndpoint]) at least once, in order per account, with
// backoff ([RetryPolicy]), dead letters, [Ledger.Replay] and history ([Ledger.Deliveries]);
// [Ledger.TryLease] lets one process at a time run a job. [Ledger.Usage],
// [Ledger.UtilizationReport] and [Ledger.BalanceAt] read the entries for reports.
//
// # Rules
//
// Written down in docs/ledger.md and tested against both databases:
//   - a hold is priced by the server's rate card (estimator.RateCard.Estimate), never by the
//     client, and records the quote, the card's version and digest and the buckets it drew;
//   - the credit model is the engine's (estimator.RateCard.SpendOrder, Spend, Expiry,
//     estimator.PeriodAt), the same functions the wallet and spend previews call: buckets pay
//     soonest expiry first, ties by kind (trial, monthly, priority, topup, adjustment); priority
//     credits pay only fast-queue holds, and last of all while a fast-queue plan is live; plan
//     grants take a billing period anchored on the plan's start day (Jan 31 → Feb 28 → Mar 31);
//     expiry is judged at the instant of the call, on the server;
//   - settle charges the held credits, or the engine's quote for what was delivered, never
//     more; the rest, and a release, return each credit to its bucket; a hold left open past
//     its deadline (its own TTL, at most Options.MaxHoldTTL) is released automatically;
//   - instants end at [MaxInstant] (RFC 3339 has four-digit years);
//   - [Ledger.Reconcile] re-derives buckets and holds from the entries and reports any
//     disagreement.
//
// The package depends on estimator and database/sql (and the two drivers) only.
package ledger
